"""Sweep one threshold at a time over a labelled data folder and print the figure it was chosen for.

    python calibration/sweep.py ../shared/data/dev                 # every sweep below
    python calibration/sweep.py ../shared/data/dev head.turned_yaw_deg
    python calibration/sweep.py ../shared/data/dev --support     # each rule's support (switched off)

Each line: the value, then the evaluate figures that threshold drives, with every other value as in
calibration/thresholds.toml. Landmarks come from the ``bodycoach evaluate`` cache (run it once first).
This is how the hand-set values in thresholds.toml were chosen; the README names the figure for each.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

SWEEPS: dict[str, tuple[list[float], list[str]]] = {
    "eye_contact.lens_yaw_deg": ([10, 12, 14, 16, 18], ["eye_contact.f1", "eye_contact.mcc"]),
    "eye_contact.lens_pitch_deg": ([16, 20, 24, 28, 32, 36], ["eye_contact.f1", "eye_contact.mcc"]),
    "eye_contact.iris_yaw_gain_deg": ([0, -100, -150, -200, -250], ["eye_contact.f1", "eye_contact.mcc"]),
    "eye_contact.min_eye_open_norm": ([0.0, 0.05, 0.1, 0.15, 0.2], ["eye_contact.f1", "eye_contact.mcc"]),
    "smile.presence_min_prob": ([0.3, 0.4, 0.5, 0.6], ["smile_present.accuracy", "genki_smile.accuracy"]),
    "smile.open_lip_gap_norm": ([0.05, 0.07, 0.09, 0.11, 0.13], ["smile_type.macro_f1"]),
    "smile.one_sided_asym_norm": ([0.05, 0.07, 0.09], ["smile_type.macro_f1"]),
    "smile.max_abs_yaw_deg": ([35.0, 45.0, 55.0, 60.0, 70.0, 90.0], ["smile_present.accuracy", "smile_type.macro_f1",
                                                                   "genki_smile.accuracy"]),
    "head.turned_yaw_deg": ([18, 20, 22, 24, 26, 28, 30], ["head.turned_f1", "head.macro_f1"]),
    "head.propped_hand_face_iod": ([0.1, 0.15, 0.2, 0.25, 0.3, 0.4], ["head.propped_f1", "head.macro_f1"]),
    "arms.crossed_wrist_elbow_sw": ([0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0], ["arms.crossed_f1", "arms.macro_f1"]),
    "arms.extended_max_wrist_up_sw": ([-1.0, -0.9, -0.8, -0.7, -0.6, -0.5], ["arms.macro_f1"]),
    "palm.min_abs_facing": ([0.0, 0.05, 0.1, 0.2], ["palm.accuracy"]),
}


# Rules and how to switch each off: thresholds that make it never fire, or a predicate patched to False.
# (category, label column, off)
RULES: dict[str, tuple[str, dict[str, float] | tuple[str, str]]] = {
    "arms: crossed (wrist near the other elbow)": ("arms", {"arms.crossed_wrist_elbow_sw": 0.0}),
    "arms: crossed on the chest vs counter": ("arms", {"arms.crossed_chest_min_up_sw": -5.0}),
    "arms: hanging down": ("arms", {"arms.down_min_vert_deg": 90.0}),
    "arms: extended on the counter": ("arms", {"arms.extended_max_wrist_up_sw": -5.0}),
    "head: propped (hand at the lower face)": ("head", {"head.propped_hand_face_iod": 0.0}),
    "head: turned (|yaw| >= limit)": ("head", {"head.turned_yaw_deg": 90.0}),
}


def rule_support(data: Any, base: Any, rules: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Switch each rule off and count the labelled predictions it changes (in-sample, per-frame classifiers).

    ``supported`` = rows the rule gets right that are wrong without it; ``against`` = the reverse; the
    sources are the ``source_repo`` of the supported rows (a hand photo's subject for isolated hands).
    """
    import importlib

    from bodycoach.tuning import set_value
    from bodycoach.types import Behaviour

    def labels(cfg: Any, category: str) -> dict[int, tuple[str, str, str]]:
        out = {}
        for i, (r, res) in enumerate(data.results(cfg, ("row", "hand"))):
            if r.kind == "hand":
                if category != "palm":
                    continue
                truth, src = r.row.palm, f"subject {r.row.subject}"
            else:
                truth, src = r.row.labels.get(category, ""), r.row.source
            if truth in ("", "unclear", "none") or (category == "arms" and truth not in (
                    "hidden", "crossed_chest", "crossed_table", "extended", "down", "other")):
                continue
            out[i] = (truth, res.label(Behaviour(category)), src)
        return out

    on = {c: labels(base, c) for c in ("arms", "palm", "head")}
    report = []
    for name, (category, off) in (rules or RULES).items():
        if isinstance(off, dict):
            cfg = base
            for k, v in off.items():
                cfg = set_value(cfg, k, v)
            got = labels(cfg, category)
        else:
            mod = importlib.import_module(off[0])
            saved = getattr(mod, off[1])
            setattr(mod, off[1], lambda *a, **k: False)
            try:
                got = labels(base, category)
            finally:
                setattr(mod, off[1], saved)
        sup, against, changed = [], [], 0
        for i, (truth, p_on, src) in on[category].items():
            p_off = got[i][1]
            if p_on == p_off:
                continue
            changed += 1
            if p_on == truth and p_off != truth:
                sup.append(src)
            elif p_off == truth and p_on != truth:
                against.append(src)
        report.append({"rule": name, "changed": changed, "supported": len(sup), "sources": len(set(sup)),
                       "against": len(against), "keeps": len(sup) >= 5 and len(set(sup)) >= 2})
    return report


def main(argv: list[str]) -> int:
    """Command line."""
    if not argv:
        print(__doc__)
        return 2
    from bodycoach.analysis import Analyzer
    from bodycoach.apps.cmd_evaluate import default_cache_dir
    from bodycoach.config import load_config
    from bodycoach.evaluate import LandmarkSource, MemorySource, fit_rows, headline, load_dataset, predict, score

    ds = load_dataset(argv[0])
    base = load_config()
    src = MemorySource(LandmarkSource(default_cache_dir()))
    if argv[1:] == ["--support"]:
        from bodycoach.tuning import FitData

        data = FitData(fit_rows(ds, src, base)[0])
        print(f"{'rule':<52} {'changed':>7} {'right':>6} {'sources':>7} {'wrong':>6}  keeps (>= 5 from >= 2)")
        for r in rule_support(data, base):
            print(f"{r['rule']:<52} {r['changed']:>7} {r['supported']:>6} {r['sources']:>7} {r['against']:>6}  "
                  f"{'yes' if r['keeps'] else 'NO'}")
        return 0
    names = argv[1:] or list(SWEEPS)
    for name in names:
        values, figures = SWEEPS[name]
        section, key = name.split(".")
        current = getattr(getattr(base, section), key)
        print(f"\n{name} (now {current})")
        for v in values:
            cfg = replace(base, **{section: replace(getattr(base, section), **{key: type(current)(v)})})
            figs = headline(score(predict(ds, src, lambda cfg=cfg: Analyzer(config=cfg))))
            mark = "  <- shipped" if float(v) == float(current) else ""
            print(f"  {v:>8}  " + "  ".join(f"{f}={figs.get(f, float('nan')):.3f}" for f in figures) + mark)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
