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

    `is_reason` says whether the sentence may be a reason on the list: a reason is a fact about the
    person's own case that points to an error. A feature that states no such fact (an amount paid,
    how old the case is) or that rests on another person's data (a colleague's or a household
    member's errors, an assistant's sick pay) still scores, but is never told; `not_reason_why`
    says why. `legal_ground` names the provision the sentence rests on (chapter and section of
    socialförsäkringsbalken or the benefit's own law); empty when no source is at hand, which
    docs/legal_grounds.md lists as open: a wrong reference is worse than none.
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
    is_reason: bool = True
    not_reason_why: str = ""
    legal_ground: str = ""

    def __post_init__(self) -> None:
        if self.is_reason == bool(self.not_reason_why):
            raise ValueError(
                f"{self.name}: a feature that is no reason says why (not_reason_why), and only then"
            )
