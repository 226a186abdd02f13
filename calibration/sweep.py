"""Sweep one threshold at a time over a labelled data folder and print the figure it was chosen for.

    python calibration/sweep.py ../shared/data/dev                 # every sweep below
    python calibration/sweep.py ../shared/data/dev head.turned_yaw_deg

Each line: the value, then the evaluate figures that threshold drives, with every other value as in
calibration/thresholds.toml. Landmarks come from the ``bodycoach evaluate`` cache (run it once first).
This is how the hand-set values in thresholds.toml were chosen; the README names the figure for each.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

SWEEPS: dict[str, tuple[list[float], list[str]]] = {
    "eye_contact.lens_yaw_deg": ([10, 12, 14, 16, 18], ["eye_contact.f1", "eye_contact.mcc"]),
    "eye_contact.lens_pitch_deg": ([16, 20, 24, 28, 32, 36], ["eye_contact.f1", "eye_contact.mcc"]),
    "eye_contact.iris_yaw_gain_deg": ([0, -100, -150, -200, -250], ["eye_contact.f1", "eye_contact.mcc"]),
    "eye_contact.min_eye_open_norm": ([0.0, 0.05, 0.1, 0.15, 0.2], ["eye_contact.f1", "eye_contact.mcc"]),
    "smile.presence_min_prob": ([0.3, 0.4, 0.5, 0.6], ["smile_present.accuracy", "genki_smile.accuracy"]),
    "smile.open_lip_gap_norm": ([0.05, 0.07, 0.09, 0.11, 0.13], ["smile_type.macro_f1"]),
    "smile.one_sided_asym_norm": ([0.05, 0.07, 0.09], ["smile_type.macro_f1"]),
    "smile.max_abs_yaw_deg": ([35.0, 45.0, 55.0, 60.0, 70.0, 90.0], ["smile_present.accuracy", "smile_type.macro_f1",
                                                                   "genki_smile.accuracy"]),
    "head.turned_yaw_deg": ([18, 20, 22, 24, 26, 28, 30], ["head.turned_f1", "head.macro_f1"]),
    "head.propped_hand_face_iod": ([0.1, 0.15, 0.2, 0.25, 0.3, 0.4], ["head.propped_f1", "head.macro_f1"]),
    "head.propped_max_pitch_deg": ([5, 10, 15, 20, 90], ["head.propped_f1"]),
    "head.propped_max_finger_up_iod": ([1.5, 2.0, 2.2, 2.5, 3.0, 20.0], ["head.propped_f1", "head.macro_f1"]),
    "arms.crossed_wrist_elbow_sw": ([0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0], ["arms.crossed_f1", "arms.macro_f1"]),
    "arms.extended_max_wrist_up_sw": ([-1.0, -0.9, -0.8, -0.7, -0.6, -0.5], ["arms.macro_f1"]),
    "palm.min_abs_facing": ([0.0, 0.05, 0.1, 0.2], ["palm.accuracy"]),
    "arms.chin_rest_max_height_ratio": ([0.0, 0.3, 0.4, 0.45, 0.5, 0.6, 0.8], ["arms.crossed_f1", "arms.macro_f1"]),
    "arms.chin_rest_max_side_iod": ([0.8, 1.2, 1.6, 2.0, 3.0], ["arms.crossed_f1", "arms.macro_f1"]),
    "arms.tucked_hand_max_elbow_sw": ([0.0, 0.2, 0.3, 0.5, 0.7, 1.0], ["arms.crossed_f1", "arms.macro_f1"]),
    "palm.flip_min_curl_hl": ([0.2, 0.3, 0.5, 0.8, 1.2, 1.9, 9.0], ["palm.accuracy"]),
    "palm.crossed_max_finger_ext_hl": ([0.0, 0.8, 1.2, 1.4, 1.6, 2.0, 3.0], ["palm.accuracy"]),
    "palm.face_cover_min_share": ([0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 1.0], ["palm.accuracy"]),
    "palm.head_touch_max_abs_facing": ([0.0, 0.1, 0.2, 0.3, 0.4, 0.6], ["palm.accuracy"]),
    "palm.head_touch_max_gap_iod": ([0.0, 0.5, 0.8, 1.0, 1.5, 3.0], ["palm.accuracy"]),
}


class MemorySource:
    """Keeps every landmark sequence in memory so repeated analyses skip the disk."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._img: dict[Path, Any] = {}
        self._vid: dict[tuple[Path, float], Any] = {}

    def image(self, path: Path) -> Any:
        """Landmarks of a still (memoised)."""
        if path not in self._img:
            self._img[path] = self.inner.image(path)
        return self._img[path]

    def video(self, path: Path, until_ms: float) -> Any:
        """Landmarks of a clip prefix (memoised)."""
        key = (path, until_ms)
        if key not in self._vid:
            self._vid[key] = self.inner.video(path, until_ms)
        return self._vid[key]


def main(argv: list[str]) -> int:
    """Command line."""
    if not argv:
        print(__doc__)
        return 2
    from bodycoach.analysis import Analyzer
    from bodycoach.apps.cmd_evaluate import default_cache_dir
    from bodycoach.config import load_config
    from bodycoach.evaluate import LandmarkSource, headline, load_dataset, predict, score

    ds = load_dataset(argv[0])
    names = argv[1:] or list(SWEEPS)
    base = load_config()
    src = MemorySource(LandmarkSource(default_cache_dir()))
    for name in names:
        values, figures = SWEEPS[name]
        section, key = name.split(".")
        current = getattr(getattr(base, section), key)
        print(f"\n{name} (now {current})")
        for v in values:
            cfg = replace(base, **{section: replace(getattr(base, section), **{key: type(current)(v)})})
            figs = headline(score(predict(ds, src, lambda cfg=cfg: Analyzer(config=cfg))))
            mark = "  <- shipped" if float(v) == float(current) else ""
            print(f"  {v:>8}  " + "  ".join(f"{f}={figs.get(f, float('nan')):.3f}" for f in figures) + mark)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
