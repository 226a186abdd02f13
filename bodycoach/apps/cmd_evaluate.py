"""``bodycoach evaluate``: score the pipeline against a labelled data folder."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

HELP = "score the classifiers against a labelled data folder (labels.csv [+ genki4k_labels.csv])"

DESCRIPTION = """\
Run perception and analysis on every labelled row of DATA_DIR and print the scores.

DATA_DIR holds labels.csv (columns file, video, frame_time_s, eye_contact, smile, arms, palm, head;
`file` relative to DATA_DIR; video rows are scored at frame_time_s with the clip's history) and optionally
genki4k_labels.csv (file, smile 0/1, yaw_rad, pitch_rad). Rows labelled `unclear` are skipped; a prediction
of `unknown` on a labelled row counts as wrong.

--json prints one JSON object: eye_contact {n, precision, recall, f1, mcc} (positive = yes),
smile_present {n, accuracy}, smile_type {n, macro_f1, confusion}, genki_smile {n, accuracy},
genki_head {n, yaw_mae_deg, pitch_mae_deg}, head {n, macro_f1, propped_f1, turned_f1},
arms {n, macro_f1, crossed_f1}, palm {n, accuracy}, coverage {category: share not unknown}.

Landmarks are cached by file content in the cache folder, so a second run takes seconds.
"""

EPILOG = """\
examples:
  bodycoach evaluate ../shared/data/dev
  bodycoach evaluate ../shared/data/dev --json > metrics.json
  bodycoach evaluate /data/heldout --no-cache
"""


def register(sub: Any) -> None:
    """Add the ``evaluate`` subcommand."""
    p = sub.add_parser("evaluate", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data_dir", metavar="DATA_DIR", type=Path, help="labelled data folder")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.add_argument("--cache-dir", metavar="DIR", type=Path, default=None,
                   help="landmark cache (default: the user cache folder, bodycoach/evaluate)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the landmark cache")
    p.add_argument("--config", metavar="TOML", type=Path, default=None,
                   help="thresholds to evaluate (default: calibration/thresholds.toml)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--record", metavar="JSON", type=Path, default=None,
                   help="also write the headline figures to JSON (calibration/metrics.json is the regression gate)")
    p.set_defaults(func=run)


def default_cache_dir() -> Path:
    """The user cache folder for evaluation landmarks."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("bodycoach")) / "evaluate"


def _clean(o: Any) -> Any:
    if isinstance(o, float):
        return None if math.isnan(o) else round(o, 4)
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_clean(v) for v in o]
    return o


def run(args: argparse.Namespace) -> int:
    """Evaluate; returns the exit status."""
    from bodycoach.analysis import Analyzer
    from bodycoach.config import load_config
    from bodycoach.evaluate import LandmarkSource, iter_table, load_dataset, predict, score

    ds = load_dataset(args.data_dir)
    config = load_config(args.config)
    cache = None if args.no_cache else (args.cache_dir or default_cache_dir())
    if cache is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            cache = None
    total = len(ds.rows) + len(ds.genki)
    bar = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="row", file=sys.stderr, leave=False)
    source = LandmarkSource(cache)
    try:
        pred = predict(ds, source, lambda: Analyzer(config=config),
                       on_row=(bar.update if bar is not None else None))
    finally:
        source.close()
        if bar is not None:
            bar.close()
    report = score(pred)
    report["landmarks"] = {"extracted": source.extracted, "from_cache": source.cached}
    if args.record is not None:
        from bodycoach.evaluate import headline

        rec = {"command": f"bodycoach evaluate {args.data_dir} --record {args.record}",
               "data_dir": str(args.data_dir), "rows": len(ds.rows), "genki_rows": len(ds.genki),
               "figures": {k: round(v, 4) for k, v in headline(report).items()}}
        try:
            args.record.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            from bodycoach.errors import BodycoachError

            raise BodycoachError(f"{args.record}: cannot write ({exc.strerror})") from None
    if args.json:
        print(json.dumps(_clean(report), sort_keys=False))
    else:
        print(f"bodycoach evaluate {args.data_dir}  ({len(ds.rows)} labelled rows, {len(ds.genki)} GENKI rows)")
        for line in iter_table(report):
            print(line)
    return 0
