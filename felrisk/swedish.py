"""One Swedish format for numbers, amounts, shares and dates, wherever a person reads them.

The page, the Excel book, the reasons, the notice and the console all format through here, so a
thousands separator or a decimal mark cannot differ between them. Babel formats with the Swedish
locale's CLDR patterns (sv_SE): a no-break space between thousands, a decimal comma, a no-break
space before "%" and "kr", and dates as YYYY-MM-DD (SS-ISO 8601). Numbers, amounts and percents
are written by hand to the text Babel writes, over ten times faster (`_written`).
"""

from __future__ import annotations

import math
import re
from datetime import date

from babel import Locale
from babel.dates import format_date

NBSP = "\u00a0"
UNKNOWN = "okänt"
SV_SE = Locale.parse("sv_SE")


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
    return _written(v, decimals)


def sek(value: object, *, unknown: str = UNKNOWN) -> str:
    """An amount in whole kronor: "12 345 kr"; `unknown` when there is no amount.

    Whole kronor, not the locale's two decimals: a list reads amounts, not öre.
    """
    v = _finite(value)
    return unknown if v is None else f"{_written(v, 0)}{NBSP}kr"


def _written(v: float, decimals: int) -> str:
    """`v` as Babel's sv_SE pattern "#,##0.00…" writes it, written by hand for speed.

    Python's own format rounds half-even on the float's exact value, as Babel does when handed
    that value; sv_SE's marks are a no-break space between thousands, a decimal comma
    and a hyphen-minus, with no "-0". Babel takes 11-15 µs a number (15-20 µs an amount with its
    currency), this 1 µs: the 1M night's timelines alone write 55,600 amounts, 28,700 distinct
    (0.6 s with Babel and a memo, 0.06 s without either). tests/felrisk/test_swedish.py holds it to Babel's text.
    """
    text = f"{v:,.{decimals}f}"
    if text[0] == "-" and not text.strip("-0.,"):
        text = text[1:]
    return text.replace(",", NBSP).replace(".", ",")


def percent(share: object, decimals: int = 1, *, unknown: str = "–") -> str:
    """A share (0-1) as percent: "57,5 %"; `unknown` when it is missing (or beyond a float).

    The percent is computed in floating point (100 * share) and rounded on that float's exact
    value, so a share rounds as it always has (0.0015 to "0,1 %": the float 0.15 lies just below
    the tie).
    """
    v = _finite(share)
    if v is None or not math.isfinite(100 * v):
        return unknown
    return f"{_written(100 * v, decimals)}{NBSP}%"


def day(value: date) -> str:
    """A date as YYYY-MM-DD, the Swedish standard form (CLDR's sv short date, "y-MM-dd": the
    same as ISO 8601 for every year from 1000 on)."""
    return format_date(value, "short", locale=SV_SE)


def span(first: date, last: date) -> str:
    """A period of days: one date, or "first–last" (en dash)."""
    return day(first) if first == last else f"{day(first)}–{day(last)}"


_UNIT_AFTER_NUMBER = re.compile(r"(\d) (kr|%)(?=\W|$)")


def tie_units(text: str) -> str:
    """A no-break space between a number and its "kr" or "%", so that a sentence written with a
    plain space reads as the numbers formatted here do ("12 345 kr", "40 %")."""
    return _UNIT_AFTER_NUMBER.sub(lambda m: f"{m.group(1)}{NBSP}{m.group(2)}", text)
