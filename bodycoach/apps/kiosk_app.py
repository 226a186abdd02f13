"""The kiosk shell: camera → coach → kiosk state machine → a native full-screen window.

Everything that decides lives in ``bodycoach.kiosk`` (pure, tested without a display). This module owns
the side effects: a frame grabber thread that opens, reads and reopens the camera with back-off; the
coach (landmarks + analysis) with an in-process error budget; drawing each screen at the window's current
size (so a resolution change simply re-lays out); and the OpenCV HighGUI window.

Injection points for tests and the soak benchmark: ``open_source`` (any callable returning an iterable of
``(frame_bgr, timestamp_ms)`` with ``close()``), ``extractor`` (anything with ``extract``/``close``),
``display`` (``HighGuiDisplay`` or ``HeadlessDisplay``) and ``accelerated`` (kiosk time follows the
clip's media time when frames are fed faster than real time).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from bodycoach.errors import BodycoachError, VideoReadError
from bodycoach.feedback.cues import CueScheduler
from bodycoach.feedback.framing import FramingCheck, coached_text, frame_light, issue_texts
from bodycoach.feedback.present import present_cue
from bodycoach.feedback.report import SessionRecorder
from bodycoach.kiosk.config import KioskConfig
from bodycoach.kiosk.layout import Layout, fit_rect, layout_for
from bodycoach.kiosk.machine import (
    KioskMachine,
    KioskView,
    PhaseChanged,
    Reset,
    Screen,
    SessionEnded,
    SessionStarted,
)
from bodycoach.kiosk.presence import PresenceObservation, PresenceTracker, observe
from bodycoach.kiosk.texts import phase_prompt, phase_title, scenario_name, text
from bodycoach.kiosk.watchdog import Backoff, ErrorBudget, FrameWatch, KioskClock, StallReason, frame_digest
from bodycoach.pipeline import Coach
from bodycoach.render.overlay import annotate, draw_text, text_size, wrap_text
from bodycoach.render.overlay import fill_rect as _fill_rect
from bodycoach.render.summary_card import render_summary_card
from bodycoach.types import FrameResult, Landmarks

log = logging.getLogger("bodycoach.kiosk")

Frame = npt.NDArray[np.uint8]
BGR = tuple[int, int, int]

# Colours (BGR): calm dark blue background, white text, soft accents.
BG: BGR = (46, 30, 20)
PANEL: BGR = (70, 50, 36)
WHITE: BGR = (250, 250, 250)
MUTED: BGR = (200, 190, 180)
ACCENT: BGR = (80, 200, 120)
WARN: BGR = (60, 170, 250)
GOOD: BGR = (110, 200, 90)
BAD: BGR = (70, 120, 240)
HINT: BGR = (120, 215, 250)  # framing hints on the attract screen: soft amber, calmer than a warning

WINDOW_TITLE = "bodycoach kiosk"

# How long the "restarted after an error" note stays on screen after a supervisor restart, in ms: long
# enough to be read from a few metres away, short enough not to greet the next trainee with it.
RESTART_NOTE_MS = 6000


class SourceLike(Protocol):
    """What the grabber needs from a frame source (``bodycoach.io.video.VideoSource`` fits)."""

    def __iter__(self) -> Iterator[tuple[Frame, int]]:
        """Yield ``(frame_bgr, timestamp_ms)``."""
        ...

    def close(self) -> None:
        """Release the camera or file."""
        ...


class ExtractorLike(Protocol):
    """Frames → landmarks (``MediapipeExtractor`` or a test double)."""

    def extract(self, frame_bgr: Frame, timestamp_ms: int) -> Landmarks:
        """Return the followed person's landmarks."""
        ...

    def close(self) -> None:
        """Release models."""
        ...


class CoachCrash(BodycoachError):
    """The coach failed too often in a short time: exit so the supervisor restarts the process."""


# --- frame grabber -------------------------------------------------------------------------------

class SourceStatus:
    """Status words of the grabber (plain strings: they are shown in logs)."""

    OPENING = "opening"
    OK = "ok"
    MISSING = "missing"  # could not open, or reading failed: retrying with back-off


