"""The per-frame fast paths give the same answers as the plain computations they replace.

The analysis stage keeps its cost per frame low with plain-float shortcuts and incremental state; each
is checked here against a straightforward reference (the earlier implementation) on random input.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bodycoach.config import load_config
from bodycoach.features.body import _LOWER_FACE, hand_face_distance
from bodycoach.features.extract import load_face_reference
from bodycoach.features.face import _horn_rotation, fit_pose
from bodycoach.features.geometry import COORD_LIMIT, kabsch, to_pixels, valid_points
from bodycoach.profile import CalibrationProfile
from bodycoach.temporal.gaze_window import GazeStyleWindow, decide_style
from bodycoach.types import Behaviour, Classification, EyeContact
from tests.landmark_builder import make_landmarks

Arr = npt.NDArray[np.floating[Any]]

CFG = load_config()
COORD = st.one_of(st.floats(-4.0, 5.0, width=32), st.sampled_from([math.nan, math.inf, -math.inf, 3.5, -2.5,
                                                                   3.5000002, -2.5000002]))


def _valid_points_reference(arr: Arr, idx: tuple[int, ...] | None) -> bool:
    sub = arr[:, :3] if idx is None else arr[np.asarray(idx, dtype=np.intp), :3]
    s = float(np.abs(sub[:, :2] - 0.5).max(initial=0.0))
    return s <= COORD_LIMIT and float(np.abs(sub[:, 2]).max(initial=0.0)) <= 10 * COORD_LIMIT


@settings(max_examples=200, deadline=None)
@given(vals=st.lists(COORD, min_size=12, max_size=12), idx=st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_valid_points_few_points_path_matches_the_reduction(vals: list[float], idx: list[int]) -> None:
    arr = np.ones((4, 4), dtype=np.float32)
    arr[:, :3] = np.asarray(vals, dtype=np.float32).reshape(4, 3)
    assert valid_points(arr, tuple(idx)) == _valid_points_reference(arr, tuple(idx))
    assert valid_points(arr, None) == _valid_points_reference(arr, None)


@settings(max_examples=100, deadline=None)
@given(n=st.sampled_from([21, 56, 64, 65, 478]), broken=st.lists(st.tuples(st.integers(0, 477), st.integers(0, 2),
                                                                           COORD), max_size=3),
       sel=st.booleans())
def test_valid_points_blocks_match_the_reduction(n: int, broken: list[tuple[int, int, float]], sel: bool) -> None:
    arr = np.random.default_rng(n).random((n, 4)).astype(np.float32)
    for r, c, v in broken:
        arr[r % n, c] = v
    idx = tuple(range(0, n, 2)) if sel else None
    assert valid_points(arr, idx) == _valid_points_reference(arr, idx)


def test_to_pixels_is_a_new_float64_copy() -> None:
    a = np.random.default_rng(0).random((5, 4)).astype(np.float32)
    p = to_pixels(a, (640, 480))
    ref = np.asarray(a[:, :3], dtype=np.float64).copy()
    ref[:, 0] *= 640
    ref[:, 1] *= 480
    ref[:, 2] *= 640
    assert p.dtype == np.float64 and np.array_equal(p, ref)
    p[0, 0] = -1.0  # writable, and the input is untouched
    assert a[0, 0] != -1.0
    assert np.array_equal(to_pixels(a, (0, 0)), np.asarray(a[:, :3], dtype=np.float64))


def _hand_face_reference(face: Arr | None, hands: list[Arr], pose: Arr | None,
                         wh: tuple[int, int], iod: float, min_vis: float) -> tuple[float, float]:
    """The per-part loop hand_face_distance replaced (one distance matrix per hand, then all points)."""
    def rows_ok(a: Arr) -> npt.NDArray[np.bool_]:
        ok = (np.abs(a[:, 0] - 0.5) <= COORD_LIMIT) & (np.abs(a[:, 1] - 0.5) <= COORD_LIMIT) & np.isfinite(a[:, 2])
        return np.asarray(ok, dtype=np.bool_)

    if face is None or not math.isfinite(iod) or iod <= 0:
        return math.nan, math.nan
    fpts = face[list(_LOWER_FACE), :3]
    if not np.isfinite(fpts).all():
        return math.nan, math.nan
    fp = to_pixels(fpts, wh)[:, :2]
    pts = []
    best_hand, best_d, finger_up = -1.0, math.inf, math.nan
    for h in hands:
        ok = rows_ok(h)
        if ok.any():
            hp = to_pixels(h[ok], wh)[:, :2]
            pts.append(hp)
            dh = float(np.linalg.norm(hp[:, None, :] - fp[None, :, :], axis=2).min())
            if dh < best_d and ok[0] and ok[12]:
                best_d = dh
                hh = to_pixels(h[[0, 12]], wh)
                finger_up = float(hh[0, 1] - hh[1, 1]) / iod
                best_hand = dh
    if pose is not None:
        ok = rows_ok(pose)
        idx = [i for i in range(15, 23) if ok[i] and np.isfinite(pose[i, 3]) and pose[i, 3] >= min_vis]
        if idx:
            pts.append(to_pixels(pose[idx], wh)[:, :2])
    if not pts:
        return math.nan, math.nan
    d = float(np.linalg.norm(np.concatenate(pts)[:, None, :] - fp[None, :, :], axis=2).min())
    return d / iod, (finger_up if best_hand <= d + 1e-9 else math.nan)


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 10_000), n_hands=st.integers(0, 2), with_pose=st.booleans(),
       broken=st.integers(0, 6), near=st.booleans())
def test_hand_face_distance_matches_the_per_part_loop(seed: int, n_hands: int, with_pose: bool, broken: int,
                                                      near: bool) -> None:
    rng = np.random.default_rng(seed)
    lm = make_landmarks()
    assert lm.face is not None and lm.pose is not None and lm.left_hand is not None and lm.right_hand is not None
    face = lm.face.copy()
    hands = [h.copy() for h in (lm.left_hand, lm.right_hand)[:n_hands]]
    if near:  # move the hands onto the chin, so the nearest hand (and its finger direction) changes
        for h in hands:
            h[:, :2] += face[152, :2] - h[0, :2] + rng.normal(0, 0.03, 2).astype(np.float32)
    pose = lm.pose.copy()
    pose[15:23, 3] = rng.random(8).astype(np.float32)
    for _ in range(broken):
        target = [face, pose, *hands][int(rng.integers(0, 2 + len(hands)))]
        target[int(rng.integers(0, target.shape[0])), int(rng.integers(0, 3))] = rng.choice(
            [np.nan, np.inf, 9.0, -7.0])
    args = (face, hands, pose if with_pose else None, lm.image_wh, 37.5, 0.5)
    got, want = hand_face_distance(*args), _hand_face_reference(*args)
    for g, w in zip(got, want, strict=True):
        assert (math.isnan(g) and math.isnan(w)) or g == pytest.approx(w, rel=1e-12, abs=0)


def _style_reference(samples: list[tuple[int, str, bool | None, float, float, float]], ts: int,
                     w: GazeStyleWindow) -> Classification:
    """The style recomputed from scratch over the window (what the incremental window must equal)."""
    t = w.t
    buf = [s for s in samples if not s[0] < ts - t.window_ms]
    known = [s for s in buf if s[1] != EyeContact.UNKNOWN]
    span = ts - buf[0][0]
    if not known or span < 0.8 * t.window_ms or len(known) < t.min_evidence_share * len(buf):
        return Classification.unknown(Behaviour.GAZE_STYLE, ts)
    k = len(known)
    lens = sum(s[1] == EyeContact.LENS for s in known) / k
    screen = sum(s[1] == EyeContact.SCREEN for s in known) / k
    shifts = sum(a[1] != b[1] for a, b in zip(known, known[1:], strict=False))
    shifts_per_s = shifts / max(span / 1000.0, 1e-3)
    smiles = [s[2] for s in known if s[2] is not None]
    smile_share = sum(smiles) / len(smiles) if smiles else 0.0

    def mean(xs: list[float]) -> float:
        xs = [x for x in xs if math.isfinite(x)]
        return sum(xs) / len(xs) if xs else math.nan

    def means() -> tuple[float, float, float]:
        return mean([s[3] for s in known]), mean([s[4] for s in known]), mean([s[5] for s in known])

    # The decision from the summary is shared; what this checks is the incremental summary itself.
    return decide_style(t, w.profile, ts, lens=lens, screen=screen, shifts_per_s=shifts_per_s,
                        smile_share=smile_share, means=means)

EYES = [str(e) for e in EyeContact]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), sticky=st.floats(0.0, 0.95), with_profile=st.booleans())
def test_incremental_gaze_window_equals_recomputing_the_window(seed: int, sticky: float,
                                                               with_profile: bool) -> None:
    rng = np.random.default_rng(seed)
    profile = CalibrationProfile(neutral={"eye_open_norm": 0.3, "brow_raise_norm": 0.36}) if with_profile else None
    w = GazeStyleWindow(CFG.gaze_style, profile)
    samples: list[tuple[int, str, bool | None, float, float, float]] = []
    ts, eye = 0, "lens"
    # Per run: how often the person smiles and how open the eyes / raised the brows are, so that every
    # style (defiant needs no smile, a raised chin and narrowed eyes or lowered brows) comes up.
    smile_p, eye_mean, brow_mean = [0.0, 0.02, 0.5][seed % 3], rng.uniform(0.2, 0.32), rng.uniform(0.28, 0.38)
    for i in range(400):
        ts += int(rng.integers(0, 250))  # repeated timestamps and gaps longer than a frame
        if rng.random() > sticky:
            eye = EYES[int(rng.integers(0, len(EYES)))]
        smiling = None if rng.random() < 0.2 else bool(rng.random() < smile_p)
        vals = [float(rng.choice([math.nan, rng.normal(m, s)])) if rng.random() < 0.1 else float(rng.normal(m, s))
                for m, s in ((eye_mean, 0.03), (9.0, 5.0), (brow_mean, 0.03))]
        if i == 200:  # a narrower window mid-stream (a config change keeps the history)
            w.t = replace(CFG.gaze_style, window_ms=1500)
        got = w.update(ts, eye, smiling, vals[0], vals[1], vals[2])
        samples.append((ts, eye, smiling, vals[0], vals[1], vals[2]))
        samples = [s for s in samples if not s[0] < ts - w.t.window_ms]
        assert got == _style_reference(samples, ts, w), i
    w.reset()
    assert w.update(ts, "lens", True, 0.3, 0.0, 0.35).label == "unknown"


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 1_000_000), flat=st.sampled_from([1.0, 1e-2, 1e-4]), scale=st.floats(1e-3, 1e3))
def test_horn_rotation_matches_the_svd(seed: int, flat: float, scale: float) -> None:
    rng = np.random.default_rng(seed)
    c = rng.normal(size=(3, 3)) * scale
    c[:, 2] *= flat  # faces are flatter in depth than across
    u, d, vt = np.linalg.svd(c)
    sign = np.array([1.0, 1.0, -1.0 if np.linalg.det(u) * np.linalg.det(vt) < 0 else 1.0])
    rot, best = (u * sign) @ vt, float((d * sign).sum())
    got = _horn_rotation(c.tolist())
    if got is None:  # only for near-degenerate input, which the caller hands to the SVD
        return
    r, lam = got
    assert np.allclose(np.array(r), rot, rtol=0, atol=1e-9)
    assert lam == pytest.approx(best, rel=1e-12, abs=1e-300)


def test_horn_rotation_declines_degenerate_input() -> None:
    assert _horn_rotation([[0.0] * 3] * 3) is None
    assert _horn_rotation([[math.nan, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) is None
    # Rank one: every rotation about that axis fits equally well (no unique optimum).
    assert _horn_rotation([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]) is None


def test_fit_pose_is_the_umeyama_fit() -> None:
    lm = make_landmarks()
    assert lm.face is not None
    ref = load_face_reference()
    p = to_pixels(lm.face, lm.image_wh)
    pose = fit_pose(p, ref)
    r, s, t = kabsch(ref.points, p[list(ref.indices)])
    assert np.allclose(pose.rotation, r, atol=1e-12) and pose.scale == pytest.approx(s, rel=1e-12)
    assert np.allclose(pose.translation, t, rtol=1e-12, atol=1e-9)
