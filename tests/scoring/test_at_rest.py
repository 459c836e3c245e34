"""A night at rest: owner-only files whatever the umask, no writing through links, leftovers gone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from felrisk.cli import main
from felrisk.errors import UnsafePathError
from scoring.job import run_nightly
from tests.scoring.world import AS_OF, fakes, use_fakes

pytestmark = pytest.mark.slow  # each test runs a night

DAY = AS_OF.isoformat()


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_file_of_a_night_is_owner_only_under_umask_022(world, tmp_path, umask022):
    out = tmp_path / "lists"
    result = run_nightly(world, as_of=AS_OF, out=out, **fakes(world))
    assert mode(out) == 0o700 and mode(result.folder) == 0o700
    assert mode(out / f"{DAY}.lock") == 0o600
    files = list(result.folder.iterdir())
    assert len(files) == 5 and {mode(f) for f in files} == {0o600}


def test_a_synthetic_world_and_its_truth_are_owner_only(tmp_path, umask022):
    out = tmp_path / "world"
    args = ["synth", "--persons", "60", "--start", "2024-01-01", "--end", "2024-12-31"]
    assert main([*args, "--out", str(out)]) == 0
    os.umask(0o022)  # main() narrowed the process's umask; the modes must not depend on it
    assert mode(out) == 0o700 and mode(out / "truth") == 0o700
    tables = [*out.glob("*.parquet"), *(out / "truth").glob("*.parquet")]
    assert len(tables) == 11 and {mode(f) for f in tables} == {0o600}


def test_a_symlinked_lock_is_refused_and_its_target_untouched(world, tmp_path):
    out = tmp_path / "lists"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / f"{DAY}.lock").symlink_to(victim)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        run_nightly(world, as_of=AS_OF, out=out, **fakes(world))
    assert victim.read_text() == "precious" and not (out / DAY).exists()


def test_a_symlinked_date_folder_is_refused_with_exit_2(world, tmp_path, monkeypatch, capsys):
    out = tmp_path / "lists"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / DAY).symlink_to(elsewhere)
    use_fakes(monkeypatch, world)
    code = main(["score", "--data", str(world), "--as-of", DAY, "--out", str(out)])
    assert code == 2 and "symbolic link" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == [] and (out / DAY).is_symlink()
    assert sorted(p.name for p in out.iterdir()) == [DAY, f"{DAY}.lock"]  # nothing left behind


def test_leftovers_of_a_killed_run_are_removed_by_the_next_which_says_so(world, tmp_path, caplog):
    out = tmp_path / "lists"
    half = out / f".tmp-{DAY}-4242"
    half.mkdir(parents=True)
    (half / "control_list.csv").write_text("a whole list of persons")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    (out / f".tmp-{DAY}-4343").symlink_to(elsewhere)
    dead = 2**22 + 77  # no such process: a killed run of another night
    (out / f".tmp-2025-09-30-{dead}").mkdir()
    alive = out / f".tmp-2025-09-29-{os.getpid()}"  # a night being written right now
    alive.mkdir()
    run_nightly(world, as_of=AS_OF, out=out, **fakes(world))
    assert sorted(p.name for p in out.iterdir()) == [alive.name, DAY, f"{DAY}.lock"]
    assert (elsewhere / "keep.txt").read_text() == "keep"  # a link is removed, never followed
    assert caplog.text.count("did not finish") == 3
