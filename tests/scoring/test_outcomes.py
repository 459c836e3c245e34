"""`felrisk outcomes import`: results matched to issued lists, appended to controls, or refused whole."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from audit.night import choose_random_base, random_stream
from felrisk.cli import main
from felrisk.errors import LockedError, OutcomeImportError
from felrisk.safeio import path_lock
from felrisk.validate import validate_data
from scoring.job import issued_exploration_ids
from scoring.outcomes import import_outcomes
from scoring.selection import cooldown_persons
from tests.scoring.world import AS_OF

pytestmark = pytest.mark.slow  # imports into a published night (the nightly job runs first)

CLOSED = (AS_OF + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def issued(world, night):
    """The world and the lists folder of one published night, with its list."""
    result, _, lists = night
    return world, lists, pd.read_parquet(result.folder / "control_list.parquet")


@pytest.fixture
def data(issued, tmp_path):
    """A private copy of the world whose controls table the test may grow."""
    world, _, _ = issued
    return shutil.copytree(world, tmp_path / "data")


def _results(lst: pd.DataFrame, n_model: int = 2, n_random: int = 2) -> pd.DataFrame:
    picks = pd.concat(
        [
            lst[lst["selection"] == "model"].head(n_model),
            lst[lst["selection"] == "exploration"].head(n_random),
        ]
    )
    outcome = np.resize(["error_customer", "no_error"], len(picks))
    return pd.DataFrame(
        {
            "control_id": picks["control_id"].to_numpy(),
            "case_id": picks["case_id"].to_numpy(),
            "outcome": outcome,
            "wrong_amount_sek": np.where(outcome == "no_error", "", "12500.50"),
            "closed_date": CLOSED,
        }
    )


def _write(df: pd.DataFrame, path) -> object:
    df.to_csv(path, index=False)
    return path


def test_import_appends_complete_rows_and_keeps_every_old_row(issued, data, tmp_path):
    _, lists, lst = issued
    before = pd.read_parquet(data / "controls.parquet")
    res_df = _results(lst)
    result = import_outcomes(
        _write(res_df, tmp_path / "r.csv"), lists_dir=lists, data_dir=data, console=None
    )
    after = pd.read_parquet(data / "controls.parquet")
    assert result.added == 4 and result.completed == 0 and len(after) == len(before) + 4
    pd.testing.assert_frame_equal(after.head(len(before)), before)
    new = after.tail(4).set_index("control_id")
    issued_rows = lst.set_index("control_id").loc[new.index]
    assert (new["selected_date"] == AS_OF).all()
    assert (new["person_id"] == issued_rows["person_id"]).all()
    assert (new["benefit"] == issued_rows["benefit"]).all()
    model = issued_rows["selection"] == "model"
    assert (new.loc[model, "selection"] == "model").all()
    assert new.loc[model, "selection_probability"].isna().all()
    assert (new.loc[~model, "selection"] == "random").all()
    np.testing.assert_allclose(
        new.loc[~model, "selection_probability"], issued_rows.loc[~model, "selection_probability"]
    )
    assert set(new["outcome"]) == {"error_customer", "no_error"}
    assert (new.loc[new["outcome"] == "no_error", "wrong_amount_sek"] == 0).all()
    assert (new.loc[new["outcome"] == "error_customer", "wrong_amount_sek"] == 12500.5).all()
    assert validate_data(data).row_counts["controls"] == len(after)  # still the contract's shape
    # the loop closes: exploration picks join the random stream, everyone joins the cooldown
    later = AS_OF + timedelta(days=40)
    stream = random_stream(after, later)
    assert set(new.index[~model]) <= set(stream["control_id"])
    assert set(new["person_id"]) <= cooldown_persons(after, later, 180)
    # ... and the imported exploration picks become a later night's like-for-like base
    base = choose_random_base(stream, issued_exploration_ids(lists, later), "auto", min_errors=1)
    assert base.source == "exploration"
    assert set(base.controls["control_id"]) == set(new.index[~model])


def test_a_swedish_excel_csv_is_read(issued, data, tmp_path):
    """Semicolons, a byte-order mark and decimal commas, as Excel writes them in Sweden."""
    _, lists, lst = issued
    res = _results(lst, 1, 1).assign(wrong_amount_sek=["12 500,50", "0"])
    f = tmp_path / "excel.csv"
    f.write_text(res.to_csv(index=False, sep=";"), encoding="utf-8-sig")
    import_outcomes(f, lists_dir=lists, data_dir=data)
    new = pd.read_parquet(data / "controls.parquet").tail(2)
    assert new["wrong_amount_sek"].tolist() == [12500.5, 0.0]


def test_a_second_import_of_the_same_results_is_refused(issued, data, tmp_path):
    _, lists, lst = issued
    f = _write(_results(lst), tmp_path / "r.csv")
    import_outcomes(f, lists_dir=lists, data_dir=data)
    snapshot = (data / "controls.parquet").read_bytes()
    with pytest.raises(OutcomeImportError, match="already imported") as err:
        import_outcomes(f, lists_dir=lists, data_dir=data)
    assert "nothing written" in str(err.value) and len(err.value.problems) == 1
    assert (data / "controls.parquet").read_bytes() == snapshot


def test_a_conflicting_outcome_is_refused(issued, data, tmp_path):
    _, lists, lst = issued
    first = _results(lst)
    import_outcomes(_write(first, tmp_path / "a.csv"), lists_dir=lists, data_dir=data)
    snapshot = (data / "controls.parquet").read_bytes()
    changed = first.head(1).assign(outcome="no_error", wrong_amount_sek="0")
    with pytest.raises(OutcomeImportError, match="conflicts") as err:
        import_outcomes(_write(changed, tmp_path / "b.csv"), lists_dir=lists, data_dir=data)
    assert first["control_id"].iloc[0] in str(err.value)
    assert (data / "controls.parquet").read_bytes() == snapshot


def test_an_unknown_control_id_refuses_the_whole_file(issued, data, tmp_path):
    _, lists, lst = issued
    snapshot = (data / "controls.parquet").read_bytes()
    res = _results(lst)
    res.loc[len(res)] = ["K20251001-SJP-V9999", "C00000", "no_error", "", CLOSED]
    with pytest.raises(OutcomeImportError) as err:
        import_outcomes(_write(res, tmp_path / "r.csv"), lists_dir=lists, data_dir=data)
    assert "unknown control_id" in str(err.value) and "line 6 (K20251001-SJP-V9999)" in str(
        err.value
    )
    assert (data / "controls.parquet").read_bytes() == snapshot


def _edit(column, value, row=0):
    def go(df):
        df = df.copy()
        df.loc[row, column] = value
        return df

    return go


BAD_RESULTS = {
    "missing column": (lambda df: df.drop(columns="closed_date"), "missing column(s) closed_date"),
    "unknown outcome": (_edit("outcome", "fel"), "outcome not one of"),
    "bad date": (_edit("closed_date", "31/10/2025"), "closed_date is not a date"),
    "negative amount": (_edit("wrong_amount_sek", "-5"), "negative"),
    "infinite amount": (_edit("wrong_amount_sek", "inf"), "not a finite number"),
    "closed in the future": (_edit("closed_date", "2099-12-31"), "closed_date after today"),
    "amount not a number": (_edit("wrong_amount_sek", "tolv"), "not a number"),
    "error without amount": (_edit("wrong_amount_sek", ""), "missing for an error outcome"),
    "repeated in file": (lambda df: pd.concat([df, df.head(1)]), "repeated in the file"),
    "other case": (_edit("case_id", "C99999"), "case_id differs"),
    "closed before selected": (
        _edit("closed_date", (AS_OF - timedelta(days=1)).isoformat()),
        "before the list's as-of",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_RESULTS))
def test_bad_results_are_refused_and_nothing_is_written(issued, data, tmp_path, kind):
    _, lists, lst = issued
    change, words = BAD_RESULTS[kind]
    snapshot = (data / "controls.parquet").read_bytes()
    f = _write(change(_results(lst)), tmp_path / "r.csv")
    with pytest.raises(OutcomeImportError, match="r.csv|refused") as err:
        import_outcomes(f, lists_dir=lists, data_dir=data)
    assert words in str(err.value)
    assert (data / "controls.parquet").read_bytes() == snapshot
    assert sorted(p.name for p in data.iterdir() if p.name.startswith(".")) in (
        [],
        [".controls.lock"],
    )


def test_cli_exit_codes(issued, data, tmp_path):
    _, lists, lst = issued
    f = _write(_results(lst), tmp_path / "r.csv")
    args = ["outcomes", "import", str(f), "--lists", str(lists), "--data", str(data)]
    assert main(args) == 0
    assert main(args) == 3  # the same results again
    with path_lock(data / ".controls.lock", "test"):
        other = _write(_results(lst, 3, 3).tail(1), tmp_path / "s.csv")
        assert (
            main(["outcomes", "import", str(other), "--lists", str(lists), "--data", str(data)])
            == 5
        )


def test_an_open_control_is_completed_not_duplicated(issued, data, tmp_path):
    _, lists, lst = issued
    res = _results(lst, 1, 0)
    row = lst.set_index("control_id").loc[res["control_id"].iloc[0]]
    controls = pd.read_parquet(data / "controls.parquet")
    open_row = pd.DataFrame(
        {
            "control_id": [row.name],
            "case_id": [row["case_id"]],
            "person_id": [row["person_id"]],
            "benefit": [row["benefit"]],
            "selected_date": [AS_OF],
            "selection": ["model"],
            "selection_probability": [np.nan],
            "closed_date": [None],
            "outcome": [None],
            "wrong_amount_sek": [np.nan],
        }
    )
    from felrisk.datadir import write_table

    write_table("controls", pd.concat([controls, open_row], ignore_index=True), data)
    result = import_outcomes(_write(res, tmp_path / "r.csv"), lists_dir=lists, data_dir=data)
    after = pd.read_parquet(data / "controls.parquet")
    assert result.completed == 1 and result.added == 0 and len(after) == len(controls) + 1
    done = after.set_index("control_id").loc[row.name]
    assert done["outcome"] == "error_customer" and done["wrong_amount_sek"] == 12500.5


def test_a_failed_write_leaves_controls_intact(issued, data, tmp_path, monkeypatch):
    _, lists, lst = issued
    snapshot = (data / "controls.parquet").read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("felrisk.safeio.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        import_outcomes(_write(_results(lst), tmp_path / "r.csv"), lists_dir=lists, data_dir=data)
    assert (data / "controls.parquet").read_bytes() == snapshot
    assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]


def test_a_held_lock_blocks_an_import(issued, data, tmp_path):
    _, lists, lst = issued
    with (
        path_lock(data / ".controls.lock", "test"),
        pytest.raises(LockedError, match="controls"),
    ):
        import_outcomes(_write(_results(lst), tmp_path / "r.csv"), lists_dir=lists, data_dir=data)


def test_controls_stay_owner_only_after_an_import(issued, data, tmp_path):
    _, lists, lst = issued
    controls = data / "controls.parquet"
    os.chmod(controls, 0o600)
    old = os.umask(0o022)
    try:
        import_outcomes(_write(_results(lst), tmp_path / "r.csv"), lists_dir=lists, data_dir=data)
    finally:
        os.umask(old)
    assert stat.S_IMODE(controls.stat().st_mode) == 0o600
    assert stat.S_IMODE((data / ".controls.lock").stat().st_mode) == 0o600


def test_a_killed_imports_leftover_is_removed_by_the_next(issued, data, tmp_path, caplog):
    _, lists, lst = issued
    dead = 2**22 + 4242  # no such process
    left = data / f".controls.parquet.{dead}.tmp"
    left.write_bytes((data / "controls.parquet").read_bytes())
    import_outcomes(_write(_results(lst), tmp_path / "r.csv"), lists_dir=lists, data_dir=data)
    assert not left.exists() and "left by a run that was stopped" in caplog.text


def test_a_symlinked_controls_lock_is_refused_and_its_target_untouched(issued, data, tmp_path):
    _, lists, lst = issued
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (data / ".controls.lock").symlink_to(victim)
    f = _write(_results(lst), tmp_path / "r.csv")
    args = ["outcomes", "import", str(f), "--lists", str(lists), "--data", str(data)]
    assert main(args) == 2
    assert victim.read_text() == "precious"


def test_a_large_results_file_is_read_in_chunks(issued, tmp_path):
    """Chunked reading finds the same problems on the right lines as a whole read."""
    from scoring.outcomes import read_results

    _, _, lst = issued
    res = pd.concat([_results(lst)] * 3, ignore_index=True)
    res.loc[7, "wrong_amount_sek"] = "inf"
    f = _write(res, tmp_path / "big.csv")
    whole, p_whole = read_results(f, chunk_rows=10_000)
    chunked, p_chunked = read_results(f, chunk_rows=5)
    pd.testing.assert_frame_equal(whole, chunked)
    assert p_whole == p_chunked
    assert any("not a finite number: line 9 (" in p for p in p_chunked)
    assert any("repeated in the file" in p and "line 2 (" in p for p in p_chunked)


def test_a_damaged_issued_list_is_exit_3_naming_it(issued, data, tmp_path, capsys):
    _, lists, lst = issued
    copy = shutil.copytree(lists, tmp_path / "lists")
    f = next(copy.glob("????-??-??")) / "control_list.parquet"
    f.write_bytes(f.read_bytes()[:100])
    r = _write(_results(lst), tmp_path / "r.csv")
    args = ["outcomes", "import", str(r), "--lists", str(copy), "--data", str(data)]
    assert main(args) == 3
    assert "control_list.parquet" in capsys.readouterr().err
