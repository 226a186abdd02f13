"""The voice of a stored session for the review page and the HTML report: scorecard lines in the guide's
words, pace per phase and the voice event rows. Pure (no Streamlit); charts are in ``review/charts.py``.

Observable behaviour only: level, pitch spread, pace and silences, never what the trainee feels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bodycoach.voice.settings import VoiceSettings

_TEXT = {
    "no": {
        "title": "Stemme",
        "tone": "Riktig tone – middels tone, verken rope eller hviske",
        "monotony": "Unngå monotoni – varier tonen",
        "pace": "Tempo – ikke for fort, ikke for sakte",
        "silence": "Stillhet – lytt, men ingen lang stillhet uten forklaring",
        "tone_ok": "Jevnt nivå rundt din egen normale stemme",
        "too_loud": "høyere enn din normale stemme", "too_quiet": "lavere enn din normale stemme",
        "mono_ok": "Tonen varierer ({sd:.1f} halvtoner)", "mono_bad": "Flat tone i {n} avsnitt ({sd:.1f} halvtoner)",
        "pace_ok": "{r:.1f} stavelser/s", "too_fast": "for fort ({r:.1f} stavelser/s): kan skape uro",
        "too_slow": "for sakte ({r:.1f} stavelser/s): kan gi kjedsomhet",
        "sil_ok": "Ingen stillhet over {s:.0f} s", "sil_bad": "{n} lang(e) stillhet(er), lengste {s:.1f} s",
        "none": "Ingen stemme i opptaket", "times": "gang(er)", "whole": "Hele økten",
        "long_silence": "Lang stillhet", "monotone": "Flat tone", "too_fast_ev": "For fort",
        "too_slow_ev": "For sakte", "too_loud_ev": "For høyt", "too_quiet_ev": "For lavt",
    },
    "en": {
        "title": "Voice",
        "tone": "Right tone – a medium tone, neither shouting nor whispering",
        "monotony": "Avoid monotony – vary the tone",
        "pace": "Pace – not too fast, not too slow",
        "silence": "Silence – listen, but no long unexplained silence",
        "tone_ok": "Steady level around your own normal voice",
        "too_loud": "louder than your normal voice", "too_quiet": "quieter than your normal voice",
        "mono_ok": "The tone varies ({sd:.1f} semitones)", "mono_bad": "Flat tone in {n} stretch(es) ({sd:.1f} semitones)",
        "pace_ok": "{r:.1f} syllables/s", "too_fast": "too fast ({r:.1f} syllables/s): can cause anxiety",
        "too_slow": "too slow ({r:.1f} syllables/s): can cause boredom",
        "sil_ok": "No silence over {s:.0f} s", "sil_bad": "{n} long silence(s), longest {s:.1f} s",
        "none": "No voice in the recording", "times": "time(s)", "whole": "Whole session",
        "long_silence": "Long silence", "monotone": "Flat tone", "too_fast_ev": "Too fast",
        "too_slow_ev": "Too slow", "too_loud_ev": "Too loud", "too_quiet_ev": "Too quiet",
    },
}


def text(key: str, lang: str = "no") -> str:
    """A voice text in ``lang`` ("no"/"en")."""
    return _TEXT.get(lang, _TEXT["en"])[key]


def event_text(kind: str, lang: str = "no") -> str:
    """The name of a voice event kind in the guide's words."""
    return text(kind if kind in ("long_silence", "monotone") else f"{kind}_ev", lang)


@dataclass(frozen=True)
class VoiceLine:
    """One scorecard line: the guide's check, "good"/"bad"/"unknown", and what was measured."""

    check: str
    verdict: str
    detail: str


def scorecard(voice: dict[str, Any] | None, lang: str = "no", *, phone: bool = False,
              settings: VoiceSettings | None = None) -> list[VoiceLine]:
    """Scorecard lines of the voice (empty when there is none stored)."""
    if not voice:
        return []
    s = voice.get("summary") or {}
    evs = voice.get("events") or []
    cfg = settings or VoiceSettings.load()
    t = _TEXT.get(lang, _TEXT["en"])
    if not s.get("speech_s"):
        return [VoiceLine(t["title"], "unknown", s.get("reason") or t["none"])]
    count = {k: sum(e.get("label") == k for e in evs) for k in
             ("too_loud", "too_quiet", "monotone", "too_fast", "too_slow", "long_silence")}
    lines = []
    if count["too_loud"] or count["too_quiet"]:
        parts = [f"{t[k]}: {count[k]} {t['times']}" for k in ("too_loud", "too_quiet") if count[k]]
        lines.append(VoiceLine(t["tone"], "bad", "; ".join(parts)))
    else:
        lines.append(VoiceLine(t["tone"], "good", t["tone_ok"]))
    sd = s.get("pitch_sd_st")
    if count["monotone"]:
        flat = [e.get("value") for e in evs if e.get("label") == "monotone" and e.get("value") is not None]
        lines.append(VoiceLine(t["monotony"], "bad", t["mono_bad"].format(n=count["monotone"],
                                                                          sd=min(flat) if flat else sd or 0)))
    elif sd is None:
        lines.append(VoiceLine(t["monotony"], "unknown", "–"))
    else:
        lines.append(VoiceLine(t["monotony"], "good", t["mono_ok"].format(sd=sd)))
    ar = s.get("articulation_rate_syl_s") or 0.0
    slow, fast = cfg.pace.band(lang, phone)
    if count["too_fast"] or ar > fast:
        lines.append(VoiceLine(t["pace"], "bad", t["too_fast"].format(r=ar)))
    elif count["too_slow"] or ar < slow:
        lines.append(VoiceLine(t["pace"], "bad", t["too_slow"].format(r=ar)))
    else:
        lines.append(VoiceLine(t["pace"], "good", t["pace_ok"].format(r=ar)))
    if count["long_silence"]:
        lines.append(VoiceLine(t["silence"], "bad", t["sil_bad"].format(n=count["long_silence"],
                                                                         s=s.get("longest_silence_s") or 0)))
    else:
        lines.append(VoiceLine(t["silence"], "good", t["sil_ok"].format(s=cfg.silence.long_s)))
    return lines


def pace_per_phase(voice: dict[str, Any] | None, phases: list[Any], lang: str = "no") -> list[dict[str, Any]]:
    """Articulation rate (syllables/s over the speech) per phase, from the stored 100 ms tracks.

    ``phases`` are ``PhaseSegment``-like (phase, start_ms, end_ms); without phases, one row for the session.
    """
    tr = (voice or {}).get("track") or {}
    if not tr or not len(tr.get("t_ms", [])):
        return []
    t = np.asarray(tr["t_ms"], dtype=np.int64)
    active = np.asarray(tr["active"]).astype(bool)
    rate = np.asarray(tr["rate_syl_s"], dtype=np.float64)
    spans = [(p.phase, p.start_ms, p.end_ms if p.end_ms is not None else int(t[-1]) + 1) for p in phases] or [
        (text("whole", lang), 0, int(t[-1]) + 1)]
    rows = []
    for name, a, b in spans:
        m = (t >= a) & (t < b) & active & np.isfinite(rate)
        speech_s = float(((t >= a) & (t < b) & active).sum()) / 10.0
        rows.append({"phase": name, "start_ms": int(a), "end_ms": int(b), "speech_s": round(speech_s, 1),
                     "rate_syl_s": round(float(np.median(rate[m])), 2) if m.any() else None})
    return rows