class FrameGrabber:
    """Reads frames on a background thread; reopens the source with back-off when it fails.

    ``get(timeout)`` returns the newest frame (cameras: older ones are dropped) or, for files, the next one
    (the reader waits for the consumer, so a clip is fed exactly as fast as it is processed).
    ``restart()`` abandons the current reader (it may be stuck inside a driver call) and starts a new one.

    Args:
        open_source: Returns a fresh source; raises ``VideoReadError`` (or any error) when it cannot.
        backoff: Delays between failed attempts.
        drop_old: Keep only the newest frame (cameras) instead of waiting for the consumer (files).
            None = decide per opened source from its ``info.is_camera`` (no ``info``: wait).
    """

    def __init__(self, open_source: Callable[[], SourceLike], backoff: Backoff,
                 drop_old: bool | None = None) -> None:
        self._open = open_source
        self._backoff = backoff
        self.drop_old = drop_old
        self._cond = threading.Condition()
        self._item: tuple[Frame, int, int] | None = None  # frame, ts, generation
        self._gen = 0
        self._stop = threading.Event()
        self.status = SourceStatus.OPENING
        self.last_error = ""
        self.opens = 0
        self.failures = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start (or restart) the reader thread."""
        with self._cond:
            self._gen += 1
            gen = self._gen
            self._item = None
            self._cond.notify_all()
        self._thread = threading.Thread(target=self._run, args=(gen,), name=f"kiosk-grab-{gen}", daemon=True)
        self._thread.start()

    def restart(self) -> None:
        """Abandon the current reader and open the source again."""
        self.status = SourceStatus.OPENING
        self.start()

    def stop(self) -> None:
        """Stop reading (the thread exits at its next frame or wait)."""
        self._stop.set()
        with self._cond:
            self._gen += 1
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def _current(self, gen: int) -> bool:
        return gen == self._gen and not self._stop.is_set()

    def _wait(self, gen: int, seconds: float) -> None:
        end = time.monotonic() + seconds
        with self._cond:
            while self._current(gen):
                left = end - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _put(self, gen: int, frame: Frame, ts: int, drop_old: bool) -> bool:
        with self._cond:
            if not drop_old:
                while self._item is not None and self._current(gen):
                    self._cond.wait(0.5)
            if not self._current(gen):
                return False
            self._item = (frame, ts, gen)
            self._cond.notify_all()
            return True

    def _run(self, gen: int) -> None:
        while self._current(gen):
            try:
                src = self._open()
            except Exception as exc:  # VideoReadError for a missing or busy camera; anything else too
                self._fail(gen, exc)
                continue
            self.opens += 1
            drop_old = self.drop_old
            if drop_old is None:
                drop_old = bool(getattr(getattr(src, "info", None), "is_camera", False))
            delivered = False
            try:
                for frame, ts in src:
                    if not self._current(gen):
                        return
                    if not delivered:
                        delivered = True
                        if self._current(gen):
                            self.status = SourceStatus.OK
                            self._backoff.reset()
                    if not self._put(gen, frame, ts, drop_old):
                        return
                # A file without loop ended: read it again (a kiosk never runs out of input).
                if not delivered:
                    self._fail(gen, VideoReadError("the source delivered no frames"))
            except Exception as exc:
                self._fail(gen, exc)
            finally:
                try:
                    src.close()
                except Exception:  # closing a vanished device may fail; nothing to do about it
                    log.debug("closing the source failed", exc_info=True)

    def _fail(self, gen: int, exc: BaseException) -> None:
        if not self._current(gen):
            return
        self.failures += 1
        self.status = SourceStatus.MISSING
        self.last_error = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        delay = self._backoff.next_delay_ms()
        log.warning("camera: %s; retrying in %.1f s", self.last_error, delay / 1000)
        self._wait(gen, delay / 1000.0)

    def get(self, timeout: float) -> tuple[Frame, int] | None:
        """Return the next frame, or None when none arrived within ``timeout`` seconds."""
        with self._cond:
            if self._item is None or self._item[2] != self._gen:
                self._cond.wait(timeout)
            item = self._item
            if item is None or item[2] != self._gen:
                return None
            self._item = None
            self._cond.notify_all()
        return item[0], item[1]


# --- text and drawing ----------------------------------------------------------------------------

class TextPainter:
    """Positions text for the kiosk screens; the drawing itself is ``bodycoach.render.overlay.draw_text``.

    Pillow renders æ, ø, å with the bundled DejaVu font; the render module caches one mask per (text,
    size) in a bounded LRU, so the countdown's ever-changing numbers cannot grow memory over a day.
    """

    def wrap(self, s: str, px: int, max_w: int, bold: bool = False) -> list[str]:
        """Split ``s`` into lines no wider than ``max_w`` pixels."""
        return list(wrap_text(s, px, max(1, max_w), bold))

    def draw(self, canvas: Frame, s: str, xy: tuple[int, int], px: int, color: BGR = WHITE,
             bold: bool = False, anchor: str = "l") -> tuple[int, int]:
        """Draw one line at ``xy`` (top-left; ``anchor="c"`` centres on x, ``"r"`` right-aligns).

        Returns:
            The drawn width and height in pixels.
        """
        if not s:
            return 0, 0
        w, h = text_size(s, px, bold)
        x, y = xy
        if anchor == "c":
            x -= w // 2
        elif anchor == "r":
            x -= w
        draw_text(canvas, s, (x, y), size_px=px, color_bgr=color, bold=bold)
        return w, h

    def paragraph(self, canvas: Frame, s: str, box: tuple[int, int, int, int], px: int,
                  color: BGR = WHITE, bold: bool = False, anchor: str = "l", line_gap: float = 1.3) -> int:
        """Draw wrapped text into ``box`` (x, y, w, h); returns the height used in pixels."""
        x, y, w, h = box
        used = 0
        for line in self.wrap(s, px, w, bold):
            if used + px > h:
                break
            xx = x + w // 2 if anchor == "c" else x
            self.draw(canvas, line, (xx, y + used), px, color, bold, anchor)
            used += int(px * line_gap)
        return used


def fill_rect(canvas: Frame, rect: tuple[int, int, int, int], color: BGR, alpha: float = 1.0) -> None:
    """Fill ``rect`` (x, y, w, h) with ``color``, blended by ``alpha``."""
    x, y, w, h = rect
    _fill_rect(canvas, x, y, x + w, y + h, color, alpha)


def paste_fitted(canvas: Frame, frame: Frame, box: tuple[int, int, int, int], dim: float = 1.0) -> None:
    """Scale ``frame`` into ``box`` keeping its aspect ratio (letterboxed), optionally dimmed."""
    x, y, w, h = fit_rect((frame.shape[1], frame.shape[0]), box)
    if w <= 1 or h <= 1:
        return
    interp = cv2.INTER_AREA if w < frame.shape[1] else cv2.INTER_LINEAR
    img = cv2.resize(frame, (w, h), interpolation=interp)
    if dim < 1.0:
        img = (img.astype(np.float32) * dim).astype(np.uint8)
    canvas[y:y + h, x:x + w] = img


def _fmt_s(ms: int) -> str:
    s = max(0, int(round(ms / 1000)))
    return f"{s // 60}:{s % 60:02d}"


# --- collaborators (feedback and render modules) -----------------------------------------------

def mirror_landmarks(lm: Landmarks) -> Landmarks:
    """The same landmarks with x flipped (x → 1 − x), to draw them on a mirrored image.

    Only the coordinates move; "left" still means the person's left.
    """
    def flip(a: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float32] | None:
        if a is None:
            return None
        b = a.copy()
        b[:, 0] = 1.0 - b[:, 0]
        return b

    return dataclasses.replace(lm, pose=flip(lm.pose), face=flip(lm.face), left_hand=flip(lm.left_hand),
                               right_hand=flip(lm.right_hand))


def draw_session_video(canvas: Frame, box: tuple[int, int, int, int], frame: Frame, result: FrameResult | None,
                       *, lang: str, cue: Any, phase: str | None, show_landmarks: bool, mirrored: bool,
                       badge_px: int, cue_px: int, live: bool = True) -> None:
    """Draw the camera image into ``box`` of ``canvas`` with the overlay drawn at the *screen's* resolution.

    The image is scaled into the box first; the landmarks are drawn on the scaled image, and the badges and
    the cue are drawn over the whole box at ``badge_px`` / ``cue_px`` (sizes from the screen layout), so
    their size does not depend on what the camera delivers (a 720×1280 phone camera used to give ~9 px text).

    Args:
        canvas: The screen canvas (H, W, 3); ``box`` must span its full width (the session layout's video).
        box: (x, y, w, h) of the video area in pixels.
        frame: The displayed camera image (already mirrored when ``mirrored``).
        result: The frame's result, or None (no overlay).
        lang: Language of badges.
        cue: The cue to show, or None.
        phase: Current phase id (badge colours).
        show_landmarks: Draw the thin landmark lines.
        mirrored: ``frame`` is a mirror image: the landmarks are flipped to match.
        badge_px: Badge text size in pixels.
        cue_px: Cue text size in pixels.
        live: False while the camera is away: the last image is dimmed and drawn without an overlay.
    """
    x, y, w, h = fit_rect((frame.shape[1], frame.shape[0]), box)
    if w <= 1 or h <= 1:
        return
    interp = cv2.INTER_AREA if w < frame.shape[1] else cv2.INTER_LINEAR
    img = np.ascontiguousarray(cv2.resize(frame, (w, h), interpolation=interp))
    if result is not None and live and show_landmarks:
        shown = dataclasses.replace(result, landmarks=mirror_landmarks(result.landmarks)) if mirrored else result
        annotate(img, shown, lang=lang, show_landmarks=True, show_badges=False, cue=None, inplace=True)
    if not live:
        img = (img.astype(np.float32) * 0.3).astype(np.uint8)
    canvas[y:y + h, x:x + w] = img
    if result is None or not live:
        return
    bx, by, bw, bh = box
    band = canvas[by:by + bh]  # full-width rows of a C-contiguous canvas: drawn in place
    assert bx == 0 and bw == canvas.shape[1] and band.flags.c_contiguous
    annotate(band, result, lang=lang, show_landmarks=False, cue=cue, inplace=True, phase=phase,
             badge_px=badge_px, cue_px=cue_px)


# --- displays ------------------------------------------------------------------------------------

class Display(Protocol):
    """Where canvases go."""

    def size(self) -> tuple[int, int]:
        """Current drawable size in pixels (width, height)."""
        ...

    def show(self, canvas: Frame) -> None:
        """Present one canvas."""
        ...

    def close(self) -> None:
        """Tear down."""
        ...


class HeadlessDisplay:
    """No window: keeps the last canvas (tests, soak benchmark without X). Size can be changed."""

    def __init__(self, wh: tuple[int, int] = (1280, 720)) -> None:
        self.wh = wh
        self.last: Frame | None = None
        self.shown = 0

    def size(self) -> tuple[int, int]:
        """The configured size."""
        return self.wh

    def show(self, canvas: Frame) -> None:
        """Keep ``canvas``."""
        self.last = canvas
        self.shown += 1

    def close(self) -> None:
        """Nothing to release."""


def _x11() -> Any:
    lib = ctypes.util.find_library("X11")
    if not lib:
        return None
    x11 = ctypes.CDLL(lib)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultScreen.argtypes = [ctypes.c_void_p]
    x11.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XGetWindowProperty.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
        ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
    x11.XFree.argtypes = [ctypes.c_void_p]
    return x11


@contextlib.contextmanager
def _x_display(display: str | None) -> Iterator[tuple[Any, Any] | None]:
    """Open a fresh connection to the X display: yields (libX11, Display*) or None without X.

    A fresh connection each time, because the screen size in an open connection's setup data goes stale
    after a resolution change.
    """
    name = display or os.environ.get("DISPLAY")
    x11 = _x11() if name else None
    dpy = x11.XOpenDisplay(name.encode()) if x11 is not None and name else None
    if not dpy:
        yield None
        return
    try:
        yield x11, dpy
    finally:
        x11.XCloseDisplay(dpy)


def x_window_manager_running(display: str | None = None) -> bool | None:
    """Whether an EWMH window manager runs on the X display (root has ``_NET_SUPPORTING_WM_CHECK``).

    Returns None without X (no display or no libX11).
    """
    try:
        with _x_display(display) as conn:
            if conn is None:
                return None
            x11, dpy = conn
            atom = x11.XInternAtom(dpy, b"_NET_SUPPORTING_WM_CHECK", 1)
            if not atom:
                return False
            typ, fmt = ctypes.c_ulong(), ctypes.c_int()
            n, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
            status = x11.XGetWindowProperty(dpy, x11.XDefaultRootWindow(dpy), atom, 0, 1, 0, 0,
                                            ctypes.byref(typ), ctypes.byref(fmt), ctypes.byref(n),
                                            ctypes.byref(after), ctypes.byref(data))
            if data.value:
                x11.XFree(data)
            return bool(status == 0 and n.value > 0)
    except (OSError, AttributeError):
        return None


def x_screen_size(display: str | None = None) -> tuple[int, int] | None:
    """Return the X screen's current size in pixels via libX11, or None without X."""
    try:
        with _x_display(display) as conn:
            if conn is None:
                return None
            x11, dpy = conn
            scr = x11.XDefaultScreen(dpy)
            return int(x11.XDisplayWidth(dpy, scr)), int(x11.XDisplayHeight(dpy, scr))
    except (OSError, AttributeError):
        return None


class HighGuiDisplay:
    """A native OpenCV HighGUI (Qt) window, full screen unless ``windowed``.

    With a window manager, full screen is requested the standard way (``WND_PROP_FULLSCREEN``), once the
    window has been shown. On a bare X server (no window manager: Xvfb, a minimal kiosk session) nobody
    honours that request, so the window is moved to 0,0 and sized to the screen instead. (Requesting full
    screen there before the first ``imshow`` gave a black screen in 2 of 2 tries under Xvfb.) The
    placement is re-checked every ``screen_poll_s``, so a resolution change is followed.

    On a bare X server Qt also sometimes maps the window and then never paints it. This happened in about
    1 of 5 starts under Xvfb here: the screen stays black while the window's geometry and map state look
    right. Without a window manager there is no compositor, so the screen shows exactly our window. Every
    ``screen_poll_s`` the screen is grabbed and compared with the canvas. A black screen under a non-black
    canvas twice in a row recreates the window, which then paints (``recreations`` counts this).

    The image is drawn at the window's size (``WINDOW_FREERATIO``: no scaling or letterbox by the toolkit)
    and without the Qt toolbar (``WINDOW_GUI_NORMAL``).
    """

    def __init__(self, windowed: bool = False, title: str = WINDOW_TITLE,
                 windowed_wh: tuple[int, int] = (1280, 720), screen_poll_s: float = 2.0) -> None:
        self.title = title
        self.windowed = windowed
        self.screen_poll_s = screen_poll_s
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_FREERATIO | cv2.WINDOW_GUI_NORMAL)
        self._screen: tuple[int, int] | None = None
        self._screen_checked = -1e9
        self._wh = windowed_wh
        self._shown = 0
        self.placements = 0
        self.recreations = 0
        self._black_checks = 0
        self._paint_checked = time.monotonic()
        self.window_manager = x_window_manager_running()
        if windowed:
            cv2.resizeWindow(title, *windowed_wh)
        else:
            self._screen = x_screen_size()
            if self._screen is not None:
                self._wh = self._screen

    def _place(self, scr: tuple[int, int] | None) -> None:
        """Request full screen (window manager) and cover the screen by hand (needed without one)."""
        self.placements += 1
        if self.window_manager is not False:
            cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        if scr is not None:
            cv2.moveWindow(self.title, 0, 0)
            cv2.resizeWindow(self.title, *scr)

    def _check_screen(self) -> None:
        now = time.monotonic()
        if now - self._screen_checked < self.screen_poll_s:
            return
        self._screen_checked = now
        scr = x_screen_size()
        if scr is None:
            return
        if scr != self._screen:
            log.info("screen size %dx%d", *scr)
            self._screen = scr
        try:
            rect = cv2.getWindowImageRect(self.title)
        except cv2.error:
            return
        if (rect[0], rect[1], rect[2], rect[3]) != (0, 0, scr[0], scr[1]):
            self._place(scr)

    def size(self) -> tuple[int, int]:
        """The size to draw at: the screen when full screen, else the window's drawable area."""
        if not self.windowed:
            if self._shown:
                self._check_screen()
            if self._screen is not None:
                self._wh = self._screen
                return self._wh
        try:
            x, y, w, h = cv2.getWindowImageRect(self.title)
        except cv2.error:
            w = h = 0
        if w > 1 and h > 1 and self._shown:
            self._wh = (int(w), int(h))
        return self._wh

    def show(self, canvas: Frame) -> None:
        """Show ``canvas`` and let the GUI toolkit process its events."""
        cv2.imshow(self.title, canvas)
        if self._shown == 0 and not self.windowed:
            self._place(self._screen)  # now that the window exists and is mapped
            self._screen_checked = time.monotonic()
        cv2.waitKey(1)
        self._shown += 1
        if self.window_manager is False and not self.windowed:
            self._check_painted(canvas)

    def _check_painted(self, canvas: Frame) -> None:
        now = time.monotonic()
        if now - self._paint_checked < self.screen_poll_s:
            return
        self._paint_checked = now
        try:
            from PIL import ImageGrab

            shot = np.asarray(ImageGrab.grab(xdisplay=os.environ.get("DISPLAY")))
        except Exception:  # no XCB support in Pillow, or the display went away: nothing to check
            return
        screen_black = not shot[::37, ::37].any()
        canvas_black = int(canvas[::37, ::37].max()) < 8
        self._black_checks = self._black_checks + 1 if screen_black and not canvas_black else 0
        if self._black_checks >= 2:
            log.warning("the window is not being painted; recreating it")
            self.recreations += 1
            self._black_checks = 0
            try:
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)
            except cv2.error:
                pass
            cv2.namedWindow(self.title, cv2.WINDOW_NORMAL | cv2.WINDOW_FREERATIO | cv2.WINDOW_GUI_NORMAL)
            cv2.imshow(self.title, canvas)
            self._place(self._screen)
            cv2.waitKey(1)

    def close(self) -> None:
        """Close the window."""
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass


