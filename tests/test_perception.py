"""The MediaPipe adapter on real clips (slow: runs the models). Golden files: tests/data/golden_*.npz."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from bodycoach.errors import LandmarkerError
from bodycoach.io.video import open_source
from bodycoach.landmarks.recording import load_landmarks, save_landmarks
from bodycoach.types import Landmarks
from tests.videos import read_frames

pytestmark = pytest.mark.slow
mp_adapter = pytest.importorskip("bodycoach.landmarks.mediapipe")

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = {
    "liveportrait_s20.mp4": ROOT / "tests" / "data" / "golden_liveportrait_s20.npz",
    "pyfeat_WolfgangLanger_Pexels.mp4": ROOT / "tests" / "data" / "golden_pexels.npz",
}
GOLDEN_EVERY_MS = 250.0
# Tolerance for landmark drift between runs/machines, as a fraction of the frame (0.01 = 1 %, ~6 px at
# 640 wide): XNNPACK kernels differ slightly across CPUs.
DIFF_THRESHOLD_NORM = 0.01


def _run(video: Path, every_ms: float) -> list[Landmarks]:
    out = []
    with mp_adapter.MediapipeExtractor() as ex, open_source(video, every_ms=every_ms) as src:
        for frame, ts in src:
            out.append(ex.extract(frame, ts))
    return out


@pytest.mark.parametrize("clip", sorted(GOLDEN))
def test_golden_landmarks(clip: str, regen_golden: bool) -> None:
    got = _run(ROOT / "sample_videos" / clip, GOLDEN_EVERY_MS)
    path = GOLDEN[clip]
    if regen_golden:
        save_landmarks(path, got)
        pytest.skip(f"regenerated {path.name}")
    assert path.exists(), f"{path} is missing: run pytest --regen-golden tests/test_perception.py"
    want = load_landmarks(path)
    assert [g.timestamp_ms for g in got] == [w.timestamp_ms for w in want]
    for part in ("face", "pose"):
        found_got = np.array([getattr(g, part) is not None for g in got])
        found_want = np.array([getattr(w, part) is not None for w in want])
        assert (found_got == found_want).mean() >= 0.95, part
        diffs = [np.nanmedian(np.abs(getattr(g, part)[:, :2] - getattr(w, part)[:, :2]))
                 for g, w in zip(got, want, strict=True)
                 if getattr(g, part) is not None and getattr(w, part) is not None]
        assert diffs and float(np.median(diffs)) < DIFF_THRESHOLD_NORM, part


def test_no_person_gives_empty_values() -> None:
    rng = np.random.default_rng(1)
    with mp_adapter.MediapipeExtractor() as ex:
        for i in range(5):
            room = np.full((360, 480, 3), 90, np.uint8) + rng.integers(0, 20, (360, 480, 3), np.uint8)
            lm = ex.extract(room, i * 100)
            assert lm.is_empty and lm.timestamp_ms == i * 100 and lm.num_faces == 0


def test_odd_frames() -> None:
    frame = read_frames(ROOT / "sample_videos" / "liveportrait_d12.mp4", 1)[0]
    with mp_adapter.MediapipeExtractor(static_image_mode=True) as ex:
        assert ex.extract(np.zeros((1, 1, 3), np.uint8), 0).is_empty
        assert ex.extract(cv2.resize(frame, (3840, 2160)), 1).has_face  # 4K: scaled down inside
        assert ex.extract(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), 2).has_face  # grayscale
        assert ex.extract(cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA), 3).has_face
        with pytest.raises(LandmarkerError, match="uint8"):
            ex.extract(frame.astype(np.float32), 4)
    with pytest.raises(LandmarkerError, match="closed"):
        ex.extract(frame, 5)


def test_mirrored_flag_keeps_left_and_right_the_persons() -> None:
    """The same scene, once as recorded and once as a mirrored preview, gives the same left/right."""
    frames = read_frames(ROOT / "sample_videos" / "pyfeat_WolfgangLanger_Pexels.mp4", 400)
    with mp_adapter.MediapipeExtractor(static_image_mode=True) as a, \
            mp_adapter.MediapipeExtractor(static_image_mode=True, mirrored=True) as b:
        # Between 2 and 4 s a hand is in view: take the first frame where one is found.
        for frame in frames[50:100:4]:
            plain = a.extract(frame, 0)
            if plain.left_hand is not None or plain.right_hand is not None:
                break
        mirror = b.extract(cv2.flip(frame, 1), 0)
    assert plain.pose is not None and mirror.pose is not None
    # Coordinates are in the frame as given: mirrored x = 1 - plain x for the same body point.
    np.testing.assert_allclose(mirror.pose[11, 0], 1 - plain.pose[11, 0], atol=0.02)
    np.testing.assert_allclose(mirror.pose[11, 1], plain.pose[11, 1], atol=0.02)
    # The person's left shoulder is on the image right in an unmirrored recording facing the camera.
    assert plain.pose[11, 0] > plain.pose[12, 0]
    assert mirror.pose[11, 0] < mirror.pose[12, 0]
    hands_plain = {k for k in ("left_hand", "right_hand") if getattr(plain, k) is not None}
    hands_mirror = {k for k in ("left_hand", "right_hand") if getattr(mirror, k) is not None}
    assert hands_plain and hands_plain == hands_mirror
    for k in hands_plain:
        np.testing.assert_allclose(getattr(mirror, k)[0, 0], 1 - getattr(plain, k)[0, 0], atol=0.03)
    # Analysis sees the same person either way (features use the true view of mirrored landmarks).
    from bodycoach.features.extract import extract_features

    assert mirror.mirrored and not plain.mirrored
    np.testing.assert_allclose(mirror.true_view().face[:, :2], plain.face[:, :2], atol=0.02)
    f_plain, f_mirror = extract_features(plain), extract_features(mirror)
    for name in ("head_yaw_deg", "head_pitch_deg"):
        assert f_plain.get(name) == pytest.approx(f_mirror.get(name), abs=3.0), name


def test_two_people_follows_the_larger_central_face_consistently() -> None:
    big = read_frames(ROOT / "sample_videos" / "liveportrait_d12.mp4", 30, size=(480, 480))
    small = read_frames(ROOT / "sample_videos" / "liveportrait_s20.mp4", 30)
    centres = []
    with mp_adapter.MediapipeExtractor() as ex:
        for i, f in enumerate(big):
            canvas = np.full((480, 800, 3), 40, np.uint8)
            canvas[:, 160:640] = f  # the trainee, centred
            s = cv2.resize(small[i % len(small)], (80, 151))
            canvas[20:171, 700:780] = s  # a smaller person at the edge
            lm = ex.extract(canvas, i * 40)
            if lm.face is not None:
                centres.append(float(lm.face[:, 0].mean()))
    assert len(centres) >= 25
    assert all(0.2 < c < 0.8 for c in centres)  # always the central face, never the one at the edge


def test_small_face_in_a_still_is_meshed_again_on_an_upscaled_crop() -> None:
    """A face under retry_face_min_iod_px between the eyes gets a second mesh from an upscaled crop around it;
    its head pose stays that of the same face seen large."""
    from dataclasses import replace

    from bodycoach.features.extract import extract_features
    from bodycoach.landmarks.settings import PerceptionSettings

    frame = read_frames(ROOT / "sample_videos" / "liveportrait_d12.mp4", 1, size=(480, 480))[0]
    # Small enough to be under the limit, large enough that the first pass still finds it (~18 px).
    canvas = np.full((240, 320, 3), 90, np.uint8)
    canvas[60:160, 100:200] = cv2.resize(frame, (100, 100), interpolation=cv2.INTER_AREA)
    settings = PerceptionSettings.load()
    assert settings.retry_face_min_iod_px > 0
    with mp_adapter.MediapipeExtractor(static_image_mode=True) as ex, \
            mp_adapter.MediapipeExtractor(static_image_mode=True,
                                          settings=replace(settings, retry_face_min_iod_px=0.0)) as off:
        big, retried, plain = ex.extract(frame, 0), ex.extract(canvas, 0), off.extract(canvas, 0)
    assert big.face is not None and retried.face is not None and plain.face is not None
    f_big, f_small, f_plain = (extract_features(x) for x in (big, retried, plain))
    assert f_small.get("face_iod_px") < settings.retry_face_min_iod_px
    assert not np.allclose(retried.face, plain.face)  # the crop's mesh replaced the first one
    for name in ("head_yaw_deg", "head_pitch_deg"):
        assert abs(f_small.get(name) - f_big.get(name)) <= 6.0, name
