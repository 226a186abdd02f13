"""Framing check: is the picture good enough for the coach to see what the guide talks about?

Pure logic (numpy only; no cv2, mediapipe or streamlit). Per frame, :func:`frame_issues` reads the
landmarks, the head pitch and simple brightness statistics (:func:`frame_light`) and names what is wrong
in the guide's terms: too close or too far, the lens far above or below eye level, the face off centre,
too dark or back-lit, more than one person, and (when the trainee wants arms and hands coached) the
counter and hands out of the picture. :class:`FramingCheck` holds the issues over a short window so one
blink or one dark frame does not make the message flicker. Thresholds: ``calibration/framing.toml``.

A session may go on with a face-only picture: :func:`coached_areas` says which areas are then coached,
and :func:`coached_text` says it in a sentence for the page.

Coordinates: landmark x, y normalised to the frame (0..1); luma in 0..255 (BT.601).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from bodycoach.errors import ConfigError
from bodycoach.feedback.messages import behaviour_text, check_lang
from bodycoach.tomlfile import read_toml
from bodycoach.types import Behaviour, Landmarks

FILE_NAME = "framing.toml"

#: Issue keys in the order they are shown (the most blocking first).
ISSUES: Final[tuple[str, ...]] = (
    "no_face", "several_people", "too_dark", "backlit", "too_close", "too_far", "off_centre", "lens_low",
    "lens_high", "body_out_of_view",
)

_TEXT: Final[dict[str, tuple[str, str]]] = {
    "no_face": ("Ingen ansikt i bildet — sett deg foran kameraet.", "No face in view — sit in front of the camera."),
    "several_people": (
        "Flere personer i bildet — coachen følger bare én. Be de andre gå ut av bildet.",
        "More than one person in view — the coach follows only one. Ask the others to step out of the picture.",
    ),
    "too_dark": (
        "Bildet er for mørkt — skru på mer lys foran deg.",
        "The picture is too dark — add light in front of you.",
    ),
    "backlit": (
        "Sterkt motlys bak deg gjør ansiktet mørkt — snu deg bort fra vinduet eller lampen, eller sett lys foran deg.",
        "Strong light behind you darkens your face — turn away from the window or lamp, or add light in front of you.",
    ),
    "too_close": (
        "Du er for nær kameraet — len deg litt tilbake.",
        "You are too close to the camera — lean back a little.",
    ),
    "too_far": (
        "Du er langt unna kameraet — kom litt nærmere.",
        "You are far from the camera — come a little closer.",
    ),
    "off_centre": (
        "Ansiktet er ikke midt i bildet — flytt deg eller kameraet så ansiktet kommer i midten.",
        "Your face is off centre — move yourself or the camera so your face is in the middle.",
    ),
    "lens_low": (
        "Kameraet står langt under øyehøyde — løft det til øyehøyde, der kunden ville sett deg.",
        "The camera is far below eye level — raise it to eye height, where the customer would see you.",
    ),
    "lens_high": (
        "Kameraet står langt over øyehøyde — senk det til øyehøyde.",
        "The camera is far above eye level — lower it to eye height.",
    ),
    "body_out_of_view": (
        "Gå litt bakover så disken og hendene dine synes.",
        "Step back a little so the counter and your hands are in view.",
    ),
}

_OK_TEXT: Final[tuple[str, str]] = ("Bildeutsnittet er fint.", "The framing is good.")


@dataclass(frozen=True)
class FramingConfig:
    """Framing thresholds (``calibration/framing.toml`` ``[framing]``); see the file for the reasons."""

    face_max_height_share: float = 0.6
    face_min_height_share: float = 0.1
    face_max_offcentre_x_share: float = 0.22
    face_max_offcentre_y_share: float = 0.25
    lens_max_pitch_deg: float = 22.0
    min_mean_luma: float = 55.0
    backlit_face_ratio: float = 0.6
    min_back_luma: float = 140.0
    body_min_visibility: float = 0.5
    bottom_margin_share: float = 0.02
    window_ms: int = 1500
    min_share: float = 0.6

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
                raise ConfigError(f"framing.{f.name} = {v!r}, expected a finite number >= 0")
        if not 0 < self.face_min_height_share < self.face_max_height_share <= 1:
            raise ConfigError(
                f"framing.face_min_height_share = {self.face_min_height_share} and face_max_height_share = "
                f"{self.face_max_height_share}, expected 0 < min < max <= 1")
        if not 0 < self.min_share <= 1:
            raise ConfigError(f"framing.min_share = {self.min_share}, expected a share in (0, 1]")


@dataclass(frozen=True)
class CaptureConfig:
    """Calibration capture checks (``calibration/framing.toml`` ``[capture]``)."""

    min_lens_screen_deg: float = 4.0
    min_separation_spreads: float = 2.0

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
                raise ConfigError(f"capture.{f.name} = {v!r}, expected a finite number >= 0")


def _section(cls: type[Any], name: str, raw: Any, path: Path) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [{name}] must be a table, but got {type(raw).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key {name}.{unknown[0]}; expected one of {', '.join(sorted(known))}")
    try:
        return cls(**raw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[FramingConfig, CaptureConfig]:
    p = Path(path)
    raw = read_toml(p, "file (expected the framing settings TOML)")
    unknown = sorted(set(raw) - {"framing", "capture"})
    if unknown:
        raise ConfigError(f"{p}: unknown section [{unknown[0]}]; expected [framing] and [capture]")
    return _section(FramingConfig, "framing", raw.get("framing"), p), _section(
        CaptureConfig, "capture", raw.get("capture"), p)


def _default_path() -> Path:
    from bodycoach.resources import calibration_file

    return calibration_file(FILE_NAME)


def load_framing_config(path: str | Path | None = None) -> FramingConfig:
    """Read ``[framing]`` of ``path`` (default ``calibration/framing.toml``).

    Raises:
        ConfigError: missing file, bad TOML, unknown keys or bad values (one line naming the file).
    """
    return _load(str(path or _default_path()))[0]


def load_capture_config(path: str | Path | None = None) -> CaptureConfig:
    """Read ``[capture]`` of ``path`` (default ``calibration/framing.toml``)."""
    return _load(str(path or _default_path()))[1]


# ---- light ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameLight:
    """Brightness of one frame (luma 0..255, BT.601). ``face_luma`` is NaN without a face."""

    mean_luma: float
    face_luma: float = math.nan
    back_luma: float = math.nan


def _face_box(face: npt.NDArray[np.float32]) -> tuple[float, float, float, float]:
    xy = face[:, :2]
    x0, y0 = np.nanmin(xy, axis=0)
    x1, y1 = np.nanmax(xy, axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def frame_light(frame_bgr: npt.NDArray[np.uint8], lm: Landmarks | None = None, step: int = 8) -> FrameLight:
    """Brightness statistics of ``frame_bgr`` on every ``step``-th pixel (cheap: ~0.1 ms at 640×480).

    Args:
        frame_bgr: uint8 image, (H, W, 3) BGR or (H, W) grey.
        lm: Landmarks of the same frame (the face box gives ``face_luma`` and ``back_luma``), or None.
        step: Sampling stride in pixels.

    Raises:
        ValueError: ``frame_bgr`` is not a uint8 image.
    """
    a = np.asarray(frame_bgr)
    if a.dtype != np.uint8 or a.ndim not in (2, 3) or a.size == 0:
        raise ValueError(f"frame_bgr must be a non-empty uint8 (H, W) or (H, W, 3) image, but got {a.dtype} {a.shape}")
    s = a[::step, ::step].astype(np.float32)
    if s.ndim == 3 and s.shape[2] >= 3:
        luma = 0.114 * s[:, :, 0] + 0.587 * s[:, :, 1] + 0.299 * s[:, :, 2]
    else:
        luma = s.reshape(s.shape[0], s.shape[1])
    mean = float(luma.mean())
    if lm is None or lm.face is None:
        return FrameLight(mean)
    h, w = luma.shape
    x0, y0, x1, y1 = _face_box(lm.face)
    c0, c1 = int(np.clip(x0 * w, 0, w)), int(np.clip(math.ceil(x1 * w), 0, w))
    r0, r1 = int(np.clip(y0 * h, 0, h)), int(np.clip(math.ceil(y1 * h), 0, h))
    if c1 <= c0 or r1 <= r0:
        return FrameLight(mean)
    mask = np.zeros(luma.shape, bool)
    mask[r0:r1, c0:c1] = True
    face = float(luma[mask].mean())
    back = float(luma[~mask].mean()) if (~mask).any() else math.nan
    return FrameLight(mean, face, back)


# ---- per frame ------------------------------------------------------------------------------------------


def body_in_view(lm: Landmarks, cfg: FramingConfig | None = None) -> bool:
    """Whether both elbows and at least one wrist are in the picture (arms and hands can be coached)."""
    c = cfg or load_framing_config()
    if lm.pose is None:
        return False
    p = lm.pose
    bottom = 1.0 - c.bottom_margin_share

    def seen(i: int) -> bool:
        return bool(p[i, 3] >= c.body_min_visibility and 0.0 <= p[i, 0] <= 1.0 and 0.0 <= p[i, 1] <= bottom)

    return seen(13) and seen(14) and (seen(15) or seen(16))


def frame_issues(
    lm: Landmarks,
    light: FrameLight | None = None,
    features: Mapping[str, float] | None = None,
    *,
    want_body: bool = False,
    cfg: FramingConfig | None = None,
) -> tuple[str, ...]:
    """Return the framing issues of one frame (keys of ``ISSUES``, in that order; empty = fine).

    Args:
        lm: The frame's landmarks.
        light: Its brightness (:func:`frame_light`), or None to skip the light checks.
        features: Its features (``head_pitch_deg`` is read), or None to skip the lens-height check.
        want_body: The trainee wants arms and hands coached: report when they are out of the picture.
        cfg: Thresholds; default ``calibration/framing.toml``.
    """
    c = cfg or load_framing_config()
    out: set[str] = set()
    if light is not None and light.mean_luma < c.min_mean_luma:
        out.add("too_dark")
    if lm.num_faces > 1:
        out.add("several_people")
    if lm.face is None:
        out.add("no_face")
    else:
        x0, y0, x1, y1 = _face_box(lm.face)
        fh = y1 - y0
        if fh > c.face_max_height_share or y0 < -0.02 or y1 > 1.02:
            out.add("too_close")
        elif fh < c.face_min_height_share:
            out.add("too_far")
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if "too_close" not in out and (
            abs(cx - 0.5) > c.face_max_offcentre_x_share or abs(cy - 0.5) > c.face_max_offcentre_y_share
        ):
            out.add("off_centre")
        if light is not None and "too_dark" not in out:
            face, back = light.face_luma, light.back_luma
            if math.isfinite(face) and math.isfinite(back) and back >= c.min_back_luma:
                if face < c.backlit_face_ratio * back:
                    out.add("backlit")
        pitch = math.nan if features is None else float(features.get("head_pitch_deg", math.nan))
        if math.isfinite(pitch):
            # Chin up as the camera sees it = the camera looks up at the face from below eye level.
            if pitch > c.lens_max_pitch_deg:
                out.add("lens_low")
            elif pitch < -c.lens_max_pitch_deg:
                out.add("lens_high")
    if want_body and "no_face" not in out and not body_in_view(lm, c):
        out.add("body_out_of_view")
    return tuple(k for k in ISSUES if k in out)


# ---- over a window --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FramingStatus:
    """The framing as held over the last window.

    Attributes:
        issues: Issue keys that held in at least ``min_share`` of the window's frames (``ISSUES`` order).
        body_in_view: Arms and hands were in the picture in at least ``min_share`` of the frames.
        frames: Frames in the window (0 = nothing seen yet).
    """

    issues: tuple[str, ...] = ()
    body_in_view: bool = False
    frames: int = 0

    @property
    def ok(self) -> bool:
        """Whether frames were seen and nothing is wrong."""
        return self.frames > 0 and not self.issues

    def texts(self, lang: str = "no") -> list[str]:
        """One sentence per issue, or the "framing is good" sentence when there is none."""
        return issue_texts(self.issues, lang) if self.issues else [_OK_TEXT[0 if check_lang(lang) == "no" else 1]]


class FramingCheck:
    """Hold :func:`frame_issues` over ``window_ms`` of frame time; call :meth:`update` once per frame.

    Args:
        want_body: The trainee wants arms and hands coached.
        cfg: Thresholds; default ``calibration/framing.toml``.
    """

    def __init__(self, want_body: bool = False, cfg: FramingConfig | None = None) -> None:
        self.cfg = cfg or load_framing_config()
        self.want_body = want_body
        self._frames: deque[tuple[int, tuple[str, ...], bool]] = deque()
        self.status = FramingStatus()

    def reset(self) -> None:
        """Forget the window."""
        self._frames.clear()
        self.status = FramingStatus()

    def update(self, lm: Landmarks, light: FrameLight | None = None,
               features: Mapping[str, float] | None = None) -> FramingStatus:
        """Add one frame (time = ``lm.timestamp_ms``) and return the held status."""
        ts = int(lm.timestamp_ms)
        issues = frame_issues(lm, light, features, want_body=self.want_body, cfg=self.cfg)
        self._frames.append((ts, issues, body_in_view(lm, self.cfg)))
        while self._frames and ts - self._frames[0][0] > self.cfg.window_ms:
            self._frames.popleft()
        n = len(self._frames)
        need = self.cfg.min_share * n
        counts: dict[str, int] = {}
        for _, iss, _b in self._frames:
            for k in iss:
                counts[k] = counts.get(k, 0) + 1
        held = tuple(k for k in ISSUES if counts.get(k, 0) >= need)
        body = sum(1 for *_, b in self._frames if b) >= need
        self.status = FramingStatus(held, body, n)
        return self.status


def issue_texts(issues: Sequence[str], lang: str = "no") -> list[str]:
    """The sentences for ``issues`` in ``lang``.

    Raises:
        ValueError: an unknown issue key or language.
    """
    i = 0 if check_lang(lang) == "no" else 1
    out = []
    for k in issues:
        if k not in _TEXT:
            raise ValueError(f"framing issue must be one of {ISSUES}, but got {k!r}")
        out.append(_TEXT[k][i])
    return out


# ---- what is coached ------------------------------------------------------------------------------------

_BODY_AREAS: Final[frozenset[Behaviour]] = frozenset({Behaviour.ARMS, Behaviour.HANDS, Behaviour.PALM})


def coached_areas(mode: str, body_visible: bool) -> tuple[Behaviour, ...]:
    """The areas coached in ``mode`` with this framing (arms, hands and palm only with the body in view).

    Raises:
        ValueError: unknown mode.
    """
    from bodycoach.feedback.present import areas_for_mode

    return tuple(b for b in areas_for_mode(mode) if body_visible or b not in _BODY_AREAS)


def coached_text(mode: str, body_visible: bool, lang: str = "no") -> str:
    """One sentence for the page: which areas are coached, and which are not because they are not in view."""
    from bodycoach.feedback.present import areas_for_mode

    lg = check_lang(lang)
    areas = [b for b in coached_areas(mode, body_visible) if b is not Behaviour.GAZE_STYLE]
    names = ", ".join(behaviour_text(b, lg).lower() for b in areas)
    missing = [b for b in areas_for_mode(mode) if b in _BODY_AREAS and b not in areas and b is not Behaviour.PALM]
    if lg == "no":
        s = f"Coacher nå: {names}."
        if missing:
            s += " " + " og ".join(behaviour_text(b, lg).lower() for b in missing).capitalize()
            s += " er ikke i bildet og blir ikke vurdert."
    else:
        s = f"Coaching now: {names}."
        if missing:
            s += " " + " and ".join(behaviour_text(b, lg).lower() for b in missing).capitalize()
            s += " are not in view and are not judged."
    return s
