"""Core value types shared by every layer. No cv2, mediapipe or streamlit here.

Coordinate space: landmark ``x`` and ``y`` are normalised to the *input frame* (0..1 of width and
height, origin top-left, exactly as the frame was handed to the extractor, mirrored or not); ``z`` is
MediaPipe's relative depth in roughly the same scale as ``x`` (smaller = nearer the camera); the fourth
column is a confidence in 0..1 (pose visibility; 1.0 for face and hands, which report none per point).

Semantics: ``left_hand`` / pose index 11 etc. always mean the *person's* left, whatever the mirroring
(the adapter resolves it once).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

POSE_POINTS = 33
FACE_POINTS = 478  # 468 mesh points + 10 iris points (refine_landmarks=True)
HAND_POINTS = 21
# Version of the lower-face appearance vector (``Landmarks.mouth_hog``, computed in
# bodycoach/landmarks/appearance.py); recordings and fitted smile models carry it and must match.
MOUTH_HOG_VERSION = 1


def _check_points(name: str, arr: FloatArray | None, n: int) -> FloatArray | None:
    if arr is None:
        return None
    a = np.asarray(arr, dtype=np.float32)
    if a.shape != (n, 4):
        raise ValueError(f"Landmarks.{name} must have shape ({n}, 4), but got shape {a.shape}")
    if np.isnan(a[:, :2]).all():
        # An all-NaN block (as stored in .npz for "absent") is absence, not a detection.
        return None
    return a


def _check_vector(name: str, vec: FloatArray | None) -> FloatArray | None:
    if vec is None:
        return None
    v = np.asarray(vec, dtype=np.float32)
    if v.ndim != 1 or v.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, but got shape {v.shape}")
    if np.isnan(v).all():
        return None  # stored as all-NaN for "absent", like the point blocks
    return v


@dataclass(frozen=True)
class Landmarks:
    """Landmarks of one person in one frame.

    Attributes:
        timestamp_ms: Frame time in milliseconds from the start of the source (monotonic).
        image_wh: Width and height of the input frame in pixels.
        pose: (33, 4) BlazePose points or None when no body was found.
        face: (478, 4) face-mesh points with iris or None when no face was found.
        left_hand: (21, 4) points of the person's left hand or None.
        right_hand: (21, 4) points of the person's right hand or None.
        pose_world: (33, 4) BlazePose world points in metres (hip-centred) or None.
        num_faces: Faces seen in the frame (the followed person is one of them).
        mirrored: The frame was a mirrored (selfie) view, so x runs the other way round the person.
            Geometry that depends on handedness (head pose, gaze direction) should use ``true_view()``.
        mouth_hog: Appearance of the lower face: a fixed-length float32 HOG vector of the canonical
            mouth crop, computed from the pixels in the true view (``bodycoach/landmarks/appearance.py``),
            or None (no face, an old recording, a replay). Not mirrored: it already describes the true view.
    """

    timestamp_ms: int
    image_wh: tuple[int, int]
    pose: FloatArray | None = None
    face: FloatArray | None = None
    left_hand: FloatArray | None = None
    right_hand: FloatArray | None = None
    pose_world: FloatArray | None = None
    num_faces: int = 0
    mirrored: bool = False
    mouth_hog: FloatArray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pose", _check_points("pose", self.pose, POSE_POINTS))
        object.__setattr__(self, "face", _check_points("face", self.face, FACE_POINTS))
        object.__setattr__(self, "left_hand", _check_points("left_hand", self.left_hand, HAND_POINTS))
        object.__setattr__(self, "right_hand", _check_points("right_hand", self.right_hand, HAND_POINTS))
        object.__setattr__(self, "pose_world", _check_points("pose_world", self.pose_world, POSE_POINTS))
        object.__setattr__(self, "mouth_hog", _check_vector("Landmarks.mouth_hog", self.mouth_hog))

    @classmethod
    def empty(cls, timestamp_ms: int, image_wh: tuple[int, int] = (0, 0)) -> Landmarks:
        """Return the value for "nobody found" at ``timestamp_ms``."""
        return cls(timestamp_ms=timestamp_ms, image_wh=image_wh)

    def true_view(self) -> Landmarks:
        """Return these landmarks in the unmirrored view (``x → 1 - x``, world x negated) when mirrored.

        Points keep their meaning (left is the person's left either way); only the picture is flipped
        back, so rigid head-pose fits and gaze directions see a real, not a mirror-image, face.
        """
        if not self.mirrored:
            return self

        def flip(a: FloatArray | None, world: bool = False) -> FloatArray | None:
            if a is None:
                return None
            b = a.copy()
            b[:, 0] = -b[:, 0] if world else 1.0 - b[:, 0]
            return b

        return Landmarks(
            timestamp_ms=self.timestamp_ms, image_wh=self.image_wh, pose=flip(self.pose), face=flip(self.face),
            left_hand=flip(self.left_hand), right_hand=flip(self.right_hand),
            pose_world=flip(self.pose_world, world=True), num_faces=self.num_faces, mirrored=False,
            mouth_hog=self.mouth_hog,
        )

    @property
    def has_face(self) -> bool:
        """Whether a face was found."""
        return self.face is not None

    @property
    def has_pose(self) -> bool:
        """Whether a body was found."""
        return self.pose is not None

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all was found."""
        return self.pose is None and self.face is None and self.left_hand is None and self.right_hand is None


class Behaviour(StrEnum):
    """The areas of the guide that bodycoach classifies."""

    EYE_CONTACT = "eye_contact"  # per frame: lens / screen / away
    GAZE_STYLE = "gaze_style"  # over a window: warm, concentrated, wandering, defiant
    SMILE = "smile"
    ARMS = "arms"
    HANDS = "hands"  # open / together / not visible
    PALM = "palm"  # palm vs back of the most visible hand
    HEAD = "head"
    POSTURE = "posture"  # telephone practice


class EyeContact(StrEnum):
    """Where the eyes point in one frame."""

    LENS = "lens"  # looking into the camera = the customer's eyes
    SCREEN = "screen"  # looking at the calibrated work-screen zone: acceptable
    AWAY = "away"
    UNKNOWN = "unknown"


class GazeStyle(StrEnum):
    """The guide's four kinds of look, judged over a few seconds."""

    WARM = "warm"  # Varmt og direkte seende
    CONCENTRATED = "concentrated"  # Konsentrert blikk
    WANDERING = "wandering"  # Flakkende blikk
    DEFIANT = "defiant"  # Trassig blikk
    SCREEN = "screen"  # working on the screen (accepted)
    AWAY = "away"  # no eye contact
    UNKNOWN = "unknown"


class SmileType(StrEnum):
    """Smile shapes, described as observed, never as emotions."""

    NONE = "none"
    WARM = "warm"  # small, closed lips
    OPEN = "open"  # lips parted, teeth
    FORCED = "forced"  # mouth smiles without cheek raise / eye narrowing
    ONE_SIDED = "one_sided"  # smirk
    UNKNOWN = "unknown"


class ArmsPose(StrEnum):
    """Arm positions of the guide."""

    HIDDEN = "hidden"
    CROSSED_CHEST = "crossed_chest"
    CROSSED_TABLE = "crossed_table"
    EXTENDED = "extended"  # slightly extended on the counter: the ideal
    DOWN = "down"
    OTHER = "other"
    OUT_OF_VIEW = "out_of_view"  # the picture does not reach this area (see View)
    UNKNOWN = "unknown"


class HandsPose(StrEnum):
    """Hands open or together (both ideal) or not visible."""

    OPEN = "open"
    TOGETHER = "together"
    NOT_VISIBLE = "not_visible"
    OUT_OF_VIEW = "out_of_view"  # the picture does not reach this area (see View)
    UNKNOWN = "unknown"


class PalmSide(StrEnum):
    """Which side of the most visible hand faces the camera."""

    PALM = "palm"
    BACK = "back"
    NOT_VISIBLE = "not_visible"
    OUT_OF_VIEW = "out_of_view"  # the picture does not reach this area (see View)
    UNKNOWN = "unknown"


class HeadPose(StrEnum):
    """Head position categories of the guide."""

    UPRIGHT = "upright"
    PROPPED = "propped"  # resting on a hand
    TURNED = "turned"  # turned away
    UNKNOWN = "unknown"


class Posture(StrEnum):
    """Upper-body posture for telephone practice."""

    UPRIGHT = "upright"
    SLUMPED = "slumped"
    LEANING = "leaning"
    OUT_OF_VIEW = "out_of_view"  # the picture does not reach this area (see View)
    UNKNOWN = "unknown"


LABELS: dict[Behaviour, type[StrEnum]] = {
    Behaviour.EYE_CONTACT: EyeContact,
    Behaviour.GAZE_STYLE: GazeStyle,
    Behaviour.SMILE: SmileType,
    Behaviour.ARMS: ArmsPose,
    Behaviour.HANDS: HandsPose,
    Behaviour.PALM: PalmSide,
    Behaviour.HEAD: HeadPose,
    Behaviour.POSTURE: Posture,
}

UNKNOWN = "unknown"
OUT_OF_VIEW = "out_of_view"


class View(StrEnum):
    """How much of the person the camera can see (judged per frame from the landmarks, held as a state).

    Ordered from least to most: ``NONE`` < ``FACE`` < ``HEAD_SHOULDERS`` < ``COUNTER`` < ``MORE``
    (``view_rank``). ``COUNTER`` = the upper body down to the counter: both elbows and the picture below
    them, where forearms resting on a counter would lie. ``MORE`` = the hips too. Thresholds:
    ``calibration/thresholds.toml`` ``[view]``; the rule: ``bodycoach/classifiers/view.py``.
    """

    NONE = "none"  # nobody in the picture
    FACE = "face"  # a face, but not both shoulders
    HEAD_SHOULDERS = "head_shoulders"  # head and both shoulders, not the elbows
    COUNTER = "counter"  # upper body down to the counter: elbows and the counter line in the picture
    MORE = "more"  # the hips too (standing back, or a wide shot)
    UNKNOWN = "unknown"  # nothing judged yet (before the first frame)


VIEW_ORDER: tuple[View, ...] = (View.NONE, View.FACE, View.HEAD_SHOULDERS, View.COUNTER, View.MORE)

# The least view each behaviour needs to be judged at all. Below it the behaviour's label and stable state
# are ``out_of_view`` (for the behaviours whose enum has that value; the face behaviours need a face, and
# without one they are ``unknown`` as before). Arms, hands and the palm need the counter in the picture (a
# hand that is in the picture anyway is still judged: see ``Analyzer``); posture needs the shoulders.
VIEW_NEEDED: dict[Behaviour, View] = {
    Behaviour.EYE_CONTACT: View.FACE,
    Behaviour.GAZE_STYLE: View.FACE,
    Behaviour.SMILE: View.FACE,
    Behaviour.HEAD: View.FACE,
    Behaviour.ARMS: View.COUNTER,
    Behaviour.HANDS: View.COUNTER,
    Behaviour.PALM: View.COUNTER,
    Behaviour.POSTURE: View.HEAD_SHOULDERS,
}

# Behaviours that can be ``out_of_view`` (their label enum has the value).
VIEW_GATED: tuple[Behaviour, ...] = tuple(
    b for b, need in VIEW_NEEDED.items() if need not in (View.NONE, View.FACE)
)


def view_rank(view: str) -> int:
    """Position of ``view`` in ``VIEW_ORDER`` (``unknown`` and unrecognised values: -1)."""
    try:
        return VIEW_ORDER.index(View(view))
    except ValueError:
        return -1


def in_view(behaviour: Behaviour, view: str) -> bool:
    """Whether ``view`` shows enough for ``behaviour`` (``unknown`` view: True, nothing is ruled out yet)."""
    r = view_rank(view)
    return r < 0 or r >= view_rank(VIEW_NEEDED[behaviour])


@dataclass(frozen=True)
class Features:
    """Named measurements of one frame. Names carry units (``_deg``, ``_norm``, ``_ms``); NaN = not measurable.

    ``mouth_hog`` passes the landmarks' lower-face appearance vector through to the smile classifier
    (None = not available: the classifiers then use the geometry alone).
    """

    timestamp_ms: int
    values: Mapping[str, float] = field(default_factory=dict)
    mouth_hog: FloatArray | None = field(default=None, compare=False, repr=False)

    def get(self, name: str) -> float:
        """Return the value of ``name`` or NaN when it is absent."""
        v = self.values.get(name, math.nan)
        return float(v)

    @classmethod
    def empty(cls, timestamp_ms: int) -> Features:
        """Return features with nothing measurable."""
        return cls(timestamp_ms=timestamp_ms, values={})


@dataclass(frozen=True)
class Classification:
    """One behaviour's label in one frame (or window) with a score in 0..1."""

    behaviour: Behaviour
    label: str
    score: float
    timestamp_ms: int

    @property
    def is_unknown(self) -> bool:
        """Whether the evidence was missing."""
        return self.label == UNKNOWN

    @classmethod
    def unknown(cls, behaviour: Behaviour, timestamp_ms: int) -> Classification:
        """Return the ``unknown`` classification of ``behaviour``."""
        return cls(behaviour=behaviour, label=UNKNOWN, score=0.0, timestamp_ms=timestamp_ms)


@dataclass(frozen=True)
class FeedbackEvent:
    """A stable state with a start and (once closed) an end, in milliseconds."""

    behaviour: Behaviour
    label: str
    start_ms: int
    end_ms: int | None = None
    peak_score: float = 0.0

    @property
    def duration_ms(self) -> int | None:
        """Length of a closed event or None while it is open."""
        return None if self.end_ms is None else self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "behaviour": str(self.behaviour),
            "label": self.label,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "peak_score": round(float(self.peak_score), 4),
        }


