"""The trainer review page (Streamlit).

Sessions list, timeline per area, a moment with its overlay, scorecard, progress across a trainee's
sessions, corrections, exports and the import of a recording.

A thin shell: data comes from ``bodycoach.store``, the timeline/scorecard/report from ``bodycoach.review``
and the overlay from ``bodycoach.render.overlay``. ``app.py`` shows it as the "Gjennomgang" page.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from bodycoach.errors import BodycoachError
from bodycoach.safetext import markdown_escape as _md

# Streamlit renders titles, markdown, captions, alerts and metric labels/values as Markdown: a trainee
# named ![x](http://host/x.png) would make every browser that opens the session fetch that URL. Every
# user-supplied string (trainee, scenario, note, an error that quotes one) goes through ``_md`` first;
# tables (st.dataframe) and widget options are plain text already.

_T: dict[str, tuple[str, str]] = {
    "title": ("Gjennomgang av økter", "Session review"),
    "privacy": ("Øktene ligger bare på denne maskinen. Rapportene beskriver det kameraet ser, ikke følelser.",
                "Sessions stay on this machine. Reports describe what the camera sees, not feelings."),
    "no_sessions": ("Ingen lagrede økter ennå. Importer et opptak nedenfor, lagre en øvelse fra «Øv live», "
                    "eller kjør `bodycoach analyze VIDEO --save --trainee NAVN`.",
                    "No saved sessions yet. Import a recording below, save a rehearsal from \"Live "
                    "rehearsal\", "
                    "or run `bodycoach analyze VIDEO --save --trainee NAME`."),
    "filters": ("Filter", "Filters"), "trainee": ("Deltaker", "Trainee"), "all": ("Alle", "All"),
    "scenario": ("Scenario", "Scenario"), "from": ("Fra dato", "From date"), "to": ("Til dato", "To date"),
    "sessions": ("Økter", "Sessions"), "pick": ("Velg en økt i listen.", "Pick a session in the list."),
    "started": ("Startet (UTC)", "Started (UTC)"), "duration": ("Varighet", "Duration"),
    "frames": ("Bilder", "Frames"), "status": ("Status", "Status"), "id": ("Id", "Id"),
    "timeline": ("Tidslinje", "Timeline"),
    "timeline_help": ("Klikk på et felt i tidslinjen, eller dra i glidebryteren, for å se øyeblikket.",
                      "Click a bar in the timeline, or drag the slider, to see that moment."),
    "moment": ("Øyeblikk (sekunder)", "Moment (seconds)"),
    "frame_video": ("Bilde fra opptaket med markeringer", "Frame from the recording with the overlay"),
    "frame_blank": ("Ingen video lagret: landemerkene tegnet på blankt lerret",
                    "No video kept: landmarks drawn on a blank canvas"),
    "frame_none": ("Ingen video eller landemerker lagret for dette øyeblikket.",
                   "No video or landmarks kept for this moment."),
    "states_at": ("Tilstand ved", "State at"), "area": ("Område", "Area"), "state": ("Tilstand", "State"),
    "verdict": ("Vurdering", "Verdict"), "phase": ("Fase", "Phase"),
    "scorecard": ("Sjekkliste", "Checklist"), "check": ("Punkt", "Check"), "result": ("Resultat", "Result"),
    "target": ("Mål", "Target"), "moments": ("Øyeblikk som telte", "Moments that drove it"),
    "goto": ("Gå til øyeblikk", "Go to moment"),
    "progress": ("Utvikling over økter", "Progress across sessions"),
    "progress_one": ("Utviklingen vises når deltakeren har mer enn én økt.",
                     "Progress shows once the trainee has more than one session."),
    "correct": ("Rett en merkelapp", "Correct a label"),
    "correct_help": ("Var bodycoach feil her? Rettelsen lagres og kan eksporteres som merkede data.",
                     "Was bodycoach wrong here? The correction is stored and can be exported as labelled "
                     "data."),
    "was_not": ("Var ikke", "Was not"), "was": ("Var (valgfritt)", "Was (optional)"), "was_short": ("Var", "Was"),
    "until": ("Til (sekunder)", "Until (seconds)"), "note": ("Merknad", "Note"),
    "save_correction": ("Lagre rettelse", "Save correction"), "saved": ("Lagret.", "Saved."),
    "corrections": ("Rettelser", "Corrections"), "delete": ("Slett", "Delete"),
    "export": ("Eksport", "Export"),
    "download_report": ("Last ned rapport", "Download report"),
    "csv_frames": ("Tilstander (CSV)", "States (CSV)"), "csv_events": ("Hendelser (CSV)", "Events (CSV)"),
    "json": ("Hele økten (JSON)", "Whole session (JSON)"),
    "make_video": ("Lag video med markeringer (MP4)", "Make video with overlay (MP4)"),
    "download_video": ("Last ned video", "Download video"),
    "cancel": ("Avbryt", "Cancel"), "cancelled": ("Avbrutt. Ingenting ble lagret.", "Cancelled. Nothing "
                                                                                    "was saved."),
    "working": ("Arbeider …", "Working …"),
    "delete_session": ("Slett økten", "Delete the session"),
    "delete_confirm": ("Ja, slett økten med bilder og video", "Yes, delete the session with its frames and "
                                                              "video"),
    "deleted": ("Økten er slettet.", "The session was deleted."),
    "import": ("Importer et opptak", "Import a recording"),
    "import_help": ("Videoen lagres i datamappen under et generert navn og analyseres her på maskinen.",
                    "The video is stored in the data folder under a generated name and analysed on this "
                    "machine."),
    "upload": ("Video (mp4, mov, webm, mkv, avi)", "Video (mp4, mov, webm, mkv, avi)"),
    "analyse": ("Analyser og lagre", "Analyse and save"),
    "need_trainee": ("Skriv inn deltakerens navn eller pseudonym.", "Enter the trainee's name or pseudonym."),
    "imported": ("Importert som økt", "Imported as session"),
    "load_ms": ("Lastet på", "Loaded in"),
    "passcode": ("Passord for gjennomgangen", "Review passcode"), "unlock": ("Lås opp", "Unlock"),
    "wrong_passcode": ("Feil passord.", "Wrong passcode."),
    "no_frames": ("Ingen analyserte bilder i denne økten.", "No analysed frames in this session."),
}


def tr(key: str, lang: str) -> str:
    """Page text ``key`` in ``lang``."""
    no, en = _T[key]
    return no if lang == "no" else en


# -- data access (cached per data folder) --------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _store_for(home: str) -> Any:
    from bodycoach.store import SessionStore

    return SessionStore(home or None)


def get_store() -> Any:
    """The session store of ``$BODYCOACH_HOME`` (or the user data folder)."""
    from bodycoach.store import resolve_home

    return _store_for(str(resolve_home()))


@st.cache_data(show_spinner=False, max_entries=64)
def _progress(home: str, trainee: str, lang: str, signature: tuple[Any, ...]) -> list[dict[str, Any]]:
    from bodycoach.review.scorecard import progress_rows

    return progress_rows(_store_for(home), trainee, lang)


def _report(data: Any, lang: str) -> Any:
    """The session's report, cached per session state (id, frames, status) and language."""
    from bodycoach.review.scorecard import session_report

    key = ("bc_rv_report", data.info.id, data.info.frame_count, data.info.status, len(data.corrections), lang)
    cache = st.session_state.setdefault("bc_rv_report_cache", {})
    if key not in cache:
        cache.clear()
        cache[key] = session_report(data, lang=lang)
    return cache[key]


