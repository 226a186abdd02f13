"""Grouped cross-validation (``bodycoach evaluate --cv``) and the tunable registry (``bodycoach.tuning``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bodycoach.config import load_config
from bodycoach.evaluate import Dataset, GenkiRow, HandRow, Row, assign_folds, cross_validate
from bodycoach.tuning import FitData, FitRow, Tunable, choose, get_value, grid, set_value, tunables
from bodycoach.types import Features, Landmarks


class FakeSource:
    """Empty landmarks for every file (no MediaPipe)."""

    def image(self, path: Path) -> Landmarks:
        return Landmarks.empty(0)

    def video(self, path: Path, until_ms: float) -> list[Landmarks]:
        return [Landmarks.empty(t) for t in range(0, int(until_ms) + 200, 200)]


def _row(file: str, source: str, video: str = "", t: float = 0.0, **labels: str) -> Row:
    base = {"eye_contact": "", "smile": "", "arms": "", "palm": "", "head": ""}
    return Row(file, video, t, {**base, **labels}, source=source)


def _fake_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    import bodycoach.evaluate as ev

    monkeypatch.setattr(ev, "_file_hash", lambda p: "h" + Path(p).name)


def test_choose_takes_the_best_and_the_middle_of_a_plateau() -> None:
    assert choose([1, 2, 3, 4, 5], [0.1, 0.9, 0.9, 0.9, 0.2]) == 3
    assert choose([1, 2, 3, 4], [0.1, 0.9, 0.9, 0.2]) == 2
    assert choose([1, 2, 3], [0.5, math.nan, 0.1]) == 1
    assert choose([1, 2, 3], [math.nan] * 3) == 2
    assert choose([1, 2, 3], [3.0, 1.0, 2.0], lower_is_better=True) == 2


def test_set_value_keeps_the_field_type() -> None:
    cfg = set_value(load_config(), "hysteresis.min_on_ms", 300.0)
    assert get_value(cfg, "hysteresis.min_on_ms") == 300 and isinstance(cfg.hysteresis.min_on_ms, int)


def test_folds_never_split_a_group() -> None:
    def fr(kind: str, group: str) -> FitRow:
        return FitRow(kind, None, group, Landmarks.empty(0), Features.empty(0))

    rows = ([fr("row", "source:a")] * 7 + [fr("row", "source:b")] * 3 + [fr("row", "clip:c")] * 4
            + [fr("genki", f"image:{i}") for i in range(40)] + [fr("hand", f"subject:{i % 6}") for i in range(30)])
    folds = assign_folds(rows, 3, same_as={10 + 14: "source:a"})
    by_group: dict[str, set[int]] = {}
    for r, f in zip(rows, folds, strict=True):
        by_group.setdefault(r.group, set()).add(f)
    assert all(len(s) == 1 for s in by_group.values())
    assert folds[24] == folds[0]  # a GENKI image that is also a labels.csv still follows that still's source
    assert len(set(folds)) == 3
    assert folds[:14].count(folds[0]) == 7  # the largest source alone in its fold (greedy, largest first)


def test_every_fit_sees_only_the_other_folds(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hash(monkeypatch)
    ds = Dataset(root=Path("."),
                 rows=[_row(f"s{i}.jpg", f"repo{i % 4}", eye_contact="yes") for i in range(12)]
                 + [_row("f.jpg", "repoV", video="v.mp4", t=1.0, eye_contact="no"),
                    _row("g.jpg", "repoV", video="v.mp4", t=2.0, eye_contact="no")],
                 genki=[GenkiRow(f"g{i}.jpg", i % 2, 0.0, 0.0) for i in range(10)],
                 hands=[HandRow(f"h{i}.jpg", "palm", "left", f"p{i % 3}") for i in range(6)])
    seen: list[set[str]] = []

    def spy(data: FitData, config: Any) -> int:
        seen.append({r.group for r in data.rows})
        return len(seen)

    applied: list[int] = []
    spy_t = Tunable("spy", spy, lambda p, c: applied.append(p) or c, kinds=("row", "genki", "hand"))
    rep, info = cross_validate(ds, FakeSource(), load_config(), k=3, tunables=[spy_t])
    assert len(seen) == 3 and applied == [1, 2, 3]
    all_groups = set().union(*seen)
    # Each group is missing from exactly one fit: the one whose fold holds it out.
    for g in all_groups:
        assert sum(g not in s for s in seen) == 1
    assert "clip:v.mp4" in all_groups and info["folds"] == 3
    # Every row was scored once, held out.
    assert rep["eye_contact"]["n"] == 14 and rep["palm_isolated"]["n"] == 6 and rep["genki_smile"]["n"] == 10


def test_grid_tunable_chooses_on_training_rows_only() -> None:
    """A grid threshold picks the value that is best on the rows it is given."""
    import bodycoach.fitting  # noqa: F401  (registers the built-ins)

    t = grid("head.turned_yaw_deg", [10, 30, 60], ["head.turned_f1"])
    # Hand-built features: a face turned 40 degrees (labelled turned) and one at 20 (upright).
    def fr(yaw: float, label: str) -> FitRow:
        f = Features(0, {"head_yaw_deg": yaw, "head_pitch_deg": 0.0, "face_iod_px": 60.0, "face_fit_rms_norm": 0.02})
        return FitRow("row", _row("x.jpg", "r", head=label), "source:r", Landmarks.empty(0), f)

    data = FitData([fr(40.0, "turned"), fr(20.0, "upright"), fr(45.0, "turned")])
    assert t.fit(data, load_config()) == 30


def test_registry_holds_the_models_and_swept_thresholds() -> None:
    names = [t.name for t in tunables()]
    assert names[:2] == ["smile_model.json", "smile_appearance_model.json"]
    assert "arms.crossed_wrist_elbow_sw" in names and "head.turned_yaw_deg" in names
    assert len(names) == len(set(names))
