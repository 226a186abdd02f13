"""What the camera can see, per frame: none / face / head and shoulders / counter / more.

Rule on ``bodycoach.features.view.view_measures`` (thresholds ``calibration/thresholds.toml`` ``[view]``):

- ``none``: no face and no pose shoulder seen;
- ``face``: a face (or one shoulder) but not both shoulders, or both only at the very bottom edge (the
  picture reaching less than ``head_shoulders_min_below_sw`` below the shoulder line: no upper chest in
  view, so neither the shoulders' height nor a slump can be read);
- ``head_shoulders``: both shoulders seen with the upper chest, but not the elbows with the picture
  reaching the counter;
- ``counter``: both shoulders, at least ``min_elbows_seen`` elbows inside the picture, and the picture
  reaching at least ``counter_min_below_shoulders_sw`` shoulder widths below the shoulder line (where a
  counter and forearms resting on it lie);
- ``more``: ``counter`` plus both hips seen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bodycoach.config import ViewConfig
from bodycoach.types import View


def classify_view(m: Mapping[str, float], t: ViewConfig) -> View:
    """The view of one frame from its view measurements (missing values count as not seen)."""

    def g(name: str) -> float:
        v = m.get(name, math.nan)
        return float(v) if v == v else 0.0  # NaN → 0: not seen

    shoulders = g("view_shoulders_seen")
    if shoulders < 2:
        return View.FACE if (g("view_face") >= 1 or shoulders >= 1) else View.NONE
    below = float(m.get("view_below_shoulders_sw", math.nan))
    if not below >= t.head_shoulders_min_below_sw:  # NaN too
        return View.FACE
    counter = g("view_elbows_seen") >= t.min_elbows_seen and below >= t.counter_min_below_shoulders_sw
    if not counter:
        return View.HEAD_SHOULDERS
    return View.MORE if g("view_hips_seen") >= 2 else View.COUNTER


__all__ = ["classify_view"]
