"""The backtest never reads a row known after its night: a world cut at D-1 gives the same list.

A synthetic world is replayed for one night twice: as it is, and with every row known on or
after the night removed (and every outcome closed on or after it blanked). The model is trained
before the night from each copy, the night's features built and every policy's list drawn: the
two must agree to the row. A leak anywhere (features, training set, cooldown, confirmed errors)
would make them differ.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from backtest.config import load_backtest_config
from backtest.replay import replay, standard_policies
from backtest.run import night_scorer, train_before
from felrisk.config import default_config_path
from felrisk.datadir import open_data
from scoring.config import load_selection_config
from scoring.sources import FelriskData
from training.config import load_training_config

pytestmark = pytest.mark.slow

NIGHT = date(2025, 9, 1)
KNOWN_FROM = {
    "employers": "registered_date",
    "cases": "opened_date",
    "payments": "paid_date",
    "income_reports": "reported_date",
    "sgi_decisions": "decision_date",
    "work_time_reports": "submitted_date",
    "activity_reports": "submitted_date",
}


def _blank(t: pa.Table, late: pa.ChunkedArray, columns: list[str]) -> pa.Table:
    for col in columns:
        i = t.schema.get_field_index(col)
        nulls = pa.nulls(len(t), t.schema.field(i).type)
        t = t.set_column(i, t.schema.field(i), pc.if_else(late, nulls, t[col]))
    return t


def cut_at(src: Path, dst: Path, night: date) -> None:
    """A copy of the world as the agency knew it at the end of night - 1."""
    dst.mkdir(parents=True)
    day = pa.scalar(night, pa.date32())
    for f in sorted(src.glob("*.parquet")):
        t = pq.read_table(f)
        name = f.stem
        if name in KNOWN_FROM:
            t = t.filter(pc.less(t[KNOWN_FROM[name]], day))
        if name == "cases":
            late = pc.fill_null(pc.greater_equal(t["closed_date"], day), False)
            t = _blank(t, late, ["closed_date"])
        if name == "controls":
            t = t.filter(pc.less(t["selected_date"], day))
            late = pc.fill_null(pc.greater_equal(t["closed_date"], day), False)
            t = _blank(t, late, ["closed_date", "outcome", "wrong_amount_sek"])
        pq.write_table(t, dst / f.name)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory) -> tuple[Path, Path]:
    from synthetic.world import generate

    root = tmp_path_factory.mktemp("bt_pit")
    full = root / "full"
    generate(
        persons=4000,
        start=date(2024, 1, 1),
        end=date(2025, 12, 31),
        seed=3,
        out=full,
        scenario_path=default_config_path("scenario_dense.toml"),
    )
    cut = root / "cut"
    cut_at(full, cut, NIGHT)
    return full, cut


def _lists(world: Path):
    data = open_data(world)
    cfg = load_training_config()
    bundle, _, _ = train_before(data, NIGHT, cfg, load_backtest_config().validate_months)
    selection = load_selection_config()
    score = night_scorer(data, {"model": bundle}, selection, FelriskData())
    controls = data["controls"].to_pandas()
    scored = score(NIGHT)["model"]
    picks = replay(
        [NIGHT],
        lambda d: {"model": scored},
        controls,
        selection,
        standard_policies(["hybrid", "model", "rules", "random"]),
    )
    return scored, picks


def test_a_night_sees_nothing_known_on_or_after_it(worlds):
    full, cut = worlds
    scored_full, picks_full = _lists(full)
    scored_cut, picks_cut = _lists(cut)
    assert len(picks_full) > 0
    cols = ["case_id", "probability", "model_probability", "rule_probability"]
    a = scored_full[cols].sort_values("case_id").reset_index(drop=True)
    b = scored_cut[cols].sort_values("case_id").reset_index(drop=True)
    assert a.equals(b)
    key = ["policy", "case_id", "lane", "selection"]
    assert (
        picks_full[key]
        .sort_values(key)
        .reset_index(drop=True)
        .equals(picks_cut[key].sort_values(key).reset_index(drop=True))
    )
