"""The night's compiled feature query: the same frame as building it, compiled once for every night."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from features import compiled
from features.build import active_spine, build_features
from features.facts import rule_break_periods
from felrisk.datadir import open_data
from felrisk.private_cache import PrivateCache
from tests.features import scenarios
from tests.features.conftest import spine_of

NIGHTS = (scenarios.AS_OF, scenarios.AS_OF - timedelta(days=45))


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("case_id", kind="mergesort").reset_index(drop=True)


def _built(world, as_of) -> pd.DataFrame:
    data = open_data(world)
    return _sorted(build_features(data, active_spine(data, as_of)).to_pandas())


def test_the_cached_query_gives_the_built_frame_on_every_night_compiled_once(
    hand_world, tmp_path, monkeypatch
):
    cache = PrivateCache(tmp_path / "cache", ".json")
    first = compiled.active_features(open_data(hand_world), NIGHTS[0], cache)
    assert len(first) > 0
    pd.testing.assert_frame_equal(_sorted(first), _built(hand_world, NIGHTS[0]), check_exact=True)
    assert len(list((tmp_path / "cache").iterdir())) == 1

    def no_compile(*a, **k):
        raise AssertionError("a cached query must not be built or compiled again")

    monkeypatch.setattr(compiled, "compile_query", no_compile)
    for night in NIGHTS:  # another night's date is not in the query: the same entry serves it
        got = compiled.active_features(open_data(hand_world), night, cache)
        pd.testing.assert_frame_equal(_sorted(got), _built(hand_world, night), check_exact=True)


def test_a_table_of_another_schema_is_a_miss(hand_world, tmp_path):
    data = open_data(hand_world)
    key = compiled.query_key(data, compiled.FEATURES, active_spine(data, scenarios.AS_OF).schema())
    assert key == compiled.query_key(
        open_data(hand_world), compiled.FEATURES, active_spine(data, NIGHTS[1]).schema()
    )
    assert key != compiled.query_key(data, compiled.BREAKS, active_spine(data, NIGHTS[1]).schema())
    data.tables["cases"] = data.tables["cases"].mutate(extra=1)
    assert (
        compiled.query_key(data, compiled.FEATURES, active_spine(data, scenarios.AS_OF).schema())
        != key
    )


def test_an_entry_that_others_could_write_is_compiled_afresh(hand_world, tmp_path, monkeypatch):
    cache = PrivateCache(tmp_path / "cache", ".json")
    compiled.active_features(open_data(hand_world), scenarios.AS_OF, cache)
    entry = next((tmp_path / "cache").iterdir())
    entry.chmod(0o622)
    calls = []
    real = compiled.compile_query
    monkeypatch.setattr(compiled, "compile_query", lambda *a: calls.append(1) or real(*a))
    got = compiled.active_features(open_data(hand_world), scenarios.AS_OF, cache)
    assert calls == [1]
    pd.testing.assert_frame_equal(
        _sorted(got), _built(hand_world, scenarios.AS_OF), check_exact=True
    )


def test_break_periods_from_the_cached_query_are_the_built_ones(hand_world, tmp_path):
    cache = PrivateCache(tmp_path / "cache", ".json")
    spine = spine_of([c["case_id"] for c in scenarios.CASES], scenarios.AS_OF)
    built = rule_break_periods(open_data(hand_world), spine)
    assert len(built) > 0
    for _ in range(2):  # compiled, then read back
        got = rule_break_periods(open_data(hand_world), spine, cache=cache)
        pd.testing.assert_frame_equal(got, built, check_exact=True)
    assert [p.name.startswith(f"{compiled.BREAKS}-") for p in (tmp_path / "cache").iterdir()] == [
        True
    ]
