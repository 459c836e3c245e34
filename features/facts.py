"""The facts behind a feature value, told in Swedish for an investigator, for a handful of cases.

`explain` computes the values with the same builders (on a spine of just these cases), then adds
the dates, benefits and amounts that make a value checkable: "12 dagar 2025-03-01–2025-03-12
betalades föräldrapenning 100 % och sjukpenning 100 % ut för samma dag (sammanlagt 200 %)". Only
rows known by D-1 are used. A sentence states the person's own case only: never another person's
case, id or benefits (the other parent's case, an assistant's id), since the person may read it. The coordination rules' facts, and the timeline's red marks (`rule_marks`), are the rule
engine's break periods (features.breaks), the same rows the overlap features count. This runs
after the features, on few persons, so it brings their rows to the driver and words them in pandas.
"""

from __future__ import annotations

import re

import ibis
import numpy as np
import pandas as pd

from features import breaks, compiled, overlap
from features.build import build_context, build_features
from features.pit import day_date as _date
from features.pit import known_before
from features.registry import REGISTRY
from features.settings import FeatureSettings, load_feature_settings
from features.table_facts import table_facts
from felrisk import swedish
from felrisk.contract import BENEFIT_NAMES_SV
from felrisk.datadir import rows_with_ids
from felrisk.rules import CoordinationRules, load_rules

# same_as: the feature whose sentence already states this item's fact ("" when none), so that a
# case's reasons say one fact once (e.g. KAR beside SJP breaks rules 1 and 2 on the same days).
OUT_COLUMNS = ["case_id", "feature", "reason_sv", "same_as"]
TOL = 1e-9


def _iso(day_number: int) -> str:
    return swedish.day(_date(day_number))


def _span(first: int, last: int) -> str:
    return swedish.span(_date(first), _date(last))


def _number(value: float, decimals: int = 0) -> str:
    """Swedish number format (felrisk.swedish): no-break space between thousands, decimal comma."""
    return swedish.number(value, decimals)


