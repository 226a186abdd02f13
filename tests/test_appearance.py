"""Lower-face appearance vector: the descriptor on synthetic images, its carriage in Landmarks and recordings."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from bodycoach.landmarks import recording
from bodycoach.landmarks.appearance import CROP_H, CROP_W, MOUTH_HOG_DIM, lower_face_crop, mouth_hog
from bodycoach.landmarks.recording import ReplayExtractor, load_landmarks, save_landmarks
from bodycoach.types import MOUTH_HOG_VERSION, Landmarks
from tests.landmark_builder import make_face

WH = (640, 480)


def _scene(wh: tuple[int, int] = WH, seed: int = 0) -> np.ndarray:
    """A BGR frame of blurred noise (texture everywhere, so every HOG cell has gradients)."""
    w, h = wh
    rng = np.random.default_rng(seed)
    img = rng.integers(80, 180, size=(h, w, 3), dtype=np.uint8)
    img = cv2.GaussianBlur(img, (9, 9), 0)
    return img


def _face(wh: tuple[int, int] = WH, iod_px: float = 60.0, **kw: float) -> np.ndarray:
    return make_face(centre_px=(wh[0] / 2, wh[1] / 2), iod_px=iod_px, image_wh=wh, **kw)


# --- the descriptor ----------------------------------------------------------------------------------


def test_smoke_shape_dtype_finite() -> None:
    v = mouth_hog(_scene(), _face())
    assert v is not None and v.shape == (MOUTH_HOG_DIM,) == (540,) and v.dtype == np.float32
    assert np.isfinite(v).all() and (v >= 0).all()


def test_crop_is_canonical_size_and_gray() -> None:
    crop = lower_face_crop(_scene(), _face())
    assert crop is not None and crop.shape == (CROP_H, CROP_W) and crop.dtype == np.uint8


def test_no_face_gives_none() -> None:
    assert mouth_hog(_scene(), None) is None


@pytest.mark.parametrize("face", [
    np.full((478, 4), np.nan, np.float32),  # all NaN
    np.zeros((10, 4), np.float32),  # too few points
    np.zeros((478,), np.float32),  # wrong rank
    np.full((478, 4), np.inf, np.float32),
    np.full((478, 4), 1e9, np.float32),  # far outside the frame
])
def test_broken_points_give_none(face: np.ndarray) -> None:
    assert mouth_hog(_scene(), face) is None


def test_tiny_face_gives_none() -> None:
    assert mouth_hog(_scene(), _face(iod_px=3.0)) is None


def test_face_outside_the_picture_gives_none() -> None:
    face = _face()
    face[:, 0] += 3.0  # three frame widths to the right
    assert mouth_hog(_scene(), face) is None


@pytest.mark.parametrize("wh", [(101, 77), (77, 101), (333, 1000), (1920, 1080), (2, 2), (1, 1)])
def test_odd_resolutions_never_raise(wh: tuple[int, int]) -> None:
    v = mouth_hog(_scene(wh), _face(wh, iod_px=min(wh) / 4))
    assert v is None or (v.shape == (MOUTH_HOG_DIM,) and np.isfinite(v).all())


@pytest.mark.parametrize("image", [
    np.zeros((480, 640), np.float32),  # not uint8
    np.zeros((480, 640, 4), np.uint8),  # 4 channels (the adapter hands over RGB)
    np.zeros((480,), np.uint8),
])
def test_unusable_images_give_none(image: np.ndarray) -> None:
    assert mouth_hog(image, _face()) is None


def test_grayscale_equals_colour_converted() -> None:
    bgr = _scene()
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    a = mouth_hog(bgr, _face(), rgb=False)
    b = mouth_hog(gray, _face())
    c = mouth_hog(np.ascontiguousarray(bgr[:, :, ::-1]), _face(), rgb=True)
    assert a is not None and b is not None and c is not None
    # Warping then converting vs converting then warping differ by rounding only (on a low-contrast
    # noise texture that still moves single HOG bins a little).
    assert float(np.corrcoef(a, b)[0, 1]) > 0.9
    np.testing.assert_allclose(a, c, atol=1e-6)


def test_large_face_is_shrunk_before_sampling() -> None:
    """A face 4x larger in a 4x larger frame gives nearly the same descriptor (no aliasing)."""
    small = _scene((320, 240))
    big = cv2.resize(small, (1280, 960), interpolation=cv2.INTER_CUBIC)
    a = mouth_hog(small, _face((320, 240), iod_px=40.0))
    b = mouth_hog(big, _face((1280, 960), iod_px=160.0))
    assert a is not None and b is not None
    assert float(np.corrcoef(a, b)[0, 1]) > 0.8


def test_descriptor_sees_the_mouth() -> None:
    """Drawing a dark open mouth into the crop region changes the descriptor; noise elsewhere does not."""
    img = np.full((480, 640, 3), 128, np.uint8)
    face = _face()
    base = mouth_hog(img, face)
    mouth = img.copy()
    cx, cy = (face[61, :2] + face[291, :2]) / 2 * WH
    cv2.ellipse(mouth, (int(cx), int(cy)), (25, 8), 0, 0, 360, (20, 20, 20), -1)
    elsewhere = img.copy()
    elsewhere[:60, :] = 0  # forehead and above: outside the crop
    a, b = mouth_hog(mouth, face), mouth_hog(elsewhere, face)
    assert base is not None and a is not None and b is not None
    assert float(np.abs(a - base).sum()) > 1.0
    np.testing.assert_allclose(b, base, atol=1e-6)


def test_cost_per_face_is_small() -> None:
    """The adapter runs this on every live frame: well under 1 ms (about 0.1-0.2 ms measured)."""
    img = cv2.cvtColor(_scene((1280, 720)), cv2.COLOR_BGR2RGB)
    face = _face((1280, 720), iod_px=120.0)
    mouth_hog(img, face)
    n = 200
    t = time.perf_counter()
    for _ in range(n):
        mouth_hog(img, face)
    per_call_ms = (time.perf_counter() - t) / n * 1e3
    assert per_call_ms < 3.0  # generous: CI machines are shared; typical is 0.1-0.3 ms


def test_version_is_shared() -> None:
    assert recording.MOUTH_HOG_VERSION == MOUTH_HOG_VERSION


# --- Landmarks -----------------------------------------------------------------------------------------


def test_landmarks_field_defaults_to_none_and_validates() -> None:
    assert Landmarks.empty(0).mouth_hog is None
    lm = Landmarks(0, WH, mouth_hog=np.arange(5, dtype=np.float64))
    assert lm.mouth_hog is not None and lm.mouth_hog.dtype == np.float32
    assert Landmarks(0, WH, mouth_hog=np.full(5, np.nan)).mouth_hog is None
    with pytest.raises(ValueError, match="1-D"):
        Landmarks(0, WH, mouth_hog=np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="1-D"):
        Landmarks(0, WH, mouth_hog=np.zeros(0, np.float32))


def test_true_view_keeps_the_vector() -> None:
    v = np.ones(MOUTH_HOG_DIM, np.float32)
    lm = Landmarks(0, WH, face=_face(), mirrored=True, mouth_hog=v)
    assert lm.true_view().mouth_hog is v


# --- recordings ----------------------------------------------------------------------------------------


def test_round_trip_with_and_without_the_vector(tmp_path: Path) -> None:
    v = np.linspace(0, 1, MOUTH_HOG_DIM, dtype=np.float32)
    seq = [Landmarks(0, WH, face=_face(), mouth_hog=v), Landmarks(40, WH, face=_face()), Landmarks.empty(80, WH)]
    back = load_landmarks(save_landmarks(tmp_path / "x.npz", seq))
    assert back[0].mouth_hog is not None and back[1].mouth_hog is None and back[2].mouth_hog is None
    np.testing.assert_array_equal(back[0].mouth_hog, v)
    with np.load(tmp_path / "x.npz") as z:
        assert z["mouth_hog"].shape == (3, MOUTH_HOG_DIM) and int(z["mouth_hog_version"]) == MOUTH_HOG_VERSION
        assert int(z["format_version"]) == recording.FORMAT_VERSION


def test_without_any_vector_the_file_has_no_block(tmp_path: Path) -> None:
    path = save_landmarks(tmp_path / "x.npz", [Landmarks(0, WH, face=_face())])
    with np.load(path) as z:
        assert "mouth_hog" not in z.files
    assert load_landmarks(path)[0].mouth_hog is None


def test_old_recordings_still_load(tmp_path: Path) -> None:
    """A format-1 file (no appearance block) loads with mouth_hog None."""
    path = save_landmarks(tmp_path / "x.npz", [Landmarks(0, WH, face=_face())])
    with np.load(path) as z:
        data = {k: z[k] for k in z.files}
    data["format_version"] = np.asarray(1)
    np.savez_compressed(tmp_path / "old.npz", **data)
    (lm,) = load_landmarks(tmp_path / "old.npz")
    assert lm.face is not None and lm.mouth_hog is None


@pytest.mark.parametrize("bad", [
    {"mouth_hog_version": np.asarray(MOUTH_HOG_VERSION + 1)},  # another descriptor: do not feed it to a model
    {"mouth_hog": np.zeros((2, MOUTH_HOG_DIM), np.float32)},  # wrong number of frames
    {"mouth_hog": np.zeros((1, 0), np.float32)},
    {"mouth_hog": np.zeros((MOUTH_HOG_DIM,), np.float32)},
])
def test_mismatched_vectors_are_dropped(tmp_path: Path, bad: dict[str, np.ndarray]) -> None:
    v = np.ones(MOUTH_HOG_DIM, np.float32)
    path = save_landmarks(tmp_path / "x.npz", [Landmarks(0, WH, face=_face(), mouth_hog=v)])
    with np.load(path) as z:
        data = {k: z[k] for k in z.files}
    data.update(bad)
    np.savez_compressed(tmp_path / "bad.npz", **data)
    (lm,) = load_landmarks(tmp_path / "bad.npz")
    assert lm.face is not None and lm.mouth_hog is None


def test_vectors_of_different_lengths_in_one_recording_raise(tmp_path: Path) -> None:
    seq = [Landmarks(0, WH, mouth_hog=np.ones(4, np.float32)), Landmarks(40, WH, mouth_hog=np.ones(5, np.float32))]
    with pytest.raises(ValueError, match="one length"):
        save_landmarks(tmp_path / "x.npz", seq)


def test_replay_hands_out_the_vector() -> None:
    v = np.ones(MOUTH_HOG_DIM, np.float32)
    ex = ReplayExtractor([Landmarks(0, WH, face=_face(), mouth_hog=v)])
    lm = ex.extract(None, 500)
    assert lm.timestamp_ms == 500 and lm.mouth_hog is not None
    np.testing.assert_array_equal(lm.mouth_hog, v)


# --- the adapter (slow: runs the MediaPipe models) -------------------------------------------------------


@pytest.mark.slow
def test_adapter_adds_the_vector_in_both_views() -> None:
    mp_adapter = pytest.importorskip("bodycoach.landmarks.mediapipe")
    from tests.videos import read_frames

    root = Path(__file__).resolve().parents[1]
    frame = read_frames(root / "sample_videos" / "liveportrait_d12.mp4", 1)[0]
    with mp_adapter.MediapipeExtractor(static_image_mode=True) as ex:
        lm = ex.extract(frame, 0)
        assert lm.face is not None and lm.mouth_hog is not None and lm.mouth_hog.shape == (MOUTH_HOG_DIM,)
        assert "appearance" in ex.last_timings_ms
        assert ex.extract(np.zeros((1, 1, 3), np.uint8), 1).mouth_hog is None  # nobody: no vector
    with mp_adapter.MediapipeExtractor(static_image_mode=True, mirrored=True) as ex:
        flipped = ex.extract(np.ascontiguousarray(frame[:, ::-1]), 0)
    # A selfie view is flipped back before the crop, so the vector describes the same (true) view.
    assert flipped.mouth_hog is not None
    assert float(np.corrcoef(lm.mouth_hog, flipped.mouth_hog)[0, 1]) > 0.95