@dataclass(frozen=True)
class FrameResult:
    """Everything one pipeline step produced. The UI and the renderer consume only this.

    Attributes:
        landmarks: What perception found.
        features: Measurements derived from the landmarks.
        classifications: Per-frame labels, one per behaviour.
        states: Stable (debounced) labels, one per behaviour; ``unknown`` until one has settled.
        started: Events that started at this step.
        ended: Events that ended at this step (with ``end_ms`` set).
        view: Stable (debounced) view of the camera, a ``View`` value: what every surface shows and what
            decides ``out_of_view`` (``unknown`` before the first frame).
        frame_view: This frame's own view judgement (for the timeline and debugging only).
    """

    landmarks: Landmarks
    features: Features
    classifications: Mapping[Behaviour, Classification]
    states: Mapping[Behaviour, str]
    started: tuple[FeedbackEvent, ...] = ()
    ended: tuple[FeedbackEvent, ...] = ()
    view: str = UNKNOWN
    frame_view: str = UNKNOWN

    @property
    def timestamp_ms(self) -> int:
        """Frame time in milliseconds."""
        return self.landmarks.timestamp_ms

    def label(self, behaviour: Behaviour) -> str:
        """Per-frame label of ``behaviour`` (``unknown`` when absent)."""
        c = self.classifications.get(behaviour)
        return UNKNOWN if c is None else c.label

    def state(self, behaviour: Behaviour) -> str:
        """Stable label of ``behaviour`` (``unknown`` when none has settled)."""
        return self.states.get(behaviour, UNKNOWN)

    def in_view(self, behaviour: Behaviour) -> bool:
        """Whether ``behaviour`` is in the picture: its stable state is not ``out_of_view``."""
        return self.states.get(behaviour, UNKNOWN) != OUT_OF_VIEW
