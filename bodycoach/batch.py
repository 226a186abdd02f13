"""Batch review: many recordings into the session store, on one machine or a Ray cluster.

``run_batch(plan, store, runner)`` analyses every recording of ``plan`` and saves each one as a whole
session in one transaction, through one writer (the calling process):

* **idempotent**: a recording is keyed by the SHA-256 of its bytes and the analysis version (bodycoach
  version, calibration tables, ``every_ms``, ``mirrored``); one already in the store is skipped before it is
  analysed, and the store refuses a second copy (unique index);
* **resumable**: nothing of a recording is written before its analysis is done, and then in one
  transaction, so a killed batch leaves only complete sessions; run it again and it does the rest;
* **isolated**: each analysis runs in a worker process (``LocalRunner``) or a Ray task (``RayRunner``); a
  broken file fails alone with one line, a worker that dies is replaced and its file retried once.

Each worker runs exactly the analysis of ``bodycoach analyze --save`` (``offline.analyze_video`` into a
``SessionRecord``, the rows ``SessionWriter`` writes), with its models loaded once and restarted between
recordings, so a batch session has the same states, events and shares as ``analyze --save`` of the file.

This module imports only the standard library at the top: worker processes are started with ``spawn``
and import it before they set their thread limits.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bodycoach.errors import BodycoachError

if TYPE_CHECKING:
    from bodycoach.store import SessionRecord, SessionStore

#: File name endings taken from a folder (a file named on the command line is taken whatever its name).
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".y4m", ".mjpeg", ".mjpg")
TRAINEE_MODES = ("folder", "filename")
#: Environment variables that cap the thread pools of numeric libraries in a worker.
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


# -- what to analyse -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchItem:
    """One recording of a batch: where it is, who it shows, and its content hash."""

    path: Path
    trainee: str
    scenario: str | None
    size_bytes: int
    content_hash: str


@dataclass(frozen=True)
class Task:
    """What a worker needs for one recording (picklable; ``data`` set when the bytes travel with it)."""

    index: int
    path: str
    content_hash: str
    every_ms: float | None
    mirrored: bool
    data: bytes | None = None


@dataclass
class TaskOutcome:
    """What a worker returns: the whole session (``record``) or the reason it failed."""

    index: int
    record: SessionRecord | None = None
    duration_s: float = 0.0
    ended_early: bool = False
    incomplete: str | None = None
    error: str | None = None
    analysis_s: float = 0.0
    peak_rss_mb: float = 0.0
    worker: str = ""


@dataclass
class ItemReport:
    """The fate of one recording in a batch."""

    file: str
    status: str  # saved | skipped | failed
    session_id: int | None = None
    reason: str | None = None
    video_s: float = 0.0
    analysis_s: float = 0.0
    peak_rss_mb: float = 0.0
    attempts: int = 0
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class BatchReport:
    """The whole batch: one entry per recording, plus totals."""

    items: list[ItemReport] = field(default_factory=list)
    wall_s: float = 0.0
    analysis_version: str = ""

    def count(self, status: str) -> int:
        """Recordings with ``status``."""
        return sum(1 for i in self.items if i.status == status)

    @property
    def video_minutes(self) -> float:
        """Minutes of video analysed in this run (skipped ones excluded)."""
        return sum(i.video_s for i in self.items if i.status == "saved") / 60.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "analysis_version": self.analysis_version,
            "saved": self.count("saved"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "video_minutes": round(self.video_minutes, 3),
            "wall_s": round(self.wall_s, 2),
            "items": [i.to_dict() for i in self.items],
        }


def discover(patterns: Sequence[str | Path]) -> list[Path]:
    """Files named by ``patterns`` (files, folders searched recursively for videos, glob patterns).

    Raises:
        BodycoachError: a pattern matches nothing (a typo should not look like an empty batch).
    """
    found: dict[Path, None] = {}
    for pattern in patterns:
        p = Path(pattern).expanduser()
        if p.is_dir():
            hits = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in VIDEO_SUFFIXES
                          and not any(part.startswith(".") for part in q.relative_to(p).parts))
        elif p.exists():
            hits = [p]
        else:
            hits = sorted(Path(h) for h in glob.glob(str(p), recursive=True) if Path(h).is_file())
        if not hits:
            raise BodycoachError(f"{pattern}: no such file, folder or matching recording")
        for h in hits:
            found.setdefault(h.resolve(), None)
    return list(found)


def trainee_csv(path: Path) -> dict[str, tuple[str, str | None]]:
    """Read ``file,trainee[,scenario]`` rows (file = a name, or a path relative to the CSV or absolute).

    Raises:
        BodycoachError: the file is missing or has no ``file`` and ``trainee`` columns.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            cols = {c.strip().lower() for c in (reader.fieldnames or [])}
            if not {"file", "trainee"} <= cols:
                raise BodycoachError(f"{path}: columns {sorted(cols)}; expected at least 'file' and 'trainee'")
            out: dict[str, tuple[str, str | None]] = {}
            for row in reader:
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                if not row.get("file") or not row.get("trainee"):
                    continue
                f = Path(row["file"])
                key = str((path.parent / f).resolve()) if (len(f.parts) > 1 or f.is_absolute()) else f.name
                out[key] = (row["trainee"], row.get("scenario") or None)
            return out
    except OSError as exc:
        raise BodycoachError(f"{path}: cannot read the trainee list ({exc.strerror or exc})") from exc