# --- the app -------------------------------------------------------------------------------------

@dataclass
class _Session:
    coach: Coach | None
    recorder: Any
    cues: Any
    writer: Any
    phase: str
    started_ms: int


class KioskApp:
    """One kiosk: call ``tick()`` in a loop (``run()`` does), or drive it step by step from a test.

    Args:
        config: The validated kiosk config.
        open_source: Returns a fresh frame source (default: ``bodycoach.io.video.open_source`` of
            ``config.camera.source``).
        extractor: Frames → landmarks (default: ``MediapipeExtractor``, created lazily).
        display: Where canvases go (default: a ``HighGuiDisplay``).
        accelerated: Kiosk time follows media time when frames come faster than real time (soak, tests).
        store: An open ``SessionStore`` for the opt-in summaries (default: opened when
            ``privacy.keep_summaries`` is set).
        profile: Calibration profile for the coach; ``"saved"`` (default) reads the saved one
            (``<data folder>/calibration_profile.json``, none when missing), None uses none.

    Raises:
        ConfigError: the saved profile exists but is broken.
    """

    def __init__(self, config: KioskConfig, *, open_source: Callable[[], SourceLike] | None = None,
                 extractor: ExtractorLike | None = None, display: Display | None = None,
                 accelerated: bool = False, store: Any = None, drop_old: bool | None = None,
                 profile: Any = "saved") -> None:
        self.cfg = config
        if isinstance(profile, str) and profile == "saved":
            from bodycoach.profile import load_saved_profile

            # The one saved calibration (bodycoach calibrate, the live page); None when there is none.
            profile = load_saved_profile(home=config.privacy.store_home or None)
        self.profile = profile
        self.framing = FramingCheck(want_body=False)
        self.lang = config.display.lang
        src_spec = config.camera.source
        is_file = not src_spec.isdigit()
        if open_source is None:
            from bodycoach.io.video import open_source as _open

            def open_source() -> SourceLike:
                return _open(src_spec, loop=config.camera.loop and is_file)

        self._extractor = extractor
        self.display: Display = display if display is not None else HighGuiDisplay(
            windowed=not config.display.fullscreen)
        self.grabber = FrameGrabber(open_source, Backoff.from_config(config.watchdog), drop_old=drop_old)
        self.clock = KioskClock(accelerated=accelerated)
        self.presence = PresenceTracker(config.presence)
        self.machine = KioskMachine(config.session)
        self.watch = FrameWatch(config.watchdog)
        self.errors = ErrorBudget(config.watchdog.max_coach_errors, config.watchdog.coach_error_window_ms)
        self.painter = TextPainter()
        self.store = store
        if self.store is None and config.privacy.keep_summaries:
            from bodycoach.store import SessionStore

            self.store = SessionStore(config.privacy.store_home or None)
        self.view: KioskView = KioskView(Screen.ATTRACT)
        self._presence_state = self.presence.update(0, PresenceObservation.nobody())
        self._session: _Session | None = None
        self._report: Any = None
        self._card: Frame | None = None
        self._summary_meta: tuple[int, str] = (0, "")
        self.camera_ok = False
        self._frame: Frame | None = None
        self._result: FrameResult | None = None
        self._cue: Any = None
        self._last_real = time.monotonic()
        self._last_media: int | None = None
        # The frames' own time (the source's timestamps, made monotonic across reopens): what the models
        # and the analysis are fed, so the kiosk judges a clip as analyze and live do. The kiosk clock
        # (real time, or max(real, media) when accelerated) only drives presence, phases and the screens.
        self._media_ms = 0
        self._coach_error_until = -1
        # Set by deploy/kiosk-supervisor.sh: after a restart, say so calmly for the first few seconds.
        restarts = os.environ.get("BODYCOACH_KIOSK_RESTARTS", "0")
        self._restart_note_until = RESTART_NOTE_MS if restarts.isdigit() and int(restarts) > 0 else -1
        self._stall: StallReason | None = None
        self.frames = 0
        self.ticks = 0
        self.sessions_completed = 0
        self.saved_sessions: list[int] = []
        self.last_canvas: Frame | None = None
        self.events_log: list[Any] = []
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def extractor(self) -> ExtractorLike:
        """The landmark extractor (MediaPipe, created on first use)."""
        if self._extractor is None:
            from bodycoach.landmarks.mediapipe import MediapipeExtractor

            # The models see the camera's own (unmirrored) image; only the display is mirrored. With
            # mirrored=True the eye-contact classifier returned "unknown" on every frame of the d12
            # sample clip (54 lens / 28 away unmirrored, 82 frames), so the kiosk does not rely on it.
            self._extractor = MediapipeExtractor(mirrored=False)
        return self._extractor

    def start(self) -> None:
        """Start reading frames."""
        if not self._started:
            self._started = True
            self.watch.reset(self.clock.now_ms)
            self.grabber.start()

    def close(self) -> None:
        """Stop the grabber, end a running session without keeping it, release the extractor and window."""
        self.grabber.stop()
        if self._session is not None and self._session.writer is not None:
            try:
                self._session.writer.abort("kiosk stopped")
            except Exception:
                log.debug("aborting the stored session failed", exc_info=True)
        self._session = None
        if self._extractor is not None:
            self._extractor.close()
        self.display.close()

    def run(self, duration_s: float | None = None, max_ticks: int | None = None,
            on_tick: Callable[[KioskApp], bool | None] | None = None) -> None:
        """Loop until ``duration_s`` of real time or ``max_ticks`` ticks (forever when both are None).

        ``on_tick`` is called after every tick; returning True stops the loop.
        """
        self.start()
        t0 = time.monotonic()
        while True:
            self.tick()
            if on_tick is not None and on_tick(self):
                return
            if max_ticks is not None and self.ticks >= max_ticks:
                return
            if duration_s is not None and time.monotonic() - t0 >= duration_s:
                return

    # -- one step ------------------------------------------------------------------------------
    def tick(self, timeout_s: float = 0.1) -> KioskView:
        """Take the next frame (if any), update presence, the machine and the session, draw, show."""
        self.start()
        item = self.grabber.get(timeout_s)
        real = time.monotonic()
        real_dt = (real - self._last_real) * 1000.0
        self._last_real = real
        media_dt = 0.0
        if item is not None:
            ts = item[1]
            if self._last_media is not None and ts > self._last_media:
                media_dt = float(ts - self._last_media)
                self._media_ms += ts - self._last_media
            elif self._last_media is not None:  # the source started again (reopened): one frame on
                self._media_ms += 1
            self._last_media = ts
        now = self.clock.advance(real_dt, media_dt)
        self.ticks += 1

        frame: Frame | None = None  # the camera's image as delivered: what the models analyse
        if item is not None:
            frame = item[0]
            # What the person sees: a mirror image, unless configured otherwise.
            self._frame = np.ascontiguousarray(frame[:, ::-1]) if self.cfg.display.mirror else frame
            self.watch.frame(now, frame_digest(frame))
            self.frames += 1
        stall = self.watch.check(now) if self.grabber.status == SourceStatus.OK else None
        if stall is not None:
            log.warning("camera: %s; reopening", "no new frame" if stall is StallReason.NO_FRAMES
                        else "the same frame again and again")
            self._stall = stall
            self.grabber.restart()
            self.watch.reset(now)
        elif item is not None:
            self._stall = None
        # Opening (at start, or after a stall) is not "missing": only a failed open or read is.
        camera_ok = self.grabber.status != SourceStatus.MISSING and self._stall is None
        self.camera_ok = camera_ok

        obs: PresenceObservation | None = None
        result: FrameResult | None = None
        if frame is not None and self.machine.screen is not Screen.SUMMARY:
            try:
                if self._session is not None and self._session.coach is None:
                    self._session.coach = self._new_coach(now)
                if self._session is not None and self._session.coach is not None:
                    result = self._session.coach.step(frame, self._media_ms)
                    lm = result.landmarks
                    feats = result.features.values
                else:
                    lm = self.extractor.extract(frame, self._media_ms)
                    feats = None
                obs = observe(lm, self.cfg.presence, feats)
                self._update_framing(frame, lm, feats)
            except CoachCrash:
                raise
            except Exception as exc:  # a crash inside the models must not take the kiosk down at once
                self._coach_failed(now, exc)
        if obs is not None:
            self._presence_state = self.presence.update(now, obs)
        elif not camera_ok:
            self._presence_state = self.presence.update(now, PresenceObservation.nobody())

        events, view = self.machine.update(now, self._presence_state, camera_ok=camera_ok)
        for ev in events:
            self._handle(ev, now)
        if result is not None and self._session is not None and view.screen is Screen.SESSION:
            self._session_frame(result, now)
        self._result = result if result is not None else (self._result if self._session else None)
        self.view = view

        canvas = self.render(view, now, camera_ok)
        self.display.show(canvas)
        self.last_canvas = canvas
        return view

    def _update_framing(self, frame: Frame, lm: Landmarks, feats: Any) -> None:
        """Framing check on every analysed frame (attract screen: hints; session: which areas are coached)."""
        try:
            if feats is None and lm.face is not None:
                from bodycoach.features.extract import extract_features

                feats = extract_features(lm).values
            self.framing.update(lm, frame_light(frame, lm), feats)
        except Exception as exc:  # a hint must never take the kiosk down
            log.debug("framing check failed: %s", exc)

    def _coach_failed(self, now: int, exc: BaseException) -> None:
        first = str(exc).splitlines()[0] if str(exc) else ""
        log.error("coach failed: %s: %s", exc.__class__.__name__, first)
        self._coach_error_until = now + 2000
        if self.errors.add(now):
            raise CoachCrash(
                f"the coach failed {len(self.errors)} times within "
                f"{self.cfg.watchdog.coach_error_window_ms} ms (last: {exc.__class__.__name__}: {exc})"
            )
        if self._session is not None:  # start the analysis afresh at the next frame; the session goes on
            self._session.coach = None

    def _new_coach(self, now: int) -> Coach | None:
        """A fresh coach for a new person, or None (counted as a coach failure) when it cannot be built."""
        try:
            return Coach(self.extractor, profile=self.profile)
        except Exception as exc:  # a broken install or model file: recovered by the budget / supervisor
            self._coach_failed(now, exc)
            return None

    def _handle(self, ev: Any, now: int) -> None:
        self.events_log.append(ev)
        if len(self.events_log) > 200:
            del self.events_log[:100]
        if isinstance(ev, SessionStarted):
            reset = getattr(self.extractor, "reset", None)
            if callable(reset):
                reset()
            writer = None
            if self.store is not None and self.cfg.privacy.keep_summaries:
                try:
                    writer = self.store.create_session(
                        "kiosk (anonym)", scenario=self.cfg.session.scenario, source="kiosk",
                        keep_landmarks=False)
                except BodycoachError as exc:
                    log.error("store: %s", exc)
            cues = CueScheduler(self.lang)
            recorder = SessionRecorder(lang=self.lang, scenario=self.cfg.session.scenario)
            self._session = _Session(None, recorder, cues, writer, self.cfg.session.phases[0].name, now)
            self._session.coach = self._new_coach(now)
            log.info("session started")
        elif isinstance(ev, PhaseChanged) and self._session is not None:
            self._session.phase = ev.phase.name
        elif isinstance(ev, SessionEnded) and self._session is not None:
            s = self._session
            closed: tuple[Any, ...] = ()
            try:
                if s.coach is not None:
                    closed = s.coach.finish(self._media_ms)
            except Exception as exc:
                log.error("coach.finish failed: %s", exc)
            self._report = None
            self._card = None
            try:
                if s.recorder is not None:
                    s.recorder.finish(self._media_ms)
                    self._report = s.recorder.report()
            except Exception as exc:  # the summary must never take the kiosk down
                log.error("summary failed: %s", exc)
            self._summary_meta = (ev.duration_ms, str(ev.reason))
            if s.writer is not None:
                try:
                    s.writer.add_events(closed)
                    info = s.writer.close(duration_s=ev.duration_ms / 1000.0)
                    self.saved_sessions.append(int(getattr(info, "id", s.writer.id)))
                except Exception as exc:
                    log.error("store: could not save the session summary: %s", exc)
            self._session = None
            self._result = None
            self._cue = None
            self.sessions_completed += 1
            log.info("session ended (%s, %.1f s)", ev.reason, ev.duration_ms / 1000)
        elif isinstance(ev, Reset):
            # Nothing of the last person survives: coach, recorder, report and card are dropped here;
            # the extractor forgets the followed face.
            self._report = None
            self._card = None
            self._session = None
            self._result = None
            self._cue = None
            self.presence.reset()
            self._presence_state = self.presence.update(now, PresenceObservation.nobody())
            reset = getattr(self.extractor, "reset", None)
            if callable(reset):
                reset()

    def _session_frame(self, result: FrameResult, now: int) -> None:
        s = self._session
        assert s is not None
        if s.recorder is not None:
            try:
                s.recorder.add(result, s.phase)
            except Exception as exc:
                log.error("recorder failed: %s", exc)
                s.recorder = None
        if s.cues is not None:
            try:
                self._cue = s.cues.update(result, s.phase)
            except Exception as exc:
                log.error("cues failed: %s", exc)
                self._cue = None
        if s.writer is not None:
            try:
                s.writer.add_frame(result, s.phase)
            except Exception as exc:
                log.error("store: %s", exc)

    # -- drawing -------------------------------------------------------------------------------
    def render(self, view: KioskView, now: int, camera_ok: bool) -> Frame:
        """Draw the current screen at the display's current size."""
        lay = layout_for(self.display.size())
        canvas = np.empty((lay.height, lay.width, 3), np.uint8)
        canvas[:] = BG
        if view.screen is Screen.ATTRACT:
            self._draw_attract(canvas, lay, view, camera_ok)
        elif view.screen is Screen.SESSION:
            self._draw_session(canvas, lay, view, camera_ok)
        else:
            self._draw_summary(canvas, lay, view)
        msg = None
        if not camera_ok:
            msg = text("camera_frozen" if self._stall is not None else "camera_missing", self.lang)
        elif now < self._coach_error_until:
            msg = text("coach_error", self.lang)
        elif now < self._restart_note_until:
            msg = text("restarted", self.lang)
        if msg:
            self._draw_message(canvas, lay, msg)
        return canvas

    def _draw_attract(self, canvas: Frame, lay: Layout, view: KioskView, camera_ok: bool) -> None:
        p = self.painter
        if self._frame is not None and camera_ok:
            paste_fitted(canvas, self._frame, (0, 0, lay.width, lay.height), dim=0.35)
        m = lay.margin
        w = lay.width - 2 * m
        y = lay.height // 5
        y += p.paragraph(canvas, text("attract_title", self.lang), (m, y, w, lay.title_px * 3), lay.title_px,
                         WHITE, bold=True, anchor="c")
        y += lay.body_px
        y += p.paragraph(canvas, text("attract_body", self.lang), (m * 4, y, lay.width - 8 * m, lay.body_px * 4),
                         lay.body_px, WHITE, anchor="c")
        # Framing check before the session: what to change so the coach sees the person well.
        st = self.framing.status
        if camera_ok and st.frames and st.issues and "no_face" not in st.issues:
            y += lay.body_px // 2
            for line in issue_texts(st.issues[:2], self.lang):
                y += p.paragraph(canvas, line, (m * 4, y, lay.width - 8 * m, lay.body_px * 3), lay.body_px, HINT,
                                 anchor="c")
        if view.start_progress > 0:
            bw = lay.width // 2
            bx = (lay.width - bw) // 2
            by = int(lay.height * 0.66)
            bh = max(8, lay.body_px // 2)
            fill_rect(canvas, (bx, by, bw, bh), PANEL)
            fill_rect(canvas, (bx, by, int(bw * view.start_progress), bh), ACCENT)
            p.draw(canvas, text("attract_hold", self.lang), (lay.width // 2, by + bh + m), lay.body_px,
                   ACCENT, anchor="c")
        p.draw(canvas, text("attract_hint", self.lang), (lay.width // 2, lay.height - m - lay.small_px * 2),
               lay.small_px, MUTED, anchor="c")

    def _draw_session(self, canvas: Frame, lay: Layout, view: KioskView, camera_ok: bool) -> None:
        p = self.painter
        if self._frame is not None:
            # The last image stays, dimmed, while the camera is away: clearly not live.
            phase_id = view.phase.name if view.phase is not None else None
            draw_session_video(canvas, lay.video, self._frame, self._result, lang=self.lang,
                               cue=present_cue(self._cue, self._result.states, "face_to_face")
                               if self._result is not None else None,
                               phase=phase_id, show_landmarks=self.cfg.display.show_landmarks,
                               mirrored=self.cfg.display.mirror, badge_px=lay.badge_px, cue_px=lay.cue_px,
                               live=camera_ok)
        bx, by, bw, bh = lay.banner
        fill_rect(canvas, lay.banner, PANEL)
        m = lay.margin
        n = len(self.cfg.session.phases)
        phase = view.phase
        title = f"{text('phase', self.lang)} {view.phase_index + 1} {text('of', self.lang)} {n}"
        if phase is not None:
            title += f" · {phase_title(phase, self.lang)}"
        ty = by + (bh - lay.body_px) // 2 - lay.body_px // 6
        p.draw(canvas, title, (m, ty), lay.body_px, WHITE, bold=True)
        right = (f"{text('customer', self.lang)}: {scenario_name(self.cfg.session.scenario, self.lang)}   "
                 f"{_fmt_s(view.session_remaining_ms)} {text('time_left', self.lang)}")
        p.draw(canvas, right, (lay.width - m, ty), lay.body_px, MUTED, anchor="r")
        planned = max(1, self.machine.planned_ms)
        frac = min(1.0, view.session_elapsed_ms / planned)
        fill_rect(canvas, (0, by + bh - 6, int(lay.width * frac), 6), ACCENT)
        fx, fy, fw, fh = lay.footer
        fill_rect(canvas, lay.footer, PANEL)
        prompt = phase_prompt(phase, self.lang) if phase is not None else ""
        yy = fy + m // 2
        coached = coached_text("face_to_face", self.framing.status.body_in_view, self.lang)
        used = p.paragraph(canvas, prompt, (m, yy, fw - 2 * m, fy + fh - yy - lay.small_px), lay.body_px, WHITE,
                           anchor="c")
        # Which areas are coached with this framing (a face-only picture: eyes, smile, head).
        p.draw(canvas, coached, (lay.width // 2, min(fy + fh - lay.small_px - m // 2, yy + used)), lay.small_px,
               MUTED, anchor="c")

    def _draw_summary(self, canvas: Frame, lay: Layout, view: KioskView) -> None:
        p = self.painter
        m = lay.margin
        duration_ms, reason = self._summary_meta
        fx, fy, fw, fh = lay.footer
        if self._report is not None:
            wh = (lay.width, fy)
            if self._card is None or (self._card.shape[1], self._card.shape[0]) != wh:
                try:
                    self._card = render_summary_card(self._report, lang=self.lang, size=wh)
                except Exception as exc:
                    log.error("summary card failed: %s", exc)
                    self._report = None
            if self._card is not None:
                canvas[:fy, :lay.width] = self._card
        if self._report is None:
            p.draw(canvas, text("summary_title", self.lang), (lay.width // 2, m * 3), lay.title_px, WHITE,
                   bold=True, anchor="c")
            p.draw(canvas, text("summary_fallback", self.lang), (lay.width // 2, lay.height // 3), lay.body_px,
                   WHITE, anchor="c")
        fill_rect(canvas, lay.footer, PANEL)
        reason_key = f"end_{reason}" if reason else "summary_fallback"
        p.draw(canvas, f"{text(reason_key, self.lang)}  ({_fmt_s(duration_ms)})", (lay.width // 2, fy + m // 2),
               lay.small_px, MUTED, anchor="c")
        secs = max(0, int(np.ceil(view.summary_remaining_ms / 1000)))
        p.draw(canvas, f"{text('summary_next', self.lang)} {secs} {text('seconds', self.lang)}",
               (lay.width // 2, fy + m // 2 + int(lay.small_px * 1.6)), lay.body_px, WHITE, anchor="c")

    def _draw_message(self, canvas: Frame, lay: Layout, msg: str) -> None:
        m = lay.margin
        w = int(lay.width * 0.7)
        x = (lay.width - w) // 2
        lines = self.painter.wrap(msg, lay.body_px, w - 2 * m)
        h = int(len(lines) * lay.body_px * 1.3) + 2 * m
        y = (lay.height - h) // 2
        fill_rect(canvas, (x, y, w, h), PANEL, alpha=0.92)
        fill_rect(canvas, (x, y, 8, h), WARN)
        self.painter.paragraph(canvas, msg, (x + m, y + m, w - 2 * m, h), lay.body_px, WHITE, anchor="c")

