"""Hands per frame: palm vs back of the most visible hand, and hands open / together / not visible.

Palm vs back is the sign of ``palm_facing`` (the winding of the hand's knuckles with the hand's side, see
``features/hands.py``). Four overrides by where the hand was (folded into crossed arms, over the face, on
the head, a 3-D curl flip) rested on 1-3 dev rows from one source each and were removed.
"""

from __future__ import annotations

import math

from bodycoach.classifiers.common import make, margin_score
from bodycoach.config import HandsConfig, PalmConfig
from bodycoach.types import Behaviour, Classification, Features, HandsPose, PalmSide

def classify_palm(f: Features, t: PalmConfig, arms: Classification | None = None) -> Classification:
    """Palm or back of the most visible hand; not_visible without hands.

    Args:
        f: The frame's features.
        t: Thresholds.
        arms: This frame's arms classification, or None (not read since the crossed-arms rule was removed;
            kept for the callers).
    """
    ts = f.timestamp_ms
    g = f.get
    hands = g("hands_visible")
    if not math.isfinite(hands) or (hands < 1 and not math.isfinite(g("shoulder_width_px"))):
        # No hand and no body either: nothing says whether hands are there.
        return Classification.unknown(Behaviour.PALM, ts)
    pf = g("palm_facing")
    if not math.isfinite(pf):
        return make(Behaviour.PALM, PalmSide.NOT_VISIBLE, 0.8, ts)
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