def _timeline_spec(data: Any, lang: str, moment_s: float) -> dict[str, Any]:
    """Vega-Lite spec of the timeline (built with Altair; validated by the tests, not on every rerun)."""
    from bodycoach.review.charts import timeline_chart

    chart = timeline_chart(data, lang, width="container", selectable=True, moment_s=moment_s)
    return dict(chart.to_dict(validate=False))


# -- pure helpers (tested without a Streamlit runtime) ---------------------------------------------------
def moment_image(store: Any, data: Any, ts_ms: float, lang: str = "no",
                 max_width: int = 720, max_height: int = 540) -> tuple[np.ndarray[Any, Any] | None, str]:
    """Return (RGB image, kind) of the moment ``ts_ms`` with its overlay.

    ``kind`` is ``"video"`` (frame from the kept video), ``"blank"`` (landmarks on a blank canvas) or
    ``"none"`` (nothing kept). The states drawn are those of the nearest analysed frame.
    """
    import cv2

    from bodycoach.render.overlay import annotate

    if len(data) == 0:
        return None, "none"
    i = data.index_at(ts_ms)
    t_i = int(data.timestamps_ms[i])
    lm = store.landmarks_at(data.info.id, t_i)
    if lm is not None and abs(lm.timestamp_ms - t_i) > 1:
        lm = None
    result = data.frame_result(i, lm)
    frame = None
    video = data.info.video_path
    if video is not None and Path(video).exists():
        cap = cv2.VideoCapture(str(video))
        try:
            cap.set(cv2.CAP_PROP_POS_MSEC, float(t_i))
            ok, frame = cap.read()
            if not ok:
                frame = None
        finally:
            cap.release()
    kind = "video"
    if frame is None:
        if lm is None:
            return None, "none"
        w, h = lm.image_wh if lm.image_wh[0] > 0 else (640, 480)
        frame = np.full((h, w, 3), 40, np.uint8)
        kind = "blank"
    h, w = frame.shape[:2]
    scale = min(1.0, max_width / w, max_height / h)
    if scale < 1.0:
        frame = cv2.resize(frame, (max(1, int(round(w * scale))), max(1, int(round(h * scale)))),
                           interpolation=cv2.INTER_AREA)
    out = annotate(frame, result, lang=lang, inplace=True)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB), kind


