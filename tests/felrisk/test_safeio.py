"""felrisk.safeio: owner-only modes whatever the umask, atomic rewrites, no writing through links."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from felrisk import safeio
from felrisk.errors import UnsafePathError


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_files_and_folders_are_owner_only_under_umask_022(tmp_path, umask022):
    target = tmp_path / "a" / "b" / "x.bin"
    safeio.write_bytes(target, b"data")
    assert mode(target) == 0o600
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["x.bin"]  # no temporary file left


def test_a_rewrite_keeps_the_files_mode(tmp_path, umask022):
    target = tmp_path / "x.txt"
    safeio.write_text(target, "one")
    os.chmod(target, 0o640)
    safeio.write_text(target, "two")
    assert target.read_text() == "two" and mode(target) == 0o640


def test_the_group_setting_widens_to_the_group(tmp_path, umask022, monkeypatch):
    monkeypatch.setenv(safeio.SHARE_GROUP_ENV, "1")
    target = safeio.write_text(tmp_path / "g" / "x.txt", "x")
    assert mode(target) == 0o640 and mode(tmp_path / "g") == 0o750
    assert safeio.private_umask() == 0o027


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path):
    target = safeio.write_text(tmp_path / "x.txt", "old")
    with pytest.raises(RuntimeError), safeio.atomic_write(target) as fh:
        fh.write(b"half")
        raise RuntimeError("disk went away")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_a_symlinked_target_is_refused_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.txt"
    link.symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link") as info:
        safeio.write_text(link, "overwritten")
    assert info.value.exit_code == 2
    assert victim.read_text() == "precious" and link.is_symlink()


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "x.lock").symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        safeio.open_lock_file(tmp_path / "x.lock")
    assert victim.read_text() == "precious"
    # a hard link to another file is not a lock felrisk made either
    os.link(victim, tmp_path / "y.lock")
    with pytest.raises(UnsafePathError, match="not a lock file"):
        safeio.open_lock_file(tmp_path / "y.lock")
    assert victim.read_text() == "precious"


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path, caplog):
    dead = 2**22 + 12345  # above pid_max on any usual system: no such process
    old = tmp_path / f".controls.parquet.{dead}.tmp"
    new = tmp_path / f".x.parquet.{dead}.0123abcd.tmp"
    live = tmp_path / f".x.parquet.{os.getpid()}.0123abcd.tmp"
    for p in (old, new, live):
        p.write_bytes(b"rows")
    removed = safeio.remove_leftover_files(tmp_path)
    assert sorted(removed) == sorted([old, new]) and live.exists()
    assert "left by a run that was stopped" in caplog.text
