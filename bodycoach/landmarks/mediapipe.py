"""The only importer of mediapipe: BGR frames → one typed ``Landmarks`` per frame.

Pose (BlazePose full, ``model_complexity=1`` — the only pose model the 0.10.21 wheel ships), face mesh
with iris (``refine_landmarks=True``) and hands run side by side on a small thread pool: MediaPipe's graphs
release the GIL, so on 2 cores the three models cost about as much as the slowest one plus overhead
instead of their sum (see ``bodycoach bench``).

Mirroring and handedness are resolved here, once. A mirrored frame (a selfie preview) is flipped back to
the true view before the models see it, so BlazePose's "left shoulder" and the hand model's handedness
mean what they should; the points are then mapped back to the frame as given (``x → 1 - x``). The result:
coordinates match the input frame, and "left" always means the person's left.

Several people: the followed person is the largest face near the centre, kept over time (a tracked face
gets a bonus), and the body and hands are kept only when they belong to that face.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from bodycoach.errors import LandmarkerError
from bodycoach.landmarks.appearance import mouth_hog
from bodycoach.landmarks.settings import PerceptionSettings
from bodycoach.types import FloatArray, Landmarks

try:  # the legacy "solutions" API; the models ship inside the wheel
    from mediapipe.python.solutions import face_mesh as _mp_face_mesh
    from mediapipe.python.solutions import hands as _mp_hands
    from mediapipe.python.solutions import holistic as _mp_holistic
    from mediapipe.python.solutions import pose as _mp_pose
except ImportError as _exc:  # pragma: no cover - depends on the install
    raise LandmarkerError(f"mediapipe==0.10.21 is not installed or broken ({_exc})") from None

# BlazePose indices used to tie hands and face to the body (see landmarks/indices.py for the full set).
_NOSE, _L_SHOULDER, _R_SHOULDER, _L_WRIST, _R_WRIST = 0, 11, 12, 15, 16
# The step the legacy ``solutions`` API adds to its graph clock per ``process()`` call (microseconds).
_FRAME_US = 33333


@dataclass
class _Face:
    points: FloatArray  # (478, 4), true-view coordinates
    centre: tuple[float, float]
    width: float  # normalised to frame width


class MediapipeExtractor:
    """Run the three landmark models on a frame and follow one person.

    Args:
        mirrored: The frames are a mirrored (selfie) view. Coordinates stay in the frame as given; left and
            right are the person's either way.
        static_image_mode: Treat every frame as unrelated (still photos); otherwise the models track
            between frames, which is faster and steadier for video.
        settings: Perception settings; default ``calibration/perception.toml``.
        parallel: Run the three models on threads (True) or one after another (for benchmarking).

    Attributes:
        last_timings_ms: Milliseconds spent in ``prepare``, ``pose``, ``face``, ``hands``, ``assemble`` and
            ``total`` on the last frame (each model timed inside its own thread).
    """

    def __init__(self, mirrored: bool = False, static_image_mode: bool = False,
                 settings: PerceptionSettings | None = None, parallel: bool = True) -> None:
        self.mirrored = mirrored
        self.static_image_mode = static_image_mode
        self.settings = settings or PerceptionSettings.load()
        s = self.settings
        try:
            self._pose = _mp_pose.Pose(
                static_image_mode=static_image_mode, model_complexity=1, smooth_landmarks=True,
                enable_segmentation=False, min_detection_confidence=s.min_detection_confidence,
                min_tracking_confidence=s.min_tracking_confidence)
            self._face = _mp_face_mesh.FaceMesh(
                static_image_mode=static_image_mode, max_num_faces=s.max_faces, refine_landmarks=True,
                min_detection_confidence=s.min_detection_confidence,
                min_tracking_confidence=s.min_tracking_confidence)
            self._hands = _mp_hands.Hands(
                static_image_mode=static_image_mode, max_num_hands=s.max_hands,
                model_complexity=s.hands_model_complexity,
                min_detection_confidence=s.min_detection_confidence,
                min_tracking_confidence=s.min_tracking_confidence)
        except Exception as exc:  # mediapipe raises RuntimeError/ValueError with long graph dumps
            raise LandmarkerError(f"could not load the MediaPipe models ({str(exc).splitlines()[0]})") from None
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="bodycoach-mp") if parallel else None
        self._lock = threading.Lock()
        self._target: tuple[float, float, float] | None = None  # centre x, y and width of followed face
        self._hands_wanted = True
        self._hands_last_run_ms: int | None = None
        self._clock_offset_us = 0
        self.last_timings_ms: dict[str, float] = {}
        self._closed = False

    # -- public ---------------------------------------------------------------------------------
    def extract(self, frame_bgr: npt.NDArray[Any], timestamp_ms: int) -> Landmarks:
        """Return the followed person's landmarks in ``frame_bgr`` (BGR or grayscale ``uint8``)."""
        if self._closed:
            raise LandmarkerError("the extractor is closed")
        t0 = time.perf_counter()
        frame = np.asarray(frame_bgr)
        if frame.dtype != np.uint8 or frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (1, 3, 4)):
            raise LandmarkerError(
                f"frame must be a uint8 HxW or HxWx{{1,3,4}} array, but got {frame.dtype} {frame.shape}")
        h, w = frame.shape[:2]
        if min(h, w) < self.settings.min_side_px:
            return Landmarks(timestamp_ms=timestamp_ms, image_wh=(w, h), mirrored=self.mirrored)
        rgb = self._prepare(frame)
        t1 = time.perf_counter()
        with self._lock:  # the graphs are not re-entrant
            self._feed_clock(timestamp_ms)
            run_hands = self._hands_due(timestamp_ms)
            hands_fn = self._hands.process if run_hands else _no_hands
            if self._pool is not None:
                fp = self._pool.submit(_timed, self._pose.process, rgb)
                ff = self._pool.submit(_timed, self._face.process, rgb)
                fh = self._pool.submit(_timed, hands_fn, rgb)
                (pose_res, t_pose), (face_res, t_face), (hand_res, t_hand) = fp.result(), ff.result(), fh.result()
            else:
                pose_res, t_pose = _timed(self._pose.process, rgb)
                face_res, t_face = _timed(self._face.process, rgb)
                hand_res, t_hand = _timed(hands_fn, rgb)
            t2 = time.perf_counter()
            lm = self._assemble(timestamp_ms, (w, h), pose_res, face_res, hand_res)
            self._note_hands(timestamp_ms, lm, ran=run_hands)
            if self.static_image_mode and not self.mirrored and lm.face is None and lm.pose is not None:
                lm = self._retry_face(rgb, lm)
            elif self.static_image_mode and not self.mirrored and lm.face is not None:
                lm = self._retry_small_face(rgb, lm)
            if (self.static_image_mode and lm.face is None
                    and (lm.pose is None or (lm.left_hand is None and lm.right_hand is None))):
                lm = self._retry_hands(rgb, lm, (w, h), pose_res, face_res)
        t_app = time.perf_counter()
        lm = _with_appearance(rgb, lm)
        t3 = time.perf_counter()
        self.last_timings_ms = {
            "prepare": (t1 - t0) * 1e3, "pose": t_pose, "face": t_face, "hands": t_hand,
            "models_wall": (t2 - t1) * 1e3, "assemble": (t3 - t2) * 1e3, "appearance": (t3 - t_app) * 1e3,
            "total": (t3 - t0) * 1e3,
        }
        return lm

    def _feed_clock(self, ts_ms: int) -> None:
        """Give the graphs the frame's own time instead of the legacy API's fixed 30 fps clock.

        ``solutions`` ``process()`` stamps every frame 33.333 ms after the previous one, whatever the real
        spacing. BlazePose's landmark filter (a time-based one-euro filter) then sees frames fed at 5 fps
        (``analyze``) as six times faster motion than frames fed at 25 fps (live, kiosk), so the same
        recording gave different landmarks per surface: nose height above the shoulders 0.018 shoulder
        widths lower on average at 5 fps than at 25 fps on the demo clip (sd 0.025), enough to move posture
        from 25 % to 65 % slumped. With the real times the two agree (mean -0.001). A source whose times
        start again (a new file through the same extractor) continues after the last time fed.
        """
        graphs = [g for g in (self._pose, self._face, self._hands) if hasattr(g, "_simulated_timestamp")]
        if not graphs:
            return
        last = max(int(g._simulated_timestamp) for g in graphs)
        us = int(ts_ms) * 1000 + self._clock_offset_us
        if us <= last:
            self._clock_offset_us += last + _FRAME_US - us
            us = last + _FRAME_US
        for g in graphs:
            g._simulated_timestamp = us - _FRAME_US  # process() adds one 30 fps frame before stamping

    def reset(self) -> None:
        """Forget the followed person (a new trainee)."""
        self._target = None
        self._hands_wanted = True
        self._hands_last_run_ms = None

    def restart(self) -> None:
        """Start a new recording with the models kept loaded: forget the person and the models' tracking.

        What follows is analysed exactly as by a freshly created extractor (``bodycoach batch`` loads the
        models once per worker and restarts them between files).
        """
        with self._lock:
            self.reset()
            for graph in (self._pose, self._face, self._hands):
                graph.reset()

    # -- hand gating ------------------------------------------------------------------------------
    # The hand model re-runs its palm detector on every frame in which it tracks fewer than two hands,
    # which makes it the most expensive of the three models when hands are out of view (a face-only
    # webcam framing). Like MediaPipe Holistic, we let the body decide: when the previous frame showed no
    # hand and both pose wrists were outside the picture, the hand model is skipped, but it is still run
    # at least every `hands_probe_ms` so a hand entering without the body noticing is found. Stills
    # (static_image_mode) always run it.
    def _hands_due(self, ts: int) -> bool:
        if self.static_image_mode or self.settings.hands_probe_ms <= 0 or self._hands_wanted:
            return True
        last = self._hands_last_run_ms
        return last is None or ts - last >= self.settings.hands_probe_ms or ts < last

    def _note_hands(self, ts: int, lm: Landmarks, ran: bool) -> None:
        if ran:
            self._hands_last_run_ms = ts
        if lm.left_hand is not None or lm.right_hand is not None or lm.pose is None:
            self._hands_wanted = True  # hands in view, or no body to tell us where they are
            return
        m = self.settings.hands_wrist_margin_norm
        wrists = lm.pose[[_L_WRIST, _R_WRIST], :2]
        inside = (wrists > -m) & (wrists < 1.0 + m)
        self._hands_wanted = bool(inside.all(axis=1).any())

    def close(self) -> None:
        """Release the models and threads (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        for m in (self._pose, self._face, self._hands):
            m.close()

    def __enter__(self) -> MediapipeExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------------
    def _retry_hands(self, rgb: npt.NDArray[Any], lm: Landmarks, wh: tuple[int, int], pose_res: Any,
                     face_res: Any) -> Landmarks:
        """Stills without a face: run the hand model again on the frame padded by its own size on every side.

        A hand filling the picture (a close-up photo of one hand) is too large for the palm detector; on the
        frame shrunk into a replicated border it is found, and its handedness is then read reliably (dev
        hand photos: 453 → 529 of 530 found, side right 438 → 523). The retry is kept when it finds at least
        as many hands.
        """
        h, w = rgb.shape[:2]
        pad = max(h, w)
        big = np.ascontiguousarray(cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REPLICATE))
        res = self._hands.process(big)
        found = len(res.multi_hand_landmarks or [])
        if found == 0 or found < (lm.left_hand is not None) + (lm.right_hand is not None):
            return lm
        bw, bh = big.shape[1], big.shape[0]
        for hand in res.multi_hand_landmarks:
            for q in hand.landmark:
                q.x, q.y, q.z = (q.x * bw - pad) / w, (q.y * bh - pad) / h, q.z * bw / w
        return self._assemble(lm.timestamp_ms, wh, pose_res, face_res, res)

    def _retry_face(self, rgb: npt.NDArray[Any], lm: Landmarks) -> Landmarks:
        """Still images only: run the face mesh again on an upscaled crop around the body's head.

        The face detector (short range) misses faces smaller than ~1/10 of the frame (full-body shots);
        the pose model still finds the head. On the dev stills this recovers 11 of 14 missed faces.
        """
        assert lm.pose is not None
        head = [0, 2, 5, 7, 8, 9, 10]  # nose, eyes, ears, mouth corners
        pts = lm.pose[head]
        if not np.isfinite(pts[:, :2]).all() or float(pts[:, 3].mean()) < 0.5:
            return lm
        h, w = rgb.shape[:2]
        xy = pts[:, :2] * np.array([w, h], dtype=np.float32)
        cx, cy = xy.mean(axis=0)
        size = max(32.0, 3.0 * float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]))))
        x0, y0 = int(max(0.0, cx - size / 2)), int(max(0.0, cy - size / 2))
        x1, y1 = int(min(float(w), cx + size / 2)), int(min(float(h), cy + size / 2))
        if x1 - x0 < 16 or y1 - y0 < 16 or (x1 - x0) * (y1 - y0) > 0.5 * w * h:
            return lm  # a large head was not missed for its size: another crop will not help
        scale = 384.0 / max(x1 - x0, y1 - y0)
        crop = cv2.resize(rgb[y0:y1, x0:x1], (round((x1 - x0) * scale), round((y1 - y0) * scale)),
                          interpolation=cv2.INTER_CUBIC)
        res = self._face.process(np.ascontiguousarray(crop))
        if not res.multi_face_landmarks:
            return lm
        faces = [_face_from(f) for f in res.multi_face_landmarks]
        best = max(faces, key=lambda f: f.width).points.copy()
        cw, ch = crop.shape[1], crop.shape[0]
        best[:, 0] = (best[:, 0] * cw / scale + x0) / w
        best[:, 1] = (best[:, 1] * ch / scale + y0) / h
        best[:, 2] = best[:, 2] * cw / scale / w
        return replace(lm, face=best, num_faces=max(1, lm.num_faces))

    def _retry_small_face(self, rgb: npt.NDArray[Any], lm: Landmarks) -> Landmarks:
        """Still images only: a face under ``retry_face_min_iod_px`` between the eyes is meshed again on an
        upscaled crop around it; the new mesh replaces the old one when the model finds the face there."""
        assert lm.face is not None
        w0, h0 = lm.image_wh
        f = lm.face
        eyes = (f[[33, 133], :2].mean(axis=0) - f[[263, 362], :2].mean(axis=0)) * np.array([w0, h0], dtype=np.float32)
        iod = float(np.hypot(eyes[0], eyes[1]))
        if not (np.isfinite(iod) and 0.0 < iod < self.settings.retry_face_min_iod_px):
            return lm
        h, w = rgb.shape[:2]
        xy = f[:, :2] * np.array([w, h], dtype=np.float32)
        cx, cy = (float(v) for v in xy.mean(axis=0))
        size = max(32.0, 2.0 * float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]))))
        x0, y0 = int(max(0.0, cx - size / 2)), int(max(0.0, cy - size / 2))
        x1, y1 = int(min(float(w), cx + size / 2)), int(min(float(h), cy + size / 2))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return lm
        scale = 384.0 / max(x1 - x0, y1 - y0)
        if scale <= 1.0:
            return lm
        crop = cv2.resize(rgb[y0:y1, x0:x1], (round((x1 - x0) * scale), round((y1 - y0) * scale)),
                          interpolation=cv2.INTER_CUBIC)
        res = self._face.process(np.ascontiguousarray(crop))
        if not res.multi_face_landmarks:
            return lm
        faces = [_face_from(m) for m in res.multi_face_landmarks]
        best = min(faces, key=lambda m: (m.centre[0] - 0.5) ** 2 + (m.centre[1] - 0.5) ** 2).points.copy()
        cw, ch = crop.shape[1], crop.shape[0]
        best[:, 0] = (best[:, 0] * cw / scale + x0) / w
        best[:, 1] = (best[:, 1] * ch / scale + y0) / h
        best[:, 2] = best[:, 2] * cw / scale / w
        return replace(lm, face=best)

    def _prepare(self, frame: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if frame.ndim == 2:
            rgb = cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
        elif frame.shape[2] == 1:
            rgb = cv2.cvtColor(frame[:, :, 0], cv2.COLOR_GRAY2RGB)
        elif frame.shape[2] == 4:
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
        else:
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        long_side = max(h, w)
        if long_side > self.settings.max_side_px:
            # Uniform scaling keeps normalised coordinates valid.
            scale = self.settings.max_side_px / long_side
            rgb = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        if self.mirrored:
            rgb = cv2.flip(rgb, 1)  # back to the true view: the models' left/right are then the person's
        rgb = np.ascontiguousarray(rgb)
        rgb.flags.writeable = False
        return rgb

    def _assemble(self, ts: int, wh: tuple[int, int], pose_res: Any, face_res: Any, hand_res: Any) -> Landmarks:
        aspect = wh[0] / wh[1] if wh[1] else 1.0
        faces = [_face_from(f) for f in (face_res.multi_face_landmarks or [])]
        face = self._follow(faces, aspect)

        pose = pose_world = None
        if pose_res.pose_landmarks is not None:
            pose = _array(pose_res.pose_landmarks.landmark, with_visibility=True)
            if pose_res.pose_world_landmarks is not None:
                pose_world = _array(pose_res.pose_world_landmarks.landmark, with_visibility=True)
            if face is not None and len(faces) > 1:
                nose = pose[_NOSE, :2]
                if _dist(nose, face.centre, aspect) > self.settings.pose_face_max_dist_face_widths * face.width:
                    pose = pose_world = None  # the body model locked onto somebody else

        left = right = None
        hands = list(zip(hand_res.multi_hand_landmarks or [], hand_res.multi_handedness or [], strict=False))
        candidates: list[tuple[FloatArray, str, float]] = []
        for hand_lm, handed in hands:
            pts = _array(hand_lm.landmark, with_visibility=False)
            cls = handed.classification[0]
            # The hand model assumes a mirrored (selfie) image; we feed the true view, so its "Left" is
            # the person's right.
            side = "right" if cls.label == "Left" else "left"
            if face is not None and len(faces) > 1:
                if _dist(pts[0, :2], face.centre, aspect) > self.settings.hand_face_max_dist_face_widths * face.width:
                    continue
            candidates.append((pts, side, float(cls.score)))
        left, right = self._assign_hands(candidates, pose, aspect)

        def out(a: FloatArray | None) -> FloatArray | None:
            if a is None or not self.mirrored:
                return a
            b = a.copy()
            b[:, 0] = 1.0 - b[:, 0]
            return b

        world = None
        if pose_world is not None:
            world = pose_world.copy()
            if self.mirrored:
                world[:, 0] = -world[:, 0]  # keep world x pointing the same way as image x
        return Landmarks(
            timestamp_ms=ts, image_wh=wh, pose=out(pose), face=out(None if face is None else face.points),
            left_hand=out(left), right_hand=out(right), pose_world=world, num_faces=len(faces),
            mirrored=self.mirrored,
        )

    def _follow(self, faces: list[_Face], aspect: float) -> _Face | None:
        if not faces:
            return None
        s = self.settings
        best, best_score = None, -1.0
        for f in faces:
            off = float(np.hypot((f.centre[0] - 0.5) * aspect, f.centre[1] - 0.5)) / float(np.hypot(aspect, 1.0))
            centrality = max(0.05, 1.0 - off / s.centre_falloff_norm)
            score = f.width * f.width * centrality
            if self._target is not None:
                tx, ty, tw = self._target
                if _dist(f.centre, (tx, ty), aspect) <= s.track_radius_face_widths * max(tw, f.width):
                    score *= s.track_bonus
            if score > best_score:
                best, best_score = f, score
        assert best is not None
        self._target = (best.centre[0], best.centre[1], best.width)
        return best

    def _assign_hands(self, cands: list[tuple[FloatArray, str, float]], pose: FloatArray | None,
                      aspect: float) -> tuple[FloatArray | None, FloatArray | None]:
        slots: dict[str, tuple[FloatArray, float]] = {}
        if pose is not None and cands:
            shoulder = max(_dist(pose[_L_SHOULDER, :2], pose[_R_SHOULDER, :2], aspect), 1e-3)
            limit = self.settings.hand_wrist_max_dist_shoulder * shoulder
            wrists = {"left": pose[_L_WRIST, :2], "right": pose[_R_WRIST, :2]}
            # Greedy assignment by distance: the body knows which wrist is which better than the hand model.
            pairs = sorted(
                (_dist(c[0][0, :2], wrists[side], aspect), i, side)
                for i, c in enumerate(cands) for side in ("left", "right")
            )
            used: set[int] = set()
            for d, i, side in pairs:
                if d > limit or i in used or side in slots:
                    continue
                slots[side] = (cands[i][0], -d)
                used.add(i)
            cands = [c for i, c in enumerate(cands) if i not in used]
        for pts, side, score in sorted(cands, key=lambda c: -c[2]):
            if side not in slots:
                slots[side] = (pts, score)
        return (slots["left"][0] if "left" in slots else None, slots["right"][0] if "right" in slots else None)


def _with_appearance(rgb: npt.NDArray[Any], lm: Landmarks) -> Landmarks:
    """Add the lower-face appearance vector, computed on ``rgb`` (the prepared true-view frame)."""
    if lm.face is None:
        return lm
    face = lm.face
    if lm.mirrored:  # the points follow the frame as given; ``rgb`` was flipped back to the true view
        # (only the face is needed here, so not ``lm.true_view()``, which copies every part)
        face = face.copy()
        face[:, 0] = 1.0 - face[:, 0]
    vec = mouth_hog(rgb, face, rgb=True)
    if vec is None:
        return lm
    return replace(lm, mouth_hog=vec)


class _NoHands:
    multi_hand_landmarks = None
    multi_handedness = None


def _no_hands(rgb: Any) -> _NoHands:
    """Stand-in for the hand model on a frame where it is skipped (see ``_hands_due``)."""
    return _NoHands()


def _timed(fn: Any, arg: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    r = fn(arg)
    return r, (time.perf_counter() - t) * 1e3


def _array(points: Any, with_visibility: bool) -> FloatArray:
    if with_visibility:
        return np.array([(p.x, p.y, p.z, p.visibility) for p in points], dtype=np.float32)
    return np.array([(p.x, p.y, p.z, 1.0) for p in points], dtype=np.float32)


def _face_from(face_lm: Any) -> _Face:
    pts = _array(face_lm.landmark, with_visibility=False)
    xs, ys = pts[:, 0], pts[:, 1]
    return _Face(points=pts, centre=(float(xs.mean()), float(ys.mean())), width=float(xs.max() - xs.min()))


def _dist(a: Any, b: Any, aspect: float) -> float:
    # Distances in units of frame width (y scaled by height/width) so "face widths" mean the same
    # horizontally and vertically.
    return float(np.hypot(float(a[0]) - float(b[0]), (float(a[1]) - float(b[1])) / aspect))


class HolisticExtractor:
    """MediaPipe Holistic, only as the speed baseline in ``bodycoach bench``."""

    def __init__(self) -> None:
        try:
            self._h = _mp_holistic.Holistic(static_image_mode=False, model_complexity=1,
                                            refine_face_landmarks=True)
        except Exception as exc:
            raise LandmarkerError(f"could not load MediaPipe Holistic ({str(exc).splitlines()[0]})") from None

    def extract(self, frame_bgr: npt.NDArray[Any], timestamp_ms: int) -> Landmarks:
        """Run Holistic; returns face and pose only (enough for a timing baseline)."""
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        r = self._h.process(rgb)
        h, w = frame_bgr.shape[:2]
        face = _array(r.face_landmarks.landmark, False) if r.face_landmarks is not None else None
        pose = _array(r.pose_landmarks.landmark, True) if r.pose_landmarks is not None else None
        return Landmarks(timestamp_ms=timestamp_ms, image_wh=(w, h), pose=pose, face=face)

    def close(self) -> None:
        """Release the graph."""
        self._h.close()
