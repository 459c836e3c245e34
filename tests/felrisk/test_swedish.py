"""Swedish formats (sv_SE): pinned bytes, Babel's text where they are written by hand, and the same
text as Python's own rounding."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Context, Decimal, localcontext

import pytest
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from felrisk import swedish

NB = "\u00a0"


def _reference(v: float, decimals: int) -> str:
    """What the page has always shown: Python's correctly rounded format, Swedish marks, no -0."""
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace(",", NB).replace(".", ",")


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda: swedish.number(12345), f"12{NB}345"),
        (lambda: swedish.number(1.25), "1,25"),
        (lambda: swedish.number(-1234567.891), f"-1{NB}234{NB}568"),
        (lambda: swedish.number(2.675), "2,67"),  # the float lies below the tie
        (lambda: swedish.number(0.125), "0,12"),  # an exact tie rounds to even
        (lambda: swedish.number(-0.004), "0,00"),  # never "-0"
        (lambda: swedish.number(float("nan")), "okänt"),
        (lambda: swedish.number(None, unknown="–"), "–"),
        (lambda: swedish.sek(12345.5), f"12{NB}346{NB}kr"),
        (lambda: swedish.sek(-0.4), f"0{NB}kr"),
        (lambda: swedish.sek("x"), "okänt"),
        (lambda: swedish.percent(0.575), f"57,5{NB}%"),
        (lambda: swedish.percent(0.0015), f"0,1{NB}%"),  # 100 * 0.0015 is just below 0.15
        (lambda: swedish.percent(-0.00004, 0), f"0{NB}%"),
        (lambda: swedish.percent(None), "–"),
        (lambda: swedish.day(date(2025, 6, 1)), "2025-06-01"),
        (lambda: swedish.span(date(2025, 6, 1), date(2025, 6, 30)), "2025-06-01–2025-06-30"),
        (lambda: swedish.tie_units("40 % och 12 kr"), f"40{NB}% och 12{NB}kr"),
    ],
)
def test_pinned_text(call, text):
    assert call() == text


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(0, 4),
)
def test_numbers_and_amounts_round_as_python_does(v, decimals):
    assert swedish.number(v, decimals) == _reference(v, decimals)
    assert swedish.sek(v) == f"{_reference(v, 0)}{NB}kr"
    assert swedish.number(v) == _reference(v, 0 if v.is_integer() or abs(v) >= 100 else 2)


@pytest.mark.parametrize("v", [1e308, -1.7976931348623157e308, 1e-300, 123456789012345678901.5])
def test_any_finite_amount_prints_as_python_does(v):
    """Broken data may hold any finite float; the page must still render it (Decimal's default
    context rounds only 28 digits)."""
    assert swedish.sek(v) == f"{_reference(v, 0)}{NB}kr"
    assert swedish.number(v, 2) == _reference(v, 2)


def test_a_share_whose_percent_is_beyond_a_float_is_unknown():
    assert swedish.percent(1e308) == "–"
    assert swedish.percent(1e306) == f"{_reference(100 * 1e306, 1)}{NB}%"


@given(st.floats(min_value=-2, max_value=2), st.integers(0, 2))
def test_percent_rounds_the_float_percent(share, decimals):
    assert swedish.percent(share, decimals) == f"{_reference(100 * share, decimals)}{NB}%"


def test_every_date_of_the_registers_is_iso():
    d = date(1900, 1, 1)
    while d < date(2101, 1, 1):
        assert swedish.day(d) == d.isoformat()
        d += timedelta(days=1)


def test_a_value_formats_the_same_from_the_memo_and_minus_zero_as_zero():
    S = swedish.NBSP
    first = [swedish.sek(-0.0), swedish.percent(-0.0), swedish.sek(1234.5), swedish.percent(0.5, 0)]
    again = [swedish.sek(0.0), swedish.percent(0.0), swedish.sek(1234.5), swedish.percent(0.5, 0)]
    assert first == again == [f"0{S}kr", f"0,0{S}%", f"1{S}234{S}kr", f"50{S}%"]


def _babel(v: float, decimals: int, currency: bool = False) -> str:
    """`v` as Babel writes it in sv_SE (the formatter `number` and `sek` replaced): handed the
    float's exact value, without a sign when it rounds to zero."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with localcontext(Context(prec=400)):
        d = Decimal(v)
        d = abs(d) if round(d, decimals) == 0 else d
        if currency:
            return format_currency(
                d, "SEK", f"{pattern}{NB}¤", locale=swedish.SV_SE, currency_digits=False
            )
        return format_decimal(d, pattern, locale=swedish.SV_SE)


_VALUES = (
    [0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, 0.49999999999999994, -0.4, -0.004, 0.125, 2.675]
    + [999.5, 1000.0, -1000.0, 999_999.5, 1_234_567.891, -1_234_567.891, 12_345.5, -12_345.5]
    + [2.0**53, -(2.0**53) - 2.0, 1e15 + 0.5, 1e21, -1e21, 1e308, -1.7976931348623157e308]
    + [5e-324, -5e-324, 0.005, -0.005, 0.015, -0.0049999]
    + [k + f for k in range(-3000, 3001, 7) for f in (0.0, 0.25, 0.5, 0.75, 0.125, 0.001)]
    + [10.0**e * m for e in range(-4, 16) for m in (1.0, -1.0, 9.99, -9.99, 1.5, -2.5, 0.995)]
)


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_numbers_and_amounts_are_written_as_babel_writes_them(decimals):
    """Numbers and amounts are written by hand for speed: held to Babel's own text over halves,
    negatives, zero, every digit count, the smallest and the largest floats."""
    assert [swedish.number(v, decimals) for v in _VALUES] == [_babel(v, decimals) for v in _VALUES]
    if decimals == 0:
        assert [swedish.sek(v) for v in _VALUES] == [_babel(v, 0, True) for v in _VALUES]


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 4))
def test_any_number_is_written_as_babel_writes_it(v, decimals):
    assert swedish.number(v, decimals) == _babel(v, decimals)
    assert swedish.sek(v) == _babel(v, 0, True)


def _babel_percent(share: float, decimals: int) -> str:
    """`share` as Babel writes a percent in sv_SE (the formatter `percent` replaced): the float
    percent 100 * share handed over exactly, without a sign when it rounds to zero."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with localcontext(Context(prec=400)):
        d = Decimal(100 * share)
        d = abs(d) if round(d, decimals) == 0 else d
        return format_percent(d.scaleb(-2), f"{pattern}{NB}%", locale=swedish.SV_SE)


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_percents_are_written_as_babel_writes_them(decimals):
    shares = [v / 100 for v in _VALUES if abs(v) < 1e300] + [0.0015, -0.00004, 0.575, 12.3456]
    got = [swedish.percent(s, decimals) for s in shares]
    assert got == [_babel_percent(s, decimals) for s in shares]
