"""The built-in tunables: the fitted smile models and every hand-set threshold chosen on the dev data.

Registered in fitting order (models first: the thresholds after them are chosen with the fold's models in
place). ``calibration/fit_models.py`` writes the shipped models with the same fit functions; the grids
are the ones ``calibration/sweep.py`` prints, and each is chosen by the figure its README row names.
Design values that no labelled data chose (hysteresis, gaze styles, posture, hands together) are not here.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from bodycoach.config import CoachConfig
from bodycoach.tuning import FitData, FitRow, Tunable, grid, model_path, register, set_value

SMILE_FEATURES = ("mouth_width_norm", "smile_lift_norm", "lip_gap_norm", "mouth_open_norm", "cheek_mouth_norm",
                  "eye_open_norm", "brow_raise_norm", "chin_drop_norm", "face_height_norm", "smile_asym_norm",
                  "corner_below_nose_norm", "corner_below_lip_top_norm", "corner_depth_norm", "upper_lip_curve_norm")
SMILE_C = 1.0
APPEARANCE_C = 0.01
APPEARANCE_GEOMETRY_GAIN = 2.0


def smile_xy(rows: list[FitRow], with_vector: bool) -> tuple[np.ndarray, np.ndarray]:
    """GENKI rows → (X, y): the 14 named measures (+ the mouth HOG vector); rows missing any are skipped."""
    X, y = [], []
    for r in rows:
        f = r.features
        geo = [f.get(k) for k in SMILE_FEATURES]
        if not all(math.isfinite(v) for v in geo):
            continue
        if with_vector:
            vec = f.mouth_hog
            if vec is None or not np.isfinite(vec).all():
                continue
            X.append(np.concatenate([np.asarray(geo, dtype=np.float64), np.asarray(vec, dtype=np.float64)]))
        else:
            X.append(np.asarray(geo, dtype=np.float64))
        y.append(int(r.row.smile))
    return np.asarray(X), np.asarray(y)


def fit_smile_geometry(X: np.ndarray, y: np.ndarray, meta: dict[str, Any] | None = None) -> Any:
    """Logistic regression (standardised, L2, C = SMILE_C) on the 14 measures → ``LinearModel``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from bodycoach.classifiers.linear import LinearModel

    sc = StandardScaler().fit(X)
    lr = LogisticRegression(C=SMILE_C, max_iter=2000).fit(sc.transform(X), y)
    return LinearModel(features=SMILE_FEATURES, mean=tuple(float(v) for v in sc.mean_),
                       scale=tuple(float(v) for v in sc.scale_),
                       weights=tuple(round(float(v), 6) for v in lr.coef_[0]), intercept=round(float(lr.intercept_[0]), 6),
                       meta=meta or {})


def fit_smile_appearance(X: np.ndarray, y: np.ndarray, meta: dict[str, Any] | None = None) -> Any:
    """Logistic regression on the 14 measures (×GAIN after standardising) + the HOG vector → ``LinearModel``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from bodycoach.classifiers.linear import LinearModel, VectorTerm
    from bodycoach.types import MOUTH_HOG_VERSION

    ng, gain = len(SMILE_FEATURES), APPEARANCE_GEOMETRY_GAIN
    sc = StandardScaler().fit(X)
    Z = sc.transform(X)
    Z[:, :ng] *= gain
    lr = LogisticRegression(C=APPEARANCE_C, max_iter=5000).fit(Z, y)
    coef = lr.coef_[0]
    return LinearModel(
        features=SMILE_FEATURES, mean=tuple(float(v) for v in sc.mean_[:ng]),
        scale=tuple(float(v) for v in sc.scale_[:ng]),
        weights=tuple(round(float(w) * gain, 6) for w in coef[:ng]), intercept=round(float(lr.intercept_[0]), 6),
        vector=VectorTerm(name="mouth_hog", version=MOUTH_HOG_VERSION, mean=sc.mean_[ng:], scale=sc.scale_[ng:],
                          weights=coef[ng:]),
        meta=meta or {})


def model_file(model: Any) -> str:
    """Write a fold's ``LinearModel`` to a temporary file and return its absolute path (for the config)."""
    return str(model_path(json.dumps(model.to_dict(), sort_keys=True).encode()))


def _fit_geometry(data: FitData, config: CoachConfig) -> Any:
    X, y = smile_xy(data.of_kind("genki"), with_vector=False)
    return fit_smile_geometry(X, y) if len(set(y.tolist())) == 2 else None


def _fit_appearance(data: FitData, config: CoachConfig) -> Any:
    X, y = smile_xy(data.of_kind("genki"), with_vector=True)
    return fit_smile_appearance(X, y) if len(set(y.tolist())) == 2 else None


def _apply_model(key: str) -> Any:
    def apply(model: Any, config: CoachConfig) -> CoachConfig:
        return config if model is None else set_value(config, key, model_file(model))
    return apply


register(Tunable("smile_model.json", _fit_geometry, _apply_model("smile.model"), kinds=("genki",),
                 owner="classifiers/smile.py"))
register(Tunable("smile_appearance_model.json", _fit_appearance, _apply_model("smile.appearance_model"),
                 kinds=("genki",), owner="classifiers/smile.py"))

# Thresholds: grid and figure as in calibration/sweep.py and calibration/README.md.
_EC = ["eye_contact.f1", "eye_contact.mcc"]
for _name, _values, _figs, _kinds, _owner in (
    ("eye_contact.lens_yaw_deg", [10, 12, 14, 16, 18], _EC, ("row",), "classifiers/eye_contact.py"),
    ("eye_contact.lens_pitch_deg", [16, 20, 24, 28], _EC, ("row",), "classifiers/eye_contact.py"),
    ("eye_contact.iris_yaw_gain_deg", [-100, -150, -200, -250], _EC, ("row",), "classifiers/eye_contact.py"),
    ("eye_contact.min_eye_open_norm", [0.0, 0.05, 0.1, 0.15, 0.2], _EC, ("row",), "classifiers/eye_contact.py"),
    ("smile.presence_min_prob", [0.3, 0.35, 0.4, 0.45, 0.5, 0.6], ["genki_smile.accuracy", "smile_present.accuracy"],
     ("row", "genki"), "classifiers/smile.py"),
    ("smile.open_lip_gap_norm", [0.05, 0.07, 0.09, 0.11, 0.13], ["smile_type.macro_f1"], ("row",),
     "classifiers/smile.py"),
    ("smile.max_abs_yaw_deg", [35.0, 45.0, 55.0, 60.0, 70.0, 90.0], ["smile_present.accuracy", "smile_type.macro_f1"],
     ("row",), "classifiers/smile.py"),
    ("head.turned_yaw_deg", [18, 20, 22, 24, 26, 28, 30], ["head.turned_f1", "head.macro_f1"], ("row",),
     "classifiers/head.py"),
    ("head.propped_hand_face_iod", [0.1, 0.15, 0.2, 0.25, 0.3, 0.4], ["head.propped_f1", "head.macro_f1"], ("row",),
     "classifiers/head.py"),
    ("arms.crossed_wrist_elbow_sw", [0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0], ["arms.crossed_f1", "arms.macro_f1"],
     ("row",), "classifiers/arms.py"),
    ("arms.extended_max_wrist_up_sw", [-1.0, -0.9, -0.8, -0.7, -0.6, -0.5], ["arms.macro_f1"], ("row",),
     "classifiers/arms.py"),
):
    register(grid(_name, _values, _figs, _kinds, _owner))


__all__ = ["SMILE_FEATURES", "fit_smile_appearance", "fit_smile_geometry", "model_file", "smile_xy"]
