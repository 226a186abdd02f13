"""Draw a :class:`~bodycoach.types.FrameResult` onto a video frame: thin landmarks, state badges, the cue.

The renderer never decides anything: it only reads the stable states, the landmarks and the cue it is
given. Text goes through Pillow with DejaVu Sans (see :mod:`bodycoach.render.fonts`) because
``cv2.putText`` cannot draw æ, ø and å. Rendered text is cached as small alpha masks keyed by
(text, size), so a cue or badge that stays on screen costs only an alpha blend per frame.

Copies: :func:`annotate` draws onto a copy and leaves the input untouched (``inplace=True`` draws into the
given frame instead, saving one copy). :func:`draw_text` draws *in place* and returns the same array.

Coordinates: landmark x, y are normalised to the frame as it was given to the extractor; they are drawn
scaled to the frame passed here (mirror the frame and the landmarks together, or neither).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from bodycoach.feedback.config import OverlayConfig, default_feedback_config
from bodycoach.feedback.cues import Cue
from bodycoach.feedback.messages import behaviour_text
from bodycoach.feedback.present import present_states
from bodycoach.feedback.scenarios import phase_key
from bodycoach.render.fonts import displayable, get_font
from bodycoach.types import Behaviour, FrameResult

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]

# Verdict colours (BGR). Faults are orange rather than red: the coach is meant to be kind.
VERDICT_BGR: Final[dict[str, BGR]] = {
    "good": (80, 175, 60),
    "bad": (0, 140, 255),
    "neutral": (200, 160, 90),
    "unknown": (140, 140, 140),
}
TEXT_BGR: Final[BGR] = (255, 255, 255)
PANEL_BGR: Final[BGR] = (30, 30, 30)
LANDMARK_BGR: Final[BGR] = (235, 220, 150)

# Upper-body BlazePose connections (the counter hides the legs).
_POSE_EDGES: Final[tuple[tuple[int, int], ...]] = (
    (11, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (11, 23),
    (12, 24),
    (23, 24),
    (15, 17),
    (15, 19),
    (17, 19),
    (16, 18),
    (16, 20),
    (18, 20),
)
_HAND_EDGES: Final[tuple[tuple[int, int], ...]] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 4),
    (0, 5),
    (5, 6),
    (6, 7),
    (7, 8),
    (5, 9),
    (9, 10),
    (10, 11),
    (11, 12),
    (9, 13),
    (13, 14),
    (14, 15),
    (15, 16),
    (13, 17),
    (17, 18),
    (18, 19),
    (19, 20),
    (0, 17),
)
# MediaPipe face-mesh oval, lips (outer) and iris centres: enough to see the tracking, cheap to draw.
_FACE_OVAL: Final[tuple[int, ...]] = (
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
)
_LIPS: Final[tuple[int, ...]] = (
    61,
    185,
    40,
    39,
    37,
    0,
    267,
    269,
    270,
    409,
    291,
    375,
    321,
    405,
    314,
    17,
    84,
    181,
    91,
    146,
)
_IRIS: Final[tuple[int, ...]] = (468, 473)


# ---- text ----------------------------------------------------------------------------------------------


class _MaskCache:
    """LRU of rendered text masks bounded by bytes, not entries (a 4K cue line is ~0.5 MB, a badge ~5 kB).

    Thread-safe: the live path draws on the video thread while a page may draw a card on another, and a
    FreeType face must not render in two threads at once.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._d: OrderedDict[tuple[str, int, bool], npt.NDArray[np.uint8]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, size_px: int, bold: bool) -> npt.NDArray[np.uint8]:
        k = (text, size_px, bold)
        with self._lock:
            m = self._d.get(k)
            if m is not None:
                self._d.move_to_end(k)
                return m
            m = _render_mask(text, size_px, bold)
            self._d[k] = m
            self.bytes += m.nbytes
            while self.bytes > self.max_bytes and len(self._d) > 1:
                _, old = self._d.popitem(last=False)
                self.bytes -= old.nbytes
            return m

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self.bytes = 0


