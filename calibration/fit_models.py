"""Fit the learned parts of calibration/ from a labelled data folder (the dev set).

    python calibration/fit_models.py ../shared/data/dev [--cache-dir DIR]
        [--only face_reference|smile|smile_appearance]

1. ``face_reference.json``: generalised-Procrustes mean of the rigid upper-face mesh points of GENKI-4K
   faces labelled near-frontal (|yaw|, |pitch|, |roll| < 0.06 rad): the shape head pose is fitted against.
2. ``smile_model.json``: logistic regression (scikit-learn, standardised features, L2, C=1) for smile
   presence on GENKI-4K's smile 0/1 labels; 10-fold stratified cross-validated accuracy is stored in the file.
   Features: the 14 named mouth/eye measures in SMILE_FEATURES (two more, corner-to-nose-wing distance and
   face width, got weights below 0.05 and were dropped).
3. ``smile_appearance_model.json``: the same, over the 14 named measures plus the 540-element HOG vector of
   the canonical lower-face crop (``Landmarks.mouth_hog``, bodycoach/landmarks/appearance.py), L2 with
   C = APPEARANCE_C; the standardised geometry columns are multiplied by APPEARANCE_GEOMETRY_GAIN before the
   fit, i.e. penalised GAIN² less than the 540 texture columns (the gain is folded back into the stored
   weights). Reported: 10-fold CV on GENKI-4K (3 shuffles) and accuracy on the labels.csv rows (none vs any
   smile) from models fitted on GENKI only; a row whose image is also a GENKI-4K training image is scored
   by the fold model that did not see it.

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
APPEARANCE_C = 0.01
APPEARANCE_GEOMETRY_GAIN = 2.0


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


def _smile_rows(data: Path, cache: Path | None) -> list[tuple[str, bool, object]]:
    """labels.csv rows with a smile label: (file name, smile present, landmarks of the labelled frame)."""
    from bodycoach.evaluate import LandmarkSource, load_dataset

    ds = load_dataset(data)
    src = LandmarkSource(cache)
    out: list[tuple[str, bool, object]] = []
    try:
        for r in ds.rows:
            lab = r.labels.get("smile", "unclear")
            if lab in ("", "unclear"):
                continue
            if r.video:
                seq = src.video(ds.root / r.video, r.frame_time_s * 1000.0)
                if not seq:
                    continue
                lm = min(seq, key=lambda x: abs(x.timestamp_ms - r.frame_time_s * 1000.0))
            else:
                lm = src.image(ds.root / r.file)
            out.append((Path(r.file).name, lab != "none", lm))
    finally:
        src.close()
    return out


def fit_smile_appearance(pairs: list[tuple[object, object]], rows: list[tuple[str, bool, object]]) -> None:
    """Write calibration/smile_appearance_model.json."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from bodycoach.classifiers.linear import LinearModel, VectorTerm
    from bodycoach.config import load_config
    from bodycoach.features.extract import extract_features, load_face_reference
    from bodycoach.types import MOUTH_HOG_VERSION

    load_face_reference.cache_clear()
    ng, gain, thr = len(SMILE_FEATURES), APPEARANCE_GEOMETRY_GAIN, load_config().smile.presence_min_prob

    def row_of(lm: object) -> np.ndarray | None:
        vec = lm.mouth_hog  # type: ignore[attr-defined]
        f = extract_features(lm).values  # type: ignore[arg-type]
        geo = [f.get(k, math.nan) for k in SMILE_FEATURES]
        if vec is None or not all(math.isfinite(v) for v in geo) or not np.isfinite(vec).all():
            return None
        return np.concatenate([np.asarray(geo, dtype=np.float64), np.asarray(vec, dtype=np.float64)])

    X, y, names = [], [], []
    for g, lm in pairs:
        x = row_of(lm)
        if x is not None:
            X.append(x)
            y.append(int(g.smile))  # type: ignore[attr-defined]
            names.append(Path(g.file).name)  # type: ignore[attr-defined]
    Xa, ya = np.asarray(X), np.asarray(y)
    dim = Xa.shape[1] - ng

    def fit(Xt: np.ndarray, yt: np.ndarray) -> tuple[StandardScaler, LogisticRegression]:
        sc = StandardScaler().fit(Xt)
        Z = sc.transform(Xt)
        Z[:, :ng] *= gain
        return sc, LogisticRegression(C=APPEARANCE_C, max_iter=5000).fit(Z, yt)

    def prob(m: tuple[StandardScaler, LogisticRegression], Xt: np.ndarray) -> np.ndarray:
        Z = m[0].transform(Xt)
        Z[:, :ng] *= gain
        return np.asarray(m[1].predict_proba(Z)[:, 1])

    accs, oof = [], np.zeros(len(ya))
    for seed in range(3):
        for tr, te in StratifiedKFold(10, shuffle=True, random_state=seed).split(Xa, ya):
            p = prob(fit(Xa[tr], ya[tr]), Xa[te])
            accs.append(float(np.mean((p >= thr) == ya[te])))
            if seed == 0:
                oof[te] = p
    acc = np.asarray(accs)
    sc, lr = fit(Xa, ya)
    coef = lr.coef_[0]
    model = LinearModel(
        features=SMILE_FEATURES, mean=tuple(float(v) for v in sc.mean_[:ng]),
        scale=tuple(float(v) for v in sc.scale_[:ng]),
        weights=tuple(round(float(w) * gain, 6) for w in coef[:ng]), intercept=round(float(lr.intercept_[0]), 6),
        vector=VectorTerm(name="mouth_hog", version=MOUTH_HOG_VERSION, mean=sc.mean_[ng:], scale=sc.scale_[ng:],
                          weights=coef[ng:]),
        meta={})
    # Rows: the final model, except rows showing a GENKI-4K training image (scored out of fold).
    index = {n: i for i, n in enumerate(names)}
    right = n_rows = 0
    for name, present, lm in rows:
        x = row_of(lm)
        if x is None:
            continue
        p = float(oof[index[name]]) if name in index else model.probability(
            dict(zip(SMILE_FEATURES, x[:ng], strict=True)), x[ng:])
        n_rows += 1
        right += int((p >= thr) == present)
    row_acc = right / n_rows if n_rows else math.nan
    model = LinearModel(
        features=model.features, mean=model.mean, scale=model.scale, weights=model.weights,
        intercept=model.intercept, vector=model.vector,
        meta={"target": "smile present (GENKI-4K smile = 1)", "training_rows": len(ya),
              "rows_without_face_or_vector": len(pairs) - len(ya), "vector_size": dim,
              "C": APPEARANCE_C, "geometry_gain": gain, "decision_threshold": thr,
              "cv10x3_accuracy_mean": round(float(acc.mean()), 4), "cv10x3_accuracy_std": round(float(acc.std()), 4),
              "labels_csv_rows_accuracy": round(row_acc, 4), "labels_csv_rows": n_rows,
              "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
              "command": "python calibration/fit_models.py ../shared/data/dev --only smile_appearance"})
    path = HERE / "smile_appearance_model.json"
    model.save(path)
    print(f"smile_appearance_model.json ({path.stat().st_size // 1024} KB): {len(ya)} faces, 14 + {dim} inputs, "
          f"10-fold CV (3 shuffles) accuracy at p >= {thr}: {acc.mean():.4f} ± {acc.std():.4f}; "
          f"labels.csv rows {right}/{n_rows} = {row_acc:.4f}")
    for name, w in zip(SMILE_FEATURES, model.weights, strict=True):
        print(f"  {name:<26} weight {w:+.3f}")
    hw = np.abs(coef[ng:])
    print(f"  mouth_hog: {dim} weights, sum of |w| {hw.sum():.2f}, largest |w| {hw.max():.3f}")


def main() -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--only", choices=("face_reference", "smile", "smile_appearance"), default=None)
    args = ap.parse_args()
    from bodycoach.apps.cmd_evaluate import default_cache_dir

    pairs = _genki_landmarks(args.data_dir, args.cache_dir or default_cache_dir())
    if args.only in (None, "face_reference"):
        fit_face_reference(pairs)
    if args.only in (None, "smile"):
        fit_smile(pairs)
    if args.only in (None, "smile_appearance"):
        fit_smile_appearance(pairs, _smile_rows(args.data_dir, args.cache_dir or default_cache_dir()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
