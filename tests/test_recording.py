"""Landmark recordings: round trip, absence as NaN, replay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bodycoach.errors import BodycoachError
from bodycoach.landmarks.recording import ReplayExtractor, load_landmarks, save_landmarks
from bodycoach.types import Landmarks

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_pexels.npz"


def _lm(ts: int, face: bool = True, left: bool = False) -> Landmarks:
    rng = np.random.default_rng(ts)
    return Landmarks(
        timestamp_ms=ts, image_wh=(640, 480),
        pose=rng.random((33, 4), dtype=np.float32),
        face=rng.random((478, 4), dtype=np.float32) if face else None,
        left_hand=rng.random((21, 4), dtype=np.float32) if left else None,
        num_faces=int(face),
    )


def test_round_trip(tmp_path: Path) -> None:
    seq = [_lm(0), _lm(100, face=False, left=True), Landmarks.empty(200, (640, 480))]
    path = save_landmarks(tmp_path / "x.npz", seq)
    back = load_landmarks(path)
    assert [b.timestamp_ms for b in back] == [0, 100, 200]
    assert back[0].face is not None and back[1].face is None and back[1].left_hand is not None
    assert back[2].is_empty and back[2].image_wh == (640, 480)
    np.testing.assert_array_equal(back[0].face, seq[0].face)
    with np.load(path) as z:
        assert z["face"].shape == (3, 478, 4) and np.isnan(z["face"][1]).all()
        assert z["left_hand"].shape == (3, 21, 4) and z["pose"].dtype == np.float32


def test_empty_sequence(tmp_path: Path) -> None:
    assert load_landmarks(save_landmarks(tmp_path / "e.npz", [])) == []


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(BodycoachError, match="no such file"):
        load_landmarks(tmp_path / "nope.npz")
    (tmp_path / "bad.npz").write_text("x")
    with pytest.raises(BodycoachError, match="not a landmarks recording"):
        load_landmarks(tmp_path / "bad.npz")


def test_replay_restamps_and_ends_empty() -> None:
    rep = ReplayExtractor([_lm(0), _lm(5)])
    a, b, c = rep.extract(None, 1000), rep.extract(None, 1100), rep.extract(None, 1200)
    assert (a.timestamp_ms, b.timestamp_ms) == (1000, 1100) and a.face is not None
    assert c.is_empty and c.timestamp_ms == 1200
    loop = ReplayExtractor([_lm(0)], loop=True)
    assert all(not loop.extract(None, t).is_empty for t in range(3))


def test_golden_file_loads() -> None:
    seq = load_landmarks(GOLDEN)
    assert len(seq) > 50 and sum(s.has_face for s in seq) > 0.9 * len(seq)


@pytest.mark.parametrize("shape", [(32, 4), (33, 3), (478, 4)])
def test_landmarks_validate_shapes(shape: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="pose must have shape"):
        Landmarks(timestamp_ms=0, image_wh=(1, 1), pose=np.zeros(shape, np.float32))


def test_mirrored_flag_round_trips_and_true_view_flips_back(tmp_path: Path) -> None:
    lm = Landmarks(timestamp_ms=0, image_wh=(640, 480), face=np.full((478, 4), 0.25, np.float32), mirrored=True)
    back = load_landmarks(save_landmarks(tmp_path / "m.npz", [lm]))[0]
    assert back.mirrored
    true = back.true_view()
    assert not true.mirrored and np.allclose(true.face[:, 0], 0.75) and np.allclose(true.face[:, 1], 0.25)
    plain = Landmarks.empty(0)
    assert plain.true_view() is plain