def accept_upload(store: Any, name: str, data: Any, size: int | None = None,
                  max_bytes: int | None = None) -> Path:
    """Store an uploaded video under a generated name and check that it decodes; remove it when not.

    Raises:
        StoreError: wrong type, too large, empty, disk full (from the store).
        VideoReadError: the file is not a readable video (nothing is kept).
    """
    from bodycoach.errors import StoreError
    from bodycoach.io.video import open_source
    from bodycoach.store.paths import MAX_UPLOAD_BYTES, size_text

    limit = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if size is not None and size > limit:
        raise StoreError(f"upload {name!r}: {size_text(size)} is larger than the limit of {size_text(limit)}")
    video = Path(store.save_upload(name, data, max_bytes=limit))
    try:
        open_source(video).close()
    except BaseException:
        video.unlink(missing_ok=True)
        raise
    return video


def prepare_import(store: Any, name: str, data: Any, size: int | None, trainee: str,
                   scenario: str | None) -> tuple[Path, str, str | None]:
    """Check the form first, then store the upload: a refused name never leaves an orphaned video.

    Returns:
        (stored video, trainee as stored, scenario key or None).

    Raises:
        StoreError: a refused trainee or scenario (nothing stored), or what ``accept_upload`` raises.
    """
    from bodycoach.store.sessions import check_scenario, check_trainee

    who = check_trainee(trainee)
    key = check_scenario(scenario)
    return accept_upload(store, name, data, size), who, key


def session_rows(infos: list[Any]) -> list[dict[str, Any]]:
    """Rows of the sessions table."""
    rows = []
    for i in infos:
        m, s = divmod(int(round(i.duration_s)), 60)
        rows.append({"id": i.id, "trainee": i.trainee, "scenario": i.scenario or "",
                     "started": i.started_at[:16].replace("T", " "), "duration": f"{m}:{s:02d}",
                     "frames": i.frame_count, "status": i.status})
    return rows


def filter_infos(infos: list[Any], trainee: str | None, scenario: str | None,
                 since: date | None, until: date | None) -> list[Any]:
    """Apply the page's filters to a list of ``SessionInfo``."""
    out = []
    for i in infos:
        if trainee and i.trainee != trainee:
            continue
        if scenario and (i.scenario or "") != scenario:
            continue
        d = datetime.fromisoformat(i.started_at).date()
        if since and d < since:
            continue
        if until and d > until:
            continue
        out.append(i)
    return out


