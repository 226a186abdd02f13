"""Hands per frame: palm vs back of the most visible hand, and hands open / together / not visible.

Palm vs back is the sign of ``palm_facing`` (the winding of the hand's knuckles, see ``features/hands.py``),
qualified by where the hand is: hands folded into crossed arms, a hand over the face and a hand on the head
all have the palm against the body, so the camera sees the back.
"""

from __future__ import annotations

import math

from bodycoach.classifiers.common import make, margin_score
from bodycoach.config import HandsConfig, PalmConfig
from bodycoach.types import ArmsPose, Behaviour, Classification, Features, HandsPose, PalmSide

_CROSSED = (ArmsPose.CROSSED_CHEST.value, ArmsPose.CROSSED_TABLE.value)


def folded_in_crossed_arms(f: Features, t: PalmConfig, arms: Classification | None) -> bool:
    """Crossed arms with the hands out of the hand model's sight or curled: the fingers wrap the upper arms
    and show their backs."""
    return (arms is not None and arms.label in _CROSSED
            and not f.get("palm_finger_ext_hl") > t.crossed_max_finger_ext_hl)


def curled_like_other_hand(f: Features, t: PalmConfig) -> bool:
    """The fingers curl like the other hand's (3-D): the pose gave this hand the wrong side."""
    return f.get("palm_curl_hl") <= -t.flip_min_curl_hl


def covers_face(f: Features, t: PalmConfig) -> bool:
    """A hand over the face has its palm toward it."""
    return f.get("palm_face_overlap_share") >= t.face_cover_min_share


def on_head_edge_on(f: Features, t: PalmConfig, pf: float) -> bool:
    """A hand on the head, edge-on: the palm rests on the head."""
    return (f.get("palm_face_gap_iod") <= t.head_touch_max_gap_iod
            and f.get("palm_above_eyes_iod") >= t.head_touch_min_above_eyes_iod and abs(pf) < t.head_touch_max_abs_facing)


def classify_palm(f: Features, t: PalmConfig, arms: Classification | None = None) -> Classification:
    """Palm or back of the most visible hand; not_visible without hands.

    Args:
        f: The frame's features.
        t: Thresholds.
        arms: This frame's arms classification (crossed arms fold the hands in), or None.
    """
    ts = f.timestamp_ms
    g = f.get
    hands = g("hands_visible")
    if not math.isfinite(hands) or (hands < 1 and not math.isfinite(g("shoulder_width_px"))):
        # No hand and no body either: nothing says whether hands are there.
        return Classification.unknown(Behaviour.PALM, ts)
    if folded_in_crossed_arms(f, t, arms):
        return make(Behaviour.PALM, PalmSide.BACK, 0.7, ts)
    pf = g("palm_facing")
    if not math.isfinite(pf):
        return make(Behaviour.PALM, PalmSide.NOT_VISIBLE, 0.8, ts)
    if curled_like_other_hand(f, t):
        pf = -pf
    if covers_face(f, t):
        return make(Behaviour.PALM, PalmSide.BACK, 0.7, ts)
    if on_head_edge_on(f, t, pf):
        return make(Behaviour.PALM, PalmSide.BACK, 0.6, ts)
    if abs(pf) < t.min_abs_facing:
        return Classification.unknown(Behaviour.PALM, ts)  # edge-on: neither side faces the camera
    label = PalmSide.PALM if pf > 0 else PalmSide.BACK
    return make(Behaviour.PALM, label, margin_score(pf, 0.0, 0.6), ts)


def classify_hands(f: Features, t: HandsConfig) -> Classification:
    """Hands together (close to each other) or open; not_visible when no hand is seen."""
    ts = f.timestamp_ms
    hands = f.get("hands_visible")
    if not math.isfinite(hands) or (hands < 1 and not math.isfinite(f.get("shoulder_width_px"))):
        return Classification.unknown(Behaviour.HANDS, ts)
    if hands < 1:
        return make(Behaviour.HANDS, HandsPose.NOT_VISIBLE, 0.8, ts)
    gap = f.get("hand_gap_sw")
    if hands >= 2 and math.isfinite(gap) and gap <= t.together_gap_sw:
        return make(Behaviour.HANDS, HandsPose.TOGETHER, margin_score(gap, t.together_gap_sw, 0.3), ts)
    return make(Behaviour.HANDS, HandsPose.OPEN, margin_score(gap, t.together_gap_sw, 0.3) if math.isfinite(gap)
                else 0.6, ts)


class PalmClassifier:
    """Binds thresholds to :func:`classify_palm`."""

    def __init__(self, t: PalmConfig) -> None:
        self.t = t

    def __call__(self, f: Features, arms: Classification | None = None) -> Classification:
        """Classify one frame (``arms``: the frame's arms classification, when known)."""
        return classify_palm(f, self.t, arms)


class HandsClassifier:
    """Binds thresholds to :func:`classify_hands`."""

    def __init__(self, t: HandsConfig) -> None:
        self.t = t

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_hands(f, self.t)
