"""One Swedish format for numbers, amounts, shares and dates, wherever a person reads them.

The page, the Excel book, the reasons, the notice and the console all format through here, so a
thousands separator or a decimal mark cannot differ between them. The format is the one of the
Swedish locale (sv_SE, as CLDR and Babel give it): a no-break space between thousands, a decimal
comma, a no-break space before "%" and "kr", and dates as YYYY-MM-DD (SS-ISO 8601). Babel is not a
dependency of felrisk; these few rules are all it would be used for.
"""

from __future__ import annotations

import math
import re
from datetime import date

NBSP = "\u00a0"
UNKNOWN = "okänt"


def _finite(value: object) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def number(value: object, decimals: int | None = None, *, unknown: str = UNKNOWN) -> str:
    """A number the Swedish way: "12 345", "1,25". Without `decimals`, whole numbers and numbers
    of 100 or more have none and smaller ones two; `unknown` for a missing or infinite value."""
    v = _finite(value)
    if v is None:
        return unknown
    if decimals is None:
        decimals = 0 if v.is_integer() or abs(v) >= 100 else 2
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0"
    return text.replace(",", NBSP).replace(".", ",")


def sek(value: object, *, unknown: str = UNKNOWN) -> str:
    """An amount in whole kronor: "12 345 kr"; `unknown` when there is no amount."""
    v = _finite(value)
    return unknown if v is None else f"{number(v, 0)}{NBSP}kr"


def percent(share: object, decimals: int = 1, *, unknown: str = "–") -> str:
    """A share (0-1) as percent: "57,5 %"; `unknown` when it is missing."""
    v = _finite(share)
    return unknown if v is None else f"{number(100 * v, decimals)}{NBSP}%"


def day(value: date) -> str:
    """A date as YYYY-MM-DD, the Swedish standard form."""
    return value.isoformat()


def span(first: date, last: date) -> str:
    """A period of days: one date, or "first–last" (en dash)."""
    return day(first) if first == last else f"{day(first)}–{day(last)}"


_UNIT_AFTER_NUMBER = re.compile(r"(\d) (kr|%)(?=\W|$)")


def tie_units(text: str) -> str:
    """A no-break space between a number and its "kr" or "%", so that a sentence written with a
    plain space reads as the numbers formatted here do ("12 345 kr", "40 %")."""
    return _UNIT_AFTER_NUMBER.sub(lambda m: f"{m.group(1)}{NBSP}{m.group(2)}", text)
