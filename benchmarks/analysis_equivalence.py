"""Check that a change to the analysis stage (features, classifiers, temporal layer) changes no output.

Replays recorded landmarks through ``Analyzer.step`` and records, per frame, every feature value, every
classification (label and score), every stable state and every started/ended event. ``--save`` writes
that record; ``--check`` replays again and compares with a saved record: labels, states and events must
be identical, numbers equal within a relative tolerance (default 1e-9).

Sources: every ``tests/data/*.npz`` (as recorded, mirrored, and with a fixed pattern of broken points),
plus, with ``--cache``, the landmarks ``bodycoach evaluate`` cached (``~/.cache/bodycoach/evaluate``):
video prefixes one by one, stills as one stream with synthetic 100 ms steps.

To compare against an older version of the code, run ``--save`` with that version first on
``PYTHONPATH`` (e.g. a ``git archive`` of the old commit unpacked in /tmp), then ``--check`` here::

    PYTHONPATH=/tmp/ref python benchmarks/analysis_equivalence.py --cache --save /tmp/ref.pkl
    python benchmarks/analysis_equivalence.py --cache --check /tmp/ref.pkl
"""

from __future__ import annotations

import argparse
import math
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "bodycoach" / "evaluate"


def _variants(seq: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """The recording as is, mirrored, and with some points broken (NaN, inf, far outside the frame)."""
    from dataclasses import replace

    yield "as-is", seq
    yield "mirrored", [replace(lm, mirrored=not lm.mirrored) for lm in seq]
    rng = np.random.default_rng(7)
    broken = []
    for lm in seq:
        parts = {}
        for name in ("pose", "face", "left_hand", "right_hand"):
            a = getattr(lm, name)
            if a is None:
                continue
            a = a.copy()
            kind = rng.integers(0, 6)
            rows = rng.integers(0, a.shape[0], size=int(rng.integers(1, 4)))
            if kind == 0:
                a[rows, rng.integers(0, 3)] = np.nan
            elif kind == 1:
                a[rows, rng.integers(0, 3)] = np.inf
            elif kind == 2:
                a[rows, :2] = 9.0
            parts[name] = a
        broken.append(replace(lm, **parts))
    yield "broken", broken


def sources(use_cache: bool) -> Iterator[tuple[str, list[Any]]]:
    """(name, landmarks in time order) for every replay stream."""
    from dataclasses import replace

    from bodycoach.landmarks.recording import load_landmarks

    for p in sorted((ROOT / "tests" / "data").glob("*.npz")):
        for tag, seq in _variants(load_landmarks(p)):
            yield f"{p.name}:{tag}", seq
    if not use_cache or not CACHE.is_dir():
        return
    stills: list[Any] = []
    for p in sorted(CACHE.glob("*.npz")):
        seq = load_landmarks(p)
        if "-video-" in p.name:
            yield p.name, seq
        else:
            stills.extend(seq)
    yield "stills", [replace(lm, timestamp_ms=100 * i) for i, lm in enumerate(stills)]


def record(seq: list[Any]) -> list[dict[str, Any]]:
    """Per-frame outputs of a fresh Analyzer over ``seq`` (plus the events closed by ``finish``)."""
    from bodycoach.analysis import Analyzer

    an = Analyzer()
    out = []
    for lm in seq:
        r = an.step(lm)
        out.append({
            "features": dict(r.features.values),
            "labels": {str(b): (c.label, float(c.score), c.timestamp_ms) for b, c in r.classifications.items()},
            "states": {str(b): s for b, s in r.states.items()},
            "started": [e.to_dict() | {"peak_score": e.peak_score} for e in r.started],
            "ended": [e.to_dict() | {"peak_score": e.peak_score} for e in r.ended],
        })
    out.append({"finish": [e.to_dict() | {"peak_score": e.peak_score} for e in an.finish()]})
    return out


def _close(a: Any, b: Any, rtol: float) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return fa == fb or abs(fa - fb) <= rtol * max(abs(fa), abs(fb)) + 1e-12
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], rtol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, rtol) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def compare(ref: dict[str, list[dict[str, Any]]], new: dict[str, list[dict[str, Any]]], rtol: float,
            show: int = 10) -> int:
    """Print the differences; return how many frames differ."""
    bad = 0
    for name in sorted(set(ref) | set(new)):
        if name not in ref or name not in new:
            # The evaluate cache may gain files between the two runs: nothing to compare, not a difference.
            print(f"{name}: only in {'new' if name in new else 'reference'} (skipped)")
            continue
        r, n = ref[name], new[name]
        if len(r) != len(n):
            print(f"{name}: {len(r)} vs {len(n)} frames")
            bad += 1
            continue
        for i, (a, b) in enumerate(zip(r, n, strict=True)):
            if _close(a, b, rtol):
                continue
            bad += 1
            if bad <= show:
                for k in a:
                    if not _close(a[k], b.get(k), rtol):
                        if isinstance(a[k], dict):
                            keys = sorted(set(a[k]) | set(b.get(k, {})))
                            diff = {kk: (a[k].get(kk), b[k].get(kk)) for kk in keys
                                    if not _close(a[k].get(kk), b[k].get(kk), rtol)}
                            print(f"{name} frame {i} {k}: {diff}")
                        else:
                            print(f"{name} frame {i} {k}: {a[k]} != {b.get(k)}")
    return bad


def main() -> int:
    """Save or check a record of the analysis outputs."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", type=Path, metavar="PKL", help="write the record here")
    g.add_argument("--check", type=Path, metavar="PKL", help="compare with this saved record")
    ap.add_argument("--cache", action="store_true", help="also replay the evaluate landmark cache")
    ap.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance for numbers (default 1e-9)")
    args = ap.parse_args()
    import bodycoach

    print(f"bodycoach from {Path(bodycoach.__file__).parent}", file=sys.stderr)
    rec: dict[str, list[dict[str, Any]]] = {}
    frames = 0
    for name, seq in sources(args.cache):
        rec[name] = record(seq)
        frames += len(seq)
    print(f"{len(rec)} streams, {frames} frames", file=sys.stderr)
    if args.save:
        args.save.write_bytes(pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL))
        return 0
    ref = pickle.loads(args.check.read_bytes())
    bad = compare(ref, rec, args.rtol)
    print("identical" if bad == 0 else f"{bad} frames differ")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
