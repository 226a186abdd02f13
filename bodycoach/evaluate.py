"""Score the whole pipeline against a labelled data folder (the format of ``../shared/data/dev``).

``labels.csv`` rows name a still image (``file``) or a video frame (``video`` + ``frame_time_s``); the
optional ``genki4k_labels.csv`` adds GENKI-4K smile and head-pose labels. Images are analysed on their own
(MediaPipe in still-image mode); a video frame is analysed with the clip's history: every frame from the
start up to ``frame_time_s`` goes through the extractor (tracking mode) and the :class:`Analyzer`, and the
result at the labelled frame is scored.

Landmarks are cached by file content (plus the perception settings and the mediapipe version), so a
second run only re-does the analysis. ``unknown`` on a labelled row counts as wrong.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bodycoach.errors import BodycoachError
from bodycoach.types import Behaviour, FrameResult, Landmarks

CACHE_FORMAT = "eval-v4"  # bump when the extractor changes in a way perception.toml does not show

SMILE_LABELS = ("none", "warm", "open", "forced", "one_sided")
SMILE_SCORED = ("none", "warm", "open")
HEAD_LABELS = ("upright", "propped", "turned")
ARMS_LABELS = ("hidden", "crossed_chest", "crossed_table", "extended", "down", "other")
_LABEL_COLUMNS = ("file", "video", "frame_time_s", "eye_contact", "smile", "arms", "palm", "head")


@dataclass(frozen=True)
class Row:
    """One labelled still or video frame."""

    file: str
    video: str
    frame_time_s: float
    labels: dict[str, str]


@dataclass(frozen=True)
class GenkiRow:
    """One GENKI-4K image with its official labels (angles in radians as in the file)."""

    file: str
    smile: int
    yaw_rad: float
    pitch_rad: float


@dataclass
class Dataset:
    """A parsed data folder."""

    root: Path
    rows: list[Row] = field(default_factory=list)
    genki: list[GenkiRow] = field(default_factory=list)


def _read_csv(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            cols = reader.fieldnames or []
            missing = [c for c in required if c not in cols]
            if missing:
                raise BodycoachError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(required)}")
            return list(reader)
    except UnicodeDecodeError as exc:
        raise BodycoachError(f"{path}: not UTF-8 text ({exc.reason})") from None


def _float(path: Path, line: int, name: str, text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise BodycoachError(f"{path}:{line}: {name} = {text!r}, expected a number") from None
    if not math.isfinite(v):
        raise BodycoachError(f"{path}:{line}: {name} = {text!r}, expected a finite number")
    return v


def load_dataset(root: str | Path) -> Dataset:
    """Parse ``labels.csv`` (required) and ``genki4k_labels.csv`` (optional) of a data folder.

    Raises:
        BodycoachError: the folder or ``labels.csv`` is missing, or a row is malformed (file:line named).
    """
    root = Path(root)
    if not root.is_dir():
        raise BodycoachError(f"{root}: no such data folder")
    labels = root / "labels.csv"
    if not labels.exists():
        raise BodycoachError(f"{labels}: no such file; a data folder needs labels.csv")
    ds = Dataset(root=root)
    for i, r in enumerate(_read_csv(labels, ("file",)), start=2):
        video = (r.get("video") or "").strip()
        t = (r.get("frame_time_s") or "").strip()
        if video and not t:
            raise BodycoachError(f"{labels}:{i}: video {video!r} without frame_time_s")
        ft = _float(labels, i, "frame_time_s", t) if video else 0.0
        if video and ft < 0:
            raise BodycoachError(f"{labels}:{i}: frame_time_s = {t}, expected >= 0")
        lab = {k: (r.get(k) or "").strip().lower() for k in ("eye_contact", "smile", "arms", "palm", "head")}
        ds.rows.append(Row(file=r["file"].strip(), video=video, frame_time_s=ft, labels=lab))
    genki = root / "genki4k_labels.csv"
    if genki.exists():
        for i, r in enumerate(_read_csv(genki, ("file", "smile", "yaw_rad", "pitch_rad")), start=2):
            s = r["smile"].strip()
            if s not in ("0", "1"):
                raise BodycoachError(f"{genki}:{i}: smile = {s!r}, expected 0 or 1")
            ds.genki.append(GenkiRow(r["file"].strip(), int(s), _float(genki, i, "yaw_rad", r["yaw_rad"]),
                                     _float(genki, i, "pitch_rad", r["pitch_rad"])))
    return ds


# --- landmarks (with a content-addressed cache) -------------------------------------------------


def _file_hash(path: Path) -> str:
    h = hashlib.sha1()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except FileNotFoundError:
        raise BodycoachError(f"{path}: no such file (named in the labels)") from None
    return h.hexdigest()[:20]


def extractor_key() -> str:
    """Identify what produced cached landmarks: perception settings + mediapipe version + cache format."""
    from importlib.metadata import PackageNotFoundError, version

    from bodycoach.resources import calibration_file

    try:
        mp_version = version("mediapipe")
    except PackageNotFoundError:
        mp_version = "none"
    settings = calibration_file("perception.toml")
    blob = settings.read_bytes() if settings.exists() else b""
    return hashlib.sha1(blob + mp_version.encode() + CACHE_FORMAT.encode()).hexdigest()[:10]


class LandmarkSource:
    """Landmarks of stills and video prefixes, extracted with MediaPipe and cached on disk.

    Args:
        cache_dir: Folder for cached ``.npz`` recordings, or None for no cache.
        progress: Called with a short message before each extraction (for a progress display).
    """

    def __init__(self, cache_dir: Path | None, progress: Callable[[str], None] | None = None) -> None:
        self.cache_dir = cache_dir
        self.progress = progress
        self._key = extractor_key()
        self._still: Any = None
        self.extracted = 0
        self.cached = 0

    def _cache_path(self, digest: str, suffix: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"{digest}-{self._key}{suffix}.npz"

    def _load(self, path: Path | None) -> list[Landmarks] | None:
        from bodycoach.landmarks.recording import load_landmarks

        if path is None or not path.exists():
            return None
        try:
            seq = load_landmarks(path)
        except BodycoachError:
            return None  # a damaged cache entry is simply recomputed
        self.cached += 1
        return seq

    def _save(self, path: Path | None, seq: list[Landmarks]) -> None:
        from bodycoach.landmarks.recording import save_landmarks

        if path is not None:
            try:
                save_landmarks(path, seq)
            except OSError:
                pass  # the cache is an optimisation; a read-only disk must not fail the evaluation

    def image(self, path: Path) -> Landmarks:
        """Landmarks of a still image (still-image mode)."""
        cp = self._cache_path(_file_hash(path), "")
        seq = self._load(cp)
        if seq:
            first: Landmarks = seq[0]
            return first
        from bodycoach.io.video import read_image
        from bodycoach.landmarks.mediapipe import MediapipeExtractor

        if self._still is None:
            self._still = MediapipeExtractor(static_image_mode=True)
        if self.progress:
            self.progress(str(path))
        self._still.reset()
        lm: Landmarks = self._still.extract(read_image(path), 0)
        self.extracted += 1
        self._save(cp, [lm])
        return lm

    def video(self, path: Path, until_ms: float) -> list[Landmarks]:
        """Landmarks of every frame of a clip from its start up to ``until_ms`` (tracking mode)."""
        # Round the horizon up to whole seconds so nearby requests share one cache entry.
        horizon = int(math.ceil((until_ms + 1) / 1000.0)) * 1000
        cp = self._cache_path(_file_hash(path), f"-video-{horizon}ms")
        seq = self._load(cp)
        if seq is not None:
            return seq
        from bodycoach.io.video import open_source
        from bodycoach.landmarks.mediapipe import MediapipeExtractor

        if self.progress:
            self.progress(str(path))
        out: list[Landmarks] = []
        with MediapipeExtractor(static_image_mode=False) as ex:
            src = open_source(path)
            try:
                for frame, ts in src:
                    if ts > horizon:
                        break
                    out.append(ex.extract(frame, ts))
            finally:
                src.close()
        self.extracted += 1
        self._save(cp, out)
        return out

    def close(self) -> None:
        """Release the still-image extractor."""
        if self._still is not None:
            self._still.close()
            self._still = None


# --- running the analysis -------------------------------------------------------------------------


def analyse_still(lm: Landmarks, make_analyzer: Callable[[], Any]) -> FrameResult:
    """Analyse one still (a fresh analyzer: no history)."""
    result: FrameResult = make_analyzer().step(lm)
    return result


def analyse_video_at(seq: Sequence[Landmarks], times_ms: Iterable[float],
                     make_analyzer: Callable[[], Any]) -> dict[float, FrameResult]:
    """Run one analyzer over ``seq`` and return the result at the frame nearest each time in ``times_ms``."""
    wanted = sorted(set(times_ms))
    if not seq:
        return {}
    # The labelled frame: the one whose timestamp is nearest to the labelled time.
    targets: dict[int, list[float]] = {}
    ts = [lm.timestamp_ms for lm in seq]
    for t in wanted:
        i = min(range(len(ts)), key=lambda k: abs(ts[k] - t))
        targets.setdefault(i, []).append(t)
    last = max(targets)
    analyzer = make_analyzer()
    out: dict[float, FrameResult] = {}
    for i, lm in enumerate(seq[: last + 1]):
        res = analyzer.step(lm)
        for t in targets.get(i, ()):
            out[t] = res
    return out


@dataclass
class Predictions:
    """Per-row results of one evaluation run."""

    rows: list[tuple[Row, FrameResult | None]] = field(default_factory=list)
    genki: list[tuple[GenkiRow, FrameResult | None]] = field(default_factory=list)


def predict(ds: Dataset, source: LandmarkSource, make_analyzer: Callable[[], Any],
            on_row: Callable[[], None] | None = None) -> Predictions:
    """Run perception (cached) and analysis on every labelled row of ``ds``."""
    pred = Predictions()
    by_video: dict[str, list[Row]] = {}
    results: dict[int, FrameResult] = {}
    for k, r in enumerate(ds.rows):
        if r.video:
            by_video.setdefault(r.video, []).append(r)
        else:
            results[k] = analyse_still(source.image(ds.root / r.file), make_analyzer)
            if on_row:
                on_row()
    video_results: dict[tuple[str, float], FrameResult] = {}
    for video, rows in by_video.items():
        times = [r.frame_time_s * 1000.0 for r in rows]
        seq = source.video(ds.root / video, max(times))
        for t, res in analyse_video_at(seq, times, make_analyzer).items():
            video_results[(video, t)] = res
        if on_row:
            for _ in rows:
                on_row()
    for k, r in enumerate(ds.rows):
        found = results[k] if not r.video else video_results.get((r.video, r.frame_time_s * 1000.0))
        pred.rows.append((r, found))
    for g in ds.genki:
        pred.genki.append((g, analyse_still(source.image(ds.root / g.file), make_analyzer)))
        if on_row:
            on_row()
    return pred


# --- metrics --------------------------------------------------------------------------------------


def _label(res: FrameResult | None, b: Behaviour) -> str:
    return "unknown" if res is None else res.label(b)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def binary_scores(truth: Sequence[bool], pred: Sequence[bool]) -> dict[str, float]:
    """Precision, recall, F1 and Matthews correlation of a binary task."""
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    fp = sum((not t) and p for t, p in zip(truth, pred, strict=True))
    fn = sum(t and (not p) for t, p in zip(truth, pred, strict=True))
    tn = len(truth) - tp - fp - fn
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / den if den else 0.0
    return {"precision": prec, "recall": rec, "f1": _f1(tp, fp, fn), "mcc": mcc}


def macro_f1(truth: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> tuple[float, dict[str, float]]:
    """Macro-F1 over ``classes`` (classes absent from the truth are left out) and per-class F1."""
    per = {}
    for c in classes:
        if c not in truth:
            continue
        tp = sum(t == c and p == c for t, p in zip(truth, pred, strict=True))
        fp = sum(t != c and p == c for t, p in zip(truth, pred, strict=True))
        fn = sum(t == c and p != c for t, p in zip(truth, pred, strict=True))
        per[c] = _f1(tp, fp, fn)
    return (sum(per.values()) / len(per) if per else 0.0), per


def score(pred: Predictions) -> dict[str, Any]:
    """Compute every figure of the evaluate report (see ``bodycoach evaluate --help``)."""
    out: dict[str, Any] = {}
    coverage: dict[str, float] = {}

    def cover(name: str, labels: list[str]) -> None:
        coverage[name] = (sum(p != "unknown" for p in labels) / len(labels)) if labels else 0.0

    # Eye contact: positive = looking into the lens; unclear rows skipped.
    t_ec, p_ec, raw = [], [], []
    for r, res in pred.rows:
        lab = r.labels["eye_contact"]
        if lab in ("yes", "no"):
            p = _label(res, Behaviour.EYE_CONTACT)
            raw.append(p)
            t_ec.append(lab == "yes")
            # unknown counts as wrong
            p_ec.append((p == "lens") if p != "unknown" else (lab != "yes"))
    out["eye_contact"] = {"n": len(t_ec), **binary_scores(t_ec, p_ec)}
    cover("eye_contact", raw)

    # Smile.
    smile_map = {"smirk": "one_sided", "one_sided": "one_sided"}
    t_s, p_s = [], []
    for r, res in pred.rows:
        lab = r.labels["smile"]
        lab = smile_map.get(lab, lab)
        if lab in SMILE_LABELS:
            t_s.append(lab)
            p_s.append(_label(res, Behaviour.SMILE))
    ok = [(t == "none") == (p == "none") and p != "unknown" for t, p in zip(t_s, p_s, strict=True)]
    out["smile_present"] = {"n": len(t_s), "accuracy": sum(ok) / len(ok) if ok else 0.0}
    mf, per = macro_f1(t_s, p_s, SMILE_SCORED)
    classes = list(SMILE_LABELS) + ["unknown"]
    confusion = {t: {p: sum(a == t and b == p for a, b in zip(t_s, p_s, strict=True)) for p in classes}
                 for t in SMILE_LABELS}
    out["smile_type"] = {"n": len(t_s), "macro_f1": mf, "per_class_f1": per, "confusion": confusion}
    cover("smile", p_s)

    # GENKI-4K.
    if pred.genki:
        ok_g, yaw_err, pitch_err = [], [], []
        for g, res in pred.genki:
            p = _label(res, Behaviour.SMILE)
            ok_g.append(p != "unknown" and ((p != "none") == (g.smile == 1)))
            if res is not None:
                yaw = res.features.get("head_yaw_deg")
                pitch = res.features.get("head_pitch_deg")
                if math.isfinite(yaw):
                    # GENKI's yaw is positive when the face turns to the image's left, ours to the right.
                    yaw_err.append(abs(-yaw - math.degrees(g.yaw_rad)))
                if math.isfinite(pitch):
                    pitch_err.append(abs(pitch - math.degrees(g.pitch_rad)))
        out["genki_smile"] = {"n": len(ok_g), "accuracy": sum(ok_g) / len(ok_g)}
        out["genki_head"] = {
            "n": len(yaw_err),
            "n_labelled": len(pred.genki),
            "yaw_mae_deg": sum(yaw_err) / len(yaw_err) if yaw_err else math.nan,
            "pitch_mae_deg": sum(pitch_err) / len(pitch_err) if pitch_err else math.nan,
        }
        coverage["genki"] = len(yaw_err) / len(pred.genki)
    else:
        out["genki_smile"] = {"n": 0, "accuracy": math.nan}
        out["genki_head"] = {"n": 0, "n_labelled": 0, "yaw_mae_deg": math.nan, "pitch_mae_deg": math.nan}

    # Head.
    t_h, p_h = [], []
    for r, res in pred.rows:
        if r.labels["head"] in HEAD_LABELS:
            t_h.append(r.labels["head"])
            p_h.append(_label(res, Behaviour.HEAD))
    mf, per = macro_f1(t_h, p_h, HEAD_LABELS)
    out["head"] = {"n": len(t_h), "macro_f1": mf, "propped_f1": per.get("propped", 0.0),
                   "turned_f1": per.get("turned", 0.0), "per_class_f1": per}
    cover("head", p_h)

    # Arms.
    t_a, p_a = [], []
    for r, res in pred.rows:
        if r.labels["arms"] in ARMS_LABELS:
            t_a.append(r.labels["arms"])
            p_a.append(_label(res, Behaviour.ARMS))
    mf, per = macro_f1(t_a, p_a, ARMS_LABELS)
    crossed = ("crossed_chest", "crossed_table")
    cb = binary_scores([t in crossed for t in t_a], [p in crossed for p in p_a])
    out["arms"] = {"n": len(t_a), "macro_f1": mf, "crossed_f1": cb["f1"], "per_class_f1": per}
    cover("arms", p_a)

    # Palm.
    t_p, p_p = [], []
    for r, res in pred.rows:
        if r.labels["palm"] in ("palm", "back"):
            t_p.append(r.labels["palm"])
            p_p.append(_label(res, Behaviour.PALM))
    out["palm"] = {"n": len(t_p), "accuracy": (sum(t == p for t, p in zip(t_p, p_p, strict=True)) / len(t_p))
                   if t_p else 0.0}
    cover("palm", p_p)
    # No labelled rows = no figure (NaN, printed as "—" and null in JSON), not a score of 0.
    for d in out.values():
        if isinstance(d, dict) and d.get("n") == 0:
            for k, v in d.items():
                if k not in ("n", "n_labelled") and isinstance(v, (int, float)):
                    d[k] = math.nan
    for name in list(coverage):
        src = {"eye_contact": t_ec, "smile": t_s, "head": t_h, "arms": t_a, "palm": t_p}.get(name)
        if src is not None and not src:
            coverage[name] = math.nan
    out["coverage"] = coverage
    return out


# Figures guarded by the regression gate; "mae" figures must not rise, all others must not fall.
HEADLINE = (
    ("eye_contact", "f1"), ("eye_contact", "mcc"), ("eye_contact", "precision"), ("eye_contact", "recall"),
    ("smile_present", "accuracy"), ("smile_type", "macro_f1"), ("genki_smile", "accuracy"),
    ("genki_head", "yaw_mae_deg"), ("genki_head", "pitch_mae_deg"), ("head", "macro_f1"), ("head", "propped_f1"),
    ("head", "turned_f1"), ("arms", "macro_f1"), ("arms", "crossed_f1"), ("palm", "accuracy"),
)


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The gated figures of a report, flattened to ``"section.key"`` names."""
    out = {}
    for sec, key in HEADLINE:
        v = report.get(sec, {}).get(key)
        if isinstance(v, (int, float)) and math.isfinite(v):
            out[f"{sec}.{key}"] = float(v)
    return out


