"""Where the ``[view]`` thresholds come from: the view measurements of every labelled dev row.

    python calibration/view_stats.py ../shared/data/dev

Prints, per ``arms`` label (``unclear`` = the arms are out of frame or cannot be told), how many rows
there are, how many have a hand in the picture, and the range of ``view_below_shoulders_sw`` (picture
height below the shoulder line, shoulder widths) and elbows in the picture, then the view each row gets.
Rows with their arms labelled must come out ``counter`` or ``more`` unless a hand is in the picture (which
keeps the arms judged); the talking-head clips' frames must stay below ``counter``. Landmarks come from
the ``bodycoach evaluate`` cache (run it once first).
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from pathlib import Path


def main(root: str) -> None:
    from bodycoach.classifiers.view import classify_view
    from bodycoach.config import load_config
    from bodycoach.evaluate import LandmarkSource, load_dataset
    from bodycoach.features.view import view_measures

    t = load_config().view
    ds = load_dataset(root)
    src = LandmarkSource(Path.home() / ".cache" / "bodycoach" / "evaluate")
    clips: dict[str, list] = {}
    groups: dict[tuple[str, bool], list[dict[str, float]]] = defaultdict(list)
    views: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ds.rows:
        if r.video:
            if r.video not in clips:
                times = [x.frame_time_s * 1000 for x in ds.rows if x.video == r.video]
                clips[r.video] = src.video(ds.root / r.video, max(times))
            lm = min(clips[r.video], key=lambda lm, t_ms=r.frame_time_s * 1000: abs(lm.timestamp_ms - t_ms))
        else:
            lm = src.image(ds.root / r.file)
        m = view_measures(lm, t.min_visibility, t.edge_margin_frac)
        arms = r.labels["arms"] or "unclear"
        groups[(arms, m["view_hands_seen"] > 0)].append(m)
        views[f"{arms}{' (video)' if r.video else ''}"][str(classify_view(m, t))] += 1
    print(f"{'arms label':<15}{'hand':>5}{'rows':>6}  below_shoulders_sw min..max   elbows in picture")
    for (arms, hand), ms in sorted(groups.items()):
        below = [m["view_below_shoulders_sw"] for m in ms if math.isfinite(m["view_below_shoulders_sw"])]
        rng = f"{min(below):.2f}..{max(below):.2f}" if below else "-"
        el = Counter(int(m["view_elbows_seen"]) for m in ms)
        print(f"{arms:<15}{'yes' if hand else 'no':>5}{len(ms):>6}  {rng:<28} {dict(sorted(el.items()))}")
    print("\nview per arms label:")
    for k, c in sorted(views.items()):
        print(f"  {k:<22} {dict(c)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/dev")
