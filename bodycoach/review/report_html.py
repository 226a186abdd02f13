"""Self-contained HTML report of one session: opens offline, prints well, no scripts.

Charts are Altair specs rendered to inline SVG by ``vl-convert`` (Vega bundled in the wheel), so the file
needs neither JavaScript nor network. Everything else is plain HTML tables with a print stylesheet.
All texts describe observable behaviour (the guide's words), never feelings or character.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from bodycoach.feedback.messages import behaviour_text, label_text, verdict
from bodycoach.feedback.report import Report, ScoreItem
from bodycoach.feedback.scenarios import get_phase
from bodycoach.review.charts import progress_chart, timeline_chart, to_svg
from bodycoach.review.timeline import areas_for, fmt_time
from bodycoach.store.sessions import SessionData
from bodycoach.voice.analysis import EVENT_KINDS

_T: dict[str, dict[str, str]] = {
    "no": {
        "title": "Øktrapport", "trainee": "Deltaker", "date": "Dato", "scenario": "Scenario",
        "duration": "Varighet", "frames": "Analyserte bilder", "status": "Status", "source": "Kilde",
        "scorecard": "Sjekkliste", "check": "Punkt", "result": "Resultat", "target": "Mål",
        "moments": "Øyeblikk som telte", "timeline": "Tidslinje", "shares": "Andel av tiden per område",
        "area": "Område", "events": "Hendelser", "start": "Start", "end": "Slutt", "state": "Tilstand",
        "verdict": "Vurdering", "phases": "Faser", "phase": "Fase", "corrections": "Rettelser fra instruktør",
        "wrong": "Var ikke", "right": "Var", "note": "Merknad", "progress": "Utvikling over økter",
        "none": "Ingen", "good": "Bra", "needs_work": "Kan forbedres", "no_data": "Ikke målt",
        "disclaimer": "Rapporten beskriver det kameraet kan se (blikk, smil, armer, hender, hode), "
                      "ikke følelser eller personlighet. Tallene er automatiske og kan ta feil; "
                      "instruktøren kan rette dem.",
        "generated": "Laget av bodycoach", "more": "flere hendelser er ikke vist",
        "lens": "i linsen", "share_good": "andel bra", "share_bad": "andel å unngå",
        "summary": "Sammendrag", "smile": "smil",
    },
    "en": {
        "title": "Session report", "trainee": "Trainee", "date": "Date", "scenario": "Scenario",
        "duration": "Duration", "frames": "Frames analysed", "status": "Status", "source": "Source",
        "scorecard": "Checklist", "check": "Check", "result": "Result", "target": "Target",
        "moments": "Moments that drove it", "timeline": "Timeline", "shares": "Share of time per area",
        "area": "Area", "events": "Events", "start": "Start", "end": "End", "state": "State",
        "verdict": "Verdict", "phases": "Phases", "phase": "Phase", "corrections": "Trainer corrections",
        "wrong": "Was not", "right": "Was", "note": "Note", "progress": "Progress across sessions",
        "none": "None", "good": "Good", "needs_work": "Can improve", "no_data": "Not measured",
        "disclaimer": "This report describes what the camera can see (gaze, smile, arms, hands, head), "
                      "not feelings or personality. The numbers are automatic and can be wrong; the "
                      "trainer can correct them.",
        "generated": "Made by bodycoach", "more": "more events not shown",
        "lens": "at the lens", "share_good": "share good", "share_bad": "share to avoid",
        "summary": "Summary", "smile": "smile",
    },
}

#: Most events listed in the report (the longest faults first); keeps a long session's file small.
MAX_EVENTS = 150

_CSS = """
:root { --good:#2e7d32; --bad:#c62828; --neutral:#78909c; --unknown:#9e9e9e; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color:#212121; margin: 24px auto;
       max-width: 980px; padding: 0 16px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px;
     border-bottom: 2px solid #eceff1; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceff1; vertical-align: top; }
th { background: #f5f7f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.meta td:first-child { color:#607d8b; width: 170px; }
.badge { display:inline-block; padding: 1px 8px; border-radius: 10px; color: white; font-size: 12px;
         white-space: nowrap; }
.good { background: var(--good); } .needs_work, .bad { background: var(--bad); }
.no_data, .unknown { background: var(--unknown); } .neutral { background: var(--neutral); }
.note { color:#546e7a; font-size: 12px; }
.chart svg { max-width: 100%; height: auto; }
ul.moments { margin: 0; padding-left: 16px; } ul.moments li { margin: 0; }
ul.summary { margin: 4px 0; padding-left: 18px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  h2 { break-after: avoid; } tr, .chart, .keep { break-inside: avoid; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _badge(cls: str, text: str) -> str:
    return f'<span class="badge {escape(cls)}">{escape(text)}</span>'


def _phase_name(phase: str | None, lang: str) -> str:
    if not phase:
        return ""
    try:
        return get_phase(phase).name.get(lang)
    except ValueError:
        return phase


def _score_rows(items: tuple[ScoreItem, ...], t: dict[str, str], lang: str) -> str:
    rows = []
    for it in items:
        if it.status == "no_data":
            result = it.note(lang) or "–"  # "ikke øvd", "ikke vurdert: armene var ikke i bildet", ...
        elif it.key in ("arms", "head", "posture"):
            result = f"{t['share_good']} {_pct(it.share)}, {t['share_bad']} {_pct(it.bad_share)}"
        elif it.key in ("welcome", "close"):
            result = f"{_pct(it.share)} {t['lens']}, {t['smile']} {round(it.good_ms / 1000)} s"
        else:
            result = _pct(it.share)
        target = (f"≤ {_pct(it.target)}" if it.key in ("arms", "head", "posture") else f"≥ {_pct(it.target)}")
        moments = "".join(
            f"<li>{fmt_time(m.start_ms)}–{fmt_time(m.end_ms)} "
            f"{_badge(m.verdict, label_text(m.behaviour, m.label, lang))}"
            "</li>" for m in it.moments)
        rows.append(
            f"<tr><td>{escape(it.title(lang))}</td><td>{_badge(it.status, t[it.status])}</td>"
            f"<td>{escape(result)}</td><td class='num'>{escape(target)}</td>"
            f"<td><ul class='moments'>{moments or escape(t['none'])}</ul></td></tr>")
    return (f"<table><tr><th>{t['check']}</th><th>{t['verdict']}</th><th>{t['result']}</th>"
            f"<th>{t['target']}</th><th>{t['moments']}</th></tr>{''.join(rows)}</table>")


def _share_rows(report: Report, data: SessionData, t: dict[str, str], lang: str) -> str:
    shares = report.shares()
    rows = []
    for b in areas_for(data):
        labs = shares.get(str(b))
        if not labs:
            rows.append(f"<tr><td>{escape(behaviour_text(b, lang))}</td><td>–</td></tr>")
            continue
        parts = " · ".join(
            f"{_badge(verdict(b, lab), label_text(b, lab, lang))} {_pct(v)}"
            for lab, v in sorted(labs.items(), key=lambda kv: -kv[1]) if v >= 0.005)
        rows.append(f"<tr><td>{escape(behaviour_text(b, lang))}</td><td>{parts}</td></tr>")
    return f"<table><tr><th>{t['area']}</th><th>{t['shares']}</th></tr>{''.join(rows)}</table>"


def _event_rows(data: SessionData, t: dict[str, str], lang: str) -> str:
    evs = [e for e in data.events if e.label != "unknown"]
    if not evs:
        return f"<p>{t['none']}</p>"

    def key(e: Any) -> tuple[int, int, int]:
        v = verdict(e.behaviour, e.label)
        return (0 if v == "bad" else 1, -(e.duration_ms or 0), e.start_ms)

    shown = sorted(sorted(evs, key=key)[:MAX_EVENTS], key=lambda e: (e.start_ms, str(e.behaviour)))
    rows = "".join(
        f"<tr><td class='num'>{fmt_time(e.start_ms)}</td>"
        f"<td class='num'>{'' if e.end_ms is None else fmt_time(e.end_ms)}</td>"
        f"<td class='num'>{'' if e.duration_ms is None else f'{e.duration_ms / 1000:.1f} s'}</td>"
        f"<td>{escape(behaviour_text(e.behaviour, lang))}</td>"
        f"<td>{_badge(verdict(e.behaviour, e.label), label_text(e.behaviour, e.label, lang))}</td></tr>"
        for e in shown)
    more = (f"<p class='note'>{len(evs) - len(shown)} {t['more']}</p>" if len(evs) > len(shown) else "")
    return (f"<table><tr><th>{t['start']}</th><th>{t['end']}</th><th>{t['duration']}</th><th>{t['area']}</th>"
            f"<th>{t['state']}</th></tr>{rows}</table>{more}")


def _voice_section(voice: dict[str, Any] | None, data: SessionData, t: dict[str, str], lang: str) -> list[str]:
    """The voice beside the body: scorecard lines, level/pitch/pace plots, pace per phase, voice events."""
    from bodycoach.review import voice as rv
    from bodycoach.review.charts import voice_chart

    if not voice:
        return []
    out = [f"<h2>{escape(rv.text('title', lang))}</h2>"]
    lines = rv.scorecard(voice, lang)
    rows = "".join(f"<tr><td>{escape(li.check)}</td><td>{_badge(li.verdict, li.detail)}</td></tr>" for li in lines)
    out.append(f"<table class='voice keep'>{rows}</table>")
    track = voice.get("track") or {}
    if track and len(track.get("t_ms", [])):
        out.append(f"<div class='chart'>{to_svg(voice_chart(track, lang, width=820))}</div>")
        pace = rv.pace_per_phase(voice, data.phases, lang)
        body = "".join(
            f"<tr><td>{escape(_phase_name(r['phase'], lang) if data.phases else r['phase'])}</td>"
            f"<td class='num'>{r['speech_s']:.0f} s</td>"
            f"<td class='num'>{'–' if r['rate_syl_s'] is None else format(r['rate_syl_s'], '.1f')}</td></tr>"
            for r in pace)
        out.append(f"<table class='keep'><tr><th>{t['phase']}</th><th>{escape(rv.text('title', lang))}</th>"
                   f"<th>{escape(rv.text('pace', lang).split(' – ')[0])} (syl/s)</th></tr>{body}</table>")
    evs = voice.get("events") or []
    if evs:
        body = "".join(
            f"<tr><td class='num'>{fmt_time(e['start_ms'])}</td><td class='num'>{fmt_time(e['end_ms'])}</td>"
            f"<td>{escape(rv.text('title', lang))}</td><td>{_badge('bad', rv.event_text(e['label'], lang))}</td></tr>"
            for e in evs[:MAX_EVENTS] if e.get("label") in EVENT_KINDS)
        out.append(f"<table><tr><th>{t['start']}</th><th>{t['end']}</th><th>{t['area']}</th>"
                   f"<th>{t['state']}</th></tr>{body}</table>")
    return out


def build_report_html(data: SessionData, report: Report, *, lang: str = "no",
                      progress: list[dict[str, Any]] | None = None, voice: dict[str, Any] | None = None) -> str:
    """Return the complete HTML document of one session.

    Args:
        data: The loaded session.
        report: Its report (``bodycoach.review.scorecard.session_report``).
        lang: ``"no"`` or ``"en"``.
        progress: Rows for the trainee's progress chart (``scorecard.progress_rows``); omitted when
            there is at most one session.
        voice: The stored voice (``SessionStore.voice(id)``): a voice section beside the body's.
    """
    t = _T.get(lang, _T["en"])
    info = data.info
    started = info.started_at.replace("T", " ")[:16]
    src = Path(info.source).name if info.source else "–"
    meta = [
        (t["trainee"], info.trainee), (t["date"], f"{started} UTC"),
        (t["scenario"], info.scenario or "–"), (t["duration"], fmt_time(info.duration_s * 1000)),
        (t["frames"], str(info.frame_count)), (t["status"], info.status + (f" ({info.status_reason})"
                                                                            if info.status_reason else "")),
        (t["source"], src),
    ]
    meta_html = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in meta)
    summary = "".join(f"<li>{escape(line)}</li>" for line in report.summary_lines(lang))
    timeline_svg = to_svg(timeline_chart(data, lang, width=820)) if len(data) else f"<p>{t['none']}</p>"
    phases = "".join(
        f"<tr><td>{escape(_phase_name(p.phase, lang))}</td><td class='num'>{fmt_time(p.start_ms)}</td>"
        f"<td class='num'>{'' if p.end_ms is None else fmt_time(p.end_ms)}</td></tr>" for p in data.phases)
    corr = "".join(
        f"<tr><td class='num'>{fmt_time(c.start_ms)}–{fmt_time(c.end_ms)}</td>"
        f"<td>{escape(behaviour_text(c.behaviour, lang))}</td>"
        f"<td>{escape(label_text(c.behaviour, c.wrong_label, lang)) if c.wrong_label else ''}</td>"
        f"<td>{escape(label_text(c.behaviour, c.correct_label, lang)) if c.correct_label else ''}</td>"
        f"<td>{escape(c.note or '')}</td></tr>" for c in data.corrections)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"nb" if lang == "no" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(t['title'])} – {escape(info.trainee)} – {escape(started)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(t['title'])}: {escape(info.trainee)}</h1>",
        f"<p class='note'>{escape(t['disclaimer'])}</p>",
        f"<table class='meta keep'>{meta_html}</table>",
        f"<h2>{t['summary']}</h2><ul class='summary keep'>{summary}</ul>",
        f"<h2>{t['scorecard']}</h2>", _score_rows(report.scorecard, t, lang),
        f"<h2>{t['timeline']}</h2><div class='chart'>{timeline_svg}</div>",
        f"<h2>{t['shares']}</h2>", _share_rows(report, data, t, lang),
    ]
    if phases:
        parts.append(f"<h2>{t['phases']}</h2><table "
                     f"class='keep'><tr><th>{t['phase']}</th><th>{t['start']}</th>"
                     f"<th>{t['end']}</th></tr>{phases}</table>")
    parts += _voice_section(voice, data, t, lang)
    parts += [f"<h2>{t['events']}</h2>", _event_rows(data, t, lang)]
    if corr:
        parts.append(f"<h2>{t['corrections']}</h2><table><tr><th>{t['start']}</th><th>{t['area']}</th>"
                     f"<th>{t['wrong']}</th><th>{t['right']}</th><th>{t['note']}</th></tr>{corr}</table>")
    if progress and len({r["session_id"] for r in progress}) > 1:
        parts.append(f"<h2>{t['progress']}</h2><div "
                     f"class='chart'>{to_svg(progress_chart(progress, lang))}</div>")
    from bodycoach import __version__

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<p class='note'>{t['generated']} {escape(str(__version__))}, {now}.</p></body></html>")
    return "\n".join(parts)
