"""Benchmark: the session store and the review pipeline on a synthetic 10-minute session.

Writes a session of ``--minutes`` at ``--fps`` analysed frames per second (default 10 min at 5 fps =
3000 frames, landmarks kept) through ``SessionWriter`` exactly as ``bodycoach analyze --save`` does, then
times what the review page and ``bodycoach report`` do with it: load, scorecard (replay through
``feedback.report.SessionRecorder``), timeline chart spec, one moment with its overlay (landmarks on a
blank canvas), and the HTML report (inline SVG via vl-convert), with sizes.

    /work/venv/bin/python benchmarks/review_store.py
    /work/venv/bin/python benchmarks/review_store.py --minutes 30 --json

The page-open time in a real browser is measured by ``tests/e2e_review/test_review_browser.py``.
Targets (issue 5): review page opens a 10-minute session in < 2 s; the HTML report is < 5 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _time(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    out = None
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    """Run the benchmark and print a table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--fps", type=float, default=5.0, help="analysed frames per second")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from bodycoach.apps.ui.review import moment_image
    from bodycoach.review.charts import timeline_chart
    from bodycoach.review.report_html import build_report_html
    from bodycoach.review.scorecard import session_report
    from bodycoach.review.synthetic import synthetic_session
    from bodycoach.store import SessionStore

    n = int(round(args.minutes * 60 * args.fps))
    step = int(round(1000 / args.fps))
    res: dict[str, Any] = {"frames": n, "minutes": args.minutes}
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp))
        t0 = time.perf_counter()
        sid = synthetic_session(store, n=n, step_ms=step)
        res["write_s"] = time.perf_counter() - t0  # includes building the synthetic frames
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        res["db_mb"] = (Path(tmp) / "sessions.db").stat().st_size / 1e6
        # The writer alone (what analyze --save and the live coach pay per frame): results built first.
        from bodycoach.review.synthetic import label_schedule, make_result

        results = [make_result(i * step, label_schedule(i, n)) for i in range(n)]
        w = store.create_session(trainee="bench")
        t0 = time.perf_counter()
        for r in results:
            w.add_frame(r, phase="reception")
        w.close()
        res["writer_ms_per_frame"] = 1000 * (time.perf_counter() - t0) / n
        store.delete(w.session_id)
        res["load_s"], data = _time(lambda: store.load(sid))
        res["scorecard_s"], report = _time(lambda: session_report(data))
        res["chart_spec_s"], _ = _time(lambda: timeline_chart(data, selectable=True, moment_s=0.0).to_dict())
        res["moment_s"], _ = _time(lambda: moment_image(store, data, 123_400.0))
        res["page_compute_s"] = res["load_s"] + res["scorecard_s"] + res["chart_spec_s"] + res["moment_s"]
        res["report_s"], html = _time(lambda: build_report_html(data, report), repeat=1)
        res["report_mb"] = len(html.encode("utf-8")) / 1e6
        store.close()
    if args.json:
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in res.items()}))
    else:
        print(f"synthetic session: {n} frames ({args.minutes:g} min at {args.fps:g} fps), landmarks kept")
        for k in ("write_s", "writer_ms_per_frame", "db_mb", "load_s", "scorecard_s", "chart_spec_s", "moment_s",
                  "page_compute_s", "report_s", "report_mb"):
            print(f"  {k:<19} {res[k]:8.3f}")
        print(f"targets: page < 2 s (server part {res['page_compute_s']:.2f} s; browser: tests/e2e_review), "
              f"report < 5 MB ({res['report_mb']:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
