"""The backtest's figures for people: a console table, a markdown section and a plot."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from rich.table import Table

from felrisk.figures import new_figure, save_png

POLICY_LABELS = {
    "hybrid": "hybrid (model + rules)",
    "model": "model only",
    "rules": "rules only",
    "random": "random",
}


def _pct(v: float, lo: float | None = None, hi: float | None = None) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    text = f"{100 * v:.1f} %"
    if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
        text += f" [{100 * lo:.1f}, {100 * hi:.1f}]"
    return text


def _sek(v: float) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v / 1e6:.2f} M"


def _count(v: float) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.0f}"


def summary_rows(totals: pd.DataFrame) -> list[list[str]]:
    """Cells per policy: picks, oracle errors and per control, oracle SEK, honest per control."""
    rows = []
    for _, r in totals.iterrows():
        honest = _pct(
            r["honest_errors_per_control"],
            r["honest_errors_per_control_low"],
            r["honest_errors_per_control_high"],
        )
        oracle = _pct(
            r["oracle_errors_per_control"],
            r["oracle_errors_per_control_low"],
            r["oracle_errors_per_control_high"],
        )
        found = _count(r["honest_errors"])
        if math.isfinite(r["honest_errors_low"]) and math.isfinite(r["honest_errors_high"]):
            found += f" [{r['honest_errors_low']:.0f}, {r['honest_errors_high']:.0f}]"
        rows.append(
            [
                POLICY_LABELS.get(r["policy"], r["policy"]),
                f"{int(r['picks'])}",
                _count(r["oracle_errors"]),
                oracle,
                _sek(r["oracle_wrong_sek"]),
                found,
                honest,
                f"{int(r['labelled_picks'])}",
            ]
        )
    return rows


HEADER = [
    "policy",
    "picks",
    "errors found (oracle)",
    "errors per control (oracle)",
    "wrong SEK found (oracle)",
    "errors found (honest, estimated)",
    "errors per control (honest)",
    "picks drawn by the random stream later",
]


def console_table(totals: pd.DataFrame, title: str) -> Table:
    """The rich table `felrisk backtest` (and `make demo`) prints."""
    t = Table(title=title, title_justify="left")
    for col in HEADER:
        t.add_column(col, justify="left" if col == "policy" else "right")
    for cells in summary_rows(totals):
        t.add_row(*cells)
    t.caption = (
        "Honest: outcomes of the random stream's draws of the picked cases on or after the "
        "night, IPW-weighted (errors found: Horvitz-Thompson total); oracle: synthetic truth. "
        "Intervals: 95 % bootstrap over nights."
    )
    return t


def markdown(totals: pd.DataFrame, paired: pd.DataFrame, title: str) -> str:
    """A markdown section (model card, MLflow): the totals and the paired differences."""
    lines = [f"## {title}", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cells) + " |" for cells in summary_rows(totals)]
    if paired is not None and not paired.empty:
        lines += ["", "Paired differences (policy minus versus, 95 % interval over nights):", ""]
        lines += ["| policy | versus | figure | difference |", "|---|---|---|---|"]
        for _, r in paired.iterrows():
            fig = "honest" if r["figure"].startswith("honest") else "oracle"
            per_control = r["figure"].endswith("per_control")
            what = "errors per control, points" if per_control else "errors found"
            lines.append(
                f"| {r['policy']} | {r['versus']} | {what} ({fig}) | {_difference(r, per_control)} |"
            )
    return "\n".join(lines) + "\n"


def _difference(r: pd.Series, per_control: bool) -> str:
    if not math.isfinite(r["difference"]):
        return "–"
    scale, digits = (100.0, 1) if per_control else (1.0, 0)
    d, lo, hi = (scale * r[c] for c in ("difference", "low", "high"))
    return f"{d:+.{digits}f} [{lo:+.{digits}f}, {hi:+.{digits}f}]"


def plot_cumulative(sums: pd.DataFrame, path: str | Path) -> Path:
    """Errors found, summed over the nights, per policy (oracle where known, else honest)."""
    fig = new_figure()
    ax = fig.add_subplot(1, 1, 1)
    oracle = not sums["oracle_errors"].isna().all()
    col = "oracle_errors" if oracle else "honest_errors_w"
    for policy, grp in sums.groupby("policy", sort=False):
        grp = grp.sort_values("as_of")
        x = pd.to_datetime(grp["as_of"])
        ax.plot(x, np.cumsum(grp[col].to_numpy(dtype=float)), label=POLICY_LABELS.get(policy))
    ax.set_xlabel("night")
    ax.set_ylabel("errors found, cumulative" + (" (oracle)" if oracle else " (honest, IPW)"))
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return save_png(fig, path)
