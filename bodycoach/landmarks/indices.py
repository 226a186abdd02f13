"""Indices of the pose, face-mesh and hand points bodycoach uses.

The numbers are MediaPipe's: BlazePose (33 points), the face mesh with iris refinement (478 points:
468 mesh + 10 iris) and the hand model (21 points). Face-mesh "right"/"left" follow the person in a
non-mirrored frame (the person's right eye appears on the image's left).
"""

from __future__ import annotations

from enum import IntEnum


class Pose(IntEnum):
    """BlazePose landmark indices (the person's left / right)."""

    NOSE = 0
    LEFT_EYE = 2
    RIGHT_EYE = 5
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24


class Face(IntEnum):
    """Face-mesh indices (468 mesh points + 10 iris points)."""

    FOREHEAD = 10
    NOSE_TIP = 1
    NOSE_BRIDGE = 168
    CHIN = 152
    RIGHT_FACE_EDGE = 234
    LEFT_FACE_EDGE = 454
    RIGHT_EYE_OUTER = 33
    RIGHT_EYE_INNER = 133
    RIGHT_EYE_TOP = 159
    RIGHT_EYE_BOTTOM = 145
    LEFT_EYE_INNER = 362
    LEFT_EYE_OUTER = 263
    LEFT_EYE_TOP = 386
    LEFT_EYE_BOTTOM = 374
    RIGHT_BROW_INNER = 55
    RIGHT_BROW_MID = 105
    LEFT_BROW_INNER = 285
    LEFT_BROW_MID = 334
    MOUTH_RIGHT = 61
    MOUTH_LEFT = 291
    UPPER_LIP_TOP = 0
    UPPER_LIP_INNER = 13
    LOWER_LIP_INNER = 14
    LOWER_LIP_BOTTOM = 17
    RIGHT_NOSE_WING = 98
    LEFT_NOSE_WING = 327
    RIGHT_UPPER_LIP_SIDE = 40
    LEFT_UPPER_LIP_SIDE = 270
    RIGHT_CHEEK = 205
    LEFT_CHEEK = 425
    RIGHT_IRIS = 468
    LEFT_IRIS = 473


# Rigid upper-face points for head pose: they move with the skull, not with the mouth, brows or lids.
HEAD_POSE_POINTS: tuple[int, ...] = (
    10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1,  # midline: forehead, nose bridge, nose
    33, 133, 362, 263,  # eye corners
    234, 454, 127, 356, 93, 323,  # face contour at eye / cheekbone height
    21, 251, 54, 284, 103, 332,  # temples / upper forehead
    116, 345, 50, 280, 36, 266,  # cheekbones
)


class Hand(IntEnum):
    """Hand landmark indices."""

    WRIST = 0
    THUMB_TIP = 4
    INDEX_MCP = 5
    INDEX_TIP = 8
    MIDDLE_MCP = 9
    MIDDLE_TIP = 12
    RING_MCP = 13
    PINKY_MCP = 17
    PINKY_TIP = 20
