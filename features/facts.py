"""The facts behind a feature value, told in Swedish for an investigator, for a handful of cases.

`explain` computes the values with the same builders (on a spine of just these cases), then adds
the dates, benefits and amounts that make a value checkable: "12 dagar 2025-03-01–2025-03-12
betalades sjukpenning 100 % och föräldrapenning 100 % för samma dag". Only rows known by D-1 are
used. This runs after the features, on few persons, so it materialises their rows and works in
pandas (vectorised, no loop per row).
"""

from __future__ import annotations

import re
from datetime import date

import ibis
import numpy as np
import pandas as pd

from features.build import build_features
from features.registry import REGISTRY
from features.settings import FeatureSettings, load_feature_settings
from felrisk.rules import CoordinationRules, load_rules

BENEFIT_SV = {
    "SJP": "sjukpenning",
    "KAR": "ersättning för karensavdrag",
    "FP": "föräldrapenning",
    "TFP": "tillfällig föräldrapenning",
    "AKS": "aktivitetsstöd",
    "SE": "sjukersättning",
    "AE": "aktivitetsersättning",
    "ASS": "assistansersättning",
}
OUT_COLUMNS = ["case_id", "feature", "reason_sv"]
DAY_FACTS = ("overlap_excess_days", "overlap_forbidden_days", "tfp_in_sickpay_period_days")
TOL = 1e-9
EPOCH = date(1970, 1, 1).toordinal()


def _iso(day_number: int) -> str:
    return date.fromordinal(int(day_number) + EPOCH).isoformat()


def _span(first: int, last: int) -> str:
    return _iso(first) if first == last else f"{_iso(first)}–{_iso(last)}"


def _number(value: float, decimals: int = 0) -> str:
    """Swedish number format: space between thousands, decimal comma."""
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text


def format_value(feature: str, value: object) -> str:
    """A feature value as an investigator reads it (unit-aware, Swedish number format)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "okänt"
    unit = REGISTRY[feature].unit
    v = float(value)
    if unit == "share":
        return f"{_number(100 * v)} %"
    if unit == "ratio":
        return _number(v, 2)
    if unit in ("SEK", "SEK/hour"):
        return _number(v)
    if unit == "hours":
        return _number(v, 1 if v != round(v) else 0)
    return _number(v, 0 if v == round(v) else 1)


def _template(feature: str, value: object) -> str:
    """The registry's sentence for a value (its own sentence for a missing value or a 0 flag)."""
    f = REGISTRY[feature]
    if value is None or pd.isna(value):
        return "Uppgift saknas för ärendet."
    if f.reason_sv_zero is not None and float(value) == 0:
        return f.reason_sv_zero
    return _singular(f.reason_sv.format(value=format_value(feature, value)))


def _singular(text: str) -> str:
    """'1 dagar' -> '1 dag' (the templates are written for plural counts)."""
    return _ONE.sub(lambda m: f"{m.group(1)}1 {_SINGULAR[m.group(2)]}", text)


_SINGULAR = {
    "dagar": "dag",
    "månader": "månad",
    "vardagar": "vardag",
    "timmar": "timme",
    "utbetalningar": "utbetalning",
    "återföringar": "återföring",
    "gånger": "gång",
    "personer": "person",
    "tidigare kontroller": "tidigare kontroll",
    "bekräftade fel": "bekräftat fel",
}
_ONE = re.compile(
    r"(^|\s)1 (" + "|".join(sorted(map(re.escape, _SINGULAR), key=len, reverse=True)) + r")\b"
)


def _normalise(items: pd.DataFrame) -> pd.DataFrame:
    it = items[["case_id", "as_of", "feature"]].copy()
    it["case_id"] = it["case_id"].astype(str)
    it["as_of"] = pd.to_datetime(it["as_of"]).dt.date
    unknown = sorted(set(it["feature"]) - set(REGISTRY))
    if unknown:
        raise KeyError(f"features not in the registry: {unknown}")
    return it.drop_duplicates().reset_index(drop=True)


def _values(data, it: pd.DataFrame, rules, config) -> pd.DataFrame:
    """Feature values of the items' (case, as_of) pairs, from the same builders."""
    keys = it[["case_id", "as_of"]].drop_duplicates()
    spine = ibis.memtable(keys, schema={"case_id": "string", "as_of": "date"})
    families = tuple(sorted({REGISTRY[f].family for f in it["feature"]}))
    expr = build_features(data, spine, rules, config, families=families)
    names = [f for f in REGISTRY if REGISTRY[f].family in families]
    df = data.con.execute(expr.select("case_id", "as_of", "person_id", *names))
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    return df