def trainee_from_name(path: Path, mode: str) -> str:
    """Trainee of ``path``: its folder's name (``folder``) or its name up to the first ``_`` (``filename``)."""
    if mode == "folder":
        return path.parent.name
    stem = path.stem
    return stem.split("_", 1)[0].strip() or stem


def content_hash(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    """SHA-256 (hex) and size of the bytes of ``path``."""
    h = hashlib.sha256()
    n = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
            n += len(block)
    return h.hexdigest(), n


def analysis_version(every_ms: float | None, mirrored: bool) -> str:
    """What decides an analysis' result: bodycoach's version, the calibration tables and the options."""
    from bodycoach import __version__
    from bodycoach.landmarks.settings import PerceptionSettings
    from bodycoach.resources import calibration_file

    step = PerceptionSettings.load().every_ms if every_ms is None else float(every_ms)
    h = hashlib.sha256(f"{__version__}|every_ms={step:g}|mirrored={int(bool(mirrored))}".encode())
    folder = calibration_file("perception.toml").parent
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix.lower() in (".toml", ".json", ".npz", ".joblib", ".pkl", ".txt"):
            h.update(f.relative_to(folder).as_posix().encode())
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return f"{__version__}+{h.hexdigest()[:16]}"


def plan_items(paths: Iterable[Path], *, trainee_from: str = "folder", scenario: str | None = None,
               on_error: Callable[[Path, str], None] | None = None) -> list[BatchItem]:
    """Name the trainee of each file and hash it; unreadable files go to ``on_error`` (path, reason).

    ``trainee_from`` is ``folder``, ``filename`` or ``csv:FILE``.
    """
    from bodycoach.store.sessions import check_trainee

    table: dict[str, tuple[str, str | None]] | None = None
    if trainee_from.startswith("csv:"):
        table = trainee_csv(Path(trainee_from[4:]))
    elif trainee_from not in TRAINEE_MODES:
        raise BodycoachError(f"--trainee-from: got {trainee_from!r}; expected folder, filename or csv:FILE")
    items: list[BatchItem] = []
    for p in paths:
        sc = scenario
        if table is not None:
            hit = table.get(str(p)) or table.get(p.name)
            if hit is None:
                if on_error:
                    on_error(p, "not in the trainee list")
                continue
            name, sc = hit[0], hit[1] or scenario
        else:
            name = trainee_from_name(p, trainee_from)
        try:
            name = check_trainee(name)
        except BodycoachError as exc:
            if on_error:
                on_error(p, f"trainee name from --trainee-from {trainee_from}: {exc}")
            continue
        try:
            digest, size = content_hash(p)
        except OSError as exc:
            if on_error:
                on_error(p, f"cannot read the file ({exc.strerror or exc})")
            continue
        items.append(BatchItem(p, name, sc, size, digest))
    return items


# -- the worker side (a spawned process or a Ray worker) -----------------------------------------------
_WORKER: dict[str, Any] = {}


def worker_setup(threads: int) -> None:
    """Cap this process's thread pools at ``threads`` (call before numpy/mediapipe are imported)."""
    for var in _THREAD_ENV:
        os.environ[var] = str(max(1, threads))
    _WORKER["threads"] = max(1, threads)


def _extractor(mirrored: bool) -> Any:
    """This worker's extractor: loaded once, restarted for each recording."""
    key = ("extractor", mirrored)
    ext = _WORKER.get(key)  # type: ignore[call-overload]
    if ext is None:
        from bodycoach.landmarks.mediapipe import MediapipeExtractor

        # Three model threads only when this worker has the cores for them; otherwise one after another.
        ext = MediapipeExtractor(mirrored=mirrored, parallel=_WORKER.get("threads", 3) >= 2)
        _WORKER[key] = ext  # type: ignore[index]
    else:
        ext.restart()
    return ext


def _peak_rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    except (ImportError, OSError):  # pragma: no cover - not Linux
        return 0.0


def analyse(task: Task) -> TaskOutcome:
    """Analyse one recording the way ``analyze --save`` does; never raises for a bad file."""
    import tempfile

    from bodycoach.offline import analyze_video
    from bodycoach.store import SessionRecord

    t0 = time.perf_counter()
    out = TaskOutcome(index=task.index, worker=f"{os.uname().nodename}:{os.getpid()}")
    tmp: tempfile.TemporaryDirectory[str] | None = None
    try:
        path = Path(task.path)
        if task.data is not None:
            if hashlib.sha256(task.data).hexdigest() != task.content_hash:
                raise BodycoachError(f"{task.path}: the bytes received differ from the ones hashed")
            tmp = tempfile.TemporaryDirectory(prefix="bodycoach-batch-")
            path = Path(tmp.name) / f"recording{Path(task.path).suffix.lower() or '.mp4'}"
            path.write_bytes(task.data)
        elif content_hash(path)[0] != task.content_hash:
            raise BodycoachError(f"{task.path}: the file changed after it was hashed; run the batch again")
        record = SessionRecord()
        run = analyze_video(path, None, every_ms=task.every_ms, mirrored=task.mirrored,
                            extractor=_extractor(task.mirrored), sink=record)
        record.add_events(run.events)
        out.record = record
        out.duration_s = float(run.summary()["duration_s"])
        out.ended_early = bool(run.ended_early)
        from bodycoach.apps.cmd_analyze import short_file

        short = short_file(run)  # stored as analyze --save stores a short file: incomplete, duration analysed
        if short is not None:
            out.duration_s, out.incomplete = short
    except BodycoachError as exc:
        out.error = str(exc)
    except Exception as exc:  # a hostile file must fail alone, whatever the decoder throws
        out.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no detail'}"
    finally:
        if out.error and tmp is not None:  # name the recording, not the worker's copy of it
            out.error = out.error.replace(str(path), task.path)
        if tmp is not None:
            tmp.cleanup()
    out.analysis_s = time.perf_counter() - t0
    out.peak_rss_mb = _peak_rss_mb()
    return out


def _worker_main(conn: Any, threads: int) -> None:  # pragma: no cover - runs in a spawned process
    worker_setup(threads)
    if not os.environ.get("BODYCOACH_DEBUG"):
        try:  # MediaPipe's native log lines would bury the progress bar
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except OSError:
            pass
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(analyse(task))


# -- runners -------------------------------------------------------------------------------------------
class LocalRunner:
    """One analysis per worker process on this machine (``spawn``; models loaded once per worker).

    Args:
        workers: Worker processes.
        cores: Cores to share among them (default: the cores this process may run on).
    """

    def __init__(self, workers: int = 1, cores: int | None = None) -> None:
        if workers < 1:
            raise BodycoachError(f"--workers must be at least 1, but got {workers}")
        self.workers = int(workers)
        if cores is None:
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.cores = max(1, int(cores))
        self.threads = max(1, round(self.cores / self.workers))

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, TaskOutcome, int]]:
        """Yield (task, outcome, attempts) as recordings finish; a dead worker's file is retried once."""
        import multiprocessing as mp
        from multiprocessing.connection import wait

        ctx = mp.get_context("spawn")
        pending = list(reversed(tasks))
        attempts: dict[int, int] = {}
        slots: list[dict[str, Any]] = []

        def start() -> dict[str, Any]:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker_main, args=(child, self.threads), daemon=True,
                               name="bodycoach-batch-worker")
            proc.start()
            child.close()
            return {"proc": proc, "conn": parent, "task": None}

        try:
            for _ in range(min(self.workers, len(tasks))):
                slots.append(start())
            while pending or any(s["task"] is not None for s in slots):
                for s in slots:
                    if s["task"] is None and pending:
                        task = pending.pop()
                        attempts[task.index] = attempts.get(task.index, 0) + 1
                        s["task"] = task
                        s["conn"].send(task)
                busy = [s for s in slots if s["task"] is not None]
                ready = wait([s["conn"] for s in busy] + [s["proc"].sentinel for s in busy])
                for i, s in enumerate(slots):
                    if s["task"] is None:
                        continue
                    task = s["task"]
                    outcome: TaskOutcome | None = None
                    if s["conn"] in ready:
                        try:
                            outcome = s["conn"].recv()
                        except (EOFError, OSError):
                            outcome = None
                    elif s["proc"].sentinel not in ready:
                        continue
                    if outcome is not None:
                        s["task"] = None
                        yield task, outcome, attempts[task.index]
                        continue
                    # The worker died with this file: replace it, retry the file once.
                    s["proc"].join(5)
                    code = s["proc"].exitcode
                    s["conn"].close()
                    slots[i] = start()
                    if attempts[task.index] < 2:
                        pending.append(task)
                    else:
                        yield task, TaskOutcome(index=task.index, error=(
                            f"the worker analysing it crashed twice (exit code {code}); not retried again")), \
                            attempts[task.index]
        finally:
            for s in slots:
                try:
                    s["conn"].send(None)
                except (OSError, ValueError):
                    pass
            for s in slots:
                s["proc"].join(10)
                if s["proc"].is_alive():
                    s["proc"].kill()
                    s["proc"].join(5)
                s["conn"].close()


