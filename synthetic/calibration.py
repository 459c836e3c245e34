"""The calibration table of a world: generated rates beside the domain brief's targets, and what
each simple rule alone would catch (no rule may catch nearly all errors)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rich.console import Group
from rich.table import Table

from synthetic.agency_rules import AGENCY_HIT_RATE, CHECKS, RULES, rule_matrix
from synthetic.calibration_realism import (
    FigureRow,
    TipRow,
    ass_share_of_wrong_sek,
    raw_proxy_auc,
    recipients_rows,
    tip_rows,
    women_among_recipients,
)
from synthetic.controls import person_years
from synthetic.timeaxis import NA_DAY

# Figures of ../shared/domain.md (Försäkringskassan 2020): facts to compare with, not knobs.
ERROR_RATE_TARGETS: dict[str, float] = {
    "SJP": 0.050,
    "TFP": 0.015,
    "FP": 0.013,
    "AKS": 0.014,
    "SE": 0.012,
    "AE": 0.008,
    "ASS": 0.003,
}
RANDOM_STREAM_TARGET = 0.031
FK_SHARE_TARGET = 0.199
FEMALE_SICK_SHARE_TARGET = 0.62
# detected errors 2020: women 86,364, men 56,340; random control: women 3.4 %, men 2.7 %
FEMALE_ERROR_SHARE_TARGET = 86_364 / (86_364 + 56_340)
RANDOM_BY_SEX = {"F": 0.034, "M": 0.027}
AUTOMATED_TARGETS = {"TFP": 0.73, "FP": 0.59}
# a rule that alone catches more than this share of all errors would make the world a toy
MAX_RULE_SHARE = 0.5
# label density: FK's random internal control, 39,319 cases in 2020 for about 10.4 M insured
# (3.8 a year per 1,000 persons); a realistic world stays within the band. Targeted controls
# (rules, tips, control investigations) outnumber the random ones.
RANDOM_DENSITY_FK = 3.8
RANDOM_DENSITY_BAND = (2.0, 10.0)
MIN_TARGETED_PER_RANDOM = 1.0


@dataclass(frozen=True)
class CalibrationRow:
    """One generated rate, its target and the tolerance it is held to (absolute)."""

    name: str
    generated: float
    target: float | None
    tolerance: float | None
    n: int

    @property
    def ok(self) -> bool | None:
        if self.target is None or self.tolerance is None:
            return None
        return abs(self.generated - self.target) <= self.tolerance


@dataclass(frozen=True)
class DensityRow:
    """A label density (or ratio) of the control history beside the band it should lie in."""

    name: str
    generated: float
    low: float
    high: float | None
    target: str

    @property
    def ok(self) -> bool:
        return self.generated >= self.low and (self.high is None or self.generated <= self.high)


@dataclass(frozen=True)
class RuleRow:
    """One simple rule: cases flagged, share of flags that are errors, share of errors caught."""

    rule: str
    flagged: int
    hit_rate: float
    agency_hit_rate: float | None
    share_of_errors: float


@dataclass
class CalibrationReport:
    """What `felrisk synth` prints at the end; also returned for tests and the demo."""

    rows: list[CalibrationRow]
    rules: list[RuleRow]
    random_controls_per_year: dict[int, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    density: list[DensityRow] = field(default_factory=list)
    realism: list[FigureRow] = field(default_factory=list)
    tips: list[TipRow] = field(default_factory=list)
    women_fp_recipients: float = 0.0

    def row(self, name: str) -> CalibrationRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def realism_row(self, name: str) -> FigureRow:
        for r in self.realism:
            if r.name.startswith(name):
                return r
        raise KeyError(name)

    def density_row(self, name: str) -> DensityRow:
        for r in self.density:
            if r.name == name:
                return r
        raise KeyError(name)

    def __rich__(self) -> Group:
        t = Table(title="Calibration: generated vs domain brief (FK 2020)")
        for col in ("rate", "generated", "target", "tolerance", "n", "ok"):
            t.add_column(col, justify="left" if col == "rate" else "right")
        for r in self.rows:
            ok = "" if r.ok is None else ("yes" if r.ok else "NO")
            t.add_row(
                r.name,
                f"{r.generated:.2%}",
                "" if r.target is None else f"{r.target:.1%}",
                "" if r.tolerance is None else f"±{r.tolerance:.1%}",
                f"{r.n:,}",
                ok,
            )
        u = Table(
            title="Simple rules alone (a rule must not catch nearly all errors); "
            "the last three are contract checks, not control rules"
        )
        for col in ("rule", "flagged cases", "hit rate", "agency hit rate", "share of all errors"):
            u.add_column(col, justify="left" if col == "rule" else "right")
        for r in self.rules:
            u.add_row(
                r.rule,
                f"{r.flagged:,}",
                f"{r.hit_rate:.0%}",
                "" if r.agency_hit_rate is None else f"{r.agency_hit_rate:.0%}",
                f"{r.share_of_errors:.1%}",
            )
        d = Table(title="Label density: controls a year per 1,000 persons (person-years)")
        for col in ("measure", "generated", "target", "ok"):
            d.add_column(col, justify="left" if col == "measure" else "right")
        for r in self.density:
            d.add_row(r.name, f"{r.generated:.2f}", r.target, "yes" if r.ok else "NO")
        v = Table(title="Random-stream controls with an outcome, per year")
        v.add_column("year")
        v.add_column("controls", justify="right")
        for year, n in sorted(self.random_controls_per_year.items()):
            v.add_row(str(year), f"{n:,}")
        return Group(t, u, d, v, self._realism_table(), self._tips_table())

    def _realism_table(self) -> Table:
        r = Table(
            title="Realism: recipients a year per 1,000 persons, money found, the world's raw "
            "proxy (the model's proxies: the audit's proxy screen at training)"
        )
        for col in ("figure", "generated", "target", "ok"):
            r.add_column(col, justify="left" if col == "figure" else "right")
        for f in self.realism:
            ok = "" if f.ok is None else ("yes" if f.ok else "NO")
            value = f"{f.generated:.1f}" if f.generated > 1 else f"{f.generated:.2f}"
            r.add_row(f.name, value, f.target, ok)
        return r

    def _tips_table(self) -> Table:
        t = Table(
            title="Tips by source (report: agencies and a-kassor, law 2008:206; tip: the "
            f"public, employers); women are {self.women_fp_recipients:.0%} of FP recipients"
        )
        for col in ("source", "selection", "a year per 1,000", "women", "women, FP", "FP", "found"):
            t.add_column(col, justify="left" if col in ("source", "selection") else "right")
        for r in self.tips:
            t.add_row(
                r.source,
                r.selection,
                f"{r.per_1000:.2f}",
                f"{r.women:.0%}",
                "" if r.women_fp is None else f"{r.women_fp:.0%}",
                f"{r.n_fp:,}",
                f"{r.error_found:.0%}",
            )
        return t


def _rate(name: str, mask: np.ndarray, target: float | None, tol: float | None) -> CalibrationRow:
    n = int(len(mask))
    return CalibrationRow(name, float(mask.mean()) if n else 0.0, target, tol, n)


def _tol(target: float, n: int) -> float:
    """Tolerance: three binomial standard errors plus 20 % of the target (model slack)."""
    return 3 * np.sqrt(target * (1 - target) / max(n, 1)) + 0.2 * target


def calibrate(
    cases: pd.DataFrame,
    persons: pd.DataFrame,
    payments: pd.DataFrame,
    controls: pd.DataFrame,
    flags: pd.DataFrame,
    start: int,
    end: int,
    floored: dict[str, int] | None = None,
    drift: tuple[str, int] | None = None,
) -> CalibrationReport:
    """Compare the finished world with the domain brief's figures."""
    paid_cases = payments.loc[payments["amount"] > 0, "case"].unique()
    c = cases[cases["case"].isin(paid_cases)]
    err = c["err"].to_numpy(dtype=bool)
    rows = [_rate("error share of paid cases, all benefits", err, None, None)]
    for b, target in ERROR_RATE_TARGETS.items():
        m = c["benefit"].to_numpy() == b
        n_b = int(m.sum())
        # the floor (every mechanism at least once) lifts a rare benefit's rate in a small world
        lift = (floored or {}).get(b, 0) / max(n_b, 1)
        rows.append(_rate(f"error share, {b}", err[m], target, _tol(target, n_b) + lift))
    if drift is not None:
        # the new pattern shows as a rise of the benefit's error share in the last days
        benefit, last_days = drift
        m = c["benefit"].to_numpy() == benefit
        late = c["event"].to_numpy() > end - last_days
        rows.append(
            _rate(f"drift: error share, {benefit}, earlier cases", err[m & ~late], None, None)
        )
        rows.append(
            _rate(
                f"drift: error share, {benefit}, last {last_days} days", err[m & late], None, None
            )
        )
    done = controls[(controls["selection"] == "random") & controls["outcome"].notna()]
    truth_err = cases.set_index("case")["err"].reindex(done["case"]).to_numpy(dtype=bool)
    rows.append(
        _rate(
            "random stream: true error share",
            truth_err,
            RANDOM_STREAM_TARGET,
            _tol(RANDOM_STREAM_TARGET, len(done)),
        )
    )
    found = done["outcome"].isin(["error_customer", "error_fk", "suspected_crime"]).to_numpy()
    rows.append(_rate("random stream: errors found (recall < 1)", found, None, None))
    sex = persons.set_index("pid")["sex"]
    done_f = sex.reindex(done["pid"]).to_numpy() == "F"
    for label, mask, target in (
        ("women", done_f, RANDOM_BY_SEX["F"]),
        ("men", ~done_f, RANDOM_BY_SEX["M"]),
    ):
        rows.append(
            _rate(
                f"random stream: true error share, {label}",
                truth_err[mask],
                target,
                _tol(target, int(mask.sum())),
            )
        )
    e = c[err]
    rows.append(
        _rate(
            "errors caused by the agency (fk)",
            (e["caused_by"] == "fk").to_numpy(),
            FK_SHARE_TARGET,
            0.05,
        )
    )
    rows.append(
        _rate("errors marked intentional", e["intentional"].to_numpy(dtype=bool), None, None)
    )
    sick = cases[(cases["benefit"] == "SJP") & (cases["event"] >= start)]
    fem = persons.set_index("pid")["sex"].reindex(sick["pid"]).to_numpy() == "F"
    rows.append(_rate("women among new SJP cases", fem, FEMALE_SICK_SHARE_TARGET, 0.06))
    e_fem = sex.reindex(e["pid"]).to_numpy() == "F"
    rows.append(_rate("women among erroneous cases", e_fem, FEMALE_ERROR_SHARE_TARGET, 0.08))
    auto = payments[payments["kind"] == "normal"].drop_duplicates("case")
    for b, target in AUTOMATED_TARGETS.items():
        m = auto["benefit"].to_numpy() == b
        rows.append(
            _rate(
                f"cases decided automatically, {b}",
                auto["automated"].to_numpy(dtype=bool)[m],
                target,
                0.05,
            )
        )
    ctl = controls[controls["outcome"].notna()]
    per_year = (
        pd.Series(ctl.loc[ctl["selection"] == "random", "selected"].to_numpy(dtype="int64"))
        .astype("datetime64[D]")
        .dt.year.value_counts()
        .sort_index()
    )
    matrix = rule_matrix(c, flags[flags["case"].isin(c["case"])])
    n_err = max(int(err.sum()), 1)
    rule_rows = []
    for rule in RULES + CHECKS:
        flagged = matrix[rule].to_numpy()
        hits = int((flagged & err).sum())
        rule_rows.append(
            RuleRow(
                rule,
                int(flagged.sum()),
                hits / max(int(flagged.sum()), 1),
                AGENCY_HIT_RATE[rule],
                hits / n_err,
            )
        )
    counts = {
        "persons": len(persons),
        "cases": len(cases),
        "erroneous cases": int(cases["err"].sum()),
        "controls": len(controls),
        "open controls": int((controls["closed"] == NA_DAY).sum()),
        "corrected cases": int((cases["corrected"] != NA_DAY).sum()),
    }
    realism = [
        *recipients_rows(payments, len(persons), start, end),
        ass_share_of_wrong_sek(controls),
        raw_proxy_auc(persons),
    ]
    return CalibrationReport(
        rows,
        rule_rows,
        {int(y): int(n) for y, n in per_year.items()},
        counts,
        density_rows(controls, len(persons), start, end),
        realism,
        tip_rows(controls, persons, len(persons), start, end),
        women_among_recipients(payments, persons, "FP"),
    )


def density_rows(controls: pd.DataFrame, n_persons: int, start: int, end: int) -> list[DensityRow]:
    """Random controls a year per 1,000 persons, targeted ones, and targeted per random control."""
    kilo_py = max(person_years(n_persons, start, end) / 1000, 1e-9)
    sel = controls["selection"].to_numpy()
    n_random = int((sel == "random").sum())
    n_targeted = int((sel != "random").sum())
    low, high = RANDOM_DENSITY_BAND
    return [
        DensityRow(
            "random controls",
            n_random / kilo_py,
            low,
            high,
            f"{low:g}-{high:g} (FK 2020: {RANDOM_DENSITY_FK:g})",
        ),
        DensityRow("targeted controls (rules, tips)", n_targeted / kilo_py, 0.0, None, ""),
        DensityRow(
            "targeted per random control",
            n_targeted / max(n_random, 1),
            MIN_TARGETED_PER_RANDOM,
            None,
            f">= {MIN_TARGETED_PER_RANDOM:g}",
        ),
    ]
