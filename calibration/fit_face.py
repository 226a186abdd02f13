"""Fit the face side's logistic models on a labelled data folder (the dev set) and report grouped CV.

    python calibration/fit_face.py ../shared/data/dev [--cache-dir DIR] [--only eye_contact] [--dry-run]

``eye_contact_model.json``: eye contact (labels.csv ``eye_contact`` yes/no) from the four named inputs of
``bodycoach.classifiers.eye_contact.eye_contact_inputs`` (squared gaze yaw and pitch, squared head yaw,
lids closing), L2 logistic regression C = EYE_C on standardised inputs; the decision threshold is the
a-priori 0.5 (``eye_contact.lens_min_prob``), not tuned.

Grouped cross-validation: leave one group out, group = ``source_repo`` (and the clip for video frames); rows
that come from GENKI-4K (their ``dataset_label`` names it) are grouped by image, as the GENKI fits are.
The figures (F1, MCC, unknown = wrong as in ``bodycoach evaluate``) go into the model's ``meta``.
Features come from ``bodycoach evaluate``'s landmark cache and the shipped Analyzer (clip history included).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EYE_C = 3.0


def labelled_frames(data: Path, cache: Path | None) -> list[tuple[Any, Any, str]]:
    """(Row, FrameResult, group) for every labels.csv row, from the evaluate cache and the shipped Analyzer."""
    from bodycoach.analysis import Analyzer
    from bodycoach.evaluate import LandmarkSource, load_dataset, predict

    ds = load_dataset(data)
    ds.genki = []
    with (data / "labels.csv").open(newline="", encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    src = LandmarkSource(cache)
    try:
        pred = predict(ds, src, Analyzer)
    finally:
        src.close()
    out = []
    for (row, res), r in zip(pred.rows, raw, strict=True):
        if (r.get("dataset_label") or "").upper().startswith("GENKI"):
            group = "image:" + row.file
        else:
            group = (r.get("source_repo") or "") + ("|" + row.video if row.video else "")
        out.append((row, res, group))
    return out


def binary(truth: list[bool], pred: list[bool]) -> dict[str, float]:
    """F1 and MCC as ``bodycoach evaluate`` computes them."""
    from bodycoach.evaluate import binary_scores

    return {k: round(v, 4) for k, v in binary_scores(truth, pred).items()}


def fit_eye_contact(frames: list[tuple[Any, Any, str]], dry_run: bool) -> None:
    from bodycoach.classifiers.eye_contact import EYE_CONTACT_INPUTS, eye_contact_inputs
    from bodycoach.classifiers.face_fit import fit_logistic, grouped_cv
    from bodycoach.config import load_config

    t = load_config().eye_contact
    items, groups = [], []
    for row, res, group in frames:
        lab = row.labels["eye_contact"]
        if lab not in ("yes", "no"):
            continue
        inputs = eye_contact_inputs(res.features, t) if res is not None else {}
        items.append((inputs, lab == "yes"))
        groups.append(group)

    def fit(train: list[Any]) -> Any:
        return fit_logistic(train, EYE_CONTACT_INPUTS, EYE_C)

    def predict(model: Any, item: Any) -> bool:
        p = model.probability(item[0])
        return (p >= t.lens_min_prob) if math.isfinite(p) else (not item[1])  # unknown = wrong

    truth = [yes for _, yes in items]
    cv = binary(truth, grouped_cv(items, groups, fit, predict))
    model = fit(items)
    ins = binary(truth, [predict(model, it) for it in items])
    print(f"eye contact: n={len(items)} groups={len(set(groups))}  in-sample F1 {ins['f1']:.3f} MCC {ins['mcc']:.3f}"
          f"  grouped CV F1 {cv['f1']:.3f} MCC {cv['mcc']:.3f}")
    print("  weights (standardised): " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(model.features, model.weights,
                                                                                    strict=True)))
    meta = {"fitted": datetime.now(UTC).strftime("%Y-%m-%d"), "command": "python calibration/fit_face.py "
            "../shared/data/dev --only eye_contact", "data": "labels.csv eye_contact yes/no", "n": len(items),
            "C": EYE_C, "in_sample": ins, "grouped_cv": cv,
            "cv": "leave one group out (source_repo; the clip for video frames; GENKI-4K rows by image)"}
    model = fit_logistic(items, EYE_CONTACT_INPUTS, EYE_C, meta)
    if not dry_run:
        model.save(HERE / "eye_contact_model.json")
        print(f"  wrote {HERE / 'eye_contact_model.json'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--only", choices=("eye_contact",), default=None)
    ap.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    a = ap.parse_args()
    from bodycoach.apps.cmd_evaluate import default_cache_dir

    frames = labelled_frames(a.data, a.cache_dir or default_cache_dir())
    if a.only in (None, "eye_contact"):
        fit_eye_contact(frames, a.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
