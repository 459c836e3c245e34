"""Matplotlib figures without GUI or global state, saved as PNG atomically (felrisk.safeio)."""

from __future__ import annotations

from pathlib import Path

from felrisk.safeio import atomic_write


def new_figure(width: float = 7.0, height: float = 4.5):  # -> matplotlib.figure.Figure
    """A matplotlib Figure bound to no GUI and no global pyplot state (Agg-rendered on save)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save_png(fig, path: str | Path) -> Path:
    """Write `fig` as PNG atomically and owner-only (felrisk.safeio) and return the path."""
    path = Path(path)
    with atomic_write(path) as fh:
        fig.savefig(fh, format="png", dpi=110, metadata={"Software": None})
    return path
