"""The training set: one row per closed control, features as of its selected date, labels, groups.

Features come from the same builder the nightly job uses, run on the control spine (one code path
with scoring). Audit group columns (sex, birth region, age band, income band) ride along for the
equal-treatment audit only and are never model inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import ibis
import numpy as np
import pandas as pd

from audit import income_band, load_audit_policy, person_groups
from features.pit import latest_pay
from felrisk.contract import ERROR_OUTCOMES, PROTECTED_COLUMNS, TABLES
from felrisk.datadir import DataSet, table_digests
from felrisk.errors import ContractError
from training.config import load_training_config

LABEL_COLUMNS = ("is_error", "is_intent", "wrong_amount_sek")
CONTROL_COLUMNS = ("selection", "selection_probability", "selected_date", "closed_date", "outcome")
AUDIT_COLUMNS = ("sex", "birth_region", "age_band", "income_band", "annual_pay_sek")
INTENT_OUTCOME = "suspected_crime"


@dataclass(frozen=True)
class FeatureSource:
    """The feature builder's interface as training uses it (features/build.py by default)."""

    control_spine: Callable
    build_features: Callable
    feature_names: Callable[[], list[str]]
    categorical_features: Callable[[], list[str]]


def default_feature_source() -> FeatureSource:
    """The project's feature builders (imported here so that `models/` never needs them)."""
    from features import build

    return FeatureSource(
        control_spine=build.control_spine,
        build_features=build.build_features,
        feature_names=lambda: list(build.feature_names(model_inputs_only=True)),
        categorical_features=lambda: list(build.categorical_features()),
    )


@dataclass
class TrainingSet:
    """Closed controls with features, labels, selection facts and audit groups, sorted by id."""

    frame: pd.DataFrame
    feature_names: list[str]
    categorical_features: list[str]
    data_end: date
    snapshot: dict[str, dict] = field(default_factory=dict)

    def X(self, mask: np.ndarray | pd.Series | None = None) -> pd.DataFrame:
        """Model inputs only (never the audit columns)."""
        f = self.frame if mask is None else self.frame.loc[np.asarray(mask, dtype=bool)]
        return f.loc[:, self.feature_names]

    def rows(self, mask: np.ndarray | pd.Series) -> pd.DataFrame:
        return self.frame.loc[np.asarray(mask, dtype=bool)]


def data_snapshot(data: DataSet) -> dict[str, dict]:
    """Row count and SHA-256 per input table: which data a run saw."""
    digests = table_digests(data.path, [name for name in TABLES if name in data])
    return {
        name: {"rows": int(data[name].count().execute()), "sha256": digest}
        for name, (_, digest) in digests.items()
    }


def data_end_date(data: DataSet) -> date:
    """The last day the data knows of: latest payment, control selection or closing."""
    c, p = data["controls"], data["payments"]
    ends = [
        c.selected_date.max().execute(),
        c.closed_date.max().execute(),
        p.paid_date.max().execute(),
    ]
    ends = [pd.Timestamp(e).date() for e in ends if e is not None and not pd.isna(e)]
    if not ends:
        raise ContractError("controls and payments hold no dates: nothing to train on")
    return max(ends)


def _annual_pay(data: DataSet, closed: ibis.Table, months: int) -> pd.DataFrame:
    """Reported gross pay over the `months` calendar months before each selected date's month:
    only reports known by D-1 count, and of a month's reports by one employer the latest
    (`features.pit.latest_pay`: a correction replaces the report it corrects)."""
    spine = closed.select("control_id", "person_id", as_of=closed.selected_date)
    if "income_reports" not in data:
        return pd.DataFrame({"control_id": pd.Series(dtype=str), "annual_pay_sek": 0.0})
    inc = data["income_reports"]
    first = spine.as_of.truncate("M")
    j = spine.join(inc, spine.person_id == inc.person_id).filter(
        inc.reported_date < spine.as_of,
        inc.month < first,
        inc.month >= first - ibis.interval(months=months),
    )
    j = latest_pay(j, ["control_id"])
    pay = j.group_by("control_id").aggregate(annual_pay_sek=j.pay.sum())
    return pay.execute()


