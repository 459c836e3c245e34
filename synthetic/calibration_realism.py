"""The realism figures of the calibration table: recipients per 1,000 persons, where the money
found by controls lies, the world's raw proxy for sex, and tips by source and sex."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from felrisk.contract import ERROR_OUTCOMES
from synthetic.controls import person_years

# Recipients in 2020 (domain brief) per 1,000 of about 10.4 M insured; KAR only existed from
# 2020-03-11, so its figure is held against the world's busiest year.
INSURED_2020 = 10_400_000
RECIPIENTS_2020: dict[str, int] = {
    "TFP": 949_606,
    "FP": 857_040,
    "SJP": 679_631,
    "AKS": 266_711,
    "SE": 254_119,
    "AE": 36_276,
    "ASS": 14_530,
    "KAR": 1_608_491,
}
BUSIEST_YEAR_BENEFITS = ("KAR",)
# a world's recipients count lies within this share of FK's
RECIPIENTS_TOLERANCE = 0.2
# control investigations 2020: assistance 464 of 1,038 MSEK confirmed wrong
ASS_SHARE_OF_WRONG_SEK = 464 / 1_038
ASS_SHARE_TOLERANCE = 0.15
# the world's raw proxy: sex from the employer's industry and size. No FK figure: the SCB-like
# shares of women per industry (scenario.toml, docs/world_realism.md) imply 0.79 from the
# industry alone; below the band the proxy screen has nothing to find, above it sex would be
# all but written on the employer.
RAW_PROXY_BAND = (0.65, 0.9)
SIZE_BANDS = (1, 2, 5, 10, 50, 250)


@dataclass(frozen=True)
class FigureRow:
    """A figure of the world beside FK's (or an assumed band), with the band it must lie in."""

    name: str
    generated: float
    target: str
    low: float | None
    high: float | None

    @property
    def ok(self) -> bool | None:
        if self.low is None and self.high is None:
            return None
        return (self.low is None or self.generated >= self.low) and (
            self.high is None or self.generated <= self.high
        )


@dataclass(frozen=True)
class TipRow:
    """One source of tips: how many a year per 1,000 persons, to whom, and how often right."""

    source: str
    selection: str
    per_1000: float
    women: float
    women_fp: float | None
    n_fp: int
    error_found: float


def recipients_rows(
    payments: pd.DataFrame, n_persons: int, start: int, end: int
) -> list[FigureRow]:
    """Recipients per 1,000 persons a year per benefit: mean over the world's whole calendar
    years (KAR: its busiest year), beside FK's 2020 figure."""
    pay = payments[payments["amount"].to_numpy() > 0]
    years = _whole_years(start, end)
    per_year: dict[str, list[float]] = {b: [] for b in RECIPIENTS_2020}
    for lo, hi in years:
        inside = (pay["ps"].to_numpy() <= hi) & (pay["pe"].to_numpy() >= lo)
        n = pay.loc[inside, ["pid", "benefit"]].drop_duplicates()["benefit"].value_counts()
        for b in per_year:
            per_year[b].append(1000 * float(n.get(b, 0)) / max(n_persons, 1))
    rows = []
    for b, fk in RECIPIENTS_2020.items():
        target = 1000 * fk / INSURED_2020
        values = per_year[b] or [0.0]
        busiest = b in BUSIEST_YEAR_BENEFITS
        value = max(values) if busiest else float(np.mean(values))
        what = "busiest year" if busiest else "mean of whole years"
        rows.append(
            FigureRow(
                f"recipients per 1,000, {b} ({what})",
                value,
                f"{target:.1f} (FK 2020)",
                target * (1 - RECIPIENTS_TOLERANCE),
                target * (1 + RECIPIENTS_TOLERANCE),
            )
        )
    return rows


def _whole_years(start: int, end: int) -> list[tuple[int, int]]:
    """(first day, last day) of each calendar year inside [start, end] (day numbers)."""
    first = int(np.datetime64(int(start), "D").astype("datetime64[Y]").astype(int)) + 1970
    last = int(np.datetime64(int(end), "D").astype("datetime64[Y]").astype(int)) + 1970
    out = []
    for y in range(first, last + 1):
        lo = int(np.datetime64(f"{y}-01-01", "D").astype("int64"))
        hi = int(np.datetime64(f"{y}-12-31", "D").astype("int64"))
        if lo >= start and hi <= end:
            out.append((lo, hi))
    return out


