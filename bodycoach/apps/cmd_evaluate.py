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
genki4k_labels.csv (file, smile 0/1, yaw_rad, pitch_rad) and hands11k_labels.csv (file, palm palm/back,
subject; single hands with no body in view). Rows labelled `unclear` are skipped; a prediction of `unknown`
on a labelled row counts as wrong.

--json prints one JSON object: eye_contact {n, precision, recall, f1, mcc} (positive = yes),
smile_present {n, accuracy}, smile_type {n, macro_f1, confusion}, genki_smile {n, accuracy},
genki_head {n, yaw_mae_deg, pitch_mae_deg}, head {n, macro_f1, propped_f1, turned_f1},
arms {n, macro_f1, crossed_f1}, palm {n, accuracy}, palm_isolated {n, accuracy} (with hands11k_labels.csv),
coverage {category: share not unknown}.

--cv adds grouped cross-validated figures: the rows are split into folds that never split a group
(source_repo for stills, the clip for video frames, the image for GENKI-4K, the subject for hand photos);
per fold every fitted model and every threshold chosen on data (bodycoach/tuning.py: the registry) is
re-fitted on the other folds, and the fold's rows are scored with that config. The table prints a CV line
under each in-sample line; --json adds a "cv" object with the same keys, and "cv_protocol" (folds, groups,
the value each fold chose, seconds).

Landmarks are cached by file content in the cache folder, so a second run takes seconds.
"""

EPILOG = """\
examples:
  bodycoach evaluate ../shared/data/dev
  bodycoach evaluate ../shared/data/dev --json > metrics.json
  bodycoach evaluate ../shared/data/dev --cv --json
  bodycoach evaluate ../shared/data/dev --cv --record calibration/metrics.json
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
    p.add_argument("--cv", action="store_true", help="also grouped cross-validated figures (see above)")
    p.add_argument("--folds", metavar="K", type=int, default=5, help="number of CV folds (default 5)")
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
    from bodycoach.errors import BodycoachError
    from bodycoach.evaluate import LandmarkSource, MemorySource, cross_validate, iter_table, load_dataset, predict, score

    if args.folds < 2:
        raise BodycoachError(f"--folds = {args.folds}, expected at least 2")
    ds = load_dataset(args.data_dir)
    config = load_config(args.config)
    cache = None if args.no_cache else (args.cache_dir or default_cache_dir())
    if cache is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            cache = None
    total = len(ds.rows) + len(ds.genki) + len(ds.hands)
    bar = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="row", file=sys.stderr, leave=False)
    inner = LandmarkSource(cache)
    source = MemorySource(inner)
    cv = info = None
    try:
        pred = predict(ds, source, lambda: Analyzer(config=config),
                       on_row=(bar.update if bar is not None else None))
        if bar is not None:
            bar.close()
            bar = None
        if args.cv:
            say = None if args.no_progress or not sys.stderr.isatty() else (lambda m: print(m, file=sys.stderr))
            cv, info = cross_validate(ds, source, config, k=args.folds, progress=say)
    finally:
        source.close()
        if bar is not None:
            bar.close()
    report = score(pred)
    report["landmarks"] = {"extracted": inner.extracted, "from_cache": inner.cached}
    if cv is not None:
        report["cv"] = cv
        report["cv_protocol"] = info
    if args.record is not None:
        from bodycoach.evaluate import headline

        cmd = f"bodycoach evaluate {args.data_dir}{' --cv' if cv is not None else ''} --record {args.record}"
        rec: dict[str, Any] = {"command": cmd, "data_dir": str(args.data_dir), "rows": len(ds.rows),
                               "genki_rows": len(ds.genki), "hand_rows": len(ds.hands)}
        if cv is not None:
            # The gate holds the cross-validated figures; the in-sample ones are kept beside them for reference.
            rec["folds"] = args.folds
            rec["figures"] = {k: round(v, 4) for k, v in headline(cv).items()}
            rec["in_sample"] = {k: round(v, 4) for k, v in headline(report).items()}
        else:
            rec["figures"] = {k: round(v, 4) for k, v in headline(report).items()}
        try:
            args.record.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise BodycoachError(f"{args.record}: cannot write ({exc.strerror})") from None
    if args.json:
        print(json.dumps(_clean(report), sort_keys=False))
    else:
        print(f"bodycoach evaluate {args.data_dir}  ({len(ds.rows)} labelled rows, {len(ds.genki)} GENKI rows, "
              f"{len(ds.hands)} hand photos)")
        if info is not None:
            print(f"CV: {info['folds']} folds over {info['groups']} groups ({info['group_by']}), {info['seconds']} s")
        for line in iter_table(report):
            print(line)
    return 0
