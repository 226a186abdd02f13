"""A small logistic model on named features, stored as reviewable JSON in ``calibration/``.

The file holds the feature names, the standardisation (mean, scale), one weight per feature and the
intercept, plus how it was fitted (command, data, cross-validated accuracy). Inference is pure numpy:
``p = 1 / (1 + exp(-(b + Σ w_i·(x_i − m_i)/s_i)))``. Weights on standardised features are directly
comparable, which keeps the model explainable ("mouth width counts most").
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.weights) == n) or n == 0:
            raise ConfigError(f"linear model: features, mean, scale and weights must have the same non-zero "
                              f"length, but got {n}, {len(self.mean)}, {len(self.scale)}, {len(self.weights)}")
        if any(not math.isfinite(v) for v in (*self.mean, *self.scale, *self.weights, self.intercept)):
            raise ConfigError("linear model: every number must be finite")
        if any(s <= 0 for s in self.scale):
            raise ConfigError(f"linear model: scale values must be > 0, but got {self.scale}")

    def probability(self, values: Mapping[str, float]) -> float:
        """Return the positive-class probability, or NaN when a feature is missing or not finite."""
        z = self.intercept
        for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            x = values.get(name, math.nan)
            if not math.isfinite(x):
                return math.nan
            z += w * (x - m) / s
        z = max(-50.0, min(50.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "intercept": self.intercept, "meta": dict(self.meta)}

    def save(self, path: Path) -> None:
        """Write the model as indented JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by :meth:`save`.

        Raises:
            ConfigError: the file is missing or malformed.
        """
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(features=tuple(d["features"]), mean=tuple(float(v) for v in d["mean"]),
                       scale=tuple(float(v) for v in d["scale"]), weights=tuple(float(v) for v in d["weights"]),
                       intercept=float(d["intercept"]), meta=d.get("meta", {}))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such model file") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: not a linear model file ({exc})") from None