def iter_table(report: dict[str, Any]) -> Iterator[str]:
    """Yield the lines of a readable table of ``report``."""
    def f(v: Any) -> str:
        return "—" if isinstance(v, float) and math.isnan(v) else (f"{v:.3f}" if isinstance(v, float) else str(v))

    yield f"{'category':<14} {'n':>5}  figures"
    for key in ("eye_contact", "smile_present", "smile_type", "genki_smile", "genki_head", "head", "arms", "palm"):
        d = report.get(key, {})
        figs = "  ".join(f"{k}={f(v)}" for k, v in d.items() if k not in ("n", "confusion", "per_class_f1"))
        if "per_class_f1" in d:
            figs += "  (per class F1: " + ", ".join(f"{k} {v:.2f}" for k, v in d["per_class_f1"].items()) + ")"
        yield f"{key:<14} {d.get('n', 0):>5}  {figs}"
    yield "coverage       " + "  ".join(f"{k}={f(v)}" for k, v in report.get("coverage", {}).items())
    conf = report.get("smile_type", {}).get("confusion")
    if conf:
        cols = list(next(iter(conf.values())).keys())
        yield ""
        yield "smile confusion (rows = label, columns = prediction)"
        yield f"{'':<11}" + "".join(f"{c[:9]:>10}" for c in cols)
        for t, row in conf.items():
            yield f"{t:<11}" + "".join(f"{row[c]:>10}" for c in cols)
