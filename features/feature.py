"""One registry entry: what a feature means, its unit, and how an investigator reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    """A feature's documentation and handling.

    `reason_sv` is a Swedish sentence template with `{value}` for the investigator (`reason_sv_zero`
    replaces it for a flag that is 0); `fill` is the
    value for a case with no underlying rows (None keeps it missing, e.g. a ratio without a
    denominator); `higher_is_riskier` says which direction points to an error.
    """

    name: str
    family: str
    definition: str
    unit: str
    reason_sv: str
    higher_is_riskier: bool = True
    model_input: bool = True
    categorical: bool = False
    fill: float | None = 0.0
    dtype: str = "int64"
    reason_sv_zero: str | None = None
