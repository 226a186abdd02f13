"""Fit the learned parts of calibration/ from a labelled data folder (the dev set).

    python calibration/fit_models.py ../shared/data/dev [--cache-dir DIR] [--only face_reference|smile]

1. ``face_reference.json``: generalised-Procrustes mean of the rigid upper-face mesh points of GENKI-4K
   faces labelled near-frontal (|yaw|, |pitch|, |roll| < 0.06 rad): the shape head pose is fitted against.
2. ``smile_model.json``: logistic regression (scikit-learn, standardised features, L2, C=1) for smile
   presence on GENKI-4K's smile 0/1 labels; 10-fold stratified cross-validated accuracy is stored in the file.
   Features: the 14 named mouth/eye measures in SMILE_FEATURES (two more, corner-to-nose-wing distance and
   face width, got weights below 0.05 and were dropped).

Landmarks come from the same cache as ``bodycoach evaluate`` (MediaPipe still-image mode).
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SMILE_FEATURES = ("mouth_width_norm", "smile_lift_norm", "lip_gap_norm", "mouth_open_norm", "cheek_mouth_norm",
                  "eye_open_norm", "brow_raise_norm", "chin_drop_norm", "face_height_norm", "smile_asym_norm",
                  "corner_below_nose_norm", "corner_below_lip_top_norm", "corner_depth_norm", "upper_lip_curve_norm")
FRONTAL_RAD = 0.06


def _genki_landmarks(data: Path, cache: Path | None) -> list[tuple[object, object]]:
    from bodycoach.evaluate import LandmarkSource, load_dataset

    ds = load_dataset(data)
    if not ds.genki:
        sys.exit(f"{data}: no genki4k_labels.csv; both fits need GENKI-4K")
    src = LandmarkSource(cache)
    try:
        return [(g, src.image(ds.root / g.file)) for g in ds.genki]
    finally:
        src.close()


def fit_face_reference(pairs: list[tuple[object, object]]) -> None:
    """Write calibration/face_reference.json."""
    from bodycoach.features.face import build_reference
    from bodycoach.features.geometry import to_pixels

    faces = [to_pixels(lm.face, lm.image_wh) for g, lm in pairs  # type: ignore[attr-defined]
             if lm.face is not None and max(abs(g.yaw_rad), abs(g.pitch_rad)) < FRONTAL_RAD]  # type: ignore[attr-defined]
    ref = build_reference(faces)
    ref.save(HERE / "face_reference.json",
             note=f"Procrustes mean of {len(faces)} near-frontal GENKI-4K faces (|yaw|,|pitch| < {FRONTAL_RAD} rad); "
                  "units: inter-ocular distance; written by calibration/fit_models.py")
    print(f"face_reference.json: {len(faces)} frontal faces")


def fit_smile(pairs: list[tuple[object, object]]) -> None:
    """Write calibration/smile_model.json."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from bodycoach.classifiers.linear import LinearModel
    from bodycoach.features.extract import extract_features, load_face_reference

    load_face_reference.cache_clear()
    X, y = [], []
    for g, lm in pairs:
        f = extract_features(lm).values  # type: ignore[arg-type]
        row = [f.get(k, math.nan) for k in SMILE_FEATURES]
        if all(math.isfinite(v) for v in row):
            X.append(row)
            y.append(int(g.smile))  # type: ignore[attr-defined]
    Xa, ya = np.asarray(X), np.asarray(y)
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    cv = cross_val_score(pipe, Xa, ya, cv=StratifiedKFold(10, shuffle=True, random_state=0))
    pipe.fit(Xa, ya)
    sc, lr = pipe[0], pipe[1]
    model = LinearModel(
        features=SMILE_FEATURES, mean=tuple(float(v) for v in sc.mean_), scale=tuple(float(v) for v in sc.scale_),
        weights=tuple(round(float(v), 6) for v in lr.coef_[0]), intercept=round(float(lr.intercept_[0]), 6),
        meta={"target": "smile present (GENKI-4K smile = 1)", "training_rows": len(ya),
              "rows_without_face": len(pairs) - len(ya),
              "cv10_accuracy_mean": round(float(cv.mean()), 4), "cv10_accuracy_std": round(float(cv.std()), 4),
              "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
              "command": "python calibration/fit_models.py ../shared/data/dev --only smile"})
    model.save(HERE / "smile_model.json")
    print(f"smile_model.json: {len(ya)} faces, 10-fold CV accuracy {cv.mean():.4f} ± {cv.std():.4f}")
    for name, w in zip(SMILE_FEATURES, model.weights, strict=True):
        print(f"  {name:<20} weight {w:+.3f}")


def main() -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--only", choices=("face_reference", "smile"), default=None)
    args = ap.parse_args()
    from bodycoach.apps.cmd_evaluate import default_cache_dir

    pairs = _genki_landmarks(args.data_dir, args.cache_dir or default_cache_dir())
    if args.only in (None, "face_reference"):
        fit_face_reference(pairs)
    if args.only in (None, "smile"):
        fit_smile(pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