def format_value(feature: str, value: object) -> str:
    """A feature value as an investigator reads it (unit-aware, Swedish number format)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "okänt"
    unit = REGISTRY[feature].unit
    v = float(value)
    if unit == "share":
        return swedish.percent(v, 0)
    if unit == "ratio":  # "2,5 gånger", "12 gånger"
        return _number(v, 1).removesuffix(",0")
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
        return swedish.tie_units(f.reason_sv_zero)
    return swedish.tie_units(_singular(f.reason_sv.format(value=format_value(feature, value))))


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


def _values(data, it: pd.DataFrame, rules, config, known: pd.DataFrame | None) -> pd.DataFrame:
    """Feature values of the items' (case, as_of) pairs, from the same builders.

    `known`: values already built for some of these pairs (the night's feature table, built
    by `build_features` on every active case): their rows are taken as they are, and only the
    pairs it lacks are built again (each row is computed from its own case and date, so a row is
    the same on either spine).
    """
    keys = it[["case_id", "as_of"]].drop_duplicates()
    families = tuple(sorted({REGISTRY[f].family for f in it["feature"]}))
    names = [f for f in REGISTRY if REGISTRY[f].family in families]
    cols = ["case_id", "as_of", "person_id", *names]
    have = None
    if known is not None and set(cols) <= set(known.columns):
        have = known[cols].copy()
        have["case_id"] = have["case_id"].astype(str)
        have["as_of"] = pd.to_datetime(have["as_of"]).dt.date
        have = have.merge(keys, on=["case_id", "as_of"]).drop_duplicates(["case_id", "as_of"])
        keys = keys.merge(have[["case_id", "as_of"]], how="left", indicator=True)
        keys = keys[keys["_merge"] == "left_only"].drop(columns="_merge")
        if keys.empty:
            return have.reset_index(drop=True)
    spine = ibis.memtable(keys, schema={"case_id": "string", "as_of": "date"})
    expr = build_features(data, spine, rules, config, families=families)
    df = data.con.execute(expr.select(*cols))
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    if have is None or have.empty:
        return df
    return pd.concat([have, df], ignore_index=True)


def _fetch(data, table: str, column: str, ids: list[str], cols: list[str]) -> pd.DataFrame:
    return data.con.execute(rows_with_ids(data[table], column, ids).select(*cols))


def _days(s: pd.Series) -> np.ndarray:
    return (pd.to_datetime(s).to_numpy().astype("datetime64[D]").astype("int64")).astype("int64")


def rule_break_periods(
    data,
    spine: ibis.Table,
    rules: CoordinationRules | None = None,
    config: FeatureSettings | None = None,
    cache: compiled.QueryCache | None = None,
) -> pd.DataFrame:
    """The rule engine's break periods of the spine's (case_id, as_of), executed, each with
    `what`: the Swedish words that make it checkable (benefits and extents, the other case, the
    limit crossed). For a handful of cases: the rows come to the driver. `cache`: where the
    compiled query is kept (features/compiled.py; used with the default rules and settings)."""
    cache = cache if rules is None and config is None else None
    rules = rules or load_rules()

    def build(s: ibis.Table) -> ibis.Table:
        return breaks.rule_breaks(build_context(data, s, rules, config))

    df = compiled.cached_frame(data, compiled.BREAKS, build, spine, cache)
    df["as_of"] = [_date(d) for d in df["as_of_day"]]
    df["what"] = _what(df, rules)
    ext = rules.extent.benefits
    df["total"] = [
        _total(row, ext) if row["rule"] == breaks.EXTENT else 0 for row in df.to_dict("records")
    ]
    return df.sort_values(["case_id", "as_of", "rule", "first_day"]).reset_index(drop=True)


_TIMES = {2: "två gånger", 3: "tre gånger", 4: "fyra gånger"}


def _composition(row, benefits: tuple[str, ...]) -> str:
    """'föräldrapenning 100 % och sjukpenning 100 %': the paid extents of `benefits`; one benefit
    paid in full more than once reads 'föräldrapenning två gånger'."""
    paid = [(b, row[f"ext_{b}"]) for b in sorted(benefits) if row[f"ext_{b}"] > TOL]
    if len(paid) == 1 and round(paid[0][1]) in _TIMES and abs(paid[0][1] - round(paid[0][1])) < TOL:
        return f"{BENEFIT_NAMES_SV[paid[0][0]]} {_TIMES[round(paid[0][1])]}"
    return " och ".join(f"{BENEFIT_NAMES_SV[b]} {round(100 * e)}{swedish.NBSP}%" for b, e in paid)


def _total(row, benefits: tuple[str, ...]) -> int:
    return round(100 * sum(row[f"ext_{b}"] for b in benefits))


def _what(df: pd.DataFrame, rules: CoordinationRules) -> list[str]:
    """Per period: what was paid beside what, or which limit it crossed (as in force on the
    period's days: the engine's `limit`), in Swedish."""
    out = []
    for row in df.to_dict("records"):
        rule, other, ref = row["rule"], row["other_case"], row["ref_day"]
        if rule == breaks.EXTENT:
            text = _composition(row, rules.extent.benefits)
        elif rule == breaks.FORBIDDEN_PAIR:
            on = _date(row["first_day"])  # the pairs in force then (a period lies in one law)
            partners = [
                b for b in rules.forbidden_partners(row["benefit"], on) if row[f"ext_{b}"] > TOL
            ]
            text = f"{BENEFIT_NAMES_SV[row['benefit']]} och {BENEFIT_NAMES_SV[partners[0]]}"
        elif rule == breaks.SICKPAY_PERIOD:
            sp = rules.sickpay_period
            # `other` is the person's own sickness case: their own data
            text = f"dag {sp.first_day}–{sp.last_day} i sjukfallet {other} från {_iso(ref)}"
        elif rule == breaks.BOTH_PARENTS:
            # never the other parent's case or id: the person may read this
            text = "för samma dagar"
        elif rule == breaks.DOUBLE_DAYS_AGE:  # the limits in force on the period's days
            text = f"barnet blev {round(row['limit'])} månader {_iso(ref)}"
        elif rule == breaks.DOUBLE_DAYS_QUOTA:
            text = f"högst {round(row['limit'])} dubbeldagar per barn"
        elif rule == breaks.AGE:
            text = (
                f"förmånen kan betalas ut från {_iso(ref)}"
                if row["last_day"] < ref
                else f"förmånen kan betalas ut till och med {_iso(ref - 1)}"
            )
        else:
            text = f"försäkrad från {_iso(ref)}"
        out.append(text)
    return out


# Per rule feature: the sentence of its facts from days, span, the case's benefit and `what`.
_SENTENCES = {
    "overlap_excess_days": "{n} dagar {span} betalades {what} ut för samma dag, sammanlagt {total} %",
    "overlap_forbidden_days": (
        "{n} dagar {span} betalades {what} ut för samma dag, fast de inte kan betalas ut samtidigt"
    ),
    "tfp_in_sickpay_period_days": (
        "{n} dagar {span} betalades {benefit} ut under sjuklöneperioden ({what})"
    ),
    "both_parents_tfp_days": (
        "{n} dagar {span} betalades {benefit} ut till båda föräldrarna för samma barn"
    ),
    "fp_double_days_excess": (
        "{n} dagar {span} betalades {benefit} ut till båda föräldrarna utöver de tillåtna "
        "dubbeldagarna ({what})"
    ),
    "age_rule_days": "{n} dagar {span} betalades {benefit} ut utanför åldersgränsen ({what})",
    "before_insured_days": (
        "{n} dagar {span} betalades {benefit} ut innan personen var försäkrad i Sverige ({what})"
    ),
}


def _rule_sentence(feature: str, **parts) -> str:
    """A rule feature's sentence; 'föräldrapenning två gånger ut' reads 'föräldrapenning ut två
    gånger'."""
    text = _SENTENCES[feature].format(**parts)
    for times in _TIMES.values():
        if f" {times} ut för" in text:
            text = text.replace(f" {times} ut för", f" ut {times} för").split(", sammanlagt")[0]
    return swedish.tie_units(_singular(text))