def _ray_task(task: Task) -> TaskOutcome:  # pragma: no cover - runs in a Ray worker
    if "threads" not in _WORKER:
        worker_setup(1)
    return analyse(task)


class RayRunner:
    """One Ray task per recording; the driver (this process) stays the only writer of the store.

    Args:
        address: Ray cluster address; None = ``RAY_ADDRESS`` or, without it, a local cluster.
        send_bytes: Send each file's bytes with its task (workers need no shared folder); default: only
            when connecting to a remote cluster.
        num_cpus: CPUs of a local cluster (None = all).
        cpus_per_task: Ray CPUs reserved by one analysis.
    """

    def __init__(self, address: str | None = None, *, send_bytes: bool | None = None, num_cpus: int | None = None,
                 cpus_per_task: float = 1.0) -> None:
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.send_bytes = (self.address is not None) if send_bytes is None else bool(send_bytes)
        self.num_cpus = num_cpus
        self.cpus_per_task = float(cpus_per_task)

    def _init(self) -> Any:
        try:
            import ray
        except ImportError:
            raise BodycoachError("--ray needs Ray: pip install 'bodycoach[cluster]'") from None
        self._started = False
        if not ray.is_initialized():
            self._started = True
            kwargs: dict[str, Any] = {"log_to_driver": False, "include_dashboard": False}
            if self.address is None:
                kwargs["num_cpus"] = self.num_cpus
            try:
                ray.init(address=self.address, **kwargs)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BodycoachError(f"Ray cluster {self.address or '(local)'}: cannot connect "
                                     f"({str(exc).splitlines()[0]})") from None
        return ray

    def run(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, TaskOutcome, int]]:
        """Yield (task, outcome, attempts) as tasks finish (Ray retries a task whose worker died once)."""
        ray = self._init()
        try:
            yield from self._run(ray, tasks)
        finally:
            if self._started:  # a cluster this batch connected to or started itself
                ray.shutdown()

    def _run(self, ray: Any, tasks: Sequence[Task]) -> Iterator[tuple[Task, TaskOutcome, int]]:
        remote = ray.remote(num_cpus=self.cpus_per_task, max_retries=1)(_ray_task)
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1) // max(self.cpus_per_task, 1e-3)))
        window = 2 * cpus  # bytes in flight stay bounded
        queue = list(reversed(tasks))
        running: dict[Any, Task] = {}
        while queue or running:
            while queue and len(running) < window:
                t = queue.pop()
                if self.send_bytes:
                    t = Task(t.index, t.path, t.content_hash, t.every_ms, t.mirrored, Path(t.path).read_bytes())
                running[remote.remote(t)] = Task(t.index, t.path, t.content_hash, t.every_ms, t.mirrored)
            done, _ = ray.wait(list(running), num_returns=1)
            for ref in done:
                task = running.pop(ref)
                try:
                    outcome = ray.get(ref)
                except Exception as exc:  # the worker died twice, or the task could not run
                    outcome = TaskOutcome(index=task.index, error=(
                        f"the Ray task failed ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"))
                    yield task, outcome, 2
                    continue
                yield task, outcome, 1