def date_chunks(as_of: pd.Series, max_rows: int) -> list[tuple[date, date]]:
    """Consecutive date ranges (first, last) that cover `as_of`, each with at most `max_rows`
    rows unless one date alone holds more. Every date falls in exactly one range."""
    counts = pd.Series(pd.to_datetime(as_of).dt.date).value_counts().sort_index()
    ranges: list[tuple[date, date]] = []
    rows = 0
    for day_, n in counts.items():
        if ranges and rows + n <= max_rows:
            ranges[-1] = (ranges[-1][0], day_)
            rows += int(n)
        else:
            ranges.append((day_, day_))
            rows = int(n)
    return ranges


def _features_in_chunks(
    data: DataSet, spine: ibis.Table, source: FeatureSource, max_rows: int
) -> pd.DataFrame:
    """The features of every spine row, built a date range at a time.

    A training spine holds every control's own date; built at once, the person-level windows of
    all of them are held together (8 GB at 1M persons). Chunks by date bound that memory, and
    features depend only on (case, date), so the result is the same.
    """
    rows = spine.select("control_id", "case_id", "as_of").execute()
    rows["as_of"] = pd.to_datetime(rows["as_of"]).dt.date
    schema = {"control_id": "string", "case_id": "string", "as_of": "date"}
    parts = [
        rows[rows["as_of"].between(first, last)]
        for first, last in date_chunks(rows["as_of"], max_rows)
    ] or [rows]
    built = [
        source.build_features(
            data, ibis.memtable(part.reset_index(drop=True), schema=schema)
        ).execute()
        for part in parts
    ]
    return pd.concat(built, ignore_index=True) if len(built) > 1 else built[0]


def build_training_set(
    data: DataSet, source: FeatureSource | None = None, *, chunk_rows: int | None = None
) -> TrainingSet:
    """Execute the feature builder on the spine of closed controls and attach labels and groups.

    Features are built `chunk_rows` controls (by selected date) at a time (default: the training
    config's `feature_chunk_rows`).
    """
    source = source or default_feature_source()
    if chunk_rows is None:
        chunk_rows = load_training_config().feature_chunk_rows
    if "controls" not in data or "persons" not in data:
        raise ContractError("training needs the controls and persons tables")
    controls = data["controls"]
    closed = controls.filter(controls.closed_date.notnull() & controls.outcome.notnull())
    spine = source.control_spine(data)
    spine = spine.semi_join(closed.select("control_id"), "control_id")
    feats = _features_in_chunks(data, spine, source, chunk_rows)
    names = source.feature_names()
    cats = source.categorical_features()
    leaked = [c for c in names if c in PROTECTED_COLUMNS or c in AUDIT_COLUMNS]
    if leaked:
        raise ContractError(f"protected or audit columns offered as model inputs: {leaked}")
    missing = [c for c in names if c not in feats.columns]
    if missing:
        raise ContractError(f"the feature builder did not return features: {missing}")

    labels = closed.select(
        "control_id", *CONTROL_COLUMNS, "wrong_amount_sek", "person_id", "benefit"
    ).execute()
    labels = labels.drop(columns=[c for c in ("person_id", "benefit") if c in feats.columns])
    frame = feats.merge(labels, on="control_id", how="inner", validate="one_to_one")
    frame["is_error"] = frame["outcome"].isin(ERROR_OUTCOMES).astype("int64")
    frame["is_intent"] = (frame["outcome"] == INTENT_OUTCOME).astype("int64")
    frame["wrong_amount_sek"] = frame["wrong_amount_sek"].fillna(0.0).astype("float64")
    for col in ("selected_date", "closed_date"):
        frame[col] = pd.to_datetime(frame[col])

    persons = data["persons"].select("person_id", "sex", "birth_region", "birth_date").execute()
    groups = person_groups(frame["person_id"], persons, frame["selected_date"])
    frame = frame.join(groups[["sex", "birth_region"]])
    months = load_audit_policy().income_months
    frame = frame.merge(_annual_pay(data, closed, months), on="control_id", how="left")
    frame["annual_pay_sek"] = frame["annual_pay_sek"].fillna(0.0).astype("float64")
    frame["age_band"] = groups["age_band"]
    frame["income_band"] = income_band(frame["annual_pay_sek"]).astype(str)
    frame = frame.sort_values("control_id", kind="stable")
    frame = frame.reset_index(drop=True)
    return TrainingSet(frame, list(names), list(cats), data_end_date(data), data_snapshot(data))
