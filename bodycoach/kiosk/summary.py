"""The kiosk's own session tally: time in each stable state per behaviour, for the summary card.

Pure and small on purpose: it keeps only per-(behaviour, label) milliseconds (a few dozen numbers), never
frames or landmarks, so nothing of the person outlives the summary screen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bodycoach.types import Behaviour, FrameResult

# A gap between two analysed frames longer than this is not counted (camera hiccup, model stall):
# 500 ms = well above the frame interval even at 5 fps, so normal frames always count.
MAX_FRAME_GAP_MS = 500


@dataclass(frozen=True)
class SummaryLine:
    """One line of the summary card.

    Attributes:
        behaviour: The area.
        area: Display name of the area.
        label: Display name of the state held longest.
        share: Share of the area's measured time in that state (0..1).
        verdict: The guide's verdict on that state (``good``/``bad``/``neutral``/``unknown``).
        measured_ms: Time the area was measurable.
    """

    behaviour: Behaviour
    area: str
    label: str
    share: float
    verdict: str
    measured_ms: int


class SessionTally:
    """Accumulates time per stable state; ``lines()`` turns it into summary lines."""

    def __init__(self) -> None:
        self._ms: dict[Behaviour, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._last_ts: int | None = None
        self.frames = 0

    def add(self, result: FrameResult) -> None:
        """Count the time since the previous frame toward this frame's stable states."""
        ts = result.timestamp_ms
        dt = 0 if self._last_ts is None else ts - self._last_ts
        self._last_ts = ts
        self.frames += 1
        if dt <= 0 or dt > MAX_FRAME_GAP_MS:
            return
        for b in Behaviour:
            label = result.state(b)
            if label != "unknown":
                self._ms[b][label] += dt

    def totals(self) -> dict[Behaviour, dict[str, int]]:
        """Milliseconds per behaviour and stable label (unknown excluded)."""
        return {b: dict(v) for b, v in self._ms.items() if v}

    def lines(self, lang: str = "no") -> list[SummaryLine]:
        """One line per measured behaviour (in ``Behaviour`` order): its longest-held state and share."""
        from bodycoach.feedback.messages import behaviour_text, label_text, verdict

        out: list[SummaryLine] = []
        for b in Behaviour:
            per = self._ms.get(b)
            if not per:
                continue
            total = sum(per.values())
            if total <= 0:
                continue
            label, ms = max(per.items(), key=lambda kv: kv[1])
            out.append(SummaryLine(b, behaviour_text(b, lang), label_text(b, label, lang), ms / total,
                                   str(verdict(b, label)), total))
        return out
