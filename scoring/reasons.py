"""Reasons for selected cases: top positive LightGBM contributions, told in Swedish by features."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import numpy as np
import pandas as pd

from felrisk import swedish
from scoring.config import SelectionConfig
from scoring.outputs import REASON_COLUMNS, percent_sv

# explain(items[case_id, as_of, feature]) -> DataFrame[case_id, feature, reason_sv]
ExplainFn = Callable[[pd.DataFrame], pd.DataFrame]
# fallback(items[case_id, feature]) -> Series of Swedish sentences, aligned with items
FallbackFn = Callable[[pd.DataFrame], pd.Series]


def _sv_number(value) -> str:
    """A number as Swedish text (felrisk.swedish): integers and large numbers without decimals."""
    return swedish.number(value, unknown="okänt antal")


def template_reasons(
    items: pd.DataFrame, values: pd.DataFrame, templates: Mapping[str, str]
) -> pd.Series:
    """The registry's sentence for each (case_id, feature) item, filled with the case's value.

    `values` is indexed by case_id with one column per feature; a feature without a template
    gets an empty sentence.
    """
    out = pd.Series("", index=items.index, dtype=object)
    for feature, idx in items.groupby("feature").groups.items():
        template = templates.get(feature)
        if not template or feature not in values.columns:
            continue
        vals = values[feature].reindex(items.loc[idx, "case_id"]).to_numpy()
        out.loc[idx] = [swedish.tie_units(template.replace("{value}", _sv_number(v))) for v in vals]
    return out


# Sentences of the list that no feature states.
EXPLORATION_SV = (
    "Slumpmässigt urval: ärendet lottades fram (sannolikhet {p}) för att mäta hur ofta "
    "utbetalningar blir fel. Urvalet säger ingenting om ärendet."
)
NO_SINGLE_FACT_SV = (
    "Ingen enskild uppgift pekar på fel; ärendet valdes efter en samlad bedömning av uppgifterna "
    "i ärendet."
)


def notable(
    values: pd.DataFrame, above: Mapping[str, float], below: Mapping[str, float]
) -> pd.DataFrame:
    """Where a feature's value is a fact worth telling an investigator (a boolean frame like `values`).

    Known (never missing) and beyond its threshold in the risky direction: above `above[f]`,
    below `below[f]`, and above 0 for a feature in neither (a count or a set flag).
    """
    out = pd.DataFrame(False, index=values.index, columns=values.columns)
    for col in values.columns:
        v = pd.to_numeric(values[col], errors="coerce").astype("float64")
        if col in below:
            out[col] = (v < below[col]).fillna(False).to_numpy()
        else:
            out[col] = (v > above.get(col, 0.0)).fillna(False).to_numpy()
    return out


def reason_candidates(
    contrib: pd.DataFrame,
    values: pd.DataFrame,
    config: SelectionConfig,
    reason_features: Collection[str] | None = None,
) -> pd.DataFrame:
    """The contributions a reason may be drawn from: features the policy does not exclude, that
    may be told at all (`reason_features`: a fact of the person's own case that points to an
    error; None: any) and whose value is notable; every other contribution is dropped or -inf.

    `contrib` and `values` (the selected cases' feature values) are aligned row by row.
    """
    out = contrib.drop(columns=list(config.reason_exclude_features), errors="ignore")
    if reason_features is not None:  # no fact, or another person's data: never told
        out = out[[c for c in out.columns if c in reason_features]]
    told = [c for c in out.columns if c in values.columns]
    worth = notable(
        values[told].set_axis(out.index), config.reason_notable_above, config.reason_notable_below
    ).to_numpy()
    out = out.copy()
    out[told] = out[told].where(worth, -np.inf)
    return out


def frame_reasons(lst: pd.DataFrame) -> pd.DataFrame:
    """Say what no feature says: an exploration pick is random (its own first reason, the facts
    after it), and a model pick with no notable fact was chosen on the whole picture."""
    out = lst.copy()
    cols = [c for c in REASON_COLUMNS if c in out.columns]
    if not cols or out.empty:
        return out
    rand = (out["selection"] == "exploration").to_numpy()
    if rand.any():
        shifted = out.loc[rand, cols].to_numpy()
        shifted[:, 1:] = shifted[:, :-1].copy()
        pct = out.loc[rand, "selection_probability"].astype(float).to_numpy()
        shifted[:, 0] = [EXPLORATION_SV.format(p=percent_sv(p)) for p in pct]
        out.loc[rand, cols] = shifted
    silent = ~rand & (out[cols[0]].fillna("").astype(str).str.strip() == "").to_numpy()
    out.loc[silent, cols[0]] = NO_SINGLE_FACT_SV
    return out


def top_contributions(contrib: pd.DataFrame, case_ids: pd.Series, k: int) -> pd.DataFrame:
    """The k features that pushed each case's score up most (positive contributions only).

    Returns case_id, reason_no (1..k), feature, contribution; a case has fewer rows when fewer
    features pushed it up. Ties go to the feature listed first (stable).
    """
    values = contrib.drop(columns=["bias"], errors="ignore")
    names = np.asarray(values.columns)
    arr = values.to_numpy(dtype="float64")
    if arr.size == 0 or k == 0:
        return pd.DataFrame(columns=["case_id", "reason_no", "feature", "contribution"])
    k = min(k, arr.shape[1])
    order = np.argsort(-arr, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(arr, order, axis=1)
    rows = np.repeat(np.arange(len(arr)), k)
    out = pd.DataFrame(
        {
            "case_id": np.asarray(case_ids.astype(str))[rows],
            "reason_no": np.tile(np.arange(1, k + 1), len(arr)),
            "feature": names[order.ravel()],
            "contribution": top.ravel(),
        }
    )
    return out[out["contribution"] > 0].reset_index(drop=True)


def with_forced(top: pd.DataFrame, forced: pd.DataFrame | None, k: int) -> pd.DataFrame:
    """Put each case's forced features (a broken hard rule) first, then its top contributions."""
    if forced is None or forced.empty:
        return top
    f = forced[["case_id", "feature"]].assign(contribution=np.inf, _forced=0)
    both = pd.concat([f, top.drop(columns="reason_no").assign(_forced=1)], ignore_index=True)
    both = both.drop_duplicates(["case_id", "feature"], keep="first")
    both = both.sort_values(
        ["case_id", "_forced", "contribution"], ascending=[True, True, False], kind="mergesort"
    )
    both["reason_no"] = both.groupby("case_id").cumcount() + 1
    both = both[both["reason_no"] <= k]
    return both[["case_id", "reason_no", "feature", "contribution"]].reset_index(drop=True)


def _drop_same_facts(top: pd.DataFrame) -> pd.DataFrame:
    """Drop a case's reason whose fact another of its reasons states (`same_as` names that
    feature), so that one fact is said once."""
    if top.empty or "same_as" not in top.columns:
        return top
    has = top[["case_id", "feature"]].assign(_has=True)
    hit = top[["case_id", "same_as"]].merge(
        has, left_on=["case_id", "same_as"], right_on=["case_id", "feature"], how="left"
    )["_has"]
    return top[~hit.fillna(False).astype(bool).to_numpy()]


def _drop_repeated(top: pd.DataFrame) -> pd.DataFrame:
    """Drop a case's reason whose sentence another of its reasons already says (two features can
    rest on one fact, e.g. one SGI decision), and number the rest 1..n again."""
    if top.empty:
        return top
    text = top["reason_sv"].str.strip().str.rstrip(".")
    pairs = (
        top[["case_id"]]
        .assign(_i=top.index, _t=text)
        .merge(top[["case_id"]].assign(_j=top.index, _u=text), on="case_id")
    )
    pairs = pairs[(pairs["_i"] != pairs["_j"]) & (pairs["_t"] != "")]
    inside = [t in u for t, u in zip(pairs["_t"], pairs["_u"], strict=True)]
    same = pairs["_t"] == pairs["_u"]
    # a sentence contained in another goes; of two equal ones, the later goes
    drop = pairs.loc[np.asarray(inside) & (~same | (pairs["_i"] > pairs["_j"])), "_i"]
    out = top.drop(index=drop.unique())
    out = out.sort_values(["case_id", "reason_no"], kind="mergesort")
    return out.assign(reason_no=out.groupby("case_id").cumcount() + 1)


def attach_reasons(
    lst: pd.DataFrame,
    contrib: pd.DataFrame,
    explain: ExplainFn,
    *,
    k: int = 3,
    forced: pd.DataFrame | None = None,
    fallback: FallbackFn | None = None,
) -> pd.DataFrame:
    """Add reason_1..reason_k (Swedish sentences) and reason_features to tonight's list.

    `contrib` is indexed like `lst` (contributions of the selected cases only); `forced`
    (case_id, feature) names features that lead a case's reasons whatever their contribution:
    the hard coordination rule it breaks. `fallback` words a reason `explain` left empty. A
    reason whose `same_as` (an optional column of explain's answer) names another of the case's
    reasons states that reason's fact again and is dropped.
    """
    out = lst.copy()
    top = with_forced(top_contributions(contrib, out["case_id"], k), forced, k)
    for col in REASON_COLUMNS:
        out[col] = ""
    out["reason_features"] = ""
    if top.empty:
        return out
    as_of = out.set_index("case_id")["as_of"]
    items = top.assign(as_of=top["case_id"].map(as_of))[["case_id", "as_of", "feature"]]
    told = explain(items)
    missing = {"case_id", "feature", "reason_sv"} - set(told.columns)
    if missing:
        raise ValueError(f"explain() returned no columns {sorted(missing)}")
    told = told.drop_duplicates(["case_id", "feature"])
    same = ["same_as"] if "same_as" in told.columns else []
    top = top.merge(
        told[["case_id", "feature", "reason_sv", *same]], on=["case_id", "feature"], how="left"
    )
    if same:
        top["same_as"] = top["same_as"].fillna("").astype(str)
    top["reason_sv"] = top["reason_sv"].fillna("").astype(str)
    empty = top["reason_sv"].str.strip() == ""
    if fallback is not None and empty.any():
        top.loc[empty, "reason_sv"] = fallback(top.loc[empty, ["case_id", "feature"]]).to_numpy()
    top = _drop_repeated(_drop_same_facts(top))
    wide = top.pivot(index="case_id", columns="reason_no", values="reason_sv")
    for no in range(1, min(k, len(REASON_COLUMNS)) + 1):
        if no in wide.columns:
            out[f"reason_{no}"] = out["case_id"].map(wide[no]).fillna("")
    feats = top.sort_values(["case_id", "reason_no"]).groupby("case_id")["feature"].agg(";".join)
    out["reason_features"] = out["case_id"].map(feats).fillna("")
    return out
