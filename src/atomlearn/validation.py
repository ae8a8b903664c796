"""Range checks of the numbers a user gives, one per kind of number, shared by the Python API and the CLI.

Each ``check_*`` returns the value (converted) or raises ``ValueError`` with the name, the value, the
range and the unit; the CLI turns the same checks into argparse types (``cli.common.TEMPERATURE``, ``COUNT``, ...), so
``--temperature 0`` is refused where it is parsed and ``gcmc(..., temperature_K=0)`` where it is called.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = [
    "check_count",
    "check_finite",
    "check_fraction",
    "check_mole_fractions",
    "check_n_jobs",
    "check_non_negative",
    "check_positive",
    "check_pressures",
    "check_share",
    "check_temperature",
]


def check_temperature(value: float, name: str = "temperature") -> float:
    """A finite absolute temperature above 0 K."""
    return check_positive(value, name, "K")


def check_positive(value: float, name: str, unit: str = "") -> float:
    """A finite number above 0 (a pressure, a cutoff, a grid spacing, a time step)."""
    number = _finite(value, name, unit)
    if number <= 0:
        raise ValueError(f"{name} must be above 0{_unit(unit)}, got {value}")
    return number


def check_non_negative(value: float, name: str, unit: str = "") -> float:
    """A finite number of at least 0."""
    number = _finite(value, name, unit)
    if number < 0:
        raise ValueError(f"{name} must be 0 or more{_unit(unit)}, got {value}")
    return number


def check_fraction(value: float, name: str) -> float:
    """A finite number strictly between 0 and 1 (a relative error, a share)."""
    number = _finite(value, name, "")
    if not 0 < number < 1:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    return number


def check_share(value: float, name: str) -> float:
    """A finite number from 0 to 1, both included (a weight between two terms)."""
    number = _finite(value, name, "")
    if not 0 <= number <= 1:
        raise ValueError(f"{name} must be from 0 to 1, got {value}")
    return number


def check_n_jobs(value: int, name: str = "n_jobs") -> int:
    """Worker processes: at least 1, or -1 for all cores."""
    count = check_count(value, name, minimum=-1)
    if count == 0:
        raise ValueError(f"{name} must be at least 1, or -1 for all cores, got 0")
    return count


def check_count(value: int, name: str, minimum: int = 1) -> int:
    """A whole number of at least ``minimum`` (cycles, epochs, trials, a vector size)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_finite(value: float, name: str, unit: str = "") -> float:
    """Any finite number (a charge, a shift)."""
    return _finite(value, name, unit)


def check_mole_fractions(fractions: Mapping[str, float], name: str = "mixture") -> dict[str, float]:
    """Mole fractions of distinct gases, each in (0, 1], that sum to 1 (within 1e-6).

    Parameters
    ----------
    fractions : mapping of str to float
        Gas name to mole fraction.
    name : str
        What the fractions are called in messages (``--mixture``).
    """
    if not fractions:
        raise ValueError(f"{name}: give at least one gas with its mole fraction, e.g. CO2:0.15,N2:0.85")
    for gas, value in fractions.items():
        number = _finite(value, f"{name}: the mole fraction of {gas}", "")
        if not 0 < number <= 1:
            raise ValueError(f"{name}: the mole fraction of {gas} must be in (0, 1], got {value}")
    total = sum(float(v) for v in fractions.values())
    if abs(total - 1.0) > 1e-6:
        listed = ",".join(f"{gas}:{float(v) / total:.6g}" for gas, v in fractions.items())
        raise ValueError(f"{name}: the mole fractions sum to {total:.6g}, not 1; write them so they do, e.g. {listed}")
    return {gas: float(v) for gas, v in fractions.items()}


def check_pressures(values: Sequence[float], name: str = "pressures", unit: str = "Pa") -> list[float]:
    """One or more finite pressures above 0, none twice."""
    pressures = [check_positive(v, name, unit) for v in values]
    if not pressures:
        raise ValueError(f"{name}: give at least one pressure{_unit(unit)}")
    if len(set(pressures)) < len(pressures):
        raise ValueError(f"{name}: each pressure once, got {list(values)}")
    return pressures


def _finite(value: float, name: str, unit: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number{_unit(unit)}, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number{_unit(unit)}, got {value}")
    return number


def _unit(unit: str) -> str:
    return f" (in {unit})" if unit else ""
