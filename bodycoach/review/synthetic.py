"""Synthetic sessions for tests and benchmarks (no MediaPipe, no video).

The labels follow a fixed schedule of a few seconds per label, so timelines, scorecards and reports
have something to show; they are not a model of real behaviour.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bodycoach.types import (
    ArmsPose,
    Behaviour,
    Classification,
    EyeContact,
    Features,
    FeedbackEvent,
    FrameResult,
    HandsPose,
    HeadPose,
    Landmarks,
    SmileType,
)

PHASES = ("reception", "problem_solving", "confirmation", "farewell")


def make_landmarks(ts: int, *, rng: np.random.Generator | None = None, hands: bool = True) -> Landmarks:
    """A plausible person: pose, face and (optionally) hands with random jitter."""
    rng = rng or np.random.default_rng(ts)
    pose = np.zeros((33, 4), np.float32)
    pose[:, 0] = 0.5 + rng.normal(0, 0.12, 33)
    pose[:, 1] = np.linspace(0.15, 0.95, 33)
    pose[:, 3] = 0.9
    face = np.zeros((478, 4), np.float32)
    ang = np.linspace(0, 2 * np.pi, 478)
    face[:, 0] = 0.5 + 0.08 * np.cos(ang)
    face[:, 1] = 0.3 + 0.1 * np.sin(ang)
    face[:, 3] = 1.0
    lh = rh = None
    if hands:
        lh = np.zeros((21, 4), np.float32)
        lh[:, 0] = 0.65 + rng.normal(0, 0.02, 21)
        lh[:, 1] = 0.75 + rng.normal(0, 0.02, 21)
        lh[:, 3] = 1.0
        rh = lh.copy()
        rh[:, 0] = 0.35
    return Landmarks(ts, (1280, 720), pose=pose, face=face, left_hand=lh, right_hand=rh, num_faces=1)


def label_schedule(i: int, n: int) -> dict[Behaviour, str]:
    """Deterministic labels for frame ``i`` of ``n``: blocks of a few seconds per label."""
    eye = [EyeContact.LENS, EyeContact.LENS, EyeContact.SCREEN, EyeContact.AWAY][(i // 25) % 4]
    smile = [SmileType.WARM, SmileType.NONE, SmileType.OPEN, SmileType.NONE, SmileType.FORCED][(i // 40) % 5]
    arms = [ArmsPose.EXTENDED, ArmsPose.CROSSED_CHEST, ArmsPose.EXTENDED, ArmsPose.DOWN][(i // 60) % 4]
    hands = [HandsPose.OPEN, HandsPose.TOGETHER, HandsPose.NOT_VISIBLE][(i // 35) % 3]
    head = [HeadPose.UPRIGHT, HeadPose.UPRIGHT, HeadPose.PROPPED, HeadPose.TURNED][(i // 50) % 4]
    out = {Behaviour.EYE_CONTACT: str(eye), Behaviour.SMILE: str(smile), Behaviour.ARMS: str(arms),
           Behaviour.HANDS: str(hands), Behaviour.HEAD: str(head)}
    if i % 97 == 5:  # a few frames with no evidence
        out = {b: "unknown" for b in out}
    return out


def make_result(ts: int, labels: dict[Behaviour, str], *, landmarks: bool = True,
                ended: tuple[FeedbackEvent, ...] = (), image_wh: tuple[int, int] | None = None) -> FrameResult:
    """A FrameResult whose per-frame labels and stable states are ``labels`` (frame size ``image_wh``)."""
    lm = make_landmarks(ts) if landmarks else Landmarks.empty(ts)
    if landmarks and image_wh is not None:
        import dataclasses

        lm = dataclasses.replace(lm, image_wh=image_wh)
    classes = {b: Classification(b, lab, 0.5 + 0.4 * ((ts // 200) % 2), ts) for b, lab in labels.items()}
    states = {b: lab for b, lab in labels.items() if lab != "unknown"}
    return FrameResult(landmarks=lm, features=Features.empty(ts), classifications=classes, states=states,
                       ended=ended)


def synthetic_session(store: Any, n: int = 300, step_ms: int = 200, *, trainee: str = "Kari",
                      scenario: str | None = "rude", landmarks: bool = True, close: bool = True,
                      started_at: str | None = None, video_path: Path | None = None,
                      image_wh: tuple[int, int] | None = None) -> int:
    """Write a synthetic session of ``n`` frames every ``step_ms`` with phases and events; return its id."""
    writer = store.create_session(trainee=trainee, scenario=scenario, source="synthetic", calibration=None,
                                  video_path=video_path, started_at=started_at)
    prev: dict[Behaviour, str] = {}
    starts: dict[Behaviour, int] = {}
    events: list[FeedbackEvent] = []
    for i in range(n):
        ts = i * step_ms
        labels = label_schedule(i, n)
        ended = []
        for b, lab in labels.items():
            if prev.get(b) != lab:
                if b in prev and prev[b] != "unknown":
                    ended.append(FeedbackEvent(b, prev[b], starts[b], ts, 0.8))
                starts[b] = ts
        prev = labels
        events.extend(ended)
        phase = PHASES[min(len(PHASES) - 1, i * len(PHASES) // n)]
        writer.add_frame(make_result(ts, labels, landmarks=landmarks, ended=tuple(ended), image_wh=image_wh),
                         phase=phase)
    if close:
        writer.add_events(events)
        writer.close(duration_s=n * step_ms / 1000.0)
    return int(writer.session_id)
