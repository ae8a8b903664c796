"""Materials-aware tokens of a document, the preprocessing of mat2vec (Tshitoyan et al. 2019):

* chemical formulas recognised and written in one canonical form (``text.formulas``), element
  symbols kept as symbols (``Fe``), both never lower-cased;
* numbers replaced by the token ``<nUm>``; units after a number kept as written (``300 K``,
  ``1.2eV`` -> ``<nUm> eV``), so that ``K`` the kelvin and ``K`` the element both survive;
* every other word lower-cased; punctuation dropped.

Phrases (``solar_cell``) are learnt afterwards over the whole corpus (``text.train``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from atomlearn.text.formulas import classify

NUMBER_TOKEN = "<nUm>"
#: units kept with their case when they follow a number
UNITS = frozenset(
    "K mK eV meV keV MeV nm μm um mm cm m km Å pm fm GPa MPa kPa Pa bar mbar Torr atm W mW kW MW V mV "
    "kV A mA μA nA J kJ MJ mJ mol mmol μmol g kg mg μg h min s ms μs ns ps fs Hz kHz MHz GHz THz T mT "
    "Oe kOe emu S mS Ω kΩ MΩ °C °F % wt at ppm ppb M mM μM L mL μL cal kcal dB".split()
)
_NUMBER = re.compile(r"^[-+−]?\d+(?:[.,]\d+)*(?:[eE][-+−]?\d+)?$")
_NUMBER_UNIT = re.compile(
    r"^([-+−]?\d+(?:\.\d+)?)(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + r")$"
)
_EDGE = "\"'“”‘’`,;:!?…"
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|[%°Ω]")


@dataclass
class TokenCounts:
    """What the tokenizer met: formulas normalised, formula-shaped words pymatgen refused (kept as words)."""

    formulas: int = 0
    elements: int = 0
    numbers: int = 0
    unparsed: Counter = field(default_factory=Counter)

    def add(self, other: TokenCounts) -> None:
        """Add another document's counts to these."""
        self.formulas += other.formulas
        self.elements += other.elements
        self.numbers += other.numbers
        self.unparsed.update(other.unparsed)


def tokenize(text: str, counts: TokenCounts | None = None) -> list[str]:
    """The tokens of one document (see the module docstring): formulas normalised, elements recognised.

    Parameters
    ----------
    text : str
    counts : TokenCounts, optional
        Updated with what was met.

    Returns
    -------
    list of str
    """
    counts = counts if counts is not None else TokenCounts()
    tokens: list[str] = []
    for chunk in text.split():
        chunk = _strip(chunk)
        if not chunk:
            continue
        tokens.extend(_chunk_tokens(chunk, counts, after_number=bool(tokens) and tokens[-1] == NUMBER_TOKEN))
    return tokens


def _strip(chunk: str) -> str:
    """A whitespace chunk without surrounding quotes and punctuation, a sentence's final full stop,
    or brackets that do not belong to it (``(see`` -> ``see``; ``(Bi0.5Sb1.5)Te3`` stays)."""
    chunk = chunk.strip(_EDGE)
    while chunk.endswith("."):
        chunk = chunk[:-1]
    for opening, closing in ("()", "[]", "{}"):
        while chunk.startswith(opening) and chunk.count(opening) > chunk.count(closing):
            chunk = chunk[1:]
        while chunk.endswith(closing) and chunk.count(closing) > chunk.count(opening):
            chunk = chunk[:-1]
        if chunk.startswith(opening) and chunk.endswith(closing) and chunk.count(opening) == 1:
            chunk = chunk[1:-1]
    return chunk.strip(_EDGE)


def _chunk_tokens(chunk: str, counts: TokenCounts, after_number: bool) -> list[str]:
    if _NUMBER.match(chunk):
        counts.numbers += 1
        return [NUMBER_TOKEN]
    glued = _NUMBER_UNIT.match(chunk)
    if glued:
        counts.numbers += 1
        return [NUMBER_TOKEN, glued.group(2)]
    if after_number and chunk in UNITS:
        return [chunk]
    kind, token = classify(chunk)
    if kind == "formula":
        counts.formulas += 1
        return [token]
    if kind == "element":
        counts.elements += 1
        return [token]
    if kind == "unparsed":
        counts.unparsed[chunk] += 1
    words = []
    for word in _WORD.findall(chunk):
        word_kind, token = classify(word)
        if word_kind in ("formula", "element"):
            counts.formulas += word_kind == "formula"
            counts.elements += word_kind == "element"
            words.append(token)
        elif _NUMBER.match(word):
            counts.numbers += 1
            words.append(NUMBER_TOKEN)
        else:
            words.append(word.lower())
    return words
