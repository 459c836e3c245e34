"""The historical control policy that produced the `controls` table (the labels).

Three streams, as at the agency:
- random: each case is drawn with a known probability per benefit (logged), on a uniform day of
  its open span; the only unbiased yardstick of error rates. The probabilities come from a
  density (random controls a year per 1,000 persons, as the domain brief counts them);
- rule: a share of the flags of the agency's simple rules, some days after the flag was visible;
- tip and report: tips from the public and employers (`tip`), reports from other agencies and
  a-kassor (`report`, the notification law 2008:206); each source points to erroneous cases more
  often and has its own bias (the public's to women for FP/TFP, the a-kassor's to men for FP).
Outcomes come from the truth with imperfect recall, and only if wrong money was paid by the
control's closed_date (its own, after selection). A person is not controlled again by a rule or a tip
within the cooldown; the random stream ignores the cooldown so that its logged probabilities stay
true. A confirmed error corrects its case (`settle`): the case closes on the control's closed
date and no control of the case is selected after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from felrisk.contract import ERROR_OUTCOMES
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import NA_DAY

SELECTION_ORDER = {"random": 0, "rule": 1, "tip": 2, "report": 3}
_NEVER = np.iinfo("int64").max
# settle() converges in two or three rounds; the cap only guards against a pathological world
MAX_SETTLE_ROUNDS = 50


def person_years(n_persons: int, start: int, end: int) -> float:
    """Persons x the world's span in years: the denominator of every control density."""
    return n_persons * (end - start + 1) / 365.25


