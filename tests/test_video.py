"""Video source: formats, sampling, looping and one-line errors for bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bodycoach.errors import VideoReadError
from bodycoach.io.video import open_source, read_image, to_bgr
from tests.videos import ffmpeg, noise_frames, write_clip

SAMPLE = Path(__file__).resolve().parents[1] / "sample_videos" / "liveportrait_d12.mp4"


def test_reads_sample_with_increasing_timestamps() -> None:
    with open_source(SAMPLE) as src:
        assert (src.info.width, src.info.height) == (512, 512)
        assert src.info.fps == pytest.approx(25.0)
        ts = [t for _, t in src]
    assert len(ts) == src.info.frame_count
    assert ts[0] == 0 and all(b > a for a, b in zip(ts, ts[1:], strict=False))
    assert ts[1] == 40  # 25 fps


@pytest.mark.parametrize("every_ms", [100.0, 250.0, 1000.0])
def test_every_ms_samples_at_the_requested_rate(every_ms: float) -> None:
    with open_source(SAMPLE, every_ms=every_ms) as src:
        ts = np.array([t for _, t in src])
    gaps = np.diff(ts)
    assert abs(gaps.mean() - every_ms) <= 40  # within one frame of the clip (25 fps)
    assert len(ts) == pytest.approx(7320 / every_ms, abs=2)


def test_loop_keeps_timestamps_increasing() -> None:
    with open_source(SAMPLE, loop=True, prefetch=3) as src:
        ts = []
        for _, t in src:
            ts.append(t)
            if len(ts) > 400:
                break
    assert len(ts) == 401 and all(b > a for a, b in zip(ts, ts[1:], strict=False))


def test_prefetch_gives_same_frames() -> None:
    with open_source(SAMPLE, every_ms=500) as a, open_source(SAMPLE, every_ms=500, prefetch=2) as b:
        fa = [(f.sum(), t) for f, t in a]
        fb = [(f.sum(), t) for f, t in b]
    assert fa == fb


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _write(d / "empty.mp4", b""), "file is empty (0 bytes)"),
        (lambda d: _write(d / "text.mp4", b"not a video\n"), "not a readable video"),
        (lambda d: d, "is a folder"),
    ],
    ids=["missing", "zero-byte", "text-named-mp4", "folder"],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(VideoReadError) as err:
        open_source(path)
    text = str(err.value)
    assert message in text and str(path) in text and "\n" not in text


def test_truncated_mp4_is_an_error_or_a_shorter_clip(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 3])
    try:
        src = open_source(cut)
    except VideoReadError as exc:
        assert str(cut) in str(exc) and "\n" not in str(exc)
        return
    with src:
        n = sum(1 for _ in src)
    assert n < 183 and src.ended_early


def test_unknown_camera_index() -> None:
    with pytest.raises(VideoReadError, match="camera 57"):
        open_source(57)


def test_grayscale_tiny_and_large_frames(tmp_path: Path) -> None:
    gray = [f[:, :, 0] for f in noise_frames(3, 64, 48)]
    with open_source(write_clip(tmp_path / "gray.avi", gray, fourcc="MJPG", is_color=False)) as src:
        frames = [f for f, _ in src]
    assert frames and all(f.shape == (48, 64, 3) and f.dtype == np.uint8 for f in frames)

    tiny = write_clip(tmp_path / "tiny.avi", noise_frames(2, 16, 16), fourcc="MJPG")
    with open_source(tiny) as src:
        assert all(f.shape == (16, 16, 3) for f, _ in src)

    big = write_clip(tmp_path / "big.avi", noise_frames(2, 3840, 2160), fourcc="MJPG")
    with open_source(big) as src:
        assert src.info.width == 3840 and all(f.shape == (2160, 3840, 3) for f, _ in src)


@pytest.mark.parametrize("suffix", [".webm", ".y4m", ".mjpeg"])
def test_other_containers(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"clip{suffix}"
    extra = ["-c:v", "mjpeg", "-f", "mjpeg"] if suffix == ".mjpeg" else []
    extra += ["-pix_fmt", "yuv420p"] if suffix == ".y4m" else []
    if not ffmpeg("-i", str(SAMPLE), "-t", "1", *extra, str(out)):
        pytest.skip("ffmpeg is not installed")
    with open_source(out) as src:
        frames = [f for f, _ in src]
    assert len(frames) >= 10 and frames[0].shape[2] == 3


@pytest.mark.parametrize(
    ("shape", "dtype"),
    [((4, 5), np.uint8), ((4, 5, 1), np.uint8), ((4, 5, 4), np.uint8), ((4, 5, 3), np.float32)],
)
def test_to_bgr_normalises(shape: tuple[int, ...], dtype: type) -> None:
    out = to_bgr(np.ones(shape, dtype=dtype))
    assert out.shape == (4, 5, 3) and out.dtype == np.uint8


def test_read_image_errors(tmp_path: Path) -> None:
    with pytest.raises(VideoReadError, match="no such file"):
        read_image(tmp_path / "x.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_text("x")
    with pytest.raises(VideoReadError, match="not a readable image"):
        read_image(bad)