def _render_mask(text: str, size_px: int, bold: bool) -> npt.NDArray[np.uint8]:
    """Alpha mask (H, W) of one line of text; H = the font's ascent + descent."""
    font = get_font(size_px, bold)
    t = displayable(text, size_px, bold)
    ascent, descent = font.getmetrics()  # type: ignore[union-attr]
    h = max(1, int(ascent + descent))
    w = max(1, int(np.ceil(font.getlength(t))) + 1)
    img = Image.new("L", (w, h), 0)
    ImageDraw.Draw(img).text((0, 0), t, font=font, fill=255)
    mask = np.asarray(img, dtype=np.uint8).copy()
    mask.setflags(write=False)
    return mask


# 16 MB holds every label and cue of both languages at two frame sizes many times over; the kiosk's
# memory must stay flat over hours, so the bound is in bytes.
MASK_CACHE = _MaskCache(max_bytes=16 * 1024 * 1024)


def _text_mask(text: str, size_px: int, bold: bool) -> npt.NDArray[np.uint8]:
    return MASK_CACHE.get(text, size_px, bold)


def text_size(text: str, size_px: int, bold: bool = False) -> tuple[int, int]:
    """Return (width, height) in pixels of ``text`` (one line per newline) at ``size_px``."""
    masks = [_text_mask(line, max(1, int(size_px)), bold) for line in text.split("\n")]
    return max(m.shape[1] for m in masks), sum(m.shape[0] for m in masks)


@lru_cache(maxsize=256)
def wrap_text(text: str, size_px: int, max_width_px: int, bold: bool = False) -> tuple[str, ...]:
    """Split ``text`` into lines no wider than ``max_width_px`` (a single too-long word stays whole)."""
    font = get_font(max(1, int(size_px)), bold)
    lines: list[str] = []
    for para in text.split("\n"):
        cur = ""
        for word in para.split(" "):
            trial = word if not cur else f"{cur} {word}"
            if cur and font.getlength(displayable(trial, size_px, bold)) > max_width_px:
                lines.append(cur)
                cur = word
            else:
                cur = trial
        lines.append(cur)
    return tuple(lines)


def _check_frame(frame: npt.NDArray[np.generic], name: str = "frame_bgr") -> None:
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"{name} must be a numpy array, but got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise ValueError(f"{name} must have dtype uint8, but got {frame.dtype}")
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (1, 3, 4)):
        raise ValueError(f"{name} must have shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), but got {frame.shape}")


def _colour_for(frame: Frame, color_bgr: Sequence[int]) -> npt.NDArray[np.uint16]:
    c = np.asarray(color_bgr[:3], dtype=np.float32)
    if frame.ndim == 2 or frame.shape[2] == 1:
        # Grey frames get the colour's luma (BT.601) so text stays visible.
        return np.asarray([round(0.114 * c[0] + 0.587 * c[1] + 0.299 * c[2])], dtype=np.uint16)
    return c.round().astype(np.uint16)


def _view3(frame: Frame) -> Frame:
    """A (H, W, C) view of the colour channels (alpha untouched)."""
    if frame.ndim == 2:
        return frame[:, :, None]
    return frame[:, :, :3] if frame.shape[2] == 4 else frame


def fill_rect(frame: Frame, x0: int, y0: int, x1: int, y1: int, color_bgr: Sequence[int], alpha: float = 1.0) -> Frame:
    """Blend a filled rectangle [x0, x1) × [y0, y1) (pixels, clipped to the frame) in place."""
    _check_frame(frame)
    v = _view3(frame)
    h, w = v.shape[:2]
    x0, y0, x1, y1 = max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1))
    if x1 <= x0 or y1 <= y0 or alpha <= 0:
        return frame
    roi = v[y0:y1, x0:x1]
    col = _colour_for(frame, color_bgr)
    if alpha >= 1:
        roi[:] = col.astype(np.uint8)
        return frame
    k = int(round(alpha * 256))
    roi[:] = ((roi.astype(np.uint16) * (256 - k) + col * k) >> 8).astype(np.uint8)
    return frame


