"""The registry of everything chosen on labelled data, so grouped cross-validation can re-choose it.

A :class:`Tunable` is one fitted model or one hand-set threshold: ``fit(data, config) -> params`` chooses
it from the *training* part of the data only, ``apply(params, config) -> config`` returns the config with
it in place. ``bodycoach evaluate --cv`` (``bodycoach.evaluate.cross_validate``) runs every registered
tunable, in registry order, inside each fold, then scores the held-out rows with the resulting config; the
shipped values play no part in a fold. ``bodycoach fit`` uses the same tunables on all the data (plus a
site's corrections) to build a site model.

Writing one (see ``docs/analysis.md`` → "Cross-validation"):

- A threshold swept over a grid, chosen by evaluate figures: ``grid("arms.crossed_wrist_elbow_sw",
  [0.6, 0.7, 0.8], ["arms.crossed_f1"])``. The value with the best mean of the figures on the training
  rows wins; among equal values the middle one (the centre of the plateau).
- Anything else: ``Tunable(name, fit, apply)``. ``fit`` gets a :class:`FitData`: the training rows with
  their landmarks and per-frame features at the labelled frame (``FitRow``), and ``data.score(config)``,
  a fast re-scoring that re-runs only the per-frame classifiers on the stored features (the same figures
  as ``bodycoach.evaluate.score``). A fitted model is written with :func:`model_path` and named in the
  returned config (config file names may be absolute paths).

Tunables whose classifier reads a clip's history cannot use the fast ``score`` for video rows; they can
read ``FitRow.history`` (the landmarks from the clip's start to the labelled frame) and run an
``Analyzer`` themselves. The held-out scoring always runs the full analyzer, so the CV figures stay honest
either way.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bodycoach.config import CoachConfig
from bodycoach.types import Behaviour, Features, FrameResult, Landmarks


@dataclass(frozen=True)
class FitRow:
    """One labelled example available to a fit.

    Attributes:
        kind: ``"row"`` (labels.csv), ``"genki"`` (genki4k_labels.csv) or ``"hand"`` (hands11k_labels.csv).
        row: The parsed label row (``evaluate.Row``, ``GenkiRow`` or ``HandRow``).
        group: The CV group (source, clip, image or subject): a fold never splits a group.
        landmarks: Landmarks of the labelled frame.
        features: ``Analyzer.features`` of that frame under the shipped config (gaze angles included).
        history: For video rows, every frame from the clip's start to the labelled one; else empty.
    """

    kind: str
    row: Any
    group: str
    landmarks: Landmarks
    features: Features
    history: Sequence[Landmarks] = ()


def _with_gaze(f: Features, config: CoachConfig) -> Features:
    """Re-derive the config-dependent gaze angles (``Analyzer.features``) on stored features."""
    from bodycoach.classifiers.eye_contact import gaze

    vals = {k: v for k, v in f.values.items() if k not in ("gaze_yaw_deg", "gaze_pitch_deg")}
    gy, gp = gaze(Features(f.timestamp_ms, vals, f.mouth_hog), config.eye_contact, None)
    if math.isfinite(gy) and math.isfinite(gp):
        vals["gaze_yaw_deg"], vals["gaze_pitch_deg"] = gy, gp
    return replace(f, values=vals)


@dataclass
class FitData:
    """The training part of one fold (or all the data, for a final fit)."""

    rows: list[FitRow] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[FitRow]:
        """The rows of one kind (``row``, ``genki``, ``hand``)."""
        return [r for r in self.rows if r.kind == kind]

    def results(self, config: CoachConfig, kinds: Sequence[str] = ("row", "genki", "hand")) -> list[
            tuple[FitRow, FrameResult]]:
        """Per-frame classifications of the stored features under ``config`` (no history, no events)."""
        from bodycoach.analysis import Analyzer

        an = Analyzer(config=config)
        out = []
        for r in self.rows:
            if r.kind not in kinds:
                continue
            f = _with_gaze(r.features, config)
            out.append((r, FrameResult(landmarks=r.landmarks, features=f, classifications=an.classify(f),
                                       states={})))
        return out

    def score(self, config: CoachConfig, kinds: Sequence[str] = ("row", "genki", "hand")) -> dict[str, Any]:
        """The ``evaluate`` report of the training rows under ``config`` (fast: per-frame classifiers only)."""
        from bodycoach.evaluate import Predictions, score

        pred = Predictions()
        for r, res in self.results(config, kinds):
            {"row": pred.rows, "genki": pred.genki, "hand": pred.hands}[r.kind].append((r.row, res))
        return score(pred)


@dataclass(frozen=True)
class Tunable:
    """One thing chosen on labelled data.

    Attributes:
        name: ``section.key`` for a threshold, or the model's file name.
        fit: ``fit(data, config) -> params``, from the training rows only; ``config`` carries the tunables
            fitted before this one.
        apply: ``apply(params, config) -> config`` with the params in place.
        kinds: The row kinds the fit reads (documentation, and lets a caller skip fits without data).
        owner: Who maintains it (the classifier's module).
    """

    name: str
    fit: Callable[[FitData, CoachConfig], Any]
    apply: Callable[[Any, CoachConfig], CoachConfig]
    kinds: tuple[str, ...] = ("row",)
    owner: str = ""


def set_value(config: CoachConfig, name: str, value: Any) -> CoachConfig:
    """``config`` with ``section.key`` = value (the value converted to the field's type)."""
    section, key = name.split(".")
    sec = getattr(config, section)
    cur = getattr(sec, key)
    return replace(config, **{section: replace(sec, **{key: type(cur)(value)})})


def get_value(config: CoachConfig, name: str) -> Any:
    """The value of ``section.key`` in ``config``."""
    section, key = name.split(".")
    return getattr(getattr(config, section), key)


def figure(report: dict[str, Any], name: str) -> float:
    """``"section.key"`` of an evaluate report (NaN when absent)."""
    sec, key = name.split(".")
    v = report.get(sec, {}).get(key, math.nan)
    return float(v) if isinstance(v, (int, float)) else math.nan


def choose(values: Sequence[float], scores: Sequence[float], lower_is_better: bool = False) -> float:
    """The value with the best score; among equal best scores (within 1e-9) the middle one."""
    pairs = [(v, (-s if lower_is_better else s)) for v, s in zip(values, scores, strict=True) if math.isfinite(s)]
    if not pairs:
        return values[len(values) // 2]
    best = max(s for _, s in pairs)
    tied = [v for v, s in pairs if s >= best - 1e-9]
    return tied[(len(tied) - 1) // 2]


def grid(name: str, values: Sequence[float], figures: Sequence[str], kinds: tuple[str, ...] = ("row",),
         owner: str = "") -> Tunable:
    """A threshold chosen from ``values`` by the mean of ``figures`` on the training rows (see module doc)."""

    def fit(data: FitData, config: CoachConfig) -> float:
        scores = []
        for v in values:
            rep = data.score(set_value(config, name, v), kinds)
            figs = [figure(rep, f) for f in figures]
            figs = [x for x in figs if math.isfinite(x)]
            scores.append(sum(figs) / len(figs) if figs else math.nan)
        return choose(values, scores)

    return Tunable(name=name, fit=fit, apply=lambda v, c: set_value(c, name, v), kinds=kinds, owner=owner)


_MODEL_DIR: Path | None = None


def model_path(payload: bytes, suffix: str = ".json") -> Path:
    """A per-process temporary file holding ``payload`` (content-named), for a fold's fitted model."""
    global _MODEL_DIR
    if _MODEL_DIR is None:
        _MODEL_DIR = Path(tempfile.mkdtemp(prefix="bodycoach-cv-"))
    p = _MODEL_DIR / (hashlib.sha1(payload).hexdigest()[:16] + suffix)
    if not p.exists():
        p.write_bytes(payload)
    return p


# --- the registry ---------------------------------------------------------------------------------

TUNABLES: list[Tunable] = []


def register(t: Tunable, *, replace_existing: bool = True) -> Tunable:
    """Add ``t`` to the registry (a tunable of the same name is replaced in place, keeping its order)."""
    for i, old in enumerate(TUNABLES):
        if old.name == t.name:
            if replace_existing:
                TUNABLES[i] = t
            return TUNABLES[i]
    TUNABLES.append(t)
    return t


def tunables() -> list[Tunable]:
    """Every registered tunable, in fitting order (the built-in ones are registered on first use)."""
    _register_builtin()
    return list(TUNABLES)


_BUILTIN_DONE = False


def _register_builtin() -> None:
    global _BUILTIN_DONE
    if _BUILTIN_DONE:
        return
    _BUILTIN_DONE = True
    import importlib

    # Each module registers its own tunables at import (``register(...)`` at module level).
    for mod in ("bodycoach.fitting",):
        importlib.import_module(mod)


__all__ = ["Behaviour", "FitData", "FitRow", "Tunable", "choose", "figure", "get_value", "grid", "model_path",
           "register", "set_value", "tunables"]
