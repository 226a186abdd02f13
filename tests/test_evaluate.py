"""``bodycoach evaluate``: data-folder parsing, metrics on hand-made predictions, an end-to-end run on a
folder it has never seen, and the regression gate against ``calibration/metrics.json``."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from bodycoach.apps.cli import main
from bodycoach.errors import BodycoachError
from bodycoach.evaluate import (
    GenkiRow,
    Predictions,
    Row,
    analyse_video_at,
    binary_scores,
    headline,
    load_dataset,
    macro_f1,
    score,
)
from bodycoach.resources import calibration_file
from bodycoach.types import Behaviour, Classification, Features, FrameResult, Landmarks

HEADER = "file,video,frame_time_s,eye_contact,smile,arms,palm,head\n"
# Absolute tolerance of the regression gate (figures are 0..1; MAE in degrees gets 0.5).
TOLERANCE = 0.02
MAE_TOLERANCE_DEG = 0.5


def write(tmp: Path, text: str, genki: str | None = None) -> Path:
    (tmp / "labels.csv").write_text(text, encoding="utf-8")
    if genki is not None:
        (tmp / "genki4k_labels.csv").write_text(genki, encoding="utf-8")
    return tmp


def test_load_dataset(tmp_path: Path) -> None:
    ds = load_dataset(write(tmp_path, HEADER + "a.jpg,,,yes,warm,other,palm,upright\nf.jpg,v.mp4,1.5,no,none,,,\n",
                            "file,smile,yaw_rad,pitch_rad\ng.jpg,1,0.1,-0.2\n"))
    assert [r.video for r in ds.rows] == ["", "v.mp4"] and ds.rows[1].frame_time_s == 1.5
    assert ds.rows[0].labels["smile"] == "warm" and ds.genki == [GenkiRow("g.jpg", 1, 0.1, -0.2)]


@pytest.mark.parametrize("labels,genki,match", [
    (None, None, "no such file; a data folder needs labels.csv"),
    ("name\nx\n", None, "missing column"),
    (HEADER + "f.jpg,v.mp4,,yes,,,,\n", None, "without frame_time_s"),
    (HEADER + "f.jpg,v.mp4,abc,yes,,,,\n", None, r"labels.csv:2: frame_time_s = 'abc', expected a number"),
    (HEADER + "f.jpg,v.mp4,-1,yes,,,,\n", None, "expected >= 0"),
    (HEADER, "file,smile,yaw_rad,pitch_rad\ng.jpg,2,0,0\n", "smile = '2', expected 0 or 1"),
    (HEADER, "file,smile,yaw_rad,pitch_rad\ng.jpg,1,nan,0\n", "expected a finite number"),
])
def test_bad_data_folder(tmp_path: Path, labels: str | None, genki: str | None, match: str) -> None:
    if labels is not None:
        write(tmp_path, labels, genki)
    with pytest.raises(BodycoachError, match=match):
        load_dataset(tmp_path)


def test_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tmp_path / "none")]) == 2
    assert "no such data folder" in capsys.readouterr().err


def test_binary_and_macro_scores() -> None:
    s = binary_scores([True, True, True, False, False], [True, True, False, True, False])
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == pytest.approx(2 / 3)
    assert s["mcc"] == pytest.approx((2 * 1 - 1 * 1) / math.sqrt(3 * 3 * 2 * 2))
    mf, per = macro_f1(["a", "a", "b"], ["a", "b", "b"], ["a", "b", "c"])
    assert per == {"a": pytest.approx(2 / 3), "b": pytest.approx(2 / 3)} and mf == pytest.approx(2 / 3)


def result(ts: int = 0, feats: dict[str, float] | None = None, **labels: str) -> FrameResult:
    cls = {b: Classification(b, labels.get(str(b), "unknown"), 0.9, ts) for b in Behaviour}
    return FrameResult(Landmarks.empty(ts), Features(ts, feats or {}), cls, {})


def row(**labels: str) -> Row:
    base = {"eye_contact": "", "smile": "", "arms": "", "palm": "", "head": ""}
    return Row("x.jpg", "", 0.0, {**base, **labels})


def test_score_counts_unknown_as_wrong_and_skips_unclear() -> None:
    pred = Predictions(rows=[
        (row(eye_contact="yes", smile="warm", head="propped", arms="crossed_table", palm="palm"),
         result(eye_contact="lens", smile="open", head="propped", arms="crossed_chest", palm="palm")),
        (row(eye_contact="no", smile="none", head="upright", arms="other", palm="back"),
         result(eye_contact="unknown", smile="unknown", head="upright", arms="other", palm="palm")),
        (row(eye_contact="unclear", smile="unclear"), result(eye_contact="lens")),
        (row(eye_contact="yes", smile="smirk"), None),
    ], genki=[(GenkiRow("g.jpg", 1, math.radians(10), math.radians(-5)),
               result(feats={"head_yaw_deg": -12.0, "head_pitch_deg": -5.0}, smile="warm"))])
    r = score(pred)
    # unknown counts as wrong on both sides: on a "no" row as a false "yes", on a "yes" row as a miss.
    assert r["eye_contact"]["n"] == 3 and r["eye_contact"]["precision"] == 0.5
    assert r["eye_contact"]["recall"] == 0.5
    assert r["smile_present"] == {"n": 3, "accuracy": pytest.approx(1 / 3)}
    assert r["smile_type"]["confusion"]["one_sided"]["unknown"] == 1
    assert r["head"]["propped_f1"] == 1.0 and r["arms"]["crossed_f1"] == 1.0
    assert r["palm"]["accuracy"] == 0.5
    assert r["genki_smile"]["accuracy"] == 1.0
    assert r["genki_head"]["yaw_mae_deg"] == pytest.approx(2.0) and r["genki_head"]["pitch_mae_deg"] == 0.0
    assert r["coverage"]["eye_contact"] == pytest.approx(1 / 3)
    assert set(headline(r)) >= {"eye_contact.mcc", "palm.accuracy", "genki_head.yaw_mae_deg"}


def test_video_rows_take_the_nearest_frame_with_history() -> None:
    seq = [Landmarks.empty(t) for t in (0, 40, 80, 120, 160)]

    class Counting:
        def __init__(self) -> None:
            self.n = 0

        def step(self, lm: Landmarks) -> FrameResult:
            self.n += 1
            return result(lm.timestamp_ms, {"frames_seen": float(self.n)})

    out = analyse_video_at(seq, [90.0, 155.0], Counting)
    assert out[90.0].timestamp_ms == 80 and out[90.0].features.get("frames_seen") == 3
    assert out[155.0].timestamp_ms == 160 and out[155.0].features.get("frames_seen") == 5
    assert analyse_video_at([], [1.0], Counting) == {}


@pytest.mark.slow
def test_evaluate_on_a_folder_it_has_never_seen(dev_data: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from bodycoach.resources import sample_video

    clips = sorted(sample_video().glob("*.mp4"))
    if not clips:
        pytest.skip("no sample clips")
    (tmp_path / "img").mkdir()
    for name in ("genki/file1317.jpg", "genki/file0367.jpg"):
        shutil.copy(dev_data / "images" / name, tmp_path / "img" / Path(name).name)
    shutil.copy(clips[0], tmp_path / "clip.mp4")
    write(tmp_path, HEADER + "img/file1317.jpg,,,yes,open,unclear,none,upright\n"
          "img/file0367.jpg,,,yes,open,unclear,none,upright\nframe.jpg,clip.mp4,1.0,yes,none,other,unclear,upright\n")
    assert main(["evaluate", str(tmp_path), "--json", "--no-cache"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    rep = json.loads(out[0])
    for key in ("eye_contact", "smile_present", "smile_type", "genki_smile", "genki_head", "head", "arms", "palm",
                "coverage"):
        assert key in rep
    assert rep["smile_present"]["n"] == 3 and rep["head"]["n"] == 3
    assert rep["coverage"]["smile"] == 1.0  # all three faces were found


@pytest.mark.slow
def test_regression_gate_on_dev(dev_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fails when any grouped-CV figure of the dev evaluation drops below calibration/metrics.json (minus a
    tolerance). The gate holds the cross-validated figures (``evaluate --cv``), not the in-sample ones."""
    rec = json.loads(calibration_file("metrics.json").read_text(encoding="utf-8"))
    recorded = rec["figures"]
    assert main(["evaluate", str(dev_data), "--json", "--no-progress", "--cv", "--folds", str(rec["folds"])]) == 0
    now = headline(json.loads(capsys.readouterr().out)["cv"])
    worse = []
    for name, old in recorded.items():
        new = now.get(name)
        if new is None:
            worse.append(f"{name}: missing (was {old})")
        elif "mae" in name and new > old + MAE_TOLERANCE_DEG:
            worse.append(f"{name}: {new:.4f} > {old:.4f} + {MAE_TOLERANCE_DEG}")
        elif "mae" not in name and new < old - TOLERANCE:
            worse.append(f"{name}: {new:.4f} < {old:.4f} - {TOLERANCE}")
    assert not worse, "dev figures dropped: " + "; ".join(worse)


def test_empty_data_folder_gives_no_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, HEADER)
    assert main(["evaluate", str(tmp_path), "--json", "--no-cache"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["eye_contact"] == {"n": 0, "precision": None, "recall": None, "f1": None, "mcc": None}
    assert rep["palm"]["accuracy"] is None and rep["coverage"]["smile"] is None
