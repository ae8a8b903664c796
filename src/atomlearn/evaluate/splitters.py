"""Splitters (scikit-learn CV splitter API): which structures train, which are held out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.model_selection import ShuffleSplit


class RandomHoldout:
    """One random train/test split (``test_size`` fraction or count, seeded).

    A scikit-learn splitter with ``n_splits=1``: ``split(X)`` yields ``(train, test)``
    index arrays, so it plugs into ``cross_validate`` and ``GridSearchCV``.
    """

    def __init__(self, test_size: float | int = 0.2, random_state: int | None = 0) -> None:
        self.test_size = test_size
        self.random_state = random_state

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n_samples = len(X)
        if n_samples < 2:
            raise ValueError(f"need at least 2 samples to split, got {n_samples}")
        splitter = ShuffleSplit(n_splits=1, test_size=self.test_size, random_state=self.random_state)
        for train, test in splitter.split(np.zeros(n_samples)):
            yield np.sort(train), np.sort(test)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        return 1

    def __repr__(self) -> str:
        return f"RandomHoldout(test_size={self.test_size}, random_state={self.random_state})"
