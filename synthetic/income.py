"""Monthly employer income reports (AGI) consistent with jobs, benefit days and pay events."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthetic.casebook import growth
from synthetic.scenario import Scenario
from synthetic.streams import stream
from synthetic.timeaxis import (
    NA_DAY,
    group_offsets,
    month_first,
    month_index,
    month_last,
    split_by_month,
)

# benefits whose days (at their extent) the employer's pay is lowered for; SE and AE replace the
# job's pay for good (a full benefit ends or suspends it, a partial one lowers it by its extent)
REDUCING = ("SJP", "FP", "TFP", "SE", "AE")


def _key(pid: np.ndarray, m: np.ndarray) -> np.ndarray:
    return np.asarray(pid, dtype="int64") * 8192 + np.asarray(m, dtype="int64") % 8192


def lost_pay_share(cases: pd.DataFrame, spells: pd.DataFrame, start: int, end: int) -> pd.Series:
    """Share of a month's pay an employer withholds, by (person, month) key.

    Benefit days (SJP, FP, TFP, and SE/AE months) withhold their extent unless the pay was (wrongly or, for a
    collective-agreement top-up, rightly) not lowered; the employer's sick-pay period withholds
    only the 20 % not paid as sjuklön plus the waiting day.
    """
    c = cases[cases["benefit"].isin(REDUCING)]
    ps = np.maximum(c["ps"].to_numpy(), start)
    pe = np.minimum(c["pe"].to_numpy(), end)
    ok = ps <= pe
    c, ps, pe = c[ok], ps[ok], pe[ok]
    idx, cs, ce, m = split_by_month(ps, pe)
    dim = month_last(m) - month_first(m) + 1
    w = (c["extent"] * (1 - c["pay_not_lowered"])).to_numpy()[idx]
    lost = (ce - cs + 1) / dim * w
    keys = [_key(c["pid"].to_numpy()[idx], m)]
    vals = [lost]
    sp = spells[spells["emp_type"] == "employee"]
    s = np.maximum(sp["s"].to_numpy(), start)
    e = np.minimum(np.minimum(sp["e"].to_numpy(), sp["s"].to_numpy() + 13), end)
    ok = s <= e
    idx, cs, ce, m = split_by_month(s[ok], e[ok])
    dim = month_last(m) - month_first(m) + 1
    first = cs == sp["s"].to_numpy()[ok][idx]
    keys.append(_key(sp["pid"].to_numpy()[ok][idx], m))
    vals.append(((ce - cs + 1) * 0.2 + first * 0.8) / dim)
    k = np.concatenate(keys)
    v = np.concatenate(vals)
    agg = pd.Series(v).groupby(k).sum()
    return agg.clip(upper=1.0)


def job_months(jobs: pd.DataFrame, start: int, end: int, sc: Scenario, seed: int) -> pd.DataFrame:
    """One row per job and month employed in the world, with the regular pay and its events."""
    rng = stream(seed, "job_months")
    b = sc.benefits
    js = np.maximum(jobs["start"].to_numpy(), start)
    je = np.where(jobs["end"].to_numpy() == NA_DAY, end, np.minimum(jobs["end"].to_numpy(), end))
    ok = js <= je
    j = jobs[ok]
    m0 = month_index(js[ok])
    n = month_index(je[ok]) - m0 + 1
    idx = np.repeat(np.arange(len(j)), n)
    m = m0[idx] + group_offsets(n)
    pay = j["pay"].to_numpy()[idx] * growth(month_first(m) + 14, start, sc.amounts)
    main = (j["kind"].to_numpy() == "main")[idx]
    pay = pay * np.where(main, 1 + 0.02 * rng.standard_normal(len(idx)), 1.0)
    july = (m % 12 == 6) & main & (rng.random(len(idx)) < b.holiday_pay_share)
    pay = pay + np.where(july, j["pay"].to_numpy()[idx] * rng.uniform(0.3, 0.9, len(idx)), 0)
    back = main & (m % 12 >= 2) & (m % 12 <= 5) & (rng.random(len(idx)) < b.back_pay_share / 4)
    pay = pay + np.where(back, j["pay"].to_numpy()[idx] * rng.uniform(0.1, 0.6, len(idx)), 0)
    out = pd.DataFrame(
        {
            "pid": j["pid"].to_numpy()[idx],
            "eid": j["eid"].to_numpy()[idx],
            "m": m,
            "pay": pay,
            "main": main,
        }
    )
    # holiday compensation (semesterersättning) the month after a job ends
    ended = j[(j["end"].to_numpy() != NA_DAY) & (j["end"].to_numpy() < end - 31)]
    fin = pd.DataFrame(
        {
            "pid": ended["pid"].to_numpy(),
            "eid": ended["eid"].to_numpy(),
            "m": month_index(ended["end"].to_numpy()) + 1,
            "pay": ended["pay"].to_numpy() * rng.uniform(0.2, 0.8, len(ended)),
            "main": False,
        }
    )
    fin = fin[month_first(fin["m"].to_numpy()) >= start]
    return pd.concat([out, fin], ignore_index=True)


def income_parts(months: pd.DataFrame, extra: pd.DataFrame, assist: pd.DataFrame) -> pd.DataFrame:
    """Pay per (person, employer, month) before withholding: main jobs, other pay, assistants' wages.

    Kept apart so that a correction can change the withholding or the assistants' wages of a few
    persons without changing the rows (and so the random draws) of the income reports.
    """
    main = months["main"].to_numpy()
    parts = pd.concat(
        [
            pd.DataFrame(
                {
                    "pid": months["pid"],
                    "eid": months["eid"],
                    "m": months["m"],
                    "main": np.where(main, months["pay"].to_numpy(), 0.0),
                    "other": np.where(main, 0.0, months["pay"].to_numpy()),
                    "assist": 0.0,
                }
            ),
            extra[["pid", "eid", "m"]].assign(main=0.0, other=extra["pay"].to_numpy(), assist=0.0),
            assist[["pid", "eid", "m"]].assign(
                main=0.0, other=0.0, assist=assist["pay"].to_numpy()
            ),
        ],
        ignore_index=True,
    )
    return parts.groupby(["pid", "eid", "m"], sort=True, as_index=False)[
        ["main", "other", "assist"]
    ].sum()


def gross_pay(parts: pd.DataFrame, lost: pd.Series, assist: np.ndarray | None = None) -> np.ndarray:
    """Pay of each row of `parts` once the employer withheld the `lost` share of main-job pay.

    `assist` replaces the assistants' wages of `parts` (a correction ended some care days).
    """
    k = _key(parts["pid"].to_numpy(), parts["m"].to_numpy())
    share = lost.reindex(k).fillna(0.0).to_numpy()
    wages = parts["assist"].to_numpy() if assist is None else assist
    return parts["main"].to_numpy() * (1 - share) + parts["other"].to_numpy() + wages


def income_reports(
    parts: pd.DataFrame, pay: np.ndarray, end: int, sc: Scenario, seed: int
) -> pd.DataFrame:
    """Report dates, late and corrected reports of the pay of each row of `parts` (gross_pay)."""
    rng = stream(seed, "income")
    b = sc.benefits
    rows = pd.DataFrame(
        {"pid": parts["pid"].to_numpy(), "eid": parts["eid"].to_numpy(), "m": parts["m"].to_numpy()}
    )
    n = len(rows)
    reported = month_last(rows["m"].to_numpy()) + 12
    late = rng.random(n) < b.late_income_report_share
    reported = np.where(late, reported + rng.integers(10, 200, n), reported)
    rows["pay"] = np.round(pay)
    rows["reported"] = reported
    corr = rows[rng.random(n) < b.corrected_income_report_share].copy()
    corr["pay"] = np.round(corr["pay"] * rng.uniform(0.85, 1.15, len(corr)))
    corr["reported"] = corr["reported"] + rng.integers(20, 150, len(corr))
    out = pd.concat([rows, corr], ignore_index=True)
    out = out[(out["reported"] <= end) & (out["pay"] > 0)]
    out = out.sort_values(["pid", "eid", "m", "reported"], kind="stable").reset_index(drop=True)
    out["month"] = month_first(out["m"].to_numpy())
    return out
