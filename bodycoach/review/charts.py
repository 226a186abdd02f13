"""Altair charts of a session: the timeline per area with phase bands, and a trainee's progress.

The same chart spec feeds the Streamlit review page (interactive, click a segment) and the HTML report
(rendered to inline SVG by ``vl-convert``, which bundles Vega and needs no network).
"""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import pandas as pd

from bodycoach.review.timeline import VERDICT_COLOURS, fmt_time, phase_rows, segment_rows, segments
from bodycoach.store.sessions import SessionData

#: Name of the point selection on timeline segments (Streamlit returns it under this key).
SELECTION = "moment"

_TEXT = {
    "no": {"time": "Tid (s)", "area": "Område", "label": "Tilstand", "verdict": "Vurdering",
           "start": "Start", "duration": "Varighet (s)", "phase": "Fase", "share": "Andel bra tid",
           "session": "Økt", "check": "Punkt"},
    "en": {"time": "Time (s)", "area": "Area", "label": "State", "verdict": "Verdict",
           "start": "Start", "duration": "Duration (s)", "phase": "Phase", "share": "Share of good time",
           "session": "Session", "check": "Check"},
}


def _t(lang: str, key: str) -> str:
    return _TEXT.get(lang, _TEXT["en"])[key]


def timeline_chart(data: SessionData, lang: str = "no", *, width: int | str = 760,
                   selectable: bool = False, moment_s: float | None = None) -> alt.LayerChart:
    """Timeline of stable states per area, coloured by verdict, phases as background bands.

    Args:
        data: The loaded session.
        lang: ``"no"`` or ``"en"``.
        width: Chart width in px, or ``"container"``.
        selectable: Add a click selection on segments (for the review page).
        moment_s: Draw a vertical rule at this time (the moment shown on the page).
    """
    segs = pd.DataFrame(segment_rows(segments(data), lang))
    if segs.empty:
        segs = pd.DataFrame(columns=["area", "behaviour", "label", "label_text", "verdict", "verdict_text",
                                     "start_s", "end_s", "duration_s", "time"])
    area_order = list(dict.fromkeys(segs["area"].tolist()))
    verdicts = list(VERDICT_COLOURS)
    from bodycoach.feedback.messages import verdict_text

    colour = alt.Color(
        "verdict_text:N", title=_t(lang, "verdict"),
        scale=alt.Scale(domain=[verdict_text(v, lang) for v in verdicts],
                        range=[VERDICT_COLOURS[v] for v in verdicts]),
        legend=alt.Legend(orient="bottom"),
    )
    height = max(120, 34 * max(1, len(area_order)))
    base = alt.Chart(segs)
    bars = base.mark_bar(stroke="white", strokeWidth=0.3).encode(
        x=alt.X("start_s:Q", title=_t(lang, "time")),
        x2="end_s:Q",
        y=alt.Y("area:N", sort=area_order, title=None, scale=alt.Scale(paddingInner=0.2),
                axis=alt.Axis(labelFontSize=12, labelLimit=200)),
        color=colour,
        tooltip=[
            alt.Tooltip("area:N", title=_t(lang, "area")),
            alt.Tooltip("label_text:N", title=_t(lang, "label")),
            alt.Tooltip("time:N", title=_t(lang, "start")),
            alt.Tooltip("duration_s:Q", title=_t(lang, "duration")),
            alt.Tooltip("verdict_text:N", title=_t(lang, "verdict")),
        ],
    )
    if selectable:
        sel = alt.selection_point(name=SELECTION, fields=["behaviour", "start_s", "end_s"], on="click")
        bars = bars.add_params(sel).encode(
            opacity=alt.condition(sel, alt.value(1.0), alt.value(0.55)),
        )
    layers: list[Any] = []
    ph = pd.DataFrame(phase_rows(data, lang))
    if not ph.empty:
        bands = alt.Chart(ph).mark_rect(opacity=0.35).encode(
            x="start_s:Q", x2="end_s:Q",
            color=alt.Color("band:N", scale=alt.Scale(domain=[0, 1], range=["#fff3e0", "#e3f2fd"]),
                            legend=None),
            tooltip=[alt.Tooltip("phase:N", title=_t(lang, "phase"))],
        )
        names = alt.Chart(ph).mark_text(align="left", baseline="top", dx=3,
                                        fontSize=11, color="#5d4037").encode(
            x="start_s:Q", y=alt.value(-14), text="phase:N",
        )
        edges = alt.Chart(ph).mark_rule(color="#8d6e63", strokeDash=[4, 3], strokeWidth=1).encode(x="start_s:Q")
        layers += [bands, edges, names]
    layers.append(bars)
    if moment_s is not None:
        rule = alt.Chart(pd.DataFrame({"t": [moment_s], "label": [fmt_time(moment_s * 1000)]}))
        layers.append(rule.mark_rule(color="#000000", strokeWidth=2).encode(x="t:Q"))
    chart = alt.layer(*layers).properties(width=width, height=height).resolve_scale(color="independent")
    return cast(alt.LayerChart, chart)