# -- the driver ----------------------------------------------------------------------------------------
Runner = LocalRunner | RayRunner


def run_batch(items: Sequence[BatchItem], store: SessionStore, runner: Runner, *, every_ms: float | None = None,
              mirrored: bool = False, on_item: Callable[[ItemReport, BatchItem], None] | None = None) -> BatchReport:
    """Analyse ``items`` with ``runner`` and save each new one in ``store`` (the only writer).

    Recordings already in the store (same content hash and analysis version) are skipped without being
    analysed. ``on_item`` is called after each recording (progress, failure lines).
    """
    t0 = time.perf_counter()
    version = analysis_version(every_ms, mirrored)
    report = BatchReport(analysis_version=version)
    by_index: dict[int, BatchItem] = {}
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        sid = store.find_recording(item.content_hash, version)
        if sid is None and item.content_hash in seen:
            sid = -1  # the same bytes twice in one batch: analysed once
        if sid is not None:
            rep = ItemReport(str(item.path), "skipped", session_id=None if sid < 0 else sid,
                             reason="already in the store" if sid >= 0 else "same content as another file")
            report.items.append(rep)
            if on_item:
                on_item(rep, item)
            continue
        seen[item.content_hash] = i
        by_index[i] = item
        tasks.append(Task(i, str(item.path), item.content_hash, every_ms, mirrored))
    for task, outcome, attempts in runner.run(tasks):
        item = by_index[task.index]
        rep = ItemReport(str(item.path), "failed", attempts=attempts, analysis_s=round(outcome.analysis_s, 3),
                         peak_rss_mb=round(outcome.peak_rss_mb, 1), video_s=round(outcome.duration_s, 3))
        if outcome.record is None or outcome.error:
            rep.reason = outcome.error or "no result"
        else:
            sid, created = store.save_record(
                outcome.record, trainee=item.trainee, scenario=item.scenario, source=str(item.path),
                duration_s=outcome.duration_s, content_hash=item.content_hash, analysis_version=version,
                incomplete=outcome.incomplete)
            rep.status = "saved" if created else "skipped"
            rep.session_id = sid
            if not created:
                rep.reason = "already in the store"
            if outcome.incomplete:
                rep.warning = f"saved as incomplete: {outcome.incomplete}"
        report.items.append(rep)
        if on_item:
            on_item(rep, item)
    report.wall_s = time.perf_counter() - t0
    return report


def print_failure(rep: ItemReport, write: Callable[[str], None] | None = None) -> None:
    """One line for a failed or suspicious recording."""
    out = write or (lambda s: print(s, file=sys.stderr))
    if rep.status == "failed":
        reason = rep.reason or "failed"
        out(f"bodycoach: batch: {reason}" if reason.startswith(rep.file) else f"bodycoach: batch: {rep.file}: {reason}")
    elif rep.warning:
        out(f"bodycoach: batch: warning: {rep.file}: {rep.warning}")
