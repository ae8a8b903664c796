"""Dimensional analysis for symbolic descriptors: units as exponent vectors, so that only
dimensionally valid combinations are built.

A unit string is a product of symbols with optional integer or fractional powers, with
at most one "/" before the denominator: "eV", "Å^2", "eV/Å^2", "kg m^2 s^-2", "1" or ""
(dimensionless). Symbols are compared by name (no conversions): give every feature of one
dimension in the same unit.
"""

from __future__ import annotations

import re
from fractions import Fraction

Unit = tuple[tuple[str, Fraction], ...]  # sorted (symbol, exponent) pairs, exponents non-zero

DIMENSIONLESS: Unit = ()
_TOKEN = re.compile(r"^([^\s^*/0-9.+-][^\s^*/]*?)(?:\^?(-?\d+(?:/\d+)?))?$")


def _multiply(a: Unit, b: Unit, power: Fraction = Fraction(1)) -> Unit:
    exponents = dict(a)
    for symbol, exponent in b:
        exponents[symbol] = exponents.get(symbol, Fraction(0)) + power * exponent
    return tuple(sorted((s, e) for s, e in exponents.items() if e != 0))


def parse_unit(text: str | None) -> Unit:
    """Exponent vector of a unit string; ValueError naming the token that cannot be read."""
    if text is None or text.strip() in ("", "1", "-", "dimensionless"):
        return DIMENSIONLESS
    numerator, _, denominator = text.partition("/")
    if "/" in denominator and not re.search(r"\^-?\d+/\d+", denominator):
        raise ValueError(f"unit {text!r}: use at most one '/' (write kg m^-3, not kg/m/m/m)")
    unit: Unit = DIMENSIONLESS
    for part, sign in ((numerator, 1), (denominator, -1)):
        for token in part.replace("*", " ").replace("·", " ").split():
            if token == "1":
                continue
            match = _TOKEN.match(token)
            if match is None:
                raise ValueError(f"unit {text!r}: cannot read {token!r}; write symbols with powers like Å^2 or s^-1")
            symbol, power = match.group(1), Fraction(match.group(2) or 1)
            unit = _multiply(unit, ((symbol, power),), Fraction(sign))
    return unit


def power(unit: Unit, exponent: Fraction | int) -> Unit:
    """The unit of a quantity raised to ``exponent`` (e.g. Å -> Å² for 2, Å^1/2 for 1/2)."""
    return _multiply(DIMENSIONLESS, unit, Fraction(exponent))


def product(a: Unit, b: Unit) -> Unit:
    """The unit of the product of two quantities."""
    return _multiply(a, b)


def quotient(a: Unit, b: Unit) -> Unit:
    """The unit of ``a / b``."""
    return _multiply(a, b, Fraction(-1))


def format_unit(unit: Unit) -> str:
    """Readable form: "eV Å^-2"; "1" for dimensionless."""
    if not unit:
        return "1"
    return " ".join(symbol if exponent == 1 else f"{symbol}^{exponent}" for symbol, exponent in unit)
