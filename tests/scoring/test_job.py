"""The nightly job end to end on a small world with fake features and model: files, atomicity, errors."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from felrisk.cli import main
from felrisk.datadir import file_sha256, write_table
from felrisk.errors import ContractError, LockedError, NoModelError
from scoring import job as job_module
from scoring.fairness import audit_settings
from scoring.job import run_nightly
from scoring.manifest import (
    audit_from_manifest,
    config_from_manifest,
    input_mismatches,
    read_manifest,
)
from scoring.outputs import FINAL_COLUMNS
from scoring.publish import date_lock
from scoring.reproduce import reproduce_night
from tests.scoring.world import AS_OF, FakeData, NoChampion, fakes, no_facts, use_fakes

pytestmark = pytest.mark.slow  # each test runs the nightly job end to end

FILES = {
    "control_list.parquet",
    "control_list.csv",
    "control_list.xlsx",
    "report.html",
    "manifest.json",
}


def test_writes_one_complete_folder(night):
    result, _, out = night
    assert result.folder == out / "2025-10-01"
    assert {p.name for p in result.folder.iterdir()} == FILES
    assert not [p for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    assert tuple(lst.columns) == FINAL_COLUMNS
    assert lst["control_id"].is_unique and len(lst) == result.n_selected
    assert set(lst["selection"]) == {"model", "exploration"}
    model = lst[lst["selection"] == "model"]
    assert (model["reason_1"].str.startswith("Skäl: ")).all()
    breaks = lst[lst["hard_rule_break"]]
    assert len(breaks) and breaks["reason_features"].str.startswith("overlap_forbidden_days").all()
    assert lst.loc[lst["selection"] == "exploration", "selection_probability"].between(0, 1).all()
    csv = pd.read_csv(result.folder / "control_list.csv", dtype={"case_id": str})
    assert list(csv["control_id"]) == list(lst["control_id"])


def test_cooldown_person_is_not_on_the_list(night, world):
    result, _, _ = night
    controls = pd.read_parquet(world / "controls.parquet")
    recent = controls.loc[controls["control_id"] == "R99999", "person_id"].item()
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    assert recent not in set(lst["person_id"])


def test_excel_has_one_sheet_per_benefit_and_lane(night):
    result, _, _ = night
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    wb = load_workbook(result.folder / "control_list.xlsx")
    assert wb.sheetnames[0] == "Översikt"
    kind = {"verifiering": "Kontroll i handläggningen", "kontrollutredning": "Kontrollutredning"}
    expected = {
        f"{b} {kind[lane]}"
        for b, lane in lst[["benefit", "lane"]].drop_duplicates().itertuples(index=False)
    }
    assert set(wb.sheetnames[1:]) == expected
    assert [c.value for c in wb["Översikt"][4]][:2] == ["Förmån", "Kontrollform"]
    ws = wb["SJP Kontroll i handläggningen"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Rang", "Kontroll-id", "Ärende"] and "Skäl 1" in headers
    # what kind of control, never what the person is suspected of: no intent figure
    assert not any("avsikt" in str(h).lower() for h in headers)
    assert headers[-1] == "Meddelande till personen"
    notices = [r[-1].value for r in ws.iter_rows(min_row=2)]
    assert all(n and n.startswith("Försäkringskassan kommer att kontrollera") for n in notices)
    assert ws.auto_filter.ref.startswith("A1:") and ws.freeze_panes == "A2"
    n = int(((lst["benefit"] == "SJP") & (lst["lane"] == "verifiering")).sum())
    assert ws.max_row == n + 1


def test_manifest_records_data_model_config_and_steps(night, world):
    result, _, _ = night
    m = read_manifest(result.folder / "manifest.json")
    assert m["as_of"] == "2025-10-01"
    assert m["model"] == {
        "name": "felrisk",
        "version": 3,
        "alias": "champion",
        "feature_version": "fake0001",
    }
    assert m["inputs"]["payments"]["rows"] == len(pd.read_parquet(world / "payments.parquet"))
    assert m["inputs"]["payments"]["sha256"] == file_sha256(world / "payments.parquet")
    assert set(m["inputs"]) >= {"persons", "cases", "payments", "controls"}
    assert (
        m["counts"]["scored_cases"] == result.n_scored
        and m["counts"]["selected"] == result.n_selected
    )
    assert {"validate", "features", "score", "select", "reasons", "write"} <= set(m["timings_s"])
    assert m["felrisk_version"] and m["packages"]["lightgbm"][0].isdigit()
    assert m["config"]["capacity"]["SJP"]["verifiering"] == 40
    assert m["audit"] == {
        k: list(v) if isinstance(v, tuple) else v for k, v in audit_settings().items()
    }
    assert input_mismatches(m, world) == []


def test_a_night_is_remade_with_the_audit_settings_it_recorded(night, world, tmp_path):
    """The page's intervals depend on the audit's resamples: a remake uses what the night used,
    and a manifest from before they were recorded, the resample count its policy held then."""
    result, _, _ = night
    raw = read_manifest(result.folder / "manifest.json")
    raw["audit"]["n_boot"] = 77
    edited = tmp_path / "edited" / "2025-10-01" / "manifest.json"
    edited.parent.mkdir(parents=True)
    edited.write_text(json.dumps(raw))
    audit = audit_from_manifest(edited, audit_settings())
    assert audit["n_boot"] == 77 and audit["groups"] == audit_settings()["groups"]
    other = reproduce_night(edited, world, tmp_path / "other", **fakes(world))
    assert other.actual["control_list.parquet"] == raw["outputs_sha256"]["control_list.parquet"]
    assert other.actual["report.html"] != raw["outputs_sha256"]["report.html"]
    del raw["audit"]
    raw["config"]["equal_treatment_n_boot"] = 150
    edited.write_text(json.dumps(raw))
    assert audit_from_manifest(edited, audit_settings()) == dict(audit_settings(), n_boot=150)
    del raw["config"]["equal_treatment_n_boot"]
    edited.write_text(json.dumps(raw))
    assert audit_from_manifest(edited, audit_settings()) == audit_settings()


def test_scoring_run_logs_drift_sizes_and_equal_treatment(night):
    _, models, _ = night
    run = models.runs[-1]
    assert run["version"] == 3
    assert {"psi_score", "psi_amount_sum", "cases_scored", "selected_SJP"} <= set(run["metrics"])
    assert set(run["tables"]) == {
        "score_distribution.csv", "drift_psi.csv", "equal_treatment.csv",
        "equal_treatment_per_benefit.csv",
    }  # fmt: skip
    fair = run["tables"]["equal_treatment.csv"]
    assert set(fair["group"]) == {"sex", "birth_region", "age_band"}
    # within each benefit with enough model picks: its picks against its own random errors
    result, _, _ = night
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    picks = lst[lst["selection"] == "model"]["benefit"].value_counts()
    within = run["tables"]["equal_treatment_per_benefit.csv"]
    assert set(within["group"]) == {"sex"} and len(within) > 0
    assert set(within["benefit"]) <= set(picks[picks >= 20].index)
    shares = within.groupby("benefit")["share_selected"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0)
    html = (result.folder / "report.html").read_text(encoding="utf-8")
    assert 'id="fairness-benefit"' in html


def test_the_manifest_remakes_the_list_byte_for_byte(night, world, tmp_path):
    """Data, model version and policy from the manifest give the same list files."""
    result, _, _ = night
    m = read_manifest(result.folder / "manifest.json")
    assert (
        config_from_manifest(result.folder / "manifest.json") == job_module.load_selection_config()
    )
    again = reproduce_night(
        result.folder / "manifest.json", world, tmp_path / "again", **fakes(world)
    )
    assert again.identical and set(again.actual) == FILES - {"manifest.json"}
    for name in again.actual:
        assert file_sha256(again.result.folder / name) == m["outputs_sha256"][name]
        assert (again.result.folder / name).read_bytes() == (result.folder / name).read_bytes()
    meta = pq.read_metadata(again.result.folder / "control_list.parquet").metadata or {}
    assert set(meta) <= {b"ARROW:schema"}  # no pandas block, no timestamps


def test_a_changed_policy_or_data_is_caught(night, world, tmp_path):
    result, _, _ = night
    manifest = result.folder / "manifest.json"
    # another policy gives other bytes, and the comparison says so
    raw = read_manifest(manifest)
    raw["config"]["capacity"]["SJP"]["verifiering"] = 7
    edited = tmp_path / "edited" / "2025-10-01" / "manifest.json"
    edited.parent.mkdir(parents=True)
    edited.write_text(json.dumps(raw))
    other = reproduce_night(edited, world, tmp_path / "other", **fakes(world))
    assert not other.identical
    assert other.actual["control_list.parquet"] != raw["outputs_sha256"]["control_list.parquet"]
    # changed data is refused before anything runs
    changed = shutil.copytree(world, tmp_path / "changed")
    pay = pd.read_parquet(changed / "payments.parquet")
    pay.loc[0, "amount_sek"] += 1.0
    write_table("payments", pay, changed)
    with pytest.raises(ContractError, match="payments: sha256 differs"):
        reproduce_night(manifest, changed, tmp_path / "never", **fakes(world))
    assert not (tmp_path / "never").exists()


def _previous(night, out) -> Path:
    """OUT/2025-10-01 as an earlier run of the same night left it (a copy of the shared night)."""
    result, _, _ = night
    return Path(shutil.copytree(result.folder, out / AS_OF.isoformat()))


def test_second_run_replaces_the_first_and_cooldown_follows_issued_lists(night, world, tmp_path):
    first = _previous(night, tmp_path)
    before = (first / "control_list.parquet").read_bytes()
    marker = first / "stale.txt"
    marker.write_text("from an older run")
    second = run_nightly(world, as_of=AS_OF, out=tmp_path, **fakes(world))
    assert second.folder == first and not marker.exists()
    assert (second.folder / "control_list.parquet").read_bytes() == before
    nxt = run_nightly(world, as_of=AS_OF + timedelta(days=1), out=tmp_path, **fakes(world))
    a = pd.read_parquet(first / "control_list.parquet")
    b = pd.read_parquet(nxt.folder / "control_list.parquet")
    assert not set(a["person_id"]) & set(b["person_id"])
    assert read_manifest(nxt.folder / "manifest.json")["issued_lists_for_cooldown"] == {
        "2025-10-01": file_sha256(first / "control_list.parquet")
    }


def test_a_crash_leaves_the_previous_list_intact(night, world, tmp_path, monkeypatch):
    first = _previous(night, tmp_path)
    snapshot = {p.name: p.read_bytes() for p in first.iterdir()}

    class Boom(RuntimeError):
        pass

    def crash(*args, **kwargs):
        raise Boom("the disk went away")

    monkeypatch.setattr(job_module, "write_excel", crash)
    fake = fakes(world)
    with pytest.raises(Boom):
        run_nightly(world, as_of=AS_OF, out=tmp_path, **fake)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == snapshot
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert fake["models"].runs == []  # no MLflow run that looks like a night


def test_the_scoring_run_is_logged_after_publication(world, tmp_path):
    """A failing tracking store comes after the list is in place: the night is published."""
    seen = []

    class Boom(RuntimeError):
        pass

    def crash(*args, **kwargs):
        seen.append(sorted(p.name for p in (tmp_path / "2025-10-01").iterdir()))
        raise Boom("the tracking store went away")

    fake = fakes(world)
    fake["models"].scoring_run = crash
    with pytest.raises(Boom):
        run_nightly(world, as_of=AS_OF, out=tmp_path, **fake)
    assert seen == [sorted(FILES)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_a_crash_between_renames_is_recovered_by_the_next_run(night, tmp_path):
    first = _previous(night, tmp_path)
    snapshot = {p.name: p.read_bytes() for p in first.iterdir()}
    # a run killed after moving the old list aside and before renaming the new one into place
    aside = tmp_path / ".old-2025-10-01-4242"
    first.rename(aside)
    (tmp_path / ".tmp-2025-10-01-4242").mkdir()
    with date_lock(tmp_path, AS_OF):
        job_module.recover(tmp_path, AS_OF)
    assert {p.name: p.read_bytes() for p in first.iterdir()} == snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-10-01", "2025-10-01.lock"]


def test_publish_without_atomic_exchange_falls_back(night, world, tmp_path, monkeypatch):
    (_previous(night, tmp_path) / "stale.txt").write_text("from an older run")
    monkeypatch.setattr("scoring.publish.exchange_dirs", lambda a, b: False)
    again = run_nightly(world, as_of=AS_OF, out=tmp_path, **fakes(world))
    assert {p.name for p in again.folder.iterdir()} == FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-10-01", "2025-10-01.lock"]


def test_a_second_run_for_the_same_date_is_locked_out(world, tmp_path):
    with date_lock(tmp_path, AS_OF), pytest.raises(LockedError, match="2025-10-01"):
        run_nightly(world, as_of=AS_OF, out=tmp_path, **fakes(world))
    assert not (tmp_path / "2025-10-01").exists()
    # another date is not blocked
    with date_lock(tmp_path, AS_OF):
        run_nightly(world, as_of=AS_OF + timedelta(days=1), out=tmp_path, **fakes(world))


def test_no_champion_is_a_clear_error_and_writes_nothing(world, tmp_path):
    out = tmp_path / "lists"
    with pytest.raises(NoModelError, match="champion"):
        run_nightly(world, as_of=AS_OF, out=out, models=NoChampion(), source=FakeData())
    assert not out.exists()


def test_a_night_with_no_active_case_is_refused_and_says_why(world, tmp_path):
    out = tmp_path / "lists"
    late = AS_OF + timedelta(days=3 * 365)
    with pytest.raises(ContractError, match="no active case .* newest payment .* paid"):
        run_nightly(world, as_of=late, out=out, **fakes(world))
    assert not (out / late.isoformat()).exists()


def _rewrite(table):
    def go(df, folder, f):
        out = f(df)
        if out is None:
            (folder / f"{table}.parquet").unlink()
        else:
            out.to_parquet(folder / f"{table}.parquet", index=False)

    return go


BAD_INPUTS = {
    "missing table": ("income_reports", lambda df: None, ["income_reports", "missing"]),
    "missing column": (
        "payments",
        lambda df: df.drop(columns="amount_sek"),
        ["payments", "amount_sek"],
    ),
    "wrong type": (
        "payments",
        lambda df: df.assign(extent=df["extent"].astype(str)),
        ["payments", "extent"],
    ),
    "unknown benefit code": (
        "cases",
        lambda df: df.assign(benefit=df["benefit"].where(df.index != 3, "XYZ")),
        ["cases", "benefit", "(1 rows)", "benefit=XYZ"],
    ),
    "duplicated ids": (
        "payments",
        lambda df: pd.concat([df, df.head(2)]),
        ["payments", "payment_id", "duplicated id (4 rows)"],
    ),
    "dates out of order": (
        "payments",
        lambda df: df.assign(
            period_end=df["period_end"].where(df.index != 5, df["period_start"] - timedelta(days=3))
        ),
        ["payments", "period_end", "before period_start (1 rows)", "payment_id="],
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_stops_before_anything_is_written(world, tmp_path, kind, monkeypatch):
    table, f, words = BAD_INPUTS[kind]
    bad = tmp_path / "bad"
    shutil.copytree(world, bad)
    _rewrite(table)(pd.read_parquet(bad / f"{table}.parquet"), bad, f)
    out = tmp_path / "lists"
    with pytest.raises(ContractError) as err:
        run_nightly(bad, as_of=AS_OF, out=out, **fakes(world))
    for word in words:
        assert word in str(err.value)
    assert not out.exists()
    if kind == "missing column":  # and through the command line: exit code 3, nothing on disk
        use_fakes(monkeypatch, world)
        code = main(["score", "--data", str(bad), "--as-of", "2025-10-01", "--out", str(out)])
        assert code == 3 and not out.exists()


def test_cli_exit_codes_for_ok_no_model_and_lock(world, tmp_path, monkeypatch):
    out = tmp_path / "lists"
    args = ["score", "--data", str(world), "--as-of", "2025-10-01", "--out", str(out)]
    use_fakes(monkeypatch, world, models=NoChampion())
    assert main(args) == 4 and not out.exists()
    # without a facts module, the registry's sentence templates word the reasons
    templates = {"amount_sum": "Utbetalt {value} kr.", "n_payments": "{value} utbetalningar."}
    use_fakes(monkeypatch, world, explain=no_facts, reason_templates=templates)
    assert main(args) == 0 and (out / "2025-10-01" / "report.html").exists()
    lst = pd.read_parquet(out / "2025-10-01" / "control_list.parquet")
    model = lst[(lst["selection"] == "model") & ~lst["hard_rule_break"]]
    assert model["reason_1"].str.match(r"^Utbetalt [\d\u00a0]+\u00a0kr\.$").all()
    assert model["reason_2"].str.match(r"^\d+ utbetalningar\.$").all()
    with date_lock(out, AS_OF):
        assert main(args) == 5


def test_equal_treatment_can_weigh_random_errors_to_the_lists_benefit_mix(world, tmp_path):
    from scoring.config import load_selection_config

    config = load_selection_config().model_copy(update={"equal_treatment_benefit_mix": "list"})
    result = run_nightly(world, as_of=AS_OF, out=tmp_path / "lists", **fakes(world), config=config)
    html = (result.folder / "report.html").read_text(encoding="utf-8")
    assert 'id="fairness"' in html and "vägda så att förmånerna" in html


def test_value_floor_leaves_capacity_unused_in_the_manifest_and_on_the_page(world, tmp_path):
    from scoring.config import load_selection_config

    config = load_selection_config().model_copy(update={"min_probability": 0.8})
    result = run_nightly(world, as_of=AS_OF, out=tmp_path / "lists", **fakes(world), config=config)
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    model = lst[lst["selection"] == "model"]
    assert ((model["probability"] >= 0.8) | model["hard_rule_break"]).all()
    counts = read_manifest(result.folder / "manifest.json")["counts"]
    lists = counts["lists"]
    # every list with capacity is counted, picks or not; unused is what the floor left empty
    assert set(lists) == {
        f"{b}/{lane}"
        for b, cap in config.capacity.items()
        for lane in ("verifiering", "kontrollutredning")
        if getattr(cap, lane)
    }
    for entry in lists.values():
        assert entry["selected"] + entry["unused"] == entry["capacity"]
        assert entry["unused_reason"] == ("no_case_above_floor" if entry["unused"] else "")
    sjp = lists["SJP/verifiering"]
    assert sjp["unused"] > 0 and sjp["below_floor"] > 0 and sjp["eligible"] > sjp["selected"]
    assert counts["unused_capacity"] == sum(e["unused"] for e in lists.values())
    assert counts["capacity"] - counts["unused_capacity"] == counts["selected"] == len(lst)
    html = (result.folder / "report.html").read_text(encoding="utf-8")
    assert f'<td class="num" id="unused">{counts["unused_capacity"]}</td>' in html
    assert "<th>Outnyttjad kapacitet</th>" in html and 'id="capacity-note"' in html
    assert "sannolikhet för fel minst 80,0\u00a0%" in html
    below = sjp["below_floor"]
    assert "under golvet" in html and f"{sjp['eligible']} valbara i spåret: {below} under" in html


def test_a_confirmed_error_is_not_picked_again_but_one_closed_on_the_night_is(
    night, world, tmp_path
):
    """A control closed by D-1 with an error takes its case off the list; one closed on D
    itself (not known yet) or with no error does not."""
    result, _, _ = night
    lst = pd.read_parquet(result.folder / "control_list.parquet")
    picks = lst[(lst["selection"] == "model") & ~lst["hard_rule_break"]]["case_id"].tolist()
    found, tonight, clean = picks[:3]
    controls = pd.read_parquet(world / "controls.parquet")
    long_ago = AS_OF - timedelta(days=400)  # outside the cooldown
    added = pd.DataFrame(
        [
            (f"X{i}", case, long_ago, closed, outcome)
            for i, (case, closed, outcome) in enumerate(
                [
                    (found, AS_OF - timedelta(days=1), "error_customer"),
                    (tonight, AS_OF, "error_fk"),
                    (clean, AS_OF - timedelta(days=1), "no_error"),
                ]
            )
        ],
        columns=["control_id", "case_id", "selected_date", "closed_date", "outcome"],
    )
    cases = lst.set_index("case_id").loc[added["case_id"], ["person_id", "benefit"]]
    added = added.assign(
        person_id=cases["person_id"].to_numpy(),
        benefit=cases["benefit"].to_numpy(),
        selection="rule",
        selection_probability=np.nan,
        wrong_amount_sek=[5000.0, 3000.0, 0.0],
    )
    changed = shutil.copytree(world, tmp_path / "changed")
    write_table(
        "controls", pd.concat([controls, added[controls.columns]], ignore_index=True), changed
    )
    again = run_nightly(changed, as_of=AS_OF, out=tmp_path / "lists", **fakes(changed))
    new = pd.read_parquet(again.folder / "control_list.parquet")
    assert found not in set(new["case_id"])
    assert {tonight, clean} <= set(new["case_id"])
    assert len(new) == len(lst)  # the slot went to the next case
    m = read_manifest(again.folder / "manifest.json")
    before = read_manifest(result.folder / "manifest.json")["counts"]["confirmed_errors_excluded"]
    assert m["counts"]["confirmed_errors_excluded"] == before + 1
