"""Chart of equal-burden ratios with their intervals against the band (PNG)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from training.audit_burden import AuditResult
from training.metrics_plots import new_figure, save_png


def plot_equal_burden(results: AuditResult | Mapping[str, AuditResult], path: str | Path) -> Path:
    """Per group: equal-burden ratio (share selected / share of random errors) with its interval.

    The band is shaded, 1 (equal burden) is a dashed line and failing groups are red. Ratios
    that are infinite (no errors of the group in the random stream) are drawn at the right edge.
    Several results (e.g. from `audit_many`) stack top to bottom, labelled "column: value".
    """
    if isinstance(results, AuditResult):
        results = {results.group_column: results}
    rows = []
    for name, res in results.items():
        for label, row in res.groups.iterrows():
            rows.append(
                (
                    f"{name}: {label}" if len(results) > 1 else str(label),
                    row["equal_burden_ratio"],
                    row["equal_burden_ratio_low"],
                    row["equal_burden_ratio_high"],
                    bool(row["fails"]),
                )
            )
    if not rows:
        raise ValueError("no groups to plot")
    band = next(iter(results.values())).band
    labels, value, low, high, fails = (np.array(col) for col in zip(*rows, strict=True))
    value, low, high = (np.asarray(a, dtype=float) for a in (value, low, high))
    finite = np.concatenate([a[np.isfinite(a) & (a > 0)] for a in (value, low, high)])
    x_min = min(band[0], *(finite if finite.size else [1.0])) / 1.25
    x_max = max(band[1], *(finite if finite.size else [1.0])) * 1.25
    value, low, high = (np.clip(a, x_min, x_max) for a in (value, low, high))

    fig = new_figure(7.0, 1.2 + 0.35 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    ax.axvspan(band[0], band[1], color="tab:green", alpha=0.12, label=f"band {band[0]}-{band[1]}")
    ax.axvline(1.0, color="grey", linestyle="--", linewidth=1)
    for mask, colour, text in (
        (~fails, "tab:blue", "within or overlapping"),
        (fails, "tab:red", "fails"),
    ):
        if mask.any():
            ax.errorbar(
                value[mask],
                y[mask],
                xerr=np.vstack([value[mask] - low[mask], high[mask] - value[mask]]),
                fmt="o",
                color=colour,
                capsize=3,
                label=text,
            )
    ax.set_xscale("log")
    ax.set_xlim(x_min, x_max)
    ax.set_yticks(y, labels)
    ax.set_xlabel("equal-burden ratio: share of selection / share of random-stream errors")
    ax.legend(loc="lower right", fontsize="small")
    return save_png(fig, path)