# Per rule: the title of its red mark on the timeline.
MARK_SV = {
    breaks.EXTENT: "Summa omfattning över 100 %",
    breaks.FORBIDDEN_PAIR: "Förmåner som inte får betalas samma dag",
    breaks.SICKPAY_PERIOD: "Under sjuklöneperioden",
    breaks.BOTH_PARENTS: "Betalt till båda föräldrarna för samma barn",
    breaks.DOUBLE_DAYS_AGE: "Fler dubbeldagar än tillåtet",
    breaks.DOUBLE_DAYS_QUOTA: "Fler dubbeldagar än tillåtet",
    breaks.AGE: "Utanför åldersgränsen",
    breaks.COVERAGE: "Före försäkringstillhörigheten",
}
MARK_COLUMNS = ["case_id", "start", "end", "label"]


def rule_marks(
    data,
    spine: ibis.Table,
    rules: CoordinationRules | None = None,
    config: FeatureSettings | None = None,
) -> pd.DataFrame:
    """The timeline's red marks: one per rule-break period of the spine's cases (case_id, start,
    end: inclusive dates; label: the rule and what it concerns, in Swedish)."""
    return marks_of(rule_break_periods(data, spine, rules, config))


def marks_of(p: pd.DataFrame) -> pd.DataFrame:
    """The red marks (MARK_COLUMNS) of break periods already computed by `rule_break_periods`."""
    if p.empty:
        return pd.DataFrame(columns=MARK_COLUMNS)
    return pd.DataFrame(
        {
            "case_id": p["case_id"],
            "start": [_date(d) for d in p["first_day"]],
            "end": [_date(d) for d in p["last_day"]],
            "label": [_mark_label(r, w) for r, w in zip(p["rule"], p["what"], strict=True)],
        }
    )


def _mark_label(rule: str, what: str) -> str:
    label = MARK_SV[rule] if rule == breaks.BOTH_PARENTS else f"{MARK_SV[rule]} ({what})"
    return swedish.tie_units(label)


def _covered(inner: pd.DataFrame, outer: pd.DataFrame) -> bool:
    """Whether every day of the `inner` periods lies in one of the `outer` periods."""
    days = set()
    for f, la in zip(outer["first_day"], outer["last_day"], strict=True):
        days.update(range(int(f), int(la) + 1))
    return all(
        d in days
        for f, la in zip(inner["first_day"], inner["last_day"], strict=True)
        for d in range(int(f), int(la) + 1)
    )


