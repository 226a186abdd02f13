"""Smile presence from geometry + lower-face appearance: the model file, the fallback to geometry alone."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bodycoach.analysis import Analyzer
from bodycoach.classifiers import smile as smile_mod
from bodycoach.classifiers.linear import LinearModel, VectorTerm
from bodycoach.classifiers.smile import (
    SmileClassifier,
    classify_smile,
    load_appearance_model,
    load_smile_model,
    smile_probability,
)
from bodycoach.config import SmileConfig, load_config
from bodycoach.errors import ConfigError
from bodycoach.features.extract import extract_features
from bodycoach.resources import calibration_file
from bodycoach.types import MOUTH_HOG_VERSION, Features
from tests.landmark_builder import make_landmarks

CFG = load_config()
T, Q = CFG.smile, CFG.quality
GEO = load_smile_model(T.model)
APP = load_appearance_model(T.appearance_model)
# A closed-lip smile's geometry (see tests/test_classifiers.py).
SMILE = extract_features(make_landmarks(pose=False, hands=False, smile=0.15, cheek=0.08)).values
NEUTRAL = extract_features(make_landmarks(pose=False, hands=False)).values


def _vec(seed: int = 0) -> np.ndarray:
    assert APP is not None and APP.vector is not None
    rng = np.random.default_rng(seed)
    return np.asarray(APP.vector.mean + 0.5 * APP.vector.scale * rng.standard_normal(APP.vector.size), np.float32)


def F(values: dict[str, float], vec: object = None) -> Features:
    return Features(1000, dict(values), vec)  # type: ignore[arg-type]


def test_shipped_model_is_small_and_documented() -> None:
    path = calibration_file(T.appearance_model)
    assert path.stat().st_size < 200_000
    assert APP is not None and APP.vector is not None
    assert APP.vector.name == "mouth_hog" and APP.vector.version == MOUTH_HOG_VERSION and APP.vector.size == 540
    assert APP.features == GEO.features
    meta = json.loads(path.read_text())["meta"]
    assert meta["cv10x3_accuracy_mean"] >= 0.95 and "fit_models.py" in meta["command"]


@pytest.mark.parametrize("values", [SMILE, NEUTRAL])
def test_without_the_vector_it_is_the_geometry_model(values: dict[str, float]) -> None:
    f = F(values)
    assert smile_probability(f, GEO, APP) == GEO.probability(values)
    assert classify_smile(f, T, Q, GEO, None, APP) == classify_smile(f, T, Q, GEO)


def test_with_the_vector_the_appearance_model_decides() -> None:
    assert APP is not None
    f = F(SMILE, _vec())
    p = smile_probability(f, GEO, APP)
    assert math.isfinite(p) and p == APP.probability(SMILE, f.mouth_hog)
    assert p != GEO.probability(SMILE)


@pytest.mark.parametrize("bad", [
    np.full(540, np.nan, np.float32),
    np.r_[np.zeros(539, np.float32), np.float32(np.inf)],
    np.r_[np.zeros(539, np.float32), np.float32(-np.inf)],
    np.full(540, 1e308),  # overflows the sum
    np.zeros(539, np.float32),  # wrong length
    np.zeros((540, 1), np.float32),  # wrong shape
    np.zeros(0, np.float32),
    "not a vector",
])
def test_broken_vectors_fall_back_to_geometry(bad: object) -> None:
    f = F(SMILE, bad)
    c = classify_smile(f, T, Q, GEO, None, APP)
    assert c == classify_smile(F(SMILE), T, Q, GEO)
    assert smile_probability(f, GEO, APP) == GEO.probability(SMILE)


@pytest.mark.parametrize("vec", [np.full(540, 1e30, np.float32), np.full(540, -1e30, np.float32),
                                 np.zeros(540, np.uint8)])
def test_extreme_finite_vectors_give_a_label(vec: np.ndarray) -> None:
    c = classify_smile(F(SMILE, vec), T, Q, GEO, None, APP)
    assert not c.is_unknown and 0.0 <= c.score <= 1.0


@pytest.mark.parametrize("values", [{}, {"face_iod_px": math.nan}, {**SMILE, "mouth_width_norm": math.inf}])
def test_missing_geometry_is_unknown_even_with_a_vector(values: dict[str, float]) -> None:
    c = classify_smile(F(values, _vec()), T, Q, GEO, None, APP)
    assert c.is_unknown


def test_function_equals_class() -> None:
    clf = SmileClassifier(T, Q)
    for values, vec in ((SMILE, None), (SMILE, _vec(1)), (NEUTRAL, _vec(2))):
        f = F(values, vec)
        assert clf(f) == classify_smile(f, T, Q, GEO, None, APP)


def test_geometry_only_when_configured_off() -> None:
    t = replace(T, appearance_model="")
    assert load_appearance_model(t.appearance_model) is None
    f = F(SMILE, _vec())
    assert SmileClassifier(t, Q)(f) == classify_smile(f, t, Q, GEO)


def test_config_rejects_a_non_json_model_name() -> None:
    with pytest.raises(ConfigError, match="appearance_model"):
        SmileConfig(appearance_model="smile.txt")


def test_analyzer_passes_the_vector_through() -> None:
    lm = make_landmarks(pose=False, hands=False, smile=0.15, cheek=0.08)
    with_vec = replace(lm, mouth_hog=_vec())
    a, b = Analyzer().step(lm), Analyzer().step(with_vec)
    assert a.features.mouth_hog is None and b.features.mouth_hog is not None
    assert "gaze_yaw_deg" in b.features.values  # the gaze angles were added without losing the vector
    assert not b.classifications[smile_mod.Behaviour.SMILE].is_unknown


# --- the model file ------------------------------------------------------------------------------------


def _model(n: int = 4) -> LinearModel:
    rng = np.random.default_rng(0)
    return LinearModel(features=("a",), mean=(0.0,), scale=(1.0,), weights=(0.5,), intercept=-0.1,
                       vector=VectorTerm("mouth_hog", MOUTH_HOG_VERSION, rng.random(n), rng.random(n) + 0.5,
                                         rng.standard_normal(n)))


def test_vector_model_round_trip(tmp_path: Path) -> None:
    m = _model()
    m.save(tmp_path / "m.json")
    back = LinearModel.load(tmp_path / "m.json")
    v = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    assert back.vector is not None and back.vector.size == 4
    assert back.probability({"a": 1.0}, v) == pytest.approx(m.probability({"a": 1.0}, v), abs=1e-5)
    assert math.isnan(back.probability({"a": 1.0}))  # the vector is required
    assert "vector" not in LinearModel.load(calibration_file(T.model)).to_dict()


def test_vector_model_matches_the_formula() -> None:
    m = _model()
    assert m.vector is not None
    v = np.array([0.3, -1.0, 2.0, 0.0])
    z = -0.1 + 0.5 * 1.0 + float(np.sum(m.vector.weights * (v - m.vector.mean) / m.vector.scale))
    assert m.probability({"a": 1.0}, v) == pytest.approx(1 / (1 + math.exp(-z)))


@pytest.mark.parametrize("kw", [
    {"mean": np.zeros(3), "scale": np.ones(4), "weights": np.ones(4)},
    {"mean": np.zeros(4), "scale": np.zeros(4), "weights": np.ones(4)},
    {"mean": np.zeros(4), "scale": np.ones(4), "weights": np.array([1.0, np.nan, 0.0, 0.0])},
    {"mean": np.zeros(0), "scale": np.ones(0), "weights": np.ones(0)},
])
def test_vector_term_validates(kw: dict[str, np.ndarray]) -> None:
    with pytest.raises(ConfigError):
        VectorTerm("mouth_hog", 1, **kw)


def test_malformed_vector_section_is_a_config_error(tmp_path: Path) -> None:
    d = _model().to_dict()
    d["vector"]["size"] = 5
    (tmp_path / "m.json").write_text(json.dumps(d))
    with pytest.raises(ConfigError, match="not a linear model"):
        LinearModel.load(tmp_path / "m.json")


def test_a_model_for_another_descriptor_version_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = _model()
    assert m.vector is not None
    replace(m, vector=replace(m.vector, version=MOUTH_HOG_VERSION + 1)).save(tmp_path / "old.json")
    monkeypatch.setattr(smile_mod, "calibration_file", lambda name: tmp_path / name)
    load_smile_model.cache_clear()
    try:
        with pytest.raises(ConfigError, match="refit"):
            load_smile_model("old.json")
    finally:
        load_smile_model.cache_clear()