def _active_span(cases: pd.DataFrame, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last day a case could be selected: open, known, inside the world."""
    lo = np.maximum(cases["opened"].to_numpy(), start)
    closed = cases["closed"].to_numpy()
    hi = np.minimum(np.where(closed == NA_DAY, end, closed), end)
    return lo, hi


def _uniform_day(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + (rng.random(len(lo)) * (hi - lo + 1)).astype("int64")


def random_probabilities(
    cases: pd.DataFrame, n_persons: int, start: int, end: int, sc: Scenario
) -> dict[str, float]:
    """Per-case probability of each benefit that gives the scenario's random density.

    Expected random controls = sum over selectable cases of p(benefit); p is proportional to the
    benefit's `random_weight`, scaled so that the expectation is `random_per_1000_person_years`
    per 1,000 person-years (capped at 1 per case).
    """
    k = sc.controls
    lo, hi = _active_span(cases, start, end)
    n_b = cases.loc[lo <= hi, "benefit"].value_counts()
    units = sum(w * float(n_b.get(b, 0)) for b, w in k.random_weight.items())
    want = k.random_per_1000_person_years * person_years(n_persons, start, end) / 1000
    scale = want / units if units > 0 else 0.0
    return {b: min(1.0, scale * w) for b, w in k.random_weight.items()}


def random_stream(
    cases: pd.DataFrame, prob: dict[str, float], start: int, end: int, seed: int
) -> pd.DataFrame:
    """Random internal control: each open case drawn with its benefit's logged probability.

    `u` places the day within the open span; settle() keeps that place inside a span that a
    correction by another control shortened, so a case's chance to be drawn stays `prob`.
    """
    rng = stream(seed, "controls:random")
    lo, hi = _active_span(cases, start, end)
    p = cases["benefit"].map(prob).fillna(0.0).to_numpy(dtype="float64")
    hit = (lo <= hi) & (rng.random(len(cases)) < p)
    u = rng.random(len(cases))
    return pd.DataFrame(
        {
            "case": cases["case"].to_numpy()[hit],
            "selected": _place(u[hit], lo[hit], hi[hit]),
            "selection": "random",
            "probability": p[hit],
            "lo": lo[hit],
            "hi": hi[hit],
            "u": u[hit],
        }
    )


def _place(u: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The day at fraction u of [lo, hi]."""
    return lo + np.minimum((u * (hi - lo + 1)).astype("int64"), hi - lo)


def rule_stream(
    cases: pd.DataFrame, flags: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Targeted controls: a share of the agency rules' flags, a few weeks after they were seen."""
    rng = stream(seed, "controls:rule")
    f = flags.sort_values(["case", "seen", "rule"], kind="stable").drop_duplicates("case")
    take = rng.random(len(f)) < sc.controls.rule_share
    day = f["seen"].to_numpy() + rng.integers(5, 60, len(f))
    lo, _ = _active_span(cases.set_index("case").loc[f["case"]].reset_index(), start, end)
    day = np.maximum(day, lo)
    ok = take & (day >= start) & (day <= end)
    return pd.DataFrame(
        {
            "case": f["case"].to_numpy()[ok],
            "selected": day[ok],
            "selection": "rule",
            "probability": np.nan,
        }
    )


def tip_stream(
    cases: pd.DataFrame, persons: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Tips and reports, `tips_per_1000_person_years` expected, each source with its own bias.

    A source's tips go to the cases it can know of (its benefits; an employer's to employees),
    weighted by error, sex and origin as the scenario says (`TipSource`); `source` names it.
    """
    k = sc.controls
    lo, hi = _active_span(cases, start, end)
    info = persons.set_index("pid")
    female = info["sex"].reindex(cases["pid"]).to_numpy() == "F"
    region = info["region"].reindex(cases["pid"]).to_numpy()
    foreign = pd.notna(region) & (region != "SE")
    benefit = cases["benefit"].to_numpy()
    err = cases["err"].to_numpy(dtype=bool)
    employee = (cases["emp_type"] == "employee").to_numpy()
    total = k.tips_per_1000_person_years * person_years(len(persons), start, end) / 1000
    frames = []
    for name, src in k.tip_sources.items():
        rng = stream(seed, f"controls:tip:{name}")
        wt = pd.Series(benefit).map(src.benefits).fillna(0.0).to_numpy(dtype="float64")
        wt = wt * np.where(err, src.error_lift, 1.0)
        fem = pd.Series(benefit).map(src.female_factor).fillna(1.0).to_numpy(dtype="float64")
        wt = wt * np.where(female, fem, 1.0) * np.where(foreign, src.foreign_factor, 1.0)
        if src.employees_only:
            wt = wt * employee
        wt = np.where(lo <= hi, wt, 0.0)
        p = np.minimum(wt * src.share * total / max(wt.sum(), 1e-9), 1.0)
        hit = rng.random(len(cases)) < p
        day = _uniform_day(rng, lo[hit], hi[hit])
        frames.append(
            pd.DataFrame(
                {
                    "case": cases["case"].to_numpy()[hit],
                    "selected": day,
                    "selection": src.selection,
                    "probability": np.nan,
                    "source": name,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def candidates(
    cases: pd.DataFrame,
    persons: pd.DataFrame,
    flags: pd.DataFrame,
    start: int,
    end: int,
    sc: Scenario,
    seed: int,
) -> pd.DataFrame:
    """Every selection the three streams would make, with the draws its outcome needs.

    Before corrections and the cooldown (settle() applies both). Per candidate: `delay` (days to
    closed), `u_found` and `u_crime` (the investigation's draws) and `wrong_factor` (how exactly
    it measures the wrong amount).
    """
    prob = random_probabilities(cases, len(persons), start, end, sc)
    sel = pd.concat(
        [
            random_stream(cases, prob, start, end, seed),
            rule_stream(cases, flags, start, end, sc, seed),
            tip_stream(cases, persons, start, end, sc, seed),
        ],
        ignore_index=True,
    )
    sel["source"] = sel["source"].fillna(sel["selection"])
    info = cases.set_index("case")
    sel["pid"] = info["pid"].reindex(sel["case"]).to_numpy()
    sel["order"] = sel["selection"].map(SELECTION_ORDER).to_numpy()
    sel = sel.sort_values(["selected", "case", "order"], kind="stable").reset_index(drop=True)
    k = sc.controls
    rng = stream(seed, "controls:outcome")
    n = len(sel)
    sel["u_found"] = rng.random(n)
    sel["u_crime"] = rng.random(n)
    sel["wrong_factor"] = rng.uniform(0.85, 1.05, n)
    sel["delay"] = rng.integers(k.close_days_min, k.close_days_max + 1, n)
    return sel


def _outcomes(sel: pd.DataFrame, cases: pd.DataFrame, end: int, sc: Scenario) -> pd.DataFrame:
    """Closed date and outcome of each selection (null while still open at the world's end)."""
    k = sc.controls
    info = cases.set_index("case")
    err = info["err"].reindex(sel["case"]).to_numpy(dtype=bool)
    weak = info["weak"].reindex(sel["case"]).to_numpy(dtype=bool)
    closed = sel["selected"].to_numpy() + sel["delay"].to_numpy()
    # an investigation finds only what was paid wrongly by the day it closes
    paid_wrong = info["wrong_from"].reindex(sel["case"]).to_numpy()
    recall = np.where(weak, 0.7 * k.recall, k.recall)
    found = err & (sel["u_found"].to_numpy() < recall)
    found &= (paid_wrong != NA_DAY) & (paid_wrong <= closed)
    fk = info["caused_by"].reindex(sel["case"]).to_numpy() == "fk"
    intent = info["intentional"].reindex(sel["case"]).to_numpy(dtype=bool)
    crime = intent & (sel["u_crime"].to_numpy() < k.suspected_crime_share_of_intentional)
    outcome = np.where(
        ~found,
        "no_error",
        np.where(fk, "error_fk", np.where(crime, "suspected_crime", "error_customer")),
    ).astype(object)
    still_open = closed > end
    outcome[still_open] = None
    return sel.assign(closed=np.where(still_open, NA_DAY, closed), outcome=outcome)


def _cooldown(sel: pd.DataFrame, days: int) -> pd.DataFrame:
    """Drop rule/tip selections within `days` after an earlier selection of the same person.

    Comparing with the previous selection of any kind keeps at least `days` between every kept
    rule/tip control and the one before it, in one vectorised pass.
    """
    sel = sel.sort_values(["pid", "selected", "order", "case"], kind="stable").reset_index(
        drop=True
    )
    prev = sel.groupby("pid", sort=False)["selected"].shift(1)
    close = (sel["selected"] - prev).to_numpy(dtype="float64", na_value=np.inf) < days
    drop = close & (sel["selection"] != "random").to_numpy()
    return sel[~drop]


def corrected_dates(controls: pd.DataFrame) -> pd.Series:
    """Day each case was corrected: the closed date of its first control confirming an error."""
    conf = controls[controls["outcome"].isin(ERROR_OUTCOMES).to_numpy()]
    return conf.groupby("case")["closed"].min().astype("int64")


def rule_supported(cand: pd.DataFrame, support: pd.DataFrame) -> np.ndarray:
    """Rule selections whose case still shows a flag by the selected day (others: True)."""
    first = support.groupby("case")["seen"].min()
    seen = first.reindex(cand["case"]).to_numpy(dtype="float64", na_value=np.inf)
    rule = (cand["selection"] == "rule").to_numpy()
    return ~rule | (seen <= cand["selected"].to_numpy())


def _min_by_case(old: pd.Series, new: pd.Series) -> pd.Series:
    both = pd.concat([old, new])
    return both.groupby(level=0).min().astype("int64")


def settle(
    cand: pd.DataFrame,
    cases: pd.DataFrame,
    end: int,
    sc: Scenario,
    support: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """The controls that happened, and each corrected case's correction day.

    A control that confirms an error corrects its case on its closed date: no control of the
    case is selected after it, and a random draw keeps its place (`u`) inside the span the case
    was open. Corrections and the cooldown interact (a dropped control frees a later one), so the
    correction days are lowered round by round until no kept control moves them, each round one
    vectorised pass. `support` (flags of the corrected world) drops rule selections whose flag a
    correction removed.
    """
    if support is not None:
        cand = cand[rule_supported(cand, support)]
    rnd = (cand["selection"] == "random").to_numpy()
    case = cand["case"]
    by_others = pd.Series(dtype="int64")  # closed day of the first non-random confirmation
    by_any = pd.Series(dtype="int64")
    for _ in range(MAX_SETTLE_ROUNDS):
        cut = by_others.reindex(case).to_numpy(dtype="float64", na_value=np.inf)
        hi = np.where(rnd, np.minimum(cand["hi"].to_numpy(dtype="float64"), cut), 0)
        day = np.where(
            rnd,
            _place(
                cand["u"].to_numpy(dtype="float64", na_value=0.0),
                cand["lo"].to_numpy(dtype="float64", na_value=0).astype("int64"),
                hi.astype("int64"),
            ),
            cand["selected"].to_numpy(),
        )
        limit = by_any.reindex(case).to_numpy(dtype="float64", na_value=np.inf)
        keep = rnd | (day <= limit)
        sel = _outcomes(cand.assign(selected=day)[keep], cases, end, sc)
        kept = _cooldown(sel, sc.controls.min_days_between_controls)
        others = corrected_dates(kept[kept["selection"] != "random"])
        new_others = _min_by_case(by_others, others)
        new_any = _min_by_case(by_any, corrected_dates(kept))
        if new_others.equals(by_others) and new_any.equals(by_any):
            break
        by_others, by_any = new_others, new_any
    corrected = corrected_dates(kept)
    late = kept["selected"].to_numpy() > corrected.reindex(kept["case"]).to_numpy(
        dtype="float64", na_value=np.inf
    )
    kept = kept[~late].sort_values(["selected", "case", "order"], kind="stable")
    return kept.reset_index(drop=True), corrected


def finish(controls: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Control ids, benefit and the wrong amount found (from the truth after corrections)."""
    info = cases.set_index("case")
    found = controls["outcome"].isin(ERROR_OUTCOMES).to_numpy()
    truth = info["wrong"].reindex(controls["case"]).to_numpy(dtype="float64")
    wrong = np.where(
        found, np.maximum(1.0, np.round(truth * controls["wrong_factor"].to_numpy())), 0.0
    )
    still_open = controls["closed"].to_numpy() == NA_DAY
    return controls.assign(
        wrong=np.where(still_open, np.nan, wrong),
        benefit=info["benefit"].reindex(controls["case"]).to_numpy(),
        control=np.arange(1, len(controls) + 1),
    )
