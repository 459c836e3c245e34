"""The one way felrisk writes personal data: owner-only, atomic, and never through a symbolic link.

Files are created 0600 and folders 0700 whatever the umask (FELRISK_SHARE_GROUP=1 widens them to
0640 and 0750 for a team group). A rewrite keeps the mode the file had. Temporary files are
created next to their target with O_EXCL | O_NOFOLLOW, carry the writer's pid in their name, and
are removed by the next writer once that process is gone. `path_lock` is felrisk's one lock: two
writers of the same thing never overlap.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from felrisk.environment import environment
from felrisk.errors import LockedError, UnsafePathError

log = logging.getLogger("felrisk.safeio")

SHARE_GROUP_ENV = "FELRISK_SHARE_GROUP"
# `.NAME.PID.RANDOM.tmp`, and `.NAME.PID.tmp` as felrisk wrote it before this module
_TMP_RE = re.compile(r"^\..+\.(\d+)(?:\.[0-9a-f]{8})?\.tmp$")


def group_shared() -> bool:
    """True when FELRISK_SHARE_GROUP asks for group-readable files (1, true, yes)."""
    return environment().FELRISK_SHARE_GROUP


def file_mode() -> int:
    """Mode of a new file: 0600, or 0640 with FELRISK_SHARE_GROUP."""
    return 0o640 if group_shared() else 0o600


def dir_mode() -> int:
    """Mode of a new folder: 0700, or 0750 with FELRISK_SHARE_GROUP."""
    return 0o750 if group_shared() else 0o700


def private_umask() -> int:
    """The umask that gives files other libraries create the same modes (077, or 027 shared)."""
    return 0o027 if group_shared() else 0o077


def refuse_symlink(path: Path, what: str = "") -> None:
    """Raise UnsafePathError (exit 2) when `path` itself is a symbolic link."""
    if Path(path).is_symlink():
        target = os.readlink(path)
        raise UnsafePathError(
            f"{path} is a symbolic link (to {target}){' for ' + what if what else ''}: felrisk "
            "does not write through links; remove the link or choose another folder"
        )


def make_dir(path: Path) -> Path:
    """Create `path` and missing parents with the private folder mode; a linked leaf is refused.

    An existing folder keeps its mode: the operator chose it.
    """
    path = Path(path)
    refuse_symlink(path)
    missing = []
    p = path
    while not p.exists() and not p.is_symlink():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, dir_mode())
        except FileExistsError:
            refuse_symlink(d)
            continue
        os.chmod(d, dir_mode(), follow_symlinks=False)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return path


def _tmp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _create_exclusive(path: Path, mode: int) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    os.fchmod(fd, mode)  # the umask may have narrowed or a group setting widened it
    return fd


def _target_mode(target: Path) -> int:
    """The mode the file at `target` has now (a rewrite keeps it), else the private file mode."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return file_mode()
    if stat.S_ISLNK(st.st_mode):
        refuse_symlink(target)
    return stat.S_IMODE(st.st_mode)


@contextlib.contextmanager
def atomic_write(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary handle on a private temporary file that replaces `target` on success.

    The target never holds half a file: on an exception the temporary file is removed and the
    target is untouched. A symbolic link at `target` is refused (exit 2). The handle's `name` is
    the temporary file's path (to read back what was written before it counts).
    """
    target = Path(target)
    make_dir(target.parent)
    mode = _target_mode(target)
    tmp = _tmp_name(target)
    fd = _create_exclusive(tmp, mode)
    try:
        with open(tmp, "wb", opener=lambda _path, _flags: fd) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_bytes(target: Path, data: bytes) -> Path:
    """Write `data` to `target` atomically with the private mode."""
    with atomic_write(target) as fh:
        fh.write(data)
    return Path(target)


def write_text(target: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `target` atomically with the private mode."""
    return write_bytes(target, text.encode(encoding))


def create_file(path: Path, data: bytes = b"") -> Path:
    """Create a new private file at `path` (refused if anything, a link included, is there)."""
    fd = _create_exclusive(Path(path), file_mode())
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(path)


def open_lock_file(path: Path) -> int:
    """An fd on the lock file `path`, created private if new; never follows or truncates a link.

    An existing lock must be a regular file of this user with one link: anything else (a link to
    another file, a hard link, someone else's file) is refused with exit 2.
    """
    path = Path(path)
    make_dir(path.parent)
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return _create_exclusive_rw(path)
    except FileExistsError:
        pass
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            refuse_symlink(path, "a lock")
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != os.geteuid():
        os.close(fd)
        raise UnsafePathError(
            f"{path} is not a lock file felrisk made (not a regular file of this user with one "
            "link); remove it after checking what it is"
        )
    return fd


@contextlib.contextmanager
def path_lock(lock_path: Path, what: str) -> Iterator[Path]:
    """Hold `lock_path` exclusively (flock); another holder makes this raise LockedError at once.

    The kernel drops the lock when the process dies, so a crashed run never leaves it held. The
    lock file is opened without following links and must be felrisk's own (see `open_lock_file`).
    """
    fd = open_lock_file(lock_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockedError(
                f"another run holds {lock_path} for {what}; try again when it ends"
            ) from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield lock_path
    finally:
        os.close(fd)  # releases the flock


def _create_exclusive_rw(path: Path) -> int:
    fd = os.open(
        path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, file_mode()
    )
    os.fchmod(fd, file_mode())
    return fd


def pid_alive(pid: int) -> bool:
    """True while process `pid` runs (or cannot be asked); this process counts as alive."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftover_files(folder: Path) -> list[Path]:
    """Remove temporary files (`.NAME.PID.XXXXXXXX.tmp`) of writers that are no longer running."""
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    for p in sorted(folder.iterdir()):
        m = _TMP_RE.match(p.name)
        if m and not pid_alive(int(m.group(1))):
            remove_path(p)
            removed.append(p)
    for p in removed:
        log.warning("removed %s, left by a run that was stopped before it finished", p)
    return removed


def remove_path(path: Path) -> None:
    """Remove a file, a link (never what it points to) or a whole folder."""
    path = Path(path)
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path)