def progress_chart(rows: list[dict[str, Any]], lang: str = "no", width: int | str = 760) -> alt.Chart:
    """Progress across one trainee's sessions: share of good time per scorecard check.

    Args:
        rows: ``{"session": "12 · 2026-01-02", "started_at": iso, "check": name, "share": 0..1}``.
        lang: Language of the titles.
        width: Chart width.
    """
    df = pd.DataFrame(rows, columns=["session", "started_at", "check", "share"])
    order = list(dict.fromkeys(df.sort_values("started_at")["session"].tolist()))
    chart = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("session:N", title=_t(lang, "session"), sort=order, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title=_t(lang, "share"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("check:N", title=_t(lang, "check"), legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=["session:N", "check:N", alt.Tooltip("share:Q", format=".0%")],
    ).properties(width=width, height=220)
    return cast(alt.Chart, chart)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to an SVG string offline (vl-convert bundles Vega; no network, no browser)."""
    import vl_convert as vlc

    spec = chart.to_dict()
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    try:
        return str(vlc.vegalite_to_svg(spec, vl_version=version))
    except ValueError:
        return str(vlc.vegalite_to_svg(spec))


_VOICE_TEXT = {
    "no": {"level": "Nivå (dB mot din normale stemme)", "pitch": "Tone (halvtoner mot din normale)",
           "rate": "Tempo (stavelser/s)", "what": "Mål", "value": "Verdi"},
    "en": {"level": "Level (dB from your normal voice)", "pitch": "Pitch (semitones from your normal)",
           "rate": "Pace (syllables/s)", "what": "Measure", "value": "Value"},
}


def voice_chart(track: dict[str, Any], lang: str = "no", *, width: int | str = 760) -> alt.VConcatChart:
    """Level, pitch and pace of the voice over time (speech only), one panel each, shared time axis.

    Args:
        track: The stored voice tracks (``SessionStore.voice(id)["track"]``): t_ms, active, level_db,
            pitch_st, rate_syl_s every 100 ms.
        lang: ``"no"`` or ``"en"``.
        width: Chart width.
    """
    import numpy as np

    vt = _VOICE_TEXT.get(lang, _VOICE_TEXT["en"])
    t_s = np.asarray(track.get("t_ms", []), dtype=np.float64) / 1000.0
    active = np.asarray(track.get("active", []), dtype=bool)
    df = pd.DataFrame({
        "t": t_s,
        "level": np.where(active, np.asarray(track.get("level_db", []), dtype=np.float64), np.nan),
        # octave errors of the tracker (> 12 st from the median) are not melody: left out, as in pitch_sd_st
        "pitch": (lambda p: np.where(np.abs(p) <= 12.0, p, np.nan))(
            np.asarray(track.get("pitch_st", []), dtype=np.float64)),
        "rate": np.where(active, np.asarray(track.get("rate_syl_s", []), dtype=np.float64), np.nan),
    })
    x = alt.X("t:Q", title=_t(lang, "time"))
    panels = []
    for col, mark in (("level", "line"), ("pitch", "point"), ("rate", "line")):
        # lines break at pauses (null values), so silence is never drawn as a level
        d = df[["t", col]].copy()
        d["run"] = d[col].isna().cumsum()  # one line per stretch of speech: pauses break the line
        base = alt.Chart(d.dropna())
        m = base.mark_line(strokeWidth=1) if mark == "line" else base.mark_point(size=6, filled=True)
        panels.append(m.encode(x=x, y=alt.Y(f"{col}:Q", title=vt[col]), detail="run:N",
                               tooltip=[alt.Tooltip("t:Q", format=".1f"), alt.Tooltip(f"{col}:Q", format=".1f")])
                      .properties(width=width, height=90))
    return cast(alt.VConcatChart, alt.vconcat(*panels))