def ass_share_of_wrong_sek(controls: pd.DataFrame) -> FigureRow:
    """Assistance's share of the wrong SEK that closed controls confirmed (FK 2020: 45 %)."""
    found = controls[controls["outcome"].isin(ERROR_OUTCOMES).to_numpy()]
    wrong = found["wrong"].to_numpy(dtype="float64")
    total = float(np.nansum(wrong))
    ass = float(np.nansum(wrong[found["benefit"].to_numpy() == "ASS"]))
    t = ASS_SHARE_OF_WRONG_SEK
    return FigureRow(
        "assistance share of the wrong SEK controls confirmed",
        ass / total if total > 0 else 0.0,
        f"{t:.0%} (FK 2020: 464 of 1,038 MSEK)",
        t - ASS_SHARE_TOLERANCE,
        t + ASS_SHARE_TOLERANCE,
    )


def raw_proxy_auc(persons: pd.DataFrame) -> FigureRow:
    """The world's raw proxy: AUC of sex from the main employer's industry and size band.

    Among employees, each (industry, size band) cell scores the share of women in it (fitted on
    the same persons: with a few hundred cells and many persons the optimism is small). This is
    the world's own segregation, not the model's: the proxy screen of the audit measures that.
    """
    emp = persons[persons["eid"].to_numpy() >= 0]
    if emp.empty or emp["sex"].nunique() < 2:
        return FigureRow(_RAW_PROXY_NAME, 0.5, _RAW_PROXY_TARGET, *RAW_PROXY_BAND)
    size = emp.groupby("eid")["pid"].transform("size").to_numpy()
    band = np.searchsorted(np.array(SIZE_BANDS), size, side="right")
    female = (emp["sex"] == "F").to_numpy()
    cell = pd.Series(female).groupby([emp["industry"].to_numpy(), band]).transform("mean")
    return FigureRow(
        _RAW_PROXY_NAME, rank_auc(cell.to_numpy(), female), _RAW_PROXY_TARGET, *RAW_PROXY_BAND
    )


_RAW_PROXY_NAME = "world's raw proxy: AUC of sex from employer industry and size"
_RAW_PROXY_TARGET = "about 0.8 (SCB-like shares, assumed)"


def rank_auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Rank AUC of `score` for `positive` (ties count half)."""
    ranks = pd.Series(score).rank(method="average").to_numpy()
    n1 = int(positive.sum())
    n0 = len(positive) - n1
    if n1 == 0 or n0 == 0:
        return 0.5
    return float((ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def tip_rows(
    controls: pd.DataFrame, persons: pd.DataFrame, n_persons: int, start: int, end: int
) -> list[TipRow]:
    """Tips and reports by source: a year per 1,000 persons, women's share (all, FP), errors found."""
    kilo_py = max(person_years(n_persons, start, end) / 1000, 1e-9)
    tips = controls[controls["selection"].isin(["tip", "report"]).to_numpy()]
    female = persons.set_index("pid")["sex"].reindex(tips["pid"]).to_numpy() == "F"
    found = tips["outcome"].isin(ERROR_OUTCOMES).to_numpy()
    closed = tips["outcome"].notna().to_numpy()
    fp = (tips["benefit"] == "FP").to_numpy()
    rows = []
    for source in sorted(tips["source"].unique()):
        m = (tips["source"] == source).to_numpy()
        n_fp = int((m & fp).sum())
        rows.append(
            TipRow(
                source,
                str(tips.loc[m, "selection"].iloc[0]),
                int(m.sum()) / kilo_py,
                float(female[m].mean()),
                float(female[m & fp].mean()) if n_fp else None,
                n_fp,
                float(found[m & closed].mean()) if (m & closed).any() else 0.0,
            )
        )
    return rows


def women_among_recipients(payments: pd.DataFrame, persons: pd.DataFrame, benefit: str) -> float:
    """Share of women among the persons paid `benefit` in the world: the yardstick of a source's
    sex bias (a source is biased when its share differs from this)."""
    pid = payments.loc[(payments["benefit"] == benefit) & (payments["amount"] > 0), "pid"].unique()
    sex = persons.set_index("pid")["sex"].reindex(pid).to_numpy()
    return float((sex == "F").mean()) if len(pid) else 0.0
