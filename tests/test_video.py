"""Video source: formats, sampling, looping and one-line errors for bad input."""

from __future__ import annotations

import shutil
import subprocess
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


def _ffprobe_times_ms(path: Path) -> list[float]:
    exe = shutil.which("ffprobe")
    assert exe is not None
    out = subprocess.run(
        [exe, "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time",
         "-of", "csv=p=0", str(path)], check=True, capture_output=True, text=True).stdout
    times = [float(line.split(",")[0]) * 1000.0 for line in out.splitlines() if line.strip()]
    return [t - times[0] for t in times]


def _vfr_clip(tmp_path: Path) -> Path:
    """2 s at 10 fps then 2 s at 25 fps in one H.264 mp4 with variable frame timing (as phones record)."""
    out = tmp_path / "vfr.mp4"
    if not ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
                  "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=2",
                  "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]", "-fps_mode", "vfr",
                  "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)) or shutil.which("ffprobe") is None:
        pytest.skip("ffmpeg/ffprobe are not installed")
    return out


def test_variable_frame_rate_times_follow_the_container(tmp_path: Path) -> None:
    clip = _vfr_clip(tmp_path)
    expected = _ffprobe_times_ms(clip)
    with open_source(clip) as src:
        got = [t for _, t in src]
    assert len(got) == len(expected) >= 65  # 20 + 50 frames (the concat may drop the last)
    # Index x 1000 / average fps would be ~1.2 s off at the switch; the container's times are not.
    assert max(abs(g - e) for g, e in zip(got, expected, strict=True)) <= 40
    assert got[19] == pytest.approx(1900, abs=40) and got[20] == pytest.approx(2000, abs=40)
    assert got[-1] == pytest.approx(expected[-1], abs=40) and got[-1] >= 3880


def test_variable_frame_rate_sampling_uses_real_times(tmp_path: Path) -> None:
    clip = _vfr_clip(tmp_path)
    expected = _ffprobe_times_ms(clip)
    with open_source(clip, every_ms=200) as src:
        got = [t for _, t in src]
    # One frame per 200 ms of source time in both halves, each at a real frame's presentation time.
    assert len(got) == pytest.approx(expected[-1] / 200, abs=1.5)
    assert all(min(abs(g - e) for e in expected) <= 40 for g in got)
    assert all(150 <= b - a <= 250 for a, b in zip(got, got[1:], strict=False))


def test_file_without_presentation_times_falls_back_to_the_frame_rate(tmp_path: Path) -> None:
    out = tmp_path / "raw.mjpeg"  # a raw MJPEG stream carries no timestamps
    if not ffmpeg("-i", str(SAMPLE), "-t", "1", "-c:v", "mjpeg", "-f", "mjpeg", str(out)):
        pytest.skip("ffmpeg is not installed")
    with open_source(out) as src:
        ts = [t for _, t in src]
    assert ts[:3] == [0, 40, 80] and all(b - a == 40 for a, b in zip(ts, ts[1:], strict=False))
