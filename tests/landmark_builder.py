"""``make_landmarks(...)``: hand-built landmarks for unit tests.

The face is a real neutral, frontal MediaPipe mesh (``tests/data/dev_face_neutral.npz``, derived from a
GENKI-4K image), frontalised into reference units and then edited and posed on purpose: mouth corners
raised (``smile``), lips parted (``lip_gap``), one corner only (``asym``), irises shifted (``iris_h``),
lids narrowed (``eye_open``), head rotated (``yaw_deg``/``pitch_deg``/``roll_deg``). The body is a real pose
with hands (``tests/data/dev_body_extended.npz``, forearms on a desk, palms up) re-posed for crossed,
hanging or hidden arms and a hand propping the chin.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from bodycoach.features.extract import load_face_reference
from bodycoach.features.face import fit_pose, frontalise
from bodycoach.features.geometry import to_pixels
from bodycoach.landmarks.recording import load_landmarks
from bodycoach.types import Landmarks

DATA = Path(__file__).resolve().parent / "data"
WH = (1280, 720)
LOWER_LIP = (14, 87, 178, 88, 95, 317, 402, 318, 324, 17, 84, 181, 91, 146, 314, 405, 321, 375, 15, 16, 86, 316)
R_CORNER = (61, 76, 62, 78, 146, 185)
L_CORNER = (291, 306, 292, 308, 375, 409)


@lru_cache(maxsize=1)
def canonical_face() -> np.ndarray:
    """The neutral mesh in reference units (inter-ocular distance 1, frontal)."""
    lm = load_landmarks(DATA / "dev_face_neutral.npz")[0]
    p = to_pixels(lm.face, lm.image_wh)
    return frontalise(p, fit_pose(p, load_face_reference()))


@lru_cache(maxsize=1)
def body() -> Landmarks:
    """The real body frame."""
    return load_landmarks(DATA / "dev_body_extended.npz")[0]


def rotation(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """R = Ry(yaw) Rx(pitch) Rz(roll) in image axes; ``pitch_deg`` > 0 = chin up (feature convention)."""
    y, p, r = (math.radians(a) for a in (yaw_deg, -pitch_deg, roll_deg))
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return ry @ rx @ rz


def make_face(*, yaw_deg: float = 0.0, pitch_deg: float = 0.0, roll_deg: float = 0.0, smile: float = 0.0,
              lip_gap: float = 0.0, asym: float = 0.0, iris_h: float = 0.0, eye_open: float = 1.0,
              cheek: float = 0.0, centre_px: tuple[float, float] = (640.0, 300.0), iod_px: float = 60.0,
              image_wh: tuple[int, int] = WH) -> np.ndarray:
    """A (478, 4) normalised face mesh with the requested edits (distances in inter-ocular units)."""
    x = canonical_face().copy()
    for i in R_CORNER:
        x[i, 1] -= smile
        x[i, 0] -= 0.4 * smile
    for i in L_CORNER:
        x[i, 1] -= smile + asym
        x[i, 0] += 0.4 * smile
    for i in LOWER_LIP:
        x[i, 1] += lip_gap
    # Cheek raise: lower lids move up toward the brows (shortens lid-to-corner distance).
    for i in (145, 153, 144, 374, 380, 373):
        x[i, 1] -= cheek
    width = float(np.linalg.norm(x[133] - x[33]))
    x[468:473, 0] += iris_h * width
    x[473:478, 0] += iris_h * width
    for top, bottom in ((159, 145), (386, 374), (158, 153), (385, 380), (160, 144), (387, 373)):
        mid = (x[top, 1] + x[bottom, 1]) / 2
        x[top, 1] = mid + (x[top, 1] - mid) * eye_open
        x[bottom, 1] = mid + (x[bottom, 1] - mid) * eye_open
    rot = rotation(yaw_deg, pitch_deg, roll_deg)
    px = iod_px * (rot @ x.T).T
    px[:, 0] += centre_px[0]
    px[:, 1] += centre_px[1]
    w, h = image_wh
    out = np.ones((478, 4), dtype=np.float32)
    out[:, 0] = px[:, 0] / w
    out[:, 1] = px[:, 1] / h
    out[:, 2] = px[:, 2] / w
    return out


def make_landmarks(ts: int = 0, *, face: bool = True, pose: bool = True, hands: bool = True,
                   arms: str = "extended", prop_chin: bool = False, mirrored: bool = False,
                   **face_kw: float) -> Landmarks:
    """Hand-built landmarks of one frame.

    Args:
        ts: Timestamp in ms.
        face: Include the face mesh (edited by ``face_kw``, see :func:`make_face`).
        pose: Include the body.
        hands: Include the hand-model hands.
        arms: "extended" (as recorded), "crossed", "down" (hanging, hands seen), "hidden" (below the frame).
        prop_chin: Move the left hand so its fingers touch the chin.
        mirrored: Return the horizontally flipped view (x → 1 − x; "left" stays the person's left).
    """
    b = body()
    wh = b.image_wh
    p = b.pose.copy() if b.pose is not None else None
    lh = b.left_hand.copy() if b.left_hand is not None else None
    rh = b.right_hand.copy() if b.right_hand is not None else None
    assert p is not None and lh is not None and rh is not None
    if arms in ("down", "hidden"):
        # The recorded presenter sits low in the frame; lift the body so hanging arms stay in view.
        dy = 0.3 - float(p[11, 1])
        p[:, 1] += dy
        lh[:, 1] += dy
        rh[:, 1] += dy
    f = None
    if face:
        nose = (float(p[0, 0]) * wh[0], float(p[0, 1]) * wh[1])
        f = make_face(centre_px=(nose[0], nose[1] - 10), iod_px=67.0, image_wh=wh, **face_kw)

    def move_hand(hand: np.ndarray, to_xy: np.ndarray) -> np.ndarray:
        out = hand.copy()
        out[:, :2] += to_xy - hand[0, :2]
        return out

    ls, rs, le, re_, lw, rw = 11, 12, 13, 14, 15, 16
    sw = p[ls, :2] - p[rs, :2]  # right shoulder → left shoulder (normalised)
    if arms == "crossed":
        p[lw, :2] = p[re_, :2] + np.array([0.0, -0.01])
        p[rw, :2] = p[le, :2] + np.array([0.0, -0.01])
        p[le, 1] = p[re_, 1] = p[lw, 1] + 0.02
        for a, w in ((17, lw), (19, lw), (21, lw), (18, rw), (20, rw), (22, rw)):
            p[a, :2] = p[w, :2]
        lh, rh = move_hand(lh, p[lw, :2]), move_hand(rh, p[rw, :2])
    elif arms in ("down", "hidden"):
        # Upper arm and forearm each ~0.65 shoulder widths long, straight down (stays inside the frame).
        down = np.array([0.0, abs(float(sw[0])) * 0.65 * wh[0] / wh[1]])
        p[le, :2] = p[ls, :2] + down + np.array([0.02, 0])
        p[re_, :2] = p[rs, :2] + down - np.array([0.02, 0])
        p[lw, :2] = p[le, :2] + down
        p[rw, :2] = p[re_, :2] + down
        for a, w in ((17, lw), (19, lw), (21, lw), (18, rw), (20, rw), (22, rw)):
            p[a, :2] = p[w, :2] + np.array([0, 0.02])
        lh, rh = move_hand(lh, p[lw, :2]), move_hand(rh, p[rw, :2])
        if arms == "hidden":
            lh = rh = None
            for i in (13, 14, 15, 16, 17, 18, 19, 20, 21, 22):
                p[i, 3] = 0.05
    if prop_chin and f is not None and lh is not None:
        chin = f[152, :2]
        lh = lh.copy()
        lh[:, :2] += chin - lh[8, :2] + np.array([0.0, 0.005])
        p[lw, :2] = lh[0, :2]
    if not hands:
        lh = rh = None
    lm = Landmarks(timestamp_ms=ts, image_wh=wh, pose=p if pose else None, face=f, left_hand=lh,
                   right_hand=rh, pose_world=None, num_faces=1 if face else 0)
    return mirror(lm) if mirrored else lm


def mirror(lm: Landmarks) -> Landmarks:
    """The horizontally flipped view of ``lm`` (the person's left stays ``left``)."""
    def flip(a: np.ndarray | None) -> np.ndarray | None:
        if a is None:
            return None
        b = a.copy()
        b[:, 0] = 1.0 - b[:, 0]
        return b

    return Landmarks(timestamp_ms=lm.timestamp_ms, image_wh=lm.image_wh, pose=flip(lm.pose), face=flip(lm.face),
                     left_hand=flip(lm.left_hand), right_hand=flip(lm.right_hand), pose_world=lm.pose_world,
                     num_faces=lm.num_faces)
