"""Fitting the face side's logistic models (eye contact, head turned) from labelled frames.

The same functions write the shipped models (``calibration/fit_face.py``) and re-fit them inside the folds
of a grouped cross-validation, so what ships is what CV measured. scikit-learn does the fitting; the result
is a :class:`~bodycoach.classifiers.linear.LinearModel` (plain JSON, pure-python inference).

Training rows are ``(inputs, positive)``: the named inputs of one frame (a dict) and its binary label. Rows
with a missing or non-finite input are left out of the fit (at run time they are ``unknown``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from bodycoach.classifiers.linear import LinearModel

Sample = tuple[Mapping[str, float], bool]


def fit_logistic(samples: Sequence[Sample], names: Sequence[str], c: float = 3.0,
                 meta: Mapping[str, Any] | None = None) -> LinearModel:
    """L2 logistic regression on standardised ``names`` (scikit-learn, balanced nothing, C = ``c``).

    Raises:
        ValueError: fewer than two usable rows of each class.
    """
    from sklearn.linear_model import LogisticRegression

    x, y = _matrix(samples, names)
    if int(y.sum()) < 2 or int((1 - y).sum()) < 2:
        raise ValueError(f"fit_logistic needs at least two usable rows of each class, got {int(y.sum())} positive "
                         f"and {int((1 - y).sum())} negative")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale <= 1e-12] = 1.0
    lr = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return LinearModel(features=tuple(names), mean=tuple(float(f"{v:.6g}") for v in mean),
                       scale=tuple(float(f"{v:.6g}") for v in scale),
                       weights=tuple(float(f"{v:.6g}") for v in lr.coef_[0]),
                       intercept=float(f"{float(lr.intercept_[0]):.6g}"), meta=dict(meta or {}))


def _matrix(samples: Sequence[Sample], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for inputs, positive in samples:
        row = [float(inputs.get(n, math.nan)) for n in names]
        if all(math.isfinite(v) for v in row):
            xs.append(row)
            ys.append(1 if positive else 0)
    return np.asarray(xs, dtype=np.float64).reshape(-1, len(names)), np.asarray(ys, dtype=np.int64)


def grouped_cv(items: Sequence[Any], groups: Sequence[Hashable], fit: Callable[[Sequence[Any]], Any],
               predict: Callable[[Any, Any], Any]) -> list[Any]:
    """Leave-one-group-out: each item predicted by a model fitted on the other groups only."""
    out: list[Any] = [None] * len(items)
    for g in dict.fromkeys(groups):
        train = [it for it, gg in zip(items, groups, strict=True) if gg != g]
        model = fit(train)
        for k, (it, gg) in enumerate(zip(items, groups, strict=True)):
            if gg == g:
                out[k] = predict(model, it)
    return out
