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

CACHE_FORMAT = "eval-v5"  # bump when the extractor changes in a way perception.toml does not show

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
    source: str = ""  # source_repo (the CV group of a still; a video frame's group is its clip)


@dataclass(frozen=True)
class GenkiRow:
    """One GENKI-4K image with its official labels (angles in radians as in the file)."""

    file: str
    smile: int
    yaw_rad: float
    pitch_rad: float


@dataclass(frozen=True)
class HandRow:
    """One photo of a single hand (``hands11k_labels.csv``): which side faces the camera.

    ``side`` (the person's own hand) is kept for checking the system's own left/right reading; it is never
    an input. ``subject`` groups one person's photos (the CV group).
    """

    file: str
    palm: str
    side: str
    subject: str


@dataclass
class Dataset:
    """A parsed data folder."""

    root: Path
    rows: list[Row] = field(default_factory=list)
    genki: list[GenkiRow] = field(default_factory=list)
    hands: list[HandRow] = field(default_factory=list)


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
        ds.rows.append(Row(file=r["file"].strip(), video=video, frame_time_s=ft, labels=lab,
                           source=(r.get("source_repo") or "").strip()))
    genki = root / "genki4k_labels.csv"
    if genki.exists():
        for i, r in enumerate(_read_csv(genki, ("file", "smile", "yaw_rad", "pitch_rad")), start=2):
            s = r["smile"].strip()
            if s not in ("0", "1"):
                raise BodycoachError(f"{genki}:{i}: smile = {s!r}, expected 0 or 1")
            ds.genki.append(GenkiRow(r["file"].strip(), int(s), _float(genki, i, "yaw_rad", r["yaw_rad"]),
                                     _float(genki, i, "pitch_rad", r["pitch_rad"])))
    hands = root / "hands11k_labels.csv"
    if hands.exists():
        for i, r in enumerate(_read_csv(hands, ("file", "palm")), start=2):
            palm = r["palm"].strip().lower()
            if palm not in ("palm", "back", "unclear", ""):
                raise BodycoachError(f"{hands}:{i}: palm = {r['palm']!r}, expected palm, back or unclear")
            if palm in ("palm", "back"):
                ds.hands.append(HandRow(r["file"].strip(), palm, (r.get("side") or "").strip().lower(),
                                        (r.get("subject") or "").strip() or f"line{i}"))
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
    hands: list[tuple[HandRow, FrameResult | None]] = field(default_factory=list)


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
    for h in ds.hands:
        pred.hands.append((h, analyse_still(source.image(ds.root / h.file), make_analyzer)))
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
    # Isolated hands (no body in view): palm / back of the one hand; unknown or not_visible = wrong.
    if pred.hands:
        ok_h = [_label(res, Behaviour.PALM) == h.palm for h, res in pred.hands]
        out["palm_isolated"] = {"n": len(ok_h), "accuracy": sum(ok_h) / len(ok_h)}
        coverage["palm_isolated"] = sum(_label(res, Behaviour.PALM) in ("palm", "back")
                                        for _, res in pred.hands) / len(pred.hands)
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
    ("palm_isolated", "accuracy"),
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
    cv = report.get("cv")
    for key in ("eye_contact", "smile_present", "smile_type", "genki_smile", "genki_head", "head", "arms", "palm",
                "palm_isolated"):
        if key not in report:
            continue
        d = report.get(key, {})
        figs = "  ".join(f"{k}={f(v)}" for k, v in d.items() if k not in ("n", "confusion", "per_class_f1"))
        if "per_class_f1" in d:
            figs += "  (per class F1: " + ", ".join(f"{k} {v:.2f}" for k, v in d["per_class_f1"].items()) + ")"
        yield f"{key:<14} {d.get('n', 0):>5}  {figs}"
        if cv is not None and key in cv:
            c = cv[key]
            figs = "  ".join(f"{k}={f(v)}" for k, v in c.items() if k not in ("n", "confusion", "per_class_f1"))
            if "per_class_f1" in c:
                figs += "  (per class F1: " + ", ".join(f"{k} {v:.2f}" for k, v in c["per_class_f1"].items()) + ")"
            yield f"{'  CV':<14} {c.get('n', 0):>5}  {figs}"
    yield "coverage       " + "  ".join(f"{k}={f(v)}" for k, v in report.get("coverage", {}).items())
    conf = report.get("smile_type", {}).get("confusion")
    if conf:
        cols = list(next(iter(conf.values())).keys())
        yield ""
        yield "smile confusion (rows = label, columns = prediction)"
        yield f"{'':<11}" + "".join(f"{c[:9]:>10}" for c in cols)
        for t, row in conf.items():
            yield f"{t:<11}" + "".join(f"{row[c]:>10}" for c in cols)


# --- grouped cross-validation ---------------------------------------------------------------------


