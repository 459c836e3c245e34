"""Same seed, same bytes; another seed, another world."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from felrisk.datadir import file_sha256
from synthetic.world import generate

pytestmark = pytest.mark.slow  # generates several worlds

START, END = date(2024, 1, 1), date(2024, 12, 31)


def _hashes(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): file_sha256(p) for p in sorted(out.rglob("*.parquet"))}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(persons=1500, start=START, end=END, seed=seed, out=tmp_path / name)
    a, b, c = (_hashes(tmp_path / n) for n in "abc")
    assert len(a) == 11  # ten contract tables and the truth
    assert a == b
    assert a["persons.parquet"] != c["persons.parquet"]
    assert a["truth/case_truth.parquet"] != c["truth/case_truth.parquet"]


def test_regenerating_into_the_same_folder_replaces_the_world(tmp_path):
    out = tmp_path / "w"
    generate(persons=1500, start=START, end=END, seed=5, out=out)
    first = _hashes(out)
    generate(persons=1500, start=START, end=END, seed=6, out=out)
    generate(persons=1500, start=START, end=END, seed=5, out=out)
    assert _hashes(out) == first
    assert not list(out.rglob("*.tmp"))