# -- page ----------------------------------------------------------------------------------------------
def render_review_page() -> None:
    """Streamlit page: review saved sessions."""
    from bodycoach.apps.ui.state import current_lang

    lang = current_lang()
    t0 = time.perf_counter()
    st.title(tr("title", lang))
    st.caption(tr("privacy", lang))
    if not _unlocked(lang):
        return
    try:
        store = get_store()
        infos = store.list_sessions()
    except BodycoachError as exc:
        st.error(_md(exc))
        return
    if not infos:
        st.info(tr("no_sessions", lang))
        _import_section(store, lang)
        return

    with st.expander(tr("filters", lang), expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        trainees = sorted({i.trainee for i in infos})
        scenarios = sorted({i.scenario for i in infos if i.scenario})
        trainee = c1.selectbox(tr("trainee", lang), [None, *trainees], key="bc_rv_trainee",
                               format_func=lambda x: tr("all", lang) if x is None else x)
        scenario = c2.selectbox(tr("scenario", lang), [None, *scenarios], key="bc_rv_scenario",
                                format_func=lambda x: tr("all", lang) if x is None else _scenario_name(x, lang))
        since = c3.date_input(tr("from", lang), value=None, key="bc_rv_since")
        until = c4.date_input(tr("to", lang), value=None, key="bc_rv_until")
    shown = filter_infos(infos, trainee, scenario, since, until)
    rows = session_rows(shown)
    labels = {k: tr(k, lang) for k in ("id", "trainee", "scenario", "started", "duration", "frames", "status")}
    event = st.dataframe(
        [{labels[k]: v for k, v in r.items()} for r in rows], hide_index=True, key="bc_rv_table",
        on_select="rerun", selection_mode="single-row", height=min(36 * (len(rows) + 1) + 4, 260),
    )
    picked = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if not shown:
        st.info(tr("pick", lang))
        return
    sid = shown[picked[0]].id if picked else int(st.session_state.get("bc_rv_sid", shown[0].id))
    if sid not in {i.id for i in shown}:
        sid = shown[0].id
    st.session_state["bc_rv_sid"] = sid
    try:
        _session_view(store, sid, lang, t0)
    except BodycoachError as exc:
        st.error(_md(exc))
    _import_section(store, lang)


def _unlocked(lang: str) -> bool:
    """Whether this browser session may see the page: always on loopback, else after the passcode.

    See ``bodycoach.review.access``: served beyond this machine without a configured passcode the page
    shows nothing but the reason.
    """
    from bodycoach.review.access import check_serving, passcode_matches

    try:
        expected = check_serving(st.get_option("server.address"))
    except BodycoachError as exc:
        st.error(_md(exc))
        return False
    if expected is None or st.session_state.get("bc_rv_unlocked"):
        return True
    with st.form("bc_rv_passcode"):
        given = st.text_input(tr("passcode", lang), type="password", key="bc_rv_passcode_input")
        go = st.form_submit_button(tr("unlock", lang))
    if go:
        if passcode_matches(given, expected):
            st.session_state["bc_rv_unlocked"] = True
            st.rerun()
        time.sleep(1.0)  # a wrong guess costs a second: no fast guessing through the form
        st.error(tr("wrong_passcode", lang))
    return False


def _fmt(ms: float) -> str:
    s = int(round(ms / 1000))
    return f"{s // 60}:{s % 60:02d}"


def _session_view(store: Any, sid: int, lang: str, t0: float) -> None:
    from bodycoach.feedback.messages import label_text, verdict_text
    from bodycoach.review.charts import progress_chart

    data = store.load(sid)
    info = data.info
    report = _report(data, lang)
    st.subheader(f"{_md(info.trainee)} · {_md(info.started_at[:16].replace('T', ' '))} UTC")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(tr("duration", lang), _fmt(info.duration_s * 1000))
    m2.metric(tr("frames", lang), info.frame_count)
    m3.metric(tr("scenario", lang), _md(_scenario_name(info.scenario, lang)) if info.scenario else "–")
    m4.metric(tr("status", lang), _md(info.status))

    # -- timeline + moment ---------------------------------------------------------------------------
    key_t = f"bc_rv_t_{sid}"
    st.markdown(f"#### {tr('timeline', lang)}")
    if len(data):
        _timeline_and_moment(store, data, lang, key_t)
    else:
        st.info(tr("no_frames", lang))

    # -- scorecard -----------------------------------------------------------------------------------
    st.markdown(f"#### {tr('scorecard', lang)}")
    icons = {"good": "✓", "needs_work": "→", "no_data": "–"}
    score_rows = []
    goto: list[tuple[str, int]] = []
    for it in report.scorecard:
        if it.key in ("arms", "head", "posture"):
            result = f"{_pct(it.share)} / {_pct(it.bad_share)}"
            target = f"≤ {_pct(it.target)}"
        else:
            result = _pct(it.share)
            target = f"≥ {_pct(it.target)}"
        if it.status == "no_data":
            result = it.note(lang) or "–"  # "ikke øvd", "ikke vurdert: armene var ikke i bildet", ...
        moments = ", ".join(f"{_fmt(m.start_ms)} {label_text(m.behaviour, m.label, lang)}" for m in it.moments[:3])
        for m in it.moments:
            goto.append((f"{it.title(lang)}: {_fmt(m.start_ms)}–{_fmt(m.end_ms)} "
                         f"{label_text(m.behaviour, m.label, lang)}", m.start_ms))
        score_rows.append({tr("check", lang): it.title(lang),
                           tr("verdict", lang): f"{icons[it.status]} "
                                                f"{verdict_text(_STATUS[it.status], lang)}",
                           tr("result", lang): result, tr("target", lang): target,
                           tr("moments", lang): moments})
    st.dataframe(score_rows, hide_index=True, key=f"bc_rv_score_{sid}")
    if goto:
        choice = st.selectbox(tr("goto", lang), [None, *range(len(goto))], key=f"bc_rv_goto_{sid}",
                              format_func=lambda k: "–" if k is None else goto[k][0])
        key_goto = f"bc_rv_goto_applied_{sid}"
        if choice is not None and st.session_state.get(key_goto) != choice:
            st.session_state[key_goto] = choice
            # The slider already exists in this run: hand the time over to the next run.
            st.session_state[f"{key_t}_pending"] = goto[choice][1] / 1000
            st.rerun()
    _voice_view(store, data, lang)
    st.caption(f"{tr('load_ms', lang)} {1000 * (time.perf_counter() - t0):.0f} ms")
    st.markdown(f'<span id="bc-review-ready" data-session="{sid}" '
                f'data-ms="{1000 * (time.perf_counter() - t0):.0f}"></span>', unsafe_allow_html=True)

    # -- progress ------------------------------------------------------------------------------------
    st.markdown(f"#### {tr('progress', lang)} · {_md(info.trainee)}")
    others = store.list_sessions(trainee=info.trainee)
    if len(others) > 1:
        from bodycoach.store import resolve_home

        signature = tuple((o.id, o.frame_count, o.status) for o in others)
        rows = _progress(str(resolve_home()), info.trainee, lang, signature)
        pspec = progress_chart(rows, lang, width="container").to_dict(validate=False)
        st.vega_lite_chart(pspec, height=int(pspec.get("height", 220)) + 150)
    else:
        st.caption(tr("progress_one", lang))

    _corrections_list(store, data, lang)
    _export_section(store, data, report, lang)


def _voice_view(store: Any, data: Any, lang: str) -> None:
    """The voice beside the body: scorecard lines in the guide's words, level/pitch/pace plots, pace per
    phase and the voice events (nothing when the session has no stored voice)."""
    from bodycoach.review import voice as rv
    from bodycoach.review.charts import voice_chart

    voice = store.voice(data.info.id)
    if voice is None:
        return
    st.markdown(f"#### {rv.text('title', lang)}")
    icons = {"good": "✓", "bad": "→", "unknown": "–"}
    st.markdown("\n".join(f"- {icons.get(li.verdict, '–')} **{_md(li.check)}**: {_md(li.detail)}"
                           for li in rv.scorecard(voice, lang)))
    track = voice.get("track") or {}
    if track and len(track.get("t_ms", [])):
        spec = voice_chart(track, lang, width="container").to_dict(validate=False)
        st.vega_lite_chart(spec, height=640)
        pace = rv.pace_per_phase(voice, data.phases, lang)
        st.table([{tr("check", lang): _phase_name(r["phase"], lang) if data.phases else r["phase"],
                   "syl/s": "–" if r["rate_syl_s"] is None else f"{r['rate_syl_s']:.1f}",
                   "s": f"{r['speech_s']:.0f}"} for r in pace])
    evs = [e for e in voice.get("events") or [] if e.get("label")]
    if evs:
        st.markdown("\n".join(f"- {_fmt(e['start_ms'])}–{_fmt(e['end_ms'])}: {_md(rv.event_text(e['label'], lang))}"
                               for e in evs[:50]))
    st.markdown(f'<span id="bc-review-voice" data-events="{len(evs)}"></span>', unsafe_allow_html=True)


def _timeline_and_moment(store: Any, data: Any, lang: str, key_t: str) -> None:
    """Timeline chart, moment slider, the moment's frame with its overlay, its states and the correction form."""
    from bodycoach.feedback.messages import behaviour_text, label_text, verdict_text
    from bodycoach.feedback.scenarios import phase_verdict
    from bodycoach.review.charts import SELECTION
    from bodycoach.review.timeline import areas_for, frame_step_ms

    sid = data.info.id
    duration_s = float(data.timestamps_ms[-1]) / 1000 if len(data) else 0.0
    key_sel = f"bc_rv_sel_{sid}"
    if key_t not in st.session_state:
        st.session_state[key_t] = 0.0
    pending = st.session_state.pop(f"{key_t}_pending", None)  # set by "go to moment" below the slider
    if pending is not None:
        st.session_state[key_t] = float(pending)
    st.caption(tr("timeline_help", lang))
    spec = _timeline_spec(data, lang, float(st.session_state[key_t]))
    # Streamlit needs the element height spelled out (spec height + axis, phase names and legend).
    ev = st.vega_lite_chart(spec, height=int(spec.get("height", 170)) + 130, on_select="rerun",
                            key=f"bc_rv_chart_{sid}")
    sel = None
    try:
        sel = ev.selection.get(SELECTION) if ev is not None else None  # type: ignore[union-attr]
    except AttributeError:
        sel = None
    if sel:
        first = sel[0] if isinstance(sel, list) else sel
        token = repr(first)
        if st.session_state.get(key_sel) != token and "start_s" in first:
            st.session_state[key_sel] = token
            st.session_state[key_t] = float(first["start_s"])
            st.rerun()
    step_s = frame_step_ms(data.timestamps_ms) / 1000
    st.slider(tr("moment", lang), 0.0, max(duration_s, step_s), step=step_s, key=key_t,
              format="%.1f s")
    ts_ms = float(st.session_state[key_t]) * 1000
    left, right = st.columns([3, 2])
    with left:
        img, kind = moment_image(store, data, ts_ms, lang)
        if img is None:
            st.info(tr("frame_none", lang))
        else:
            st.image(img, caption=tr("frame_video" if kind == "video" else "frame_blank", lang))
    with right:
        i = data.index_at(ts_ms)
        phase = data.phase_at(float(data.timestamps_ms[i])) if len(data) else None
        where = f" · {tr('phase', lang)}: {_phase_name(phase, lang)}" if phase else ""
        t_s = float(data.timestamps_ms[i]) / 1000 if len(data) else 0.0
        st.markdown(f"**{tr('states_at', lang)} {int(t_s // 60)}:{t_s % 60:04.1f}**{where}")
        # The stored stable states, shown as every surface shows them (feedback.present): gaze style only
        # with eye contact, "ikke i bildet" neutral, only the areas the phase's mode coaches.
        from bodycoach.feedback.present import mode_of_phase, present_states

        states_i = {str(b): str(data.states[str(b)][i]) for b in areas_for(data)}
        state_rows = [{tr("area", lang): r.area, tr("state", lang): r.text,
                       tr("verdict", lang): verdict_text(r.verdict, lang) if r.in_view else "–"}
                      for r in present_states(states_i, mode_of_phase(phase), lang, phase)]
        st.dataframe(state_rows, hide_index=True, key=f"bc_rv_states_{sid}")
        _correction_form(store, data, i, lang)



def _scenario_name(key: str, lang: str) -> str:
    """The customer type's name in ``lang`` for a stored key (an unknown old value as it is)."""
    from bodycoach.feedback.scenarios import get_customer_type

    try:
        return get_customer_type(key).name.get(lang)
    except ValueError:
        return key


def _phase_name(phase: str, lang: str) -> str:
    from bodycoach.feedback.scenarios import get_phase

    try:
        return get_phase(phase).name.get(lang)
    except ValueError:
        return phase


_STATUS = {"good": "good", "needs_work": "bad", "no_data": "unknown"}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _correction_form(store: Any, data: Any, i: int, lang: str) -> None:
    from bodycoach.feedback.messages import behaviour_text, label_text
    from bodycoach.review.timeline import areas_for
    from bodycoach.types import LABELS, Behaviour

    with st.expander(tr("correct", lang)):
        st.caption(tr("correct_help", lang))
        areas = areas_for(data)
        with st.form(f"bc_rv_corr_{data.info.id}", clear_on_submit=True):
            b = st.selectbox(tr("area", lang), areas, format_func=lambda x: behaviour_text(x, lang))
            labels = [str(x) for x in LABELS[Behaviour(b)] if str(x) != "unknown"]
            current = str(data.states[str(b)][i])
            wrong = st.selectbox(tr("was_not", lang), [None, *labels],
                                 index=(labels.index(current) + 1) if current in labels else 0,
                                 format_func=lambda x: "–" if x is None else label_text(b, x, lang))
            right = st.selectbox(tr("was", lang), [None, *labels],
                                 format_func=lambda x: "–" if x is None else label_text(b, x, lang))
            t_start = int(data.timestamps_ms[i])
            until = st.number_input(tr("until", lang), min_value=t_start / 1000, value=t_start / 1000, step=0.5)
            note = st.text_input(tr("note", lang))
            if st.form_submit_button(tr("save_correction", lang)):
                try:
                    store.add_correction(data.info.id, str(b), t_start, int(round(until * 1000)),
                                         wrong_label=wrong, correct_label=right, note=note or None)
                    st.success(tr("saved", lang))
                except BodycoachError as exc:
                    st.error(_md(exc))


def _corrections_list(store: Any, data: Any, lang: str) -> None:
    from bodycoach.feedback.messages import behaviour_text, label_text

    items = store.corrections(data.info.id)
    if not items:
        return
    st.markdown(f"#### {tr('corrections', lang)}")
    for c in items:
        cols = st.columns([5, 1])
        wrong = label_text(c.behaviour, c.wrong_label, lang) if c.wrong_label else "–"
        right = label_text(c.behaviour, c.correct_label, lang) if c.correct_label else "–"
        cols[0].write(f"{_fmt(c.start_ms)}–{_fmt(c.end_ms)} · {behaviour_text(c.behaviour, lang)} · "
                      f"{tr('was_not', lang)}: {wrong} · {tr('was_short', lang)}: {right}"
                      + (f" · {_md(c.note)}" if c.note else ""))
        if cols[1].button(tr("delete", lang), key=f"bc_rv_delcorr_{c.id}"):
            store.delete_correction(c.id)
            st.rerun()


def _export_section(store: Any, data: Any, report: Any, lang: str) -> None:
    import json

    from bodycoach.review.export import events_csv, frames_csv, session_dict

    sid = data.info.id
    st.markdown(f"#### {tr('export', lang)}")
    # Deferred downloads: the files are only built when a button is pressed, not on every rerun.
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(tr("csv_frames", lang), lambda: frames_csv(data), f"session-{sid}-frames.csv", "text/csv",
                       key=f"bc_rv_dl_frames_{sid}", on_click="ignore")
    c2.download_button(tr("csv_events", lang), lambda: events_csv(data), f"session-{sid}-events.csv", "text/csv",
                       key=f"bc_rv_dl_events_{sid}", on_click="ignore")
    c3.download_button(tr("json", lang), lambda: json.dumps(session_dict(data), ensure_ascii=False),
                       f"session-{sid}.json", "application/json", key=f"bc_rv_dl_json_{sid}", on_click="ignore")

    def html() -> str:
        from bodycoach.review.report_html import build_report_html
        from bodycoach.review.scorecard import progress_rows

        return build_report_html(data, report, lang=lang, progress=progress_rows(store, data.info.trainee, lang),
                                 voice=store.voice(data.info.id))

    c4.download_button(tr("download_report", lang), html, f"session-{sid}.html", "text/html",
                       key=f"bc_rv_dl_html_{sid}", on_click="ignore")
    if data.info.video_path is not None and Path(data.info.video_path).exists():
        _video_export(store, data, lang)
    with st.expander(tr("delete_session", lang)):
        sure = st.checkbox(tr("delete_confirm", lang), key=f"bc_rv_delsure_{sid}")
        if st.button(tr("delete_session", lang), key=f"bc_rv_del_{sid}", disabled=not sure):
            store.delete(sid)
            st.session_state.pop("bc_rv_sid", None)
            st.success(tr("deleted", lang))
            st.rerun()


def _video_export(store: Any, data: Any, lang: str) -> None:
    import tempfile

    from bodycoach.apps.annotate_video import annotate_session_video

    sid = data.info.id
    key_mp4 = f"bc_rv_mp4_{sid}"
    if st.button(tr("make_video", lang), key=f"bc_rv_mk_mp4_{sid}"):
        # Pressing "Cancel" reruns the script; Streamlit stops this run at the next progress update and
        # annotate_session_video removes its partial file.
        cancel_slot = st.empty()
        cancel_slot.button(tr("cancel", lang), key=f"bc_rv_cancel_mp4_{sid}")
        bar = st.progress(0.0, text=tr("working", lang))

        def progress(done: int, total: int) -> None:
            if done % 10 == 0 or done == total:
                bar.progress(min(1.0, done / max(1, total)), text=f"{tr('working', lang)} {done}/{total}")

        out = Path(tempfile.mkdtemp(prefix="bodycoach-mp4-")) / f"session-{sid}.mp4"
        annotate_session_video(store, sid, out, lang=lang, progress=progress)
        st.session_state[key_mp4] = str(out)
        bar.empty()
        cancel_slot.empty()
    if key_mp4 in st.session_state and Path(st.session_state[key_mp4]).exists():
        mp4 = Path(st.session_state[key_mp4])
        st.download_button(tr("download_video", lang), mp4.read_bytes, f"session-{sid}.mp4", "video/mp4",
                           key=f"bc_rv_dl_mp4_{sid}", on_click="ignore")


def _import_section(store: Any, lang: str) -> None:
    from bodycoach.store.paths import VIDEO_SUFFIXES

    with st.expander(tr("import", lang)):
        st.caption(tr("import_help", lang))
        with st.form("bc_rv_import"):
            up = st.file_uploader(tr("upload", lang), type=sorted(s.lstrip(".") for s in VIDEO_SUFFIXES))
            c1, c2 = st.columns(2)
            trainee = c1.text_input(tr("trainee", lang))
            scenario = c2.text_input(tr("scenario", lang))
            go = st.form_submit_button(tr("analyse", lang))
        if not go or up is None:
            return
        if not trainee.strip():
            st.error(tr("need_trainee", lang))
            return
        try:
            video, name, key = prepare_import(store, up.name, up, up.size, trainee, scenario)
            sid = _analyse_into_store(store, video, name, key, lang)
        except BodycoachError as exc:
            st.error(_md(exc))
            return
        st.success(f"{tr('imported', lang)} {sid}")
        st.session_state["bc_rv_sid"] = sid


def _analyse_into_store(store: Any, video: Path, trainee: str, scenario: str | None, lang: str) -> int:
    from bodycoach.analysis import Analyzer
    from bodycoach.offline import analyze_video
    from bodycoach.profile import load_saved_profile

    # The one saved calibration (bodycoach calibrate, the live page), as `bodycoach analyze` uses it.
    profile = load_saved_profile()
    try:
        writer = store.create_session(trainee=trainee, scenario=scenario, source=video.name, video_path=video,
                                      calibration=profile)
    except BaseException:
        video.unlink(missing_ok=True)  # no session to keep it with
        raise
    cancel_slot = st.empty()
    cancel_slot.button(tr("cancel", lang), key="bc_rv_cancel_import")
    bar = st.progress(0.0, text=tr("working", lang))

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(1, total)), text=f"{tr('working', lang)} {done}/{total}")

    try:
        run = analyze_video(video, None, analyzer=Analyzer(profile=profile), sink=writer, progress=progress,
                            lang=lang)
    except BaseException as exc:
        # Includes Streamlit's rerun/stop when "Cancel" is pressed: keep what was saved, mark incomplete.
        name = type(exc).__name__
        cancelled = "Stop" in name or "Rerun" in name  # Streamlit ends this run when "Cancel" is pressed
        writer.abort("cancelled in the review page" if cancelled else f"analysis failed: {exc}")
        raise
    writer.add_events(run.events)
    info = writer.close(duration_s=run.summary().get("duration_s"))
    from bodycoach.apps.cmd_analyze import save_voice

    save_voice(writer, run)  # the voice with the session (review rows, plots, scorecard lines)
    bar.empty()
    cancel_slot.empty()
    return int(info.id)
