"""``bodycoach batch --ray``: a local Ray cluster started by the test (2 CPUs) over real dev clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bodycoach import batch
from bodycoach.apps.cli import main
from bodycoach.store import SessionStore

from .test_batch import EVERY_MS, clips, make_batch_folder, run_and_kill_after_first_save, session_fingerprint

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'bodycoach[cluster]')")

__all__ = ["clips"]  # the fixture, re-used


@pytest.fixture(scope="module")
def cluster() -> str:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("send_bytes", [True, False], ids=["bytes", "shared-path"])
def test_ray_batch_stores_good_reports_bad_and_reruns_empty(tmp_path: Path, clips: list[Path], cluster: str,
                                                            send_bytes: bool) -> None:
    folder = make_batch_folder(tmp_path / "in", clips)
    items = batch.plan_items(batch.discover([folder]))
    runner = batch.RayRunner(cluster, send_bytes=send_bytes)
    with SessionStore(tmp_path / "home") as store:
        report = batch.run_batch(items, store, runner, every_ms=EVERY_MS)
        assert report.count("saved") == 3 and report.count("failed") == 3
        failed = {Path(i.file).name for i in report.items if i.status == "failed"}
        assert failed == {"empty.mp4", "truncated.mp4", "notes.mp4"}
        assert all(i.reason and Path(i.file).name in i.reason for i in report.items if i.status == "failed")
        first = session_fingerprint(store)
        assert len(first) == 3
        again = batch.run_batch(items, store, runner, every_ms=EVERY_MS)
        assert again.count("saved") == 0 and again.count("skipped") == 3
        assert session_fingerprint(store) == first


@pytest.mark.slow
def test_ray_batch_equals_local_workers(tmp_path: Path, clips: list[Path], cluster: str) -> None:
    folder = make_batch_folder(tmp_path / "in", clips, bad=False)
    items = batch.plan_items(batch.discover([folder]))
    with SessionStore(tmp_path / "ray") as a, SessionStore(tmp_path / "local") as b:
        batch.run_batch(items, a, batch.RayRunner(cluster, send_bytes=True), every_ms=EVERY_MS)
        batch.run_batch(items, b, batch.LocalRunner(1), every_ms=EVERY_MS)
        assert session_fingerprint(a) == session_fingerprint(b)


@pytest.mark.slow
def test_killed_ray_batch_resumes_to_the_same_sessions(tmp_path: Path, clips: list[Path], cluster: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The driver is killed after its first save; the same command again ends with every session once."""
    folder = make_batch_folder(tmp_path / "in", clips, bad=False)
    home = tmp_path / "home"
    argv = ["batch", str(folder), "--ray", cluster, "--every-ms", str(EVERY_MS), "--no-progress", "--json",
            "--home", str(home)]
    saved = run_and_kill_after_first_save(argv, home)
    assert 1 <= saved < 3, "the batch was not stopped mid-way"
    assert main(argv) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["saved"] == 3 - saved and rep["skipped"] == saved
    items = batch.plan_items(batch.discover([folder]))
    with SessionStore(home) as killed, SessionStore(tmp_path / "full") as full:
        batch.run_batch(items, full, batch.LocalRunner(1), every_ms=EVERY_MS)
        assert session_fingerprint(killed) == session_fingerprint(full)