def _fetch(data, table: str, column: str, ids: list[str], cols: list[str]) -> pd.DataFrame:
    t = data[table]
    ids_t = ibis.memtable(pd.DataFrame({"_id": ids}), schema={"_id": "string"})
    t = t.semi_join(ids_t, t[column] == ids_t._id).select(*cols)
    return data.con.execute(t)


def _days(s: pd.Series) -> np.ndarray:
    return (pd.to_datetime(s).to_numpy().astype("datetime64[D]").astype("int64")).astype("int64")


def _day_rows(data, keys: pd.DataFrame, window: int) -> pd.DataFrame:
    """One row per (case key, payment of the person, day paid) within the window, known by D-1.

    Few persons only (the selected ones): their payments are expanded day by day in numpy.
    """
    pay = _fetch(
        data,
        "payments",
        "person_id",
        sorted(keys["person_id"].unique()),
        [
            "case_id",
            "person_id",
            "benefit",
            "period_start",
            "period_end",
            "extent",
            "amount_sek",
            "paid_date",
        ],
    )
    pay = pay.rename(columns={"case_id": "pay_case"})
    j = keys.merge(pay, on="person_id")
    d = _days(j["as_of"])
    ps, pe, paid = _days(j["period_start"]), _days(j["period_end"]), _days(j["paid_date"])
    s, e = np.maximum(ps, d - window), np.minimum(pe, d - 1)
    keep = (paid < d) & (s <= e)
    j, s, e = j[keep].reset_index(drop=True), s[keep], e[keep]
    n = (e - s + 1).astype("int64")
    idx = np.repeat(np.arange(len(j)), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    rows = j.iloc[idx].reset_index(drop=True)
    rows["day"] = s[idx] + offsets
    rows["ext"] = np.where(rows["amount_sek"].to_numpy() < 0, -1.0, 1.0) * rows["extent"]
    return rows[["case_id", "as_of", "benefit_case", "pay_case", "benefit", "ext", "day"]]


def _composition(per_benefit: pd.DataFrame) -> pd.Series:
    """Per (case_id, as_of, day): 'sjukpenning 100 % och föräldrapenning 100 %'."""
    pb = per_benefit[per_benefit["ext"] > TOL].sort_values(["case_id", "as_of", "day", "benefit"])
    words = pb["benefit"].map(BENEFIT_SV) + " " + (100 * pb["ext"]).round().astype(int).astype(str)
    pb = pb.assign(words=words + " %")
    return pb.groupby(["case_id", "as_of", "day"])["words"].agg(" och ".join)


def _day_facts(data, it: pd.DataFrame, vals: pd.DataFrame, rules, config) -> pd.DataFrame:
    """Dates and benefits behind the overlap features, per item."""
    want = it[it["feature"].isin(DAY_FACTS)]
    if want.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    keys = want[["case_id", "as_of"]].drop_duplicates()
    keys = keys.merge(vals[["case_id", "as_of", "person_id"]], on=["case_id", "as_of"])
    cases = _fetch(
        data,
        "cases",
        "person_id",
        sorted(keys["person_id"].unique()),
        ["case_id", "person_id", "benefit", "insured_event_date", "opened_date", "employment_type"],
    )
    keys = keys.merge(
        cases[["case_id", "benefit"]].rename(columns={"benefit": "benefit_case"}), on="case_id"
    )
    rows = _day_rows(data, keys, config.window_days)
    k3 = ["case_id", "as_of", "day"]
    own = rows[rows["pay_case"] == rows["case_id"]].groupby(k3)["ext"].sum()
    own = own[own > TOL]
    per_benefit = rows.groupby([*k3, "benefit"], as_index=False)["ext"].sum()
    per_benefit = per_benefit[per_benefit.set_index(k3).index.isin(own.index)]
    bc = rows.drop_duplicates(["case_id", "benefit_case"]).set_index("case_id")["benefit_case"]
    out = []

    def tell(days: pd.DataFrame, feature: str, sentence) -> None:
        if days.empty:
            return
        g = days.groupby(["case_id", "as_of"])
        summary = g.agg(n=("day", "size"), first=("day", "min"), last=("day", "max"))
        summary["what"] = g["what"].agg(lambda s: s.value_counts().index[0])
        summary = summary.reset_index()
        summary["feature"] = feature
        summary["reason_sv"] = [
            _singular(sentence(n, _span(f, la), w))
            for n, f, la, w in zip(
                summary["n"], summary["first"], summary["last"], summary["what"], strict=True
            )
        ]
        out.append(summary[["case_id", "as_of", "feature", "reason_sv"]])

    in_rule1 = per_benefit[per_benefit["benefit"].isin(rules.extent.benefits)]
    total = in_rule1.groupby(k3)["ext"].sum()
    excess = total[total > rules.extent.max_total + TOL].index
    comp = _composition(in_rule1)
    ex = pd.DataFrame(index=excess).reset_index()
    ex["what"] = comp.reindex(excess).to_numpy()
    tell(
        ex,
        "overlap_excess_days",
        lambda n, span, w: f"{n} dagar {span} betalades {w} för samma dag (över 100 %)",
    )

    partners = {b: set(rules.forbidden_partners(b)) for b in BENEFIT_SV}
    pb = per_benefit.assign(benefit_case=per_benefit["case_id"].map(bc))
    is_partner = [
        b in partners.get(c, set()) for b, c in zip(pb["benefit"], pb["benefit_case"], strict=True)
    ]
    fb = pb[np.asarray(is_partner, dtype=bool) & (pb["ext"] > TOL)]
    fb = fb.assign(
        what=fb["benefit_case"].map(BENEFIT_SV) + " och " + fb["benefit"].map(BENEFIT_SV)
    )
    fb = fb.drop_duplicates(k3)
    tell(
        fb,
        "overlap_forbidden_days",
        lambda n, span, w: f"{n} dagar {span} betalades {w} för samma dag, vilket inte är tillåtet",
    )

    sp = rules.sickpay_period
    sick = cases[
        (cases["benefit"] == sp.sickness_benefit) & (cases["employment_type"] == sp.employment_type)
    ]
    tk = keys[keys["benefit_case"] == sp.blocked_benefit].merge(
        sick.rename(columns={"case_id": "sick_case"})[
            ["person_id", "sick_case", "insured_event_date", "opened_date"]
        ],
        on="person_id",
    )
    tk = tk[pd.to_datetime(tk["opened_date"]).dt.date < tk["as_of"]]
    if not tk.empty:
        ied = _days(tk["insured_event_date"])
        tk = tk.assign(lo=ied + sp.first_day - 1, hi=ied + sp.last_day - 1)
        od = own.reset_index().merge(
            tk[["case_id", "as_of", "sick_case", "lo", "hi", "insured_event_date"]],
            on=["case_id", "as_of"],
        )
        od = od[(od["day"] >= od["lo"]) & (od["day"] <= od["hi"])].drop_duplicates(k3)
        od = od.assign(
            what="sjukfallet " + od["sick_case"].astype(str) + " (sjuklöneperioden dag "
            f"{sp.first_day}–{sp.last_day} från "
            + pd.to_datetime(od["insured_event_date"]).dt.strftime("%Y-%m-%d")
            + ")"
        )
        tell(
            od,
            "tfp_in_sickpay_period_days",
            lambda n, span, w: f"{n} dagar {span} betalades tillfällig föräldrapenning under {w}",
        )
    if not out:
        return pd.DataFrame(columns=["case_id", "as_of", "feature", "reason_sv"])
    return pd.concat(out, ignore_index=True)


def _sgi_facts(data, it: pd.DataFrame, vals: pd.DataFrame) -> pd.DataFrame:
    want = it[it["feature"].isin(["sgi_hours_days_mixup", "sgi_per_hour"])]
    if want.empty:
        return pd.DataFrame(columns=["case_id", "as_of", "feature", "reason_sv"])
    w = want.merge(vals[["case_id", "as_of", "person_id"]], on=["case_id", "as_of"])
    s = _fetch(
        data,
        "sgi_decisions",
        "person_id",
        sorted(w["person_id"].unique()),
        ["person_id", "sgi_id", "decision_date", "annual_sgi_sek", "annual_work_hours"],
    )
    j = w.merge(s, on="person_id")
    j = j[pd.to_datetime(j["decision_date"]).dt.date < j["as_of"]]
    j = j.sort_values(["decision_date", "sgi_id"]).drop_duplicates(
        ["case_id", "as_of", "feature"], keep="last"
    )
    j["reason_sv"] = (
        "SGI-beslut "
        + pd.to_datetime(j["decision_date"]).dt.strftime("%Y-%m-%d")
        + ": årlig SGI "
        + j["annual_sgi_sek"].map(_number)
        + " kr och årsarbetstid "
        + j["annual_work_hours"].map(_number)
        + " timmar ("
        + (j["annual_sgi_sek"] / j["annual_work_hours"].where(j["annual_work_hours"] > 0)).map(
            lambda v: "okänd" if pd.isna(v) else _number(v)
        )
        + " kr per timme)"
    )
    return j[["case_id", "as_of", "feature", "reason_sv"]]


def _assistant_facts(data, it: pd.DataFrame, rules, config) -> pd.DataFrame:
    """Days, assistants and hours behind assistant_days_over_24h."""
    want = it[it["feature"] == "assistant_days_over_24h"][["case_id", "as_of"]].drop_duplicates()
    cols = ["case_id", "as_of", "feature", "reason_sv"]
    if want.empty:
        return pd.DataFrame(columns=cols)
    wcols = ["assistant_id", "client_case_id", "work_date", "hours", "submitted_date"]
    own = _fetch(data, "work_time_reports", "client_case_id", sorted(want["case_id"]), wcols)
    own = want.merge(own, left_on="case_id", right_on="client_case_id")
    d = _days(own["as_of"])
    wd = _days(own["work_date"])
    own = own[(_days(own["submitted_date"]) < d) & (wd >= d - config.window_days) & (wd < d)]
    if own.empty:
        return pd.DataFrame(columns=cols)
    allr = _fetch(
        data, "work_time_reports", "assistant_id", sorted(own["assistant_id"].unique()), wcols
    )
    pairs = own[["case_id", "as_of", "assistant_id", "work_date"]].drop_duplicates()
    j = pairs.merge(allr, on=["assistant_id", "work_date"], suffixes=("", "_all"))
    j = j[_days(j["submitted_date"]) < _days(j["as_of"])]
    tot = j.groupby(["case_id", "as_of", "assistant_id", "work_date"], as_index=False)[
        "hours"
    ].sum()
    limit = rules.assistance.max_assistant_hours_per_day + TOL
    bad = tot[tot["hours"] > limit].assign(day=lambda t: _days(t["work_date"]))
    if bad.empty:
        return pd.DataFrame(columns=cols)
    g = bad.groupby(["case_id", "as_of"])
    summary = g.agg(
        n=("day", "nunique"), first=("day", "min"), last=("day", "max"), top=("hours", "max")
    )
    summary["who"] = g["assistant_id"].agg(lambda s: ", ".join(sorted(set(s))))
    summary = summary.reset_index()
    summary["feature"] = "assistant_days_over_24h"
    summary["reason_sv"] = [
        _singular(
            f"{n} dagar {_span(f, la)} rapporterade assistent {who} mer än "
            f"{_number(rules.assistance.max_assistant_hours_per_day)} timmar totalt hos alla "
            f"kunder (som mest {_number(top, 1 if top != round(top) else 0)} timmar)"
        )
        for n, f, la, who, top in zip(
            summary["n"],
            summary["first"],
            summary["last"],
            summary["who"],
            summary["top"],
            strict=True,
        )
    ]
    return summary[cols]


def explain(
    data,
    items: pd.DataFrame,
    rules: CoordinationRules | None = None,
    config: FeatureSettings | None = None,
) -> pd.DataFrame:
    """Swedish sentences with the facts behind each (case_id, as_of, feature) of `items`.

    Returns case_id, feature, reason_sv: one row per distinct item. The value comes from the same
    builders as the model's input; for the overlap and SGI rules the sentence also names the
    dates, benefits and amounts involved.
    """
    if items.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    rules = rules or load_rules()
    config = config or load_feature_settings()
    it = _normalise(items)
    vals = _values(data, it, rules, config)
    long = vals.melt(id_vars=["case_id", "as_of", "person_id"], var_name="feature")
    told = it.merge(long, on=["case_id", "as_of", "feature"], how="left")
    told["reason_sv"] = [
        _template(f, v) for f, v in zip(told["feature"], told["value"], strict=True)
    ]
    details = pd.concat(
        [
            d
            for d in (
                _day_facts(data, it, vals, rules, config),
                _sgi_facts(data, it, vals),
                _assistant_facts(data, it, rules, config),
            )
            if not d.empty
        ]
        or [pd.DataFrame(columns=["case_id", "as_of", "feature", "reason_sv"])],
        ignore_index=True,
    )
    if not details.empty:
        details["as_of"] = pd.to_datetime(details["as_of"]).dt.date
        told = told.merge(
            details.rename(columns={"reason_sv": "fact"}),
            on=["case_id", "as_of", "feature"],
            how="left",
        )
        has = told["fact"].notna() & (told["value"].fillna(0) != 0)
        told.loc[has, "reason_sv"] = told.loc[has, "fact"] + "."
        sgi = has & told["feature"].eq("sgi_hours_days_mixup")
        told.loc[sgi, "reason_sv"] = (
            told.loc[sgi, "fact"] + ": årsarbetstiden ser ut att vara angiven i dagar, inte timmar."
        )
    return told[OUT_COLUMNS].reset_index(drop=True)
