"""Atomic publication of one night's folder: a lock per date, a temp folder, an atomic swap.

A crash at any point leaves either the previous complete list or the new one at OUT/<date>.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
from datetime import date
from pathlib import Path

from felrisk.safeio import (
    dir_mode,
    make_dir,
    path_lock,
    pid_alive,
    refuse_symlink,
    remove_path,
)

log = logging.getLogger("felrisk.scoring")

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _renameat2():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange_dirs(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE).

    Returns False when the system or file system cannot, so the caller falls back.
    """
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def published_lists(out: Path) -> list[tuple[date, Path]]:
    """(as-of date, control_list.parquet) of every night published in OUT, oldest first."""
    found = []
    for folder in sorted(Path(out).glob("????-??-??")):
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        f = folder / "control_list.parquet"
        if f.exists():
            found.append((day, f))
    return found


def date_lock(out: Path, as_of: date) -> contextlib.AbstractContextManager[Path]:
    """Hold OUT/<date>.lock: two runs for one date never overlap."""
    return path_lock(out / f"{as_of.isoformat()}.lock", as_of.isoformat())


def recover(out: Path, as_of: date) -> None:
    """Under the lock: restore a list a crash left aside, and delete half-written folders.

    A symbolic link at OUT/<date> is refused (exit 2) before anything is written.
    """
    day = as_of.isoformat()
    final = out / day
    refuse_symlink(final, f"the list of {day}")
    olds = sorted(p for p in out.glob(f".old-{day}-*") if not p.is_symlink())
    if not final.exists() and olds:
        os.rename(olds[-1], final)
        log.warning("restored the previous list for %s left aside by a crashed run", day)
        olds = olds[:-1]
    leftovers = [*olds, *out.glob(f".old-{day}-*"), *out.glob(f".tmp-{day}-*")]
    # another night's staging folder whose run is gone (its own run would clean it only then)
    leftovers += [p for p in out.glob(".tmp-*-*") if not pid_alive(_pid_of(p))]
    for stale in dict.fromkeys(p for p in leftovers if p.exists() or p.is_symlink()):
        remove_path(stale)
        log.warning("removed %s, left by a run that did not finish", stale)


def _pid_of(folder: Path) -> int:
    tail = folder.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else os.getpid()  # not ours to judge: keep it


def staging_dir(out: Path, as_of: date) -> Path:
    """A fresh private folder inside OUT for tonight's files (same file system as the target)."""
    tmp = out / f".tmp-{as_of.isoformat()}-{os.getpid()}"
    if tmp.exists() or tmp.is_symlink():
        remove_path(tmp)
    make_dir(out)
    os.mkdir(tmp, dir_mode())
    os.chmod(tmp, dir_mode())
    return tmp


def publish(tmp: Path, out: Path, as_of: date) -> Path:
    """Put a complete folder in place as OUT/<date>, replacing an earlier one atomically."""
    for f in tmp.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(tmp)
    final = out / as_of.isoformat()
    refuse_symlink(final, f"the list of {as_of.isoformat()}")
    if not final.exists():
        os.rename(tmp, final)
    elif exchange_dirs(tmp, final):
        remove_path(tmp)  # now holds the previous list
    else:
        # Fallback: two renames; recover() restores the old folder if a crash falls in between.
        old = out / f".old-{as_of.isoformat()}-{os.getpid()}"
        os.rename(final, old)
        try:
            os.rename(tmp, final)
        except OSError:
            os.rename(old, final)
            raise
        remove_path(old)
    _fsync_dir(out)
    return final