def _same_facts(p: pd.DataFrame) -> pd.DataFrame:
    """(case_id, as_of, feature, same_as): an extent break on days that a forbidden pair already
    names is the same fact (KAR beside SJP at 100 % each breaks rules 1 and 2 on the same days)."""
    rows = []
    key = pd.MultiIndex.from_frame(p[["case_id", "as_of"]])
    is_ext, is_pair = p["rule"].eq(breaks.EXTENT), p["rule"].eq(breaks.FORBIDDEN_PAIR)
    both = key.isin(key[is_ext.to_numpy()]) & key.isin(key[is_pair.to_numpy()])
    for (case, as_of), g in p[both].groupby(["case_id", "as_of"], sort=False):
        ext, pair = g[g["rule"] == breaks.EXTENT], g[g["rule"] == breaks.FORBIDDEN_PAIR]
        if _covered(ext, pair):  # both are there: the keys were chosen so
            rows.append((case, as_of, "overlap_excess_days", "overlap_forbidden_days"))
    return pd.DataFrame(rows, columns=["case_id", "as_of", "feature", "same_as"])


def _rule_facts(
    data, it: pd.DataFrame, rules, config, periods: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Days, span and what of the break periods behind each rule feature of the items;
    `periods`: break periods already computed on a spine holding every item's (case, as_of)."""
    cols = ["case_id", "as_of", "feature", "reason_sv", "same_as"]
    want = it[it["feature"].isin(overlap.RULE_FEATURES)]
    if want.empty:
        return pd.DataFrame(columns=cols)
    keys = want[["case_id", "as_of"]].drop_duplicates()
    if periods is None:
        spine = ibis.memtable(keys, schema={"case_id": "string", "as_of": "date"})
        p = rule_break_periods(data, spine, rules, config)
    else:  # each period comes from its own case key: the items' rows, in their order
        ours = pd.MultiIndex.from_frame(periods[["case_id", "as_of"]]).isin(
            pd.MultiIndex.from_frame(keys)
        )
        p = periods[ours].reset_index(drop=True)
    same = _same_facts(p)
    rule_of = {r: f for f, rs in overlap.RULE_FEATURES.items() for r in rs}
    p = p.assign(feature=p["rule"].map(rule_of))
    p = p.merge(want[["case_id", "as_of", "feature"]], on=["case_id", "as_of", "feature"])
    if p.empty:
        return pd.DataFrame(columns=cols)
    g = p.groupby(["case_id", "as_of", "feature"])
    summary = g.agg(
        n=("days", "sum"), first=("first_day", "min"), last=("last_day", "max"),
        benefit=("benefit", "first"),
    ).reset_index()  # fmt: skip
    # the `what` of the most days (ties: the earliest)
    by_what = p.groupby(["case_id", "as_of", "feature", "what"], as_index=False).agg(
        d=("days", "sum"), f=("first_day", "min"), total=("total", "max")
    )
    by_what = by_what.sort_values(["d", "f"], ascending=[False, True])
    top = by_what.drop_duplicates(["case_id", "as_of", "feature"])
    summary = summary.merge(top[["case_id", "as_of", "feature", "what", "total"]])
    summary["reason_sv"] = [
        _rule_sentence(f, n=n, span=_span(first, last), benefit=BENEFIT_NAMES_SV[b], what=w, total=t)
        for f, n, first, last, b, w, t in zip(
            summary["feature"], summary["n"], summary["first"], summary["last"],
            summary["benefit"], summary["what"], summary["total"], strict=True,
        )
    ]  # fmt: skip
    summary = summary.merge(same, on=["case_id", "as_of", "feature"], how="left")
    summary["same_as"] = summary["same_as"].fillna("")
    return summary[cols]


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
    j = j[known_before(pd.to_datetime(j["decision_date"]).dt.date, j["as_of"])]
    j = j.sort_values(["decision_date", "sgi_id"]).drop_duplicates(
        ["case_id", "as_of", "feature"], keep="last"
    )
    per_hour = j["annual_sgi_sek"] / j["annual_work_hours"].where(j["annual_work_hours"] > 0)
    j["reason_sv"] = [
        f"Det senaste SGI-beslutet, från {swedish.day(pd.Timestamp(d).date())}, anger en årlig "
        f"SGI på {swedish.sek(s)} och en årsarbetstid på {_number(h)} timmar "
        f"({swedish.sek(v, unknown='okänt antal kr')} per timme)"
        for d, s, h, v in zip(
            j["decision_date"], j["annual_sgi_sek"], j["annual_work_hours"], per_hour, strict=True
        )
    ]
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
    own = own[
        known_before(_days(own["submitted_date"]), d) & (wd >= d - config.window_days) & (wd < d)
    ]
    if own.empty:
        return pd.DataFrame(columns=cols)
    allr = _fetch(
        data, "work_time_reports", "assistant_id", sorted(own["assistant_id"].unique()), wcols
    )
    pairs = own[["case_id", "as_of", "assistant_id", "work_date"]].drop_duplicates()
    j = pairs.merge(allr, on=["assistant_id", "work_date"], suffixes=("", "_all"))
    j = j[known_before(_days(j["submitted_date"]), _days(j["as_of"]))]
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
    # how many assistants, never who: an assistant's name or id is another person's data
    summary["who"] = g["assistant_id"].nunique()
    summary = summary.reset_index()
    summary["feature"] = "assistant_days_over_24h"
    summary["reason_sv"] = [
        _singular(
            f"{n} dagar {_span(f, la)} rapporterade "
            f"{'en assistent' if who == 1 else f'{who} assistenter'} i ärendet mer än "
            f"{_number(rules.assistance.max_assistant_hours_per_day)} timmar totalt hos alla "
            f"assistansberättigade (som mest {_number(top, 1 if top != round(top) else 0)} timmar)"
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
    values: pd.DataFrame | None = None,
    periods: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Swedish sentences with the facts behind each (case_id, as_of, feature) of `items`.

    Returns case_id, feature, reason_sv, same_as: one row per distinct item. The value comes from
    the same builders as the model's input; for the overlap and SGI rules the sentence also names
    the dates, benefits and amounts involved. `same_as` names the feature whose sentence already
    states the item's fact, when the case has both ("" otherwise). `values`: feature rows
    already built by `build_features` (case_id, as_of, person_id, features), e.g. the night's:
    the items' values are taken from them instead of built again. `periods`: the rule break
    periods (`rule_break_periods`) of a spine holding every item's (case_id, as_of), e.g. the
    night's for the picked persons, which the timelines draw too: not computed again.
    """
    if items.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    rules = rules or load_rules()
    config = config or load_feature_settings()
    it = _normalise(items)
    vals = _values(data, it, rules, config, values)
    long = vals.melt(id_vars=["case_id", "as_of", "person_id"], var_name="feature")
    told = it.merge(long, on=["case_id", "as_of", "feature"], how="left")
    told["reason_sv"] = [
        _template(f, v) for f, v in zip(told["feature"], told["value"], strict=True)
    ]
    told["same_as"] = ""
    details = pd.concat(
        [
            d
            for d in (
                _rule_facts(data, it, rules, config, periods),
                _sgi_facts(data, it, vals),
                _assistant_facts(data, it, rules, config),
                table_facts(data, it, rules, config),
            )
            if not d.empty
        ]
        or [pd.DataFrame(columns=["case_id", "as_of", "feature", "reason_sv", "same_as"])],
        ignore_index=True,
    )
    if not details.empty:
        details["as_of"] = pd.to_datetime(details["as_of"]).dt.date
        if "same_as" not in details.columns:
            details["same_as"] = ""
        told = told.drop(columns="same_as").merge(
            details.rename(columns={"reason_sv": "fact"}),
            on=["case_id", "as_of", "feature"],
            how="left",
        )
        told["same_as"] = told["same_as"].fillna("")
        has = told["fact"].notna() & (told["value"].fillna(0) != 0)
        told.loc[has, "reason_sv"] = told.loc[has, "fact"] + "."
        sgi = has & told["feature"].eq("sgi_hours_days_mixup")
        told.loc[sgi, "reason_sv"] = (
            told.loc[sgi, "fact"]
            + ". Årsarbetstiden kan ha registrerats i dagar i stället för timmar."
        )
    return told[OUT_COLUMNS].reset_index(drop=True)
