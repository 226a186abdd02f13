"""A small logistic model on named features, stored as reviewable JSON in ``calibration/``.

The file holds the feature names, the standardisation (mean, scale), one weight per feature and the
intercept, plus how it was fitted (command, data, cross-validated accuracy). Inference is pure numpy:
``p = 1 / (1 + exp(-(b + Σ w_i·(x_i − m_i)/s_i)))``. Weights on standardised features are directly
comparable, which keeps the model explainable ("mouth width counts most").

Optionally the model also reads one descriptor *vector* that travels beside the named features
(``Features.mouth_hog``): the file's ``vector`` section names it, gives its version and length and one
mean, scale and weight per element; its standardised dot product adds to the same sum. Such a model
needs the vector: without it (or with a wrong length or a non-finite value) the probability is NaN and the
caller falls back to a features-only model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.errors import ConfigError


@dataclass(frozen=True, eq=False)
class VectorTerm:
    """The descriptor-vector part of a :class:`LinearModel`.

    Attributes:
        name: Which vector it reads (``"mouth_hog"``).
        version: The descriptor version it was fitted on (``bodycoach.types.MOUTH_HOG_VERSION``).
        mean: Per-element mean (standardisation).
        scale: Per-element standard deviation (> 0).
        weights: Per-element weight on the standardised value.
    """

    name: str
    version: int
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    _w: npt.NDArray[np.float64] = field(init=False, repr=False)
    _b: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        arrays = [np.asarray(a, dtype=np.float64).reshape(-1) for a in (self.mean, self.scale, self.weights)]
        n = len(arrays[0])
        if n == 0 or any(len(a) != n for a in arrays):
            raise ConfigError(f"linear model vector {self.name!r}: mean, scale and weights must have the same "
                              f"non-zero length, but got {[len(a) for a in arrays]}")
        if not all(np.isfinite(a).all() for a in arrays) or (arrays[1] <= 0).any():
            raise ConfigError(f"linear model vector {self.name!r}: values must be finite and scales > 0")
        for k, a in zip(("mean", "scale", "weights"), arrays, strict=True):
            a.flags.writeable = False
            object.__setattr__(self, k, a)
        # Fold the standardisation into the weights once: Σ w·(x − m)/s = x·(w/s) − Σ w·m/s.
        object.__setattr__(self, "_w", arrays[2] / arrays[1])
        object.__setattr__(self, "_b", float(-(arrays[2] * arrays[0] / arrays[1]).sum()))

    @property
    def size(self) -> int:
        """Vector length."""
        return int(self.mean.shape[0])

    def term(self, vec: npt.NDArray[Any] | None) -> float:
        """Return this part's contribution to the logit, or NaN for a missing, wrong-length or non-finite vector."""
        if vec is None:
            return math.nan
        v = np.asarray(vec)
        if v.shape != (self.size,):
            return math.nan
        with np.errstate(over="ignore", invalid="ignore"):  # absurd input overflows: NaN, not a warning
            z = float(v.astype(np.float64, copy=False) @ self._w) + self._b
        return z if math.isfinite(z) else math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (6 significant digits)."""
        return {"name": self.name, "version": self.version, "size": self.size,
                "mean": [float(f"{v:.6g}") for v in self.mean], "scale": [float(f"{v:.6g}") for v in self.scale],
                "weights": [float(f"{v:.6g}") for v in self.weights]}


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    meta: Mapping[str, Any] = field(default_factory=dict)
    vector: VectorTerm | None = None

    def __post_init__(self) -> None:
        n = len(self.features)
        if not (len(self.mean) == len(self.scale) == len(self.weights) == n) or n == 0:
            raise ConfigError(f"linear model: features, mean, scale and weights must have the same non-zero "
                              f"length, but got {n}, {len(self.mean)}, {len(self.scale)}, {len(self.weights)}")
        if any(not math.isfinite(v) for v in (*self.mean, *self.scale, *self.weights, self.intercept)):
            raise ConfigError("linear model: every number must be finite")
        if any(s <= 0 for s in self.scale):
            raise ConfigError(f"linear model: scale values must be > 0, but got {self.scale}")

    def probability(self, values: Mapping[str, float], vector: npt.NDArray[Any] | None = None) -> float:
        """Return the positive-class probability, or NaN when a feature is missing or not finite.

        Args:
            values: Named features.
            vector: The descriptor vector the model's ``vector`` part reads (ignored by a model without
                one; required by a model with one).
        """
        z = self.intercept
        for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            x = values.get(name, math.nan)
            if not math.isfinite(x):
                return math.nan
            z += w * (x - m) / s
        if self.vector is not None:
            z += self.vector.term(vector)
            if not math.isfinite(z):
                return math.nan
        z = max(-50.0, min(50.0, z))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        d = {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
             "weights": list(self.weights), "intercept": self.intercept, "meta": dict(self.meta)}
        if self.vector is not None:
            d["vector"] = self.vector.to_dict()
        return d

    def save(self, path: Path) -> None:
        """Write the model as indented JSON (a vector part's long lists on one line each)."""
        d = self.to_dict()
        vec = d.pop("vector", None)
        text = json.dumps(d, indent=1)
        if vec is not None:
            lines = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in vec.items())
            text = text[:-2] + ',\n "vector": {\n' + lines + "\n }\n}"
        Path(path).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by :meth:`save`.

        Raises:
            ConfigError: the file is missing or malformed.
        """
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            vec = None
            if d.get("vector") is not None:
                v = d["vector"]
                vec = VectorTerm(name=str(v["name"]), version=int(v["version"]),
                                 mean=np.asarray(v["mean"], dtype=np.float64),
                                 scale=np.asarray(v["scale"], dtype=np.float64),
                                 weights=np.asarray(v["weights"], dtype=np.float64))
                if "size" in v and int(v["size"]) != vec.size:
                    raise ValueError(f"vector size {v['size']} but {vec.size} weights")
            return cls(features=tuple(d["features"]), mean=tuple(float(v) for v in d["mean"]),
                       scale=tuple(float(v) for v in d["scale"]), weights=tuple(float(v) for v in d["weights"]),
                       intercept=float(d["intercept"]), meta=d.get("meta", {}), vector=vec)
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such model file") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: not a linear model file ({exc})") from None
