"""History and amount features: the case's age and payments, the person's earlier controls."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from features.context import BuildContext
from features.feature import Feature
from features.pit import known_before, known_by
from felrisk.contract import BENEFITS, ERROR_OUTCOMES

FAMILY = "history"
CASE_KEYS = ["case_id", "as_of_day"]
PERSON_KEYS = ["person_id", "as_of_day"]

FEATURES: tuple[Feature, ...] = (
    Feature(
        "benefit_code",
        FAMILY,
        "The case's benefit as an integer code (order of the contract's benefit list: "
        + ", ".join(f"{i}={b}" for i, b in enumerate(BENEFITS))
        + ").",
        "code",
        "Förmån (kod {value}).",
        higher_is_riskier=False,
        categorical=True,
        fill=-1,
        is_reason=False,
        not_reason_why="states no fact that points to an error",
    ),
    Feature(
        "case_age_days",
        FAMILY,
        "Days from the case's opened_date to D.",
        "days",
        "Ärendet öppnades för {value} dagar sedan.",
        higher_is_riskier=False,
        is_reason=False,
        not_reason_why="states no fact that points to an error",
    ),
    Feature(
        "payments_in_window",
        FAMILY,
        "Payments of this case paid in the window (reversals included).",
        "payments",
        "I ärendet har {value} utbetalningar gjorts under de senaste tolv månaderna.",
        is_reason=False,
        not_reason_why="states no fact that points to an error",
    ),
    Feature(
        "amount_in_window_sek",
        FAMILY,
        "Net amount paid by this case in the window (reversals subtract).",
        "SEK",
        "I ärendet har {value} kr betalats ut under de senaste tolv månaderna.",
        dtype="float64",
        is_reason=False,
        not_reason_why="states no fact that points to an error",
    ),
    Feature(
        "automated_share",
        FAMILY,
        "Share of this case's payments in the window decided without manual handling.",
        "share",
        "{value} av utbetalningarna beslutades automatiskt.",
        fill=None,
        dtype="float64",
        is_reason=False,
        not_reason_why="states no fact that points to an error",
    ),
    Feature(
        "reversals_in_window",
        FAMILY,
        "Payments of this case in the window with a negative amount (reversals and recoveries).",
        "payments",
        "{value} utbetalningar i ärendet har återförts eller krävts tillbaka under de "
        "senaste tolv månaderna.",
    ),
    Feature(
        "person_earlier_controls",
        FAMILY,
        "Controls of the person selected before D (any case, any selection stream).",
        "controls",
        "Personen har kontrollerats {value} gånger tidigare.",
        # Not a model input: it counts where the agency looked before (tips biased by sex
        # included), not what the person did, and would feed past selection back into the next.
        # The demo world's hit rate at k is the same without it.
        model_input=False,
        is_reason=False,
        not_reason_why="says where the agency looked before, not what the person did",
    ),
    Feature(
        "person_confirmed_errors",
        FAMILY,
        "Controls of the person closed by D-1 with an error outcome.",
        "controls",
        "{value} tidigare kontroller av personens ärenden har visat fel.",
    ),
)


def build(ctx: BuildContext) -> list[ir.Table]:
    """Case-level (case_id, as_of_day) and person-level (person_id, as_of_day) tables."""
    k = ctx.keys
    codes = [(k.benefit == b, i) for i, b in enumerate(BENEFITS)]
    base = k.select(
        *CASE_KEYS,
        benefit_code=ibis.cases(*codes, else_=-1),
        case_age_days=k.as_of_day - k.opened_day,
    )
    p = ctx.payments
    kk = k.select(*CASE_KEYS, "lo", "hi")
    kp = kk.join(p, kk.case_id == p.pay_case)
    kp = kp.filter(known_before(kp.paid_day, kp.as_of_day), kp.paid_day >= kp.lo)
    pays = kp.group_by(CASE_KEYS).aggregate(
        payments_in_window=kp.count(),
        amount_in_window_sek=kp.amount.sum(),
        automated_share=kp.automated.cast("float64").mean(),
        reversals_in_window=(kp.amount < 0).cast("int64").sum(),
    )
    c = ctx.tables["controls"]
    pc = ctx.person_keys.select(*PERSON_KEYS).join(c, "person_id")
    pc = pc.filter(known_by(pc, "controls", pc.as_of_day))
    closed_error = (
        pc.closed_date.notnull()
        & known_by(pc, "controls", pc.as_of_day, column="closed_date")
        & pc.outcome.isin(list(ERROR_OUTCOMES))
    )
    controls = pc.group_by(PERSON_KEYS).aggregate(
        person_earlier_controls=pc.control_id.nunique(),
        person_confirmed_errors=closed_error.ifelse(1, 0).sum(),
    )
    return [base, pays, controls]