def _blit(frame: Frame, mask: npt.NDArray[np.uint8], x: int, y: int, col: npt.NDArray[np.uint16]) -> None:
    v = _view3(frame)
    h, w = v.shape[:2]
    mh, mw = mask.shape
    fx0, fy0, fx1, fy1 = max(0, x), max(0, y), min(w, x + mw), min(h, y + mh)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    m = mask[fy0 - y : fy1 - y, fx0 - x : fx1 - x]
    a = m[:, :, None].astype(np.uint16)
    roi = v[fy0:fy1, fx0:fx1]
    roi[:] = ((roi.astype(np.uint16) * (255 - a) + col * a + 127) // 255).astype(np.uint8)


def draw_text(
    frame_bgr: Frame,
    text: str,
    org: tuple[int, int],
    *,
    size_px: int,
    color_bgr: Sequence[int] = TEXT_BGR,
    bg_bgr: Sequence[int] | None = None,
    bg_alpha: float = 1.0,
    pad_px: int | None = None,
    bold: bool = False,
) -> Frame:
    """Draw ``text`` with Pillow (æ, ø, å render) into ``frame_bgr`` in place and return it.

    Args:
        frame_bgr: uint8 image, (H, W, 3) BGR; (H, W), (H, W, 1) grey and (H, W, 4) BGRA also work.
        text: The text; a newline starts a new line.
        org: (x, y) of the *top-left* corner of the text in pixels (unlike cv2's baseline origin).
        size_px: Font size in pixels (em height).
        color_bgr: Text colour.
        bg_bgr: Optional background box colour (the box includes ``pad_px`` around the text).
        bg_alpha: Opacity of the background box (0..1).
        pad_px: Padding of the background box; default a quarter of ``size_px``.
        bold: Use the bold face.

    Returns:
        The same array, drawn into. Text outside the frame is clipped; nothing raises for tiny frames.

    Raises:
        ValueError: ``frame_bgr`` is not a uint8 image of a supported shape.
    """
    _check_frame(frame_bgr)
    size = max(1, int(size_px))
    if not text:
        return frame_bgr
    lines = text.split("\n")
    masks = [_text_mask(line, size, bold) for line in lines]
    x, y = int(org[0]), int(org[1])
    if bg_bgr is not None:
        pad = max(0, size // 4 if pad_px is None else int(pad_px))
        tw = max(m.shape[1] for m in masks)
        th = sum(m.shape[0] for m in masks)
        fill_rect(frame_bgr, x - pad, y - pad, x + tw + pad, y + th + pad, bg_bgr, bg_alpha)
    col = _colour_for(frame_bgr, color_bgr)
    for m in masks:
        _blit(frame_bgr, m, x, y, col)
        y += m.shape[0]
    return frame_bgr


# ---- landmarks -----------------------------------------------------------------------------------------


def _points_px(pts: npt.NDArray[np.float32], w: int, h: int) -> npt.NDArray[np.int32]:
    xy = np.nan_to_num(pts[:, :2], nan=-1.0) * np.asarray([w, h], dtype=np.float32)
    return np.clip(xy, -32000, 32000).round().astype(np.int32)


def _draw_landmarks(frame: Frame, result: FrameResult, cfg: OverlayConfig) -> None:
    lm = result.landmarks
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        return  # grey frames: landmarks are skipped (annotate converts grey to BGR first)
    # cv2 draws into the whole (contiguous) array; BGRA gets an opaque alpha where lines are drawn.
    v = frame
    colour = LANDMARK_BGR if frame.shape[2] == 3 else (*LANDMARK_BGR, 255)
    h, w = v.shape[:2]
    thick = max(1, round(h / 480))
    lines: list[npt.NDArray[np.int32]] = []
    dots: list[tuple[int, int]] = []
    if lm.pose is not None:
        px = _points_px(lm.pose, w, h)
        vis = lm.pose[:, 3] >= cfg.landmark_min_visibility
        for a, b in _POSE_EDGES:
            if vis[a] and vis[b]:
                lines.append(np.stack([px[a], px[b]]))
        dots += [tuple(px[i]) for i in range(11, 25) if vis[i]]
    if lm.face is not None:
        px = _points_px(lm.face, w, h)
        lines.append(px[list(_FACE_OVAL)])
        lines.append(px[list(_LIPS)])
        if lm.face.shape[0] > max(_IRIS):
            dots += [tuple(px[i]) for i in _IRIS]
    for hand in (lm.left_hand, lm.right_hand):
        if hand is not None:
            px = _points_px(hand, w, h)
            lines += [np.stack([px[a], px[b]]) for a, b in _HAND_EDGES]
    if lines:
        closed = [ln for ln in lines if len(ln) > 2]
        open_ = [ln for ln in lines if len(ln) <= 2]
        if closed:
            cv2.polylines(v, closed, True, colour, thick, cv2.LINE_AA)
        if open_:
            cv2.polylines(v, open_, False, colour, thick, cv2.LINE_AA)
    for x, y in dots:
        cv2.circle(v, (int(x), int(y)), thick + 1, colour, -1, cv2.LINE_AA)


# ---- badges and cue ------------------------------------------------------------------------------------


def _px(h: int, w: int, frac: float, min_px: int) -> int:
    """Text size for a frame: a fraction of the height of a 4:3 frame that fits inside it.

    Using the height alone would make text on a portrait (phone) video as wide as the frame.
    """
    ref = min(h, w * 3 / 4)
    return max(min_px, int(round(ref * frac)))


def _draw_badges(
    frame: Frame, result: FrameResult, lang: str, cfg: OverlayConfig, phase: str | None, mode: str,
    size_px: int | None = None,
) -> None:
    h, w = frame.shape[:2]
    size = size_px if size_px is not None else _px(h, w, cfg.badge_text_height_frac, cfg.min_text_px)
    # One truth: the same rows as the live table, the kiosk and the review page (feedback.present).
    # An area out of the picture gets the grey dot: not judged at all (neither good nor a fault).
    rows = [(r.badge, r.verdict if r.in_view else "unknown")
            for r in present_states(result.states, mode, lang, phase)]
    if not rows:
        return
    masks = [_text_mask(t, size, False) for t, _ in rows]
    pad = max(2, size // 3)
    dot = max(4, size // 2)
    row_h = max(m.shape[0] for m in masks) + pad // 2
    panel_w = pad * 3 + dot + max(m.shape[1] for m in masks)
    panel_h = pad * 2 + row_h * len(rows)
    x0 = y0 = max(2, size // 2)
    fill_rect(frame, x0, y0, x0 + panel_w, y0 + panel_h, PANEL_BGR, cfg.panel_alpha)
    white = _colour_for(frame, TEXT_BGR)
    y = y0 + pad
    for (_, v), m in zip(rows, masks, strict=True):
        cy = y + (m.shape[0] - dot) // 2
        fill_rect(frame, x0 + pad, cy, x0 + pad + dot, cy + dot, VERDICT_BGR.get(v, VERDICT_BGR["unknown"]))
        _blit(frame, m, x0 + pad * 2 + dot, y, white)
        y += row_h


def _draw_cue(frame: Frame, cue: Cue, cfg: OverlayConfig, size_px: int | None = None) -> None:
    h, w = frame.shape[:2]
    size = size_px if size_px is not None else _px(h, w, cfg.cue_text_height_frac, cfg.min_text_px)
    pad = max(3, size // 2)
    stripe = max(3, size // 4)
    max_w = max(size, w - 2 * pad - stripe - pad)
    wrapped = wrap_text(cue.text, size, max_w)
    lines = list(wrapped[:3])
    if len(wrapped) > 3:  # at most three lines cover the video; say that the text goes on
        lines[2] = lines[2].rstrip(" .,;—") + " …"
    masks = [_text_mask(line, size, False) for line in lines]
    text_h = sum(m.shape[0] for m in masks)
    y0 = h - text_h - 2 * pad
    fill_rect(frame, 0, y0, w, h, PANEL_BGR, max(cfg.panel_alpha, 0.75))
    fill_rect(frame, 0, y0, stripe, h, VERDICT_BGR.get(cue.verdict, VERDICT_BGR["neutral"]))
    white = _colour_for(frame, TEXT_BGR)
    y = y0 + pad
    for m in masks:
        _blit(frame, m, stripe + pad, y, white)
        y += m.shape[0]


def annotate(
    frame_bgr: Frame,
    result: FrameResult,
    *,
    lang: str = "no",
    show_landmarks: bool = True,
    cue: Cue | None = None,
    show_badges: bool = True,
    inplace: bool = False,
    phase: str | None = None,
    mode: str = "face_to_face",
    config: OverlayConfig | None = None,
    badge_px: int | None = None,
    cue_px: int | None = None,
) -> Frame:
    """Return the frame with the overlay: thin landmarks, one state badge per area, the cue at the bottom.

    Args:
        frame_bgr: uint8 BGR frame (grey (H, W) or (H, W, 1) frames are converted to BGR; BGRA keeps alpha).
        result: The frame's result; only the landmarks and the stable states are read.
        lang: ``"no"`` or ``"en"`` for the badge texts (the cue carries its own text).
        show_landmarks: Draw the thin landmark lines.
        cue: The cue to show (from :class:`~bodycoach.feedback.cues.CueScheduler`), or None.
        show_badges: Draw the state badges.
        phase: Current phase id; badges are coloured by the phase's verdict (no smile is orange during
            the reception). Only read, never decided here.
        mode: ``"face_to_face"`` or ``"telephone"``: only the areas the mode coaches get a badge
            (:func:`bodycoach.feedback.present.present_states`, shared with every other surface).
        inplace: Draw into ``frame_bgr`` itself instead of a copy (only for C-contiguous (H, W, 3) /
            (H, W, 4) input; other input is copied anyway, so always use the returned array).
        config: Overlay settings; default from ``calibration/feedback.toml``.
        badge_px: Badge text size in pixels instead of the frame-relative one (the kiosk draws at the
            screen's resolution and passes its own size).
        cue_px: Cue text size in pixels instead of the frame-relative one.

    Returns:
        The annotated frame (a new array unless ``inplace``).

    Raises:
        ValueError: ``frame_bgr`` is not a uint8 image of a supported shape, or ``lang`` is unknown.
    """
    _check_frame(frame_bgr)
    cfg = config if config is not None else default_feedback_config().overlay
    behaviour_text(Behaviour.SMILE, lang)  # validates lang
    phase = phase_key(phase, mode)  # validates phase and mode before drawing anything ("" = no phase)
    if frame_bgr.ndim == 2 or frame_bgr.shape[2] == 1:
        grey = np.ascontiguousarray(frame_bgr.reshape(frame_bgr.shape[:2]))
        out: Frame = np.asarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    else:
        # cv2 draws only into contiguous arrays: a strided view is copied even when inplace is asked.
        out = frame_bgr if inplace and frame_bgr.flags.c_contiguous else frame_bgr.copy()
    h, w = out.shape[:2]
    if h == 0 or w == 0:
        return out
    if show_landmarks:
        _draw_landmarks(out, result, cfg)
    # Text smaller than min_text_px cannot be read: skip it on frames too small to hold it.
    if h >= 2 * cfg.min_text_px and w >= 4 * cfg.min_text_px:
        if show_badges:
            _draw_badges(out, result, lang, cfg, phase, mode, badge_px)
        # Callers pass the cue through feedback.present.present_cue (the renderer decides nothing).
        if cue is not None:
            _draw_cue(out, cue, cfg, cue_px)
    return out
