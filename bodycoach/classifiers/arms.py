"""Arms per frame: hidden, crossed (chest / counter), extended on the counter, hanging down, or other.

"Extended" = slightly extended on the counter, the guide's ideal. Rules on shoulder-normalised pose
features (see ``features/body.py``), and one on the hand model: in close-ups with the forearms folded under
the chin the pose only guesses the arms (it often takes the forearms for the shoulders), but the hand
lying flat just below the chin is seen (``chin_hand_*`` in ``features/hands.py``).
"""

from __future__ import annotations

import math

from bodycoach.classifiers.common import make, margin_score
from bodycoach.config import ArmsConfig, QualityConfig
from bodycoach.types import ArmsPose, Behaviour, Classification, Features


def chin_rest(f: Features, t: ArmsConfig) -> bool:
    """Whether a hand lies flat just below the chin (forearms folded under it); False when not measured."""
    width, ratio = f.get("chin_hand_width_iod"), f.get("chin_hand_height_ratio")
    below, side = f.get("chin_hand_below_iod"), f.get("chin_hand_side_iod")
    # NaN fails every comparison, so an unmeasured outline is never a chin rest.
    return bool(width >= t.chin_rest_min_width_iod and ratio <= t.chin_rest_max_height_ratio
                and t.chin_rest_min_below_iod <= below <= t.chin_rest_max_below_iod
                and abs(side) <= t.chin_rest_max_side_iod)


def tucked_hand(f: Features, t: ArmsConfig) -> bool:
    """Whether a hand lies at the *other* arm's elbow (its side told by its 3-D finger curl); False if unmeasured.

    The pose's wrists fail in crossed arms (it often puts a wrist at its own elbow); a hand the hand model
    finds tucked at an elbow is the other arm's when its fingers curl like that hand's.
    """
    g = f.get
    for side, other in (("l", "r"), ("r", "l")):
        curl = g(f"{side}_hand_curl_hl")
        own, far = g(f"{side}_hand_own_elbow_sw"), g(f"{side}_hand_other_elbow_sw")
        if curl >= t.tucked_hand_min_curl_hl:  # the assigned side: the other elbow is the opposite one
            dist, rest, elbow = far, own, other
        elif curl <= -t.tucked_hand_min_curl_hl:  # the other hand: the assigned side's elbow is its opposite
            dist, rest, elbow = own, far, side
        else:
            continue
        if (dist <= t.tucked_hand_max_elbow_sw and dist < rest
                and g(f"{elbow}_elbow_vis") >= t.hidden_max_visibility):
            return True
    return False


def classify_arms(f: Features, t: ArmsConfig, q: QualityConfig) -> Classification:
    """Arm position of one frame; ``unknown`` when neither the shoulders nor a chin rest are measurable."""
    ts = f.timestamp_ms
    if chin_rest(f, t):
        # Forearms folded on the table under the chin: seen directly, so it outranks the pose's guess.
        score = margin_score(f.get("chin_hand_height_ratio"), t.chin_rest_max_height_ratio, 0.2)
        return make(Behaviour.ARMS, ArmsPose.CROSSED_TABLE, score, ts)
    if not math.isfinite(f.get("shoulder_width_px")):
        return Classification.unknown(Behaviour.ARMS, ts)
    g = f.get
    if tucked_hand(f, t) and not g("wrist_cross_elbow_sw") <= t.crossed_wrist_elbow_sw:
        ups_m = (g("l_wrist_up_sw") + g("r_wrist_up_sw")) / 2
        label = ArmsPose.CROSSED_TABLE if ups_m < t.crossed_chest_min_up_sw else ArmsPose.CROSSED_CHEST
        return make(Behaviour.ARMS, label, 0.6, ts)
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
