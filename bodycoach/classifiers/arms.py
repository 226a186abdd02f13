"""Arms per frame: hidden, crossed (chest / counter), extended on the counter, hanging down, or other.

"Extended" = slightly extended on the counter, the guide's ideal. Rules on shoulder-normalised pose
features (see ``features/body.py``). Two hand-model rules (forearms folded under the chin, a hand tucked at
the other elbow) rested on 3 and 1 dev rows from one source each and were removed (calibration/README.md).
"""

from __future__ import annotations

import math

from bodycoach.classifiers.common import make, margin_score
from bodycoach.config import ArmsConfig, QualityConfig
from bodycoach.types import ArmsPose, Behaviour, Classification, Features


def classify_arms(f: Features, t: ArmsConfig, q: QualityConfig) -> Classification:
    """Arm position of one frame; ``unknown`` when the shoulders are not measurable."""
    ts = f.timestamp_ms
    if not math.isfinite(f.get("shoulder_width_px")):
        return Classification.unknown(Behaviour.ARMS, ts)
    g = f.get
    wrist_seen = [g(f"{s}_wrist_vis") >= t.hidden_max_visibility and g(f"{s}_wrist_in_frame") > 0.5 for s in "lr"]
    elbow_seen = [g(f"{s}_elbow_vis") >= t.hidden_max_visibility for s in "lr"]
    if not any(wrist_seen):
        # Shoulders in view but neither forearm: the arms are kept out of sight (or below the frame).
        vis = max(g("l_wrist_vis"), g("r_wrist_vis"))
        return make(Behaviour.ARMS, ArmsPose.HIDDEN, 1.0 - 0.5 * vis if any(elbow_seen) else 0.9, ts)
    outs = [g("l_wrist_out_sw"), g("r_wrist_out_sw")]
    verts = [g("l_forearm_vert_deg"), g("r_forearm_vert_deg")]
    ups = [g("l_wrist_up_sw"), g("r_wrist_up_sw")]
    if not all(math.isfinite(v) for v in (*outs, *verts, *ups)):
        return Classification.unknown(Behaviour.ARMS, ts)
    mean_vert = (verts[0] + verts[1]) / 2
    mean_up = (ups[0] + ups[1]) / 2
    cross = g("wrist_cross_elbow_sw")
    if math.isfinite(cross) and cross <= t.crossed_wrist_elbow_sw and mean_vert <= t.extended_max_vert_deg:
        score = margin_score(cross, t.crossed_wrist_elbow_sw, 0.3)
        if mean_up >= t.crossed_chest_min_up_sw:
            return make(Behaviour.ARMS, ArmsPose.CROSSED_CHEST, score, ts)
        return make(Behaviour.ARMS, ArmsPose.CROSSED_TABLE, score, ts)
    hands = g("hands_visible")
    if mean_vert >= t.down_min_vert_deg and max(ups) <= t.down_max_wrist_up_sw:
        # Pose extrapolates wrists below the frame edge; without any detected hand they are out of sight.
        label = ArmsPose.DOWN if hands >= 1 else ArmsPose.HIDDEN
        return make(Behaviour.ARMS, label, margin_score(mean_vert, t.down_min_vert_deg, 20.0), ts)
    flat_low = mean_vert <= t.extended_max_vert_deg and mean_up <= t.extended_max_wrist_up_sw
    if all(wrist_seen) and hands >= 1 and flat_low:
        return make(Behaviour.ARMS, ArmsPose.EXTENDED, margin_score(mean_vert, t.extended_max_vert_deg, 20.0), ts)
    return make(Behaviour.ARMS, ArmsPose.OTHER, 0.6, ts)


class ArmsClassifier:
    """Binds thresholds to :func:`classify_arms`."""

    def __init__(self, t: ArmsConfig, q: QualityConfig) -> None:
        self.t, self.q = t, q

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_arms(f, self.t, self.q)
