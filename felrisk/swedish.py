"""One Swedish format for numbers, amounts, shares and dates, wherever a person reads them.

The page, the Excel book, the reasons, the notice and the console all format through here, so a
thousands separator or a decimal mark cannot differ between them. Babel formats with the Swedish
locale's CLDR patterns (sv_SE): a no-break space between thousands, a decimal comma, a no-break
space before "%" and "kr", and dates as YYYY-MM-DD (SS-ISO 8601). Numbers and amounts, the
most frequent, are written by hand to the text Babel writes, over ten times faster (`_written`).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Context, Decimal, localcontext
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_percent

NBSP = "\u00a0"
UNKNOWN = "okänt"
SV_SE = Locale.parse("sv_SE")
# Rounding works on a float's exact digits: the largest finite float has 309 before the decimal
# mark, where Decimal's default context holds 28 (a value of 1e308 in bad data must still print).
_EXACT = Context(prec=400)


def _finite(value: object) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _exact(v: float, decimals: int) -> Decimal:
    """The float's exact value, so that Babel's half-even rounding rounds what Python's own
    formatting rounds (Babel would otherwise round the shortest repr: 2.675 to 2,68, not 2,67);
    without a sign when it rounds to zero (no "-0")."""
    d = Decimal(v)
    return abs(d) if round(d, decimals) == 0 else d


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


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
    that value (`_exact`); sv_SE's marks are a no-break space between thousands, a decimal comma
    and a hyphen-minus, with no "-0". Babel takes 11-15 µs a number (15-20 µs an amount with its
    currency), this 1 µs: the 1M night's timelines alone write 55,600 amounts, 28,700 distinct
    (0.6 s with Babel and a memo, 0.06 s without either). tests/felrisk/test_swedish.py holds it to Babel's text.
    """
    text = f"{v:,.{decimals}f}"
    if text[0] == "-" and not text.strip("-0.,"):
        text = text[1:]
    return text.replace(",", NBSP).replace(".", ",")


# Formatting is pure, and a night's page writes the same shares thousands of times (the extent of
# a person's payments in the timeline of each of their picked cases). Equal floats format alike
# (0.0 and -0.0 both as 0), so a value's first formatting serves every later one.
_MEMO = 1 << 16


def percent(share: object, decimals: int = 1, *, unknown: str = "–") -> str:
    """A share (0-1) as percent: "57,5 %"; `unknown` when it is missing (or beyond a float).

    The percent is computed in floating point (100 * share) and handed to Babel exactly, so a
    share rounds as it always has (0.0015 to "0,1 %": the float 0.15 lies just below the tie).
    """
    v = _finite(share)
    if v is None or not math.isfinite(100 * v):
        return unknown
    return _percent(v, decimals)


@lru_cache(maxsize=_MEMO)
def _percent(v: float, decimals: int) -> str:
    with localcontext(_EXACT):
        hundredths = _exact(100 * v, decimals).scaleb(-2)  # Babel multiplies by 100, exactly
        return format_percent(hundredths, f"{_pattern(decimals)}{NBSP}%", locale=SV_SE)


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
