"""Chemical formulas in text: recognised, and written in one canonical form.

The canonical form is mat2vec's (Tshitoyan et al., Nature 571, 95 (2019)): the smallest integer
formula, elements in alphabetical order, amounts of 1 left
out; a one-element formula keeps its amount (``O2``, ``C60``). ``Bi2Te3``, ``Te3Bi2`` and
``Bi40Te60`` are all ``Bi2Te3``; ``(Bi0.5Sb1.5)Te3`` and ``Bi0.5Sb1.5Te3`` are ``BiSb3Te6``;
``PbSe0.5Te0.5`` is ``Pb2SeTe``; PbO is ``OPb`` (the paper's analogy file writes it so); a hydrate
``CuSO4·5H2O`` (or ``CuSO4.5H2O``) is ``CuH10O9S``.

Not every capitalised word is a formula: a word is one only if it is made of element symbols,
amounts and brackets, ``pymatgen`` parses it, and it is not a known acronym or a Roman numeral
(``US``, ``HOMO``, ``IV``); a word in capitals without amounts (``HIV``) is a formula only when a
common one (``CO``, ``HF``, ``KOH``). A lone symbol (``Fe``) is an element unless it is also an English
word (``In``, ``As``, ``No``...).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

from ase.data import atomic_names, chemical_symbols

#: element symbols H ... Og
ELEMENT_SYMBOLS = frozenset(chemical_symbols[1:119])
#: element symbol -> lower-case English name (``Al`` -> ``aluminium``) and back
ELEMENT_NAMES = {symbol: atomic_names[z].lower() for z, symbol in enumerate(chemical_symbols) if 0 < z < 119}
ELEMENT_OF_NAME = {name: symbol for symbol, name in ELEMENT_NAMES.items()} | {
    "aluminum": "Al",
    "cesium": "Cs",
    "sulphur": "S",
}
#: symbols that are also English words or abbreviations: lower-cased as words when alone
AMBIGUOUS_SYMBOLS = frozenset({"I", "In", "As", "At", "Be", "He", "No", "Am"})
#: acronyms that happen to parse as formulas
ACRONYMS = frozenset(
    {
        "US",
        "UK",
        "CV",
        "HOMO",
        "LUMO",
        "NIR",
        "SERS",
        "PC",
        "PV",
        "CCD",
        "COP",
        "BCS",
        "SI",
        "CNS",
        "NIH",
        "CBS",
        "BP",
        "PS",
        "PP",
        "PBE",
        "CCSD",
        "NBO",
        "YES",
        "SNIS",
    }
)
#: formulas written in capitals only and without amounts, which are read as formulas; any other such word
#: (HIV, CNS, NU, BCS) is taken for an acronym
CAPITAL_FORMULAS = frozenset({"CO", "NO", "HF", "HI", "KI", "KF", "BN", "HCN", "KOH", "CS", "NH", "OH", "CH", "SO"})
#: fractional amounts become fractions with at most this denominator (pymatgen's default): then 98.7 % of the
#: formula variants of the paper's thermoelectric table normalise to the paper's own formula
MAX_DENOMINATOR = 10_000
_FORMULA_SHAPE = re.compile(r"^[\(\[]*[A-Z][a-z]?[\d.·A-Za-z\(\)\[\]]*$")
#: a hydrate: FORMULA·nH2O or FORMULA.nH2O (read as decimals by pymatgen otherwise)
_HYDRATE = re.compile(r"^(.+?)[.·](\d*)H2O$")
_ROMAN = re.compile(r"^(?=[IVXLC])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_SYMBOL_RUN = re.compile(r"([A-Z][a-z]?)")


def normalize_formula(text: str) -> str:
    """The canonical form of a chemical formula (``(Bi0.5Sb1.5)Te3`` -> ``BiSb3Te6``).

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When pymatgen cannot parse it.
    """
    return _normalize(text)


@lru_cache(maxsize=200_000)
def _normalize(text: str) -> str:
    from pymatgen.core import Composition

    hydrate = _HYDRATE.match(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if hydrate:
                composition = Composition(hydrate.group(1)) + Composition("H2O") * int(hydrate.group(2) or 1)
            else:
                composition = Composition(text)
            if len(composition) == 1:  # one element: its amount is the molecule (O2, C60, S8), never reduced
                amounts = composition.get_el_amt_dict()
            else:
                integer, _ = composition.get_integer_formula_and_factor(max_denominator=MAX_DENOMINATOR)
                amounts = Composition(integer).get_el_amt_dict()
        except Exception as exc:  # pymatgen raises ValueError, KeyError, CompositionError...
            raise ValueError(f"{text!r} is not a formula pymatgen can parse ({type(exc).__name__})") from None
    if not amounts or any(amount <= 0 for amount in amounts.values()):
        raise ValueError(f"{text!r} is not a formula pymatgen can parse (no positive amounts)")
    return "".join(f"{symbol}{'' if amount == 1 else _amount(amount)}" for symbol, amount in sorted(amounts.items()))


def _amount(amount: float) -> str:
    return str(int(round(amount))) if abs(amount - round(amount)) < 1e-6 else f"{amount:g}"


def looks_like_formula(token: str) -> bool:
    """Whether ``token`` has a formula's shape: element symbols, amounts and balanced brackets, and
    two or more elements or an amount (``Fe`` alone is an element, not a formula), not an acronym."""
    if not _FORMULA_SHAPE.match(token) or token in ACRONYMS or _ROMAN.match(token):
        return False
    if token.isupper() and token.isalpha() and token not in CAPITAL_FORMULAS:
        return False
    if token.count("(") != token.count(")") or token.count("[") != token.count("]"):
        return False
    letters = re.sub(r"[\d.·\(\)\[\]]", "", token)
    symbols = _SYMBOL_RUN.findall(letters)
    if "".join(symbols) != letters or not all(symbol in ELEMENT_SYMBOLS for symbol in symbols):
        return False
    return len(set(symbols)) > 1 or any(ch.isdigit() for ch in token)


def classify(token: str) -> tuple[str, str]:
    """What kind of word a token is, and its normal form.

    Parameters
    ----------
    token : str

    Returns
    -------
    kind : {"formula", "element", "unparsed", "word"}
        "unparsed": formula-shaped but refused by pymatgen (kept as a word).
    token : str
        ``"Bi2Te3"``, ``"Fe"``, or the token itself.
    """
    if token in ELEMENT_SYMBOLS and token not in AMBIGUOUS_SYMBOLS:
        return "element", token
    if looks_like_formula(token):
        try:
            normalized = normalize_formula(token)
        except ValueError:
            return "unparsed", token
        return ("element", normalized) if normalized in ELEMENT_SYMBOLS else ("formula", normalized)
    return "word", token