class MemorySource:
    """Keeps every landmark sequence of a :class:`LandmarkSource` in memory (repeated analyses skip the disk)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._img: dict[Path, Any] = {}
        self._vid: dict[tuple[Path, float], Any] = {}

    def image(self, path: Path) -> Any:
        """Landmarks of a still (memoised)."""
        if path not in self._img:
            self._img[path] = self.inner.image(path)
        return self._img[path]

    def video(self, path: Path, until_ms: float) -> Any:
        """Landmarks of a clip prefix (memoised)."""
        key = (path, until_ms)
        if key not in self._vid:
            self._vid[key] = self.inner.video(path, until_ms)
        return self._vid[key]

    def close(self) -> None:
        """Release the inner source."""
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()


def _nearest(seq: Sequence[Landmarks], t_ms: float) -> int:
    return min(range(len(seq)), key=lambda k: abs(seq[k].timestamp_ms - t_ms))


def fit_rows(ds: Dataset, source: Any, config: Any = None) -> tuple[list[Any], dict[int, str]]:
    """Every labelled example of ``ds`` as a ``tuning.FitRow`` (landmarks + features of the labelled frame).

    Groups: a still's ``source_repo`` (its file when no source is given), a video frame's clip, a GENKI
    image by its content, a hand photo by its subject. Returns the rows and, for GENKI images whose content
    is also a labels.csv still, the index of that still (so both land in the same fold).
    """
    from bodycoach.analysis import Analyzer
    from bodycoach.tuning import FitRow

    an = Analyzer(config=config)
    out: list[Any] = []
    still_by_hash: dict[str, int] = {}
    same_as: dict[int, str] = {}
    for r in ds.rows:
        if r.video:
            seq = source.video(ds.root / r.video, r.frame_time_s * 1000.0)
            if not seq:
                lm, hist = Landmarks.empty(int(r.frame_time_s * 1000)), ()
            else:
                i = _nearest(seq, r.frame_time_s * 1000.0)
                lm, hist = seq[i], tuple(seq[: i + 1])
            group = f"clip:{r.video}"
        else:
            lm, hist = source.image(ds.root / r.file), ()
            group = f"source:{r.source}" if r.source else f"file:{r.file}"
            still_by_hash.setdefault(_file_hash(ds.root / r.file), len(out))
        out.append(FitRow("row", r, group, lm, an.features(lm), hist))
    for g in ds.genki:
        lm = source.image(ds.root / g.file)
        k = len(out)
        digest = _file_hash(ds.root / g.file)
        out.append(FitRow("genki", g, f"image:{digest}", lm, an.features(lm)))
        if digest in still_by_hash:
            same_as[k] = out[still_by_hash[digest]].group
    for h in ds.hands:
        lm = source.image(ds.root / h.file)
        out.append(FitRow("hand", h, f"subject:{h.subject}", lm, an.features(lm)))
    return out, same_as


def assign_folds(rows: Sequence[Any], k: int, same_as: dict[int, str] | None = None) -> list[int]:
    """Fold index per row; a group never spans two folds.

    labels.csv groups (few and uneven) are dealt largest first to the fold with the fewest rows, as
    scikit-learn's GroupKFold does; the many small groups (GENKI images, hand subjects) by a stable hash of
    the group name. A GENKI image that is also a labels.csv still follows that still's group.
    """
    same_as = same_as or {}
    sizes: dict[str, int] = {}
    for r in rows:
        if r.kind == "row":
            sizes[r.group] = sizes.get(r.group, 0) + 1
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        f = min(range(k), key=lambda i: (load[i], i))
        fold_of[g] = f
        load[f] += n
    out = []
    for i, r in enumerate(rows):
        g = same_as.get(i, r.group)
        if g not in fold_of:
            fold_of[g] = int(hashlib.sha1(g.encode()).hexdigest()[:8], 16) % k
        out.append(fold_of[g])
    return out


def cross_validate(ds: Dataset, source: Any, config: Any, k: int = 5,
                   tunables: Sequence[Any] | None = None,
                   progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Grouped k-fold CV: per fold, fit every tunable on the other folds, then score the fold's rows.

    The held-out rows are analysed exactly as ``predict`` does (the full analyzer, a video frame with its
    clip's history) under the fold's config. Returns ``(cv report, protocol info)``; the report has the
    keys of :func:`score`.
    """
    import time

    from bodycoach.analysis import Analyzer
    from bodycoach.tuning import FitData
    from bodycoach.tuning import tunables as registered

    t0 = time.perf_counter()
    tun = list(tunables) if tunables is not None else registered()
    rows, same_as = fit_rows(ds, source, config)
    folds = assign_folds(rows, k, same_as)
    merged = Predictions()
    chosen: dict[str, list[Any]] = {t.name: [] for t in tun}
    for fold in range(k):
        train = FitData([r for r, f in zip(rows, folds, strict=True) if f != fold])
        test = [r for r, f in zip(rows, folds, strict=True) if f == fold]
        if not test:
            continue
        cfg = config
        for t in tun:
            if not any(r.kind in t.kinds for r in train.rows):
                continue
            params = t.fit(train, cfg)
            cfg = t.apply(params, cfg)
            chosen[t.name].append(params if isinstance(params, (int, float, str)) or params is None else "fitted")
        sub = Dataset(root=ds.root, rows=[r.row for r in test if r.kind == "row"],
                      genki=[r.row for r in test if r.kind == "genki"], hands=[r.row for r in test if r.kind == "hand"])
        pred = predict(sub, source, lambda cfg=cfg: Analyzer(config=cfg))
        merged.rows.extend(pred.rows)
        merged.genki.extend(pred.genki)
        merged.hands.extend(pred.hands)
        if progress:
            progress(f"fold {fold + 1}/{k}: {len(test)} rows held out")
    info = {"folds": k, "groups": len({r.group for r in rows}),
            "group_by": "source_repo (stills), clip (video frames), image (GENKI), subject (hands)",
            "tunables": {name: v for name, v in chosen.items()},
            "seconds": round(time.perf_counter() - t0, 1)}
    return score(merged), info
