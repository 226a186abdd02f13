"""The live rehearsal page: camera (or demo clip) → coach → overlay, cue and states beside the video.

A thin shell. The frame work happens in ``bodycoach.apps.live_worker.LiveWorker`` on streamlit-webrtc's
thread; this page only pushes settings into the worker (``worker.update``) and reads its published
updates in a fragment that reruns twice a second. Nothing here runs inside the frame callback.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from bodycoach.apps.live_worker import LiveUpdate, LiveWorker, SessionSaver, demo_clip, make_live_coach
from bodycoach.apps.ui.camera_probe import camera_probe, camera_problem
from bodycoach.apps.ui.i18n import t, webrtc_translations
from bodycoach.apps.ui.state import current_lang
from bodycoach.errors import BodycoachError
from bodycoach.feedback import messages, scenarios
from bodycoach.feedback.present import areas_for_mode, present_states
from bodycoach.safetext import TRAINEE_MAX_CHARS, markdown_escape  # user strings in Markdown: plain text
from bodycoach.types import OUT_OF_VIEW, Behaviour

log = logging.getLogger(__name__)

# No STUN/TURN servers: the browser and this server are on the same machine (or LAN), and no address
# lookups may leave it. streamlit-webrtc would otherwise ask public servers.
RTC_CONFIGURATION: dict[str, Any] = {"iceServers": []}

# What the camera is asked for: the size the pipeline is measured at (docs/live.md).
CAMERA_CONSTRAINTS: dict[str, Any] = {
    "video": {"width": {"ideal": 640}, "height": {"ideal": 480}, "frameRate": {"ideal": 30}},
    "audio": False,
}

PANEL_REFRESH_S = 0.5

#: ``BODYCOACH_LIVE_PATH=callback`` falls back to streamlit-webrtc's frame callback for the camera
#: (one frame more latency, see docs/live.md); the default ``newest`` uses ``NewestFrameTrack``.
ENV_LIVE_PATH = "BODYCOACH_LIVE_PATH"
#: ``BODYCOACH_LIVE_PTS=capture`` keeps the camera frames' own timestamps on returned frames (for the
#: latency comparison in docs/live.md); the default stamps send times.
ENV_LIVE_PTS = "BODYCOACH_LIVE_PTS"

# Plain symbols (DejaVu has them): emoji fonts are missing on many kiosk and CI machines.
_VERDICT_ICON = {"good": "✓", "bad": "!", "neutral": "·", "unknown": "…"}

_CSS = """
<style>
.bc-cue {font-size: 1.25rem; padding: .8rem 1rem; border-radius: .6rem; margin-bottom: .6rem;
         border-left: .45rem solid #999; background: rgba(127,127,127,.08); min-height: 3.2rem;}
.bc-cue.bc-good {border-left-color: #2e7d32;}
.bc-cue.bc-bad {border-left-color: #ef6c00;}
table.bc-states {width: 100%; border-collapse: collapse; font-size: .95rem;}
table.bc-states td {padding: .2rem .3rem; border-bottom: 1px solid rgba(127,127,127,.2);}
.bc-stats {font-size: .8rem; opacity: .75;}
.bc-card {padding: .6rem .9rem; border-radius: .6rem; background: rgba(127,127,127,.08);}
.bc-frame {font-size: .9rem; padding: .4rem .8rem; border-radius: .5rem; margin-bottom: .6rem;
           border-left: .3rem solid #999; background: rgba(127,127,127,.06);}
.bc-frame ul {margin: .2rem 0 .2rem 1rem; padding: 0;}
.bc-frame.bc-good {border-left-color: #2e7d32;}
.bc-frame.bc-bad {border-left-color: #ef6c00;}
.bc-coached {opacity: .8;}
</style>
"""


# --------------------------------------------------------------------------------------------- worker
def _load_profile() -> Any | None:
    """Return the saved calibration profile, or None when there is none."""
    from bodycoach.profile import load_saved_profile

    path = _profile_path()
    try:
        return load_saved_profile(path)
    except BodycoachError as exc:  # a broken profile must not stop the camera; say so on the page
        st.warning(markdown_escape(f"{exc}"))
        return None


def _profile_path() -> Path:
    """The one saved profile: ``<data folder>/calibration_profile.json`` (also ``bodycoach calibrate``'s)."""
    from bodycoach.profile import saved_profile_path

    return saved_profile_path()


def _get_worker(source: str, mirror: bool) -> LiveWorker:
    """Return this browser session's worker; a new one when the source changes or a session was finished.

    The mirror view only flips the returned picture (the coach always analyses the true view), so toggling
    it keeps the worker, its models and the session so far. Switching the mode (face to face / telephone)
    or the customer type keeps the worker and the stream too: the worker starts a new segment of the same
    session (``LiveWorker.segments``), so nothing recorded so far is lost.
    """
    n = st.session_state.setdefault("bc_session_n", 0)
    key = f"{source}:{n}"
    flip = source == "camera" and mirror  # selfie view of the camera; the analysis sees the true view
    worker: LiveWorker | None = st.session_state.get("bc_worker")
    if worker is not None and st.session_state.get("bc_worker_key") == key:
        worker.mirror_display = flip
        return worker
    if worker is not None:
        _close_worker_later(worker)
    config, profile = None, _load_profile()  # config None = the analyzer's calibration/thresholds.toml
    st.session_state["bc_profile"] = profile

    def factory() -> Any:
        return make_live_coach(mirrored=False, config=config, profile=profile)

    try:
        coach = _build_coach(factory)
    except BodycoachError as exc:
        st.error(markdown_escape(exc))
        st.stop()
    worker = LiveWorker(coach, mirror_display=flip)
    st.session_state["bc_worker"] = worker
    st.session_state["bc_worker_key"] = key
    return worker


def _build_coach(factory: Any) -> Any:
    """Build the coach and warm its models up now, on a low-priority thread; re-raise its errors here.

    Here, not on the first frame: a load error reaches the page instead of dying in a video thread, and
    one blank frame initialises the graphs so the first camera frame is not seconds late. The thread has a
    lower CPU priority, which the model threads it creates inherit: on a busy machine WebRTC's event loop
    then still answers the browser in time (see docs/live.md).
    """
    from bodycoach.apps.live_track import lower_thread_priority

    out: dict[str, Any] = {}

    def run() -> None:
        lower_thread_priority()
        try:
            coach = factory()
            coach.extractor.extract(np.zeros((480, 640, 3), np.uint8), 0)
            out["coach"] = coach
        except BaseException as exc:  # handed to the page thread below
            out["error"] = exc

    th = threading.Thread(target=run, name="bodycoach-coach-init", daemon=True)
    th.start()
    th.join()
    if "error" in out:
        raise out["error"]
    return out["coach"]


def _track_for(worker: LiveWorker, clip: Path | None = None) -> Any:
    """Return the processing track of ``worker`` (one per worker, reused across Start/Stop).

    Args:
        worker: The session's worker.
        clip: Demo mode: the clip the track plays (looped) instead of the browser camera.
    """
    from bodycoach.apps.live_track import NewestFrameTrack

    track = st.session_state.get("bc_track")
    if track is None or st.session_state.get("bc_track_worker") is not worker:
        if track is not None:
            track.close()
        factory = None
        if clip is not None:

            def factory() -> Any:
                from aiortc.contrib.media import MediaPlayer

                return MediaPlayer(str(clip), loop=True).video

        track = NewestFrameTrack(worker.on_frame, on_dropped=worker.note_dropped, source_factory=factory,
                                 send_time_pts=os.environ.get(ENV_LIVE_PTS, "send") != "capture",
                                 on_stats=worker.note_transport)
        st.session_state["bc_track"] = track
        st.session_state["bc_track_worker"] = worker
    return track


def _close_worker_later(worker: LiveWorker) -> None:
    # The old stream may still deliver a frame or two; give it a moment before releasing the models.
    timer = threading.Timer(3.0, worker.close)
    timer.daemon = True
    timer.start()


# ------------------------------------------------------------------------------------------ rendering
def _cue_parts(cue: Any, lang: str) -> tuple[str, str]:
    """Return (text, verdict) of a cue object from ``bodycoach.feedback.cues``."""
    if cue is None:
        return "", "neutral"
    text = getattr(cue, "text", None)
    if text is None and hasattr(cue, "behaviour") and hasattr(cue, "label"):
        text = messages.cue_text(cue.behaviour, cue.label, lang)
    v = getattr(cue, "verdict", None)
    if v is None and hasattr(cue, "behaviour") and hasattr(cue, "label"):
        v = messages.verdict(cue.behaviour, cue.label)
    return str(text if text is not None else cue), str(v or "neutral")


def _areas(mode: str) -> tuple[Behaviour, ...]:
    return areas_for_mode(mode)


def _states_html(u: LiveUpdate, lang: str) -> str:
    """The "Nå" table: the stable states as every surface shows them (``feedback.present``)."""
    rows = []
    phase = u.settings.phase or None
    for r in present_states(u.states, u.settings.mode, lang, phase):
        icon = _VERDICT_ICON.get(r.verdict, "") if r.in_view else "–"
        rows.append(
            f'<tr data-behaviour="{r.behaviour}" data-state="{html.escape(r.label)}" '
            f'data-label="{html.escape(str(u.labels.get(r.behaviour, "unknown")))}" data-verdict="{r.verdict}">'
            f"<td>{html.escape(r.area)}</td>"
            f"<td>{html.escape(r.text)}</td>"
            f"<td>{icon}</td></tr>"
        )
    return f'<table class="bc-states" id="bc-states">{"".join(rows)}</table>'


def _framing_html(u: LiveUpdate, lang: str) -> str:
    """The framing check (too close, lens height, light, ...) and which areas are coached with this framing."""
    from bodycoach.feedback.framing import coached_text

    f = u.framing
    if f is None or not f.frames:
        return ""
    issues = list(f.issues)
    lines = f.texts(lang)
    cls = "bc-good" if not issues else "bc-bad"
    items = "".join(f"<li>{html.escape(x)}</li>" for x in lines)
    coached = html.escape(coached_text(u.settings.mode, f.body_in_view, lang))
    return (f'<div class="bc-frame {cls}" id="bc-framing" data-issues="{" ".join(issues)}" '
            f'data-body="{int(f.body_in_view)}"><b>{html.escape(t("framing", lang))}</b>'
            f'<ul>{items}</ul><div class="bc-coached">{coached}</div></div>')


def _stats_html(u: LiveUpdate | None, worker: LiveWorker, lang: str) -> str:
    s = u.stats if u is not None else worker.stats()
    text = t("stats", lang, processed=s.processed, fps=s.fps, dropped=s.dropped, ms=s.mean_total_ms)
    st_ = s.stages
    return (
        f'<div class="bc-stats" id="bc-stats" data-processed="{s.processed}" data-received="{s.received}" '
        f'data-dropped="{s.dropped}" data-fps="{s.fps:.2f}" data-errors="{s.errors}" '
        f'data-mean-ms="{s.mean_total_ms:.1f}" data-extract-ms="{st_.extract_ms:.1f}" '
        f'data-frame-w="{s.frame_wh[0]}" data-frame-h="{s.frame_wh[1]}" '
        f'data-analyse-ms="{st_.analyse_ms:.1f}" data-render-ms="{st_.render_ms:.1f}" '
        f'data-decode-ms="{st_.decode_ms:.1f}" data-encode-ms="{st_.encode_ms:.1f}" '
        + "".join(f'data-{k}="{v:.1f}" ' for k, v in dict(worker.transport).items())
        + f'>{html.escape(text)}</div>'
    )


@st.fragment(run_every=PANEL_REFRESH_S)
def _live_panel() -> None:
    """Cue, states and counters; reruns on its own twice a second (the video is not touched)."""
    worker: LiveWorker | None = st.session_state.get("bc_worker")
    lang = current_lang()
    if worker is None:
        return
    ups = worker.drain()
    u = ups[-1] if ups else worker.last_update
    st.markdown(f"**{t('cue_heading', lang)}**")
    if u is None:
        waiting = html.escape(t("waiting", lang))
        cue_html = f'<div class="bc-cue" id="bc-cue" data-verdict="none">{waiting}</div>'
    else:
        text, v = _cue_parts(u.cue, lang)
        if not text:
            text = t("all_good", lang) if u.has_person else t("no_person", lang)
            v = "neutral"
        cue_html = (f'<div class="bc-cue bc-{v}" id="bc-cue" data-verdict="{v}" '
                    f'data-person="{int(u.has_person)}">{html.escape(text)}</div>')
    st.markdown(cue_html, unsafe_allow_html=True)
    # The same elements on every rerun (empty before the first frame), so the panel's layout never shifts
    # under the reader: Streamlit reuses elements by position.
    st.markdown(_framing_html(u, lang) if u is not None else "", unsafe_allow_html=True)
    st.markdown(f"**{t('states', lang)}**" if u is not None else "")
    st.markdown(_states_html(u, lang) if u is not None else "", unsafe_allow_html=True)
    st.markdown(_stats_html(u, worker, lang), unsafe_allow_html=True)
    err = worker.stats().last_error
    if err:
        st.error(markdown_escape(err))


def _scenario_card(key: str, lang: str) -> None:
    c = scenarios.get_customer_type(key)
    cols = st.columns(3)
    for col, title, lines in zip(
        cols,
        (t("description", lang), t("normal_contact", lang), t("difficult_contact", lang)),
        (c.description, c.normal_contact, c.difficult_contact),
        strict=True,
    ):
        with col:
            st.markdown(f"**{title}**")
            st.markdown("\n".join(f"- {x}" for x in lines.get(lang)))


# ---------------------------------------------------------------------------------------- calibration
def _calibration(worker: LiveWorker, playing: bool, lang: str) -> None:
    profile = st.session_state.get("bc_profile")
    status = t("cal_status_stored" if profile is not None else "cal_status_none", lang)
    with st.expander(f"{t('calibration', lang)} — {status}", expanded=False):
        path = _profile_path()
        if profile is not None:
            st.success(t("cal_stored", lang, path=path, what=profile.summary(lang)))
        else:
            st.info(t("cal_none", lang, path=path))
        st.caption(t("calibration_help", lang))
        _calibration_steps(worker, playing, lang)


@st.fragment(run_every=1.0)
def _calibration_steps(worker: LiveWorker, playing: bool, lang: str) -> None:
    """The three captures and the apply button; reruns each second so the sample counts move."""
    try:
        from bodycoach.profile import CalibrationProfile
    except ImportError:
        st.info(t("cal_unavailable", lang))
        return
    kind_now, counts = worker.capture_status()
    cols = st.columns(3)
    for col, kind in zip(cols, ("lens", "screen", "neutral"), strict=True):
        with col:
            st.markdown(t(f"cal_{kind}", lang))
            busy = not playing or kind_now is not None
            if st.button(t("cal_record", lang), key=f"bc_cal_{kind}", disabled=busy):
                worker.start_capture(kind, duration_ms=3000)
                kind_now = kind
            n = counts.get(kind, 0)
            st.caption(("⏺ " if kind_now == kind else "") + t("cal_samples", lang, n=n))
    if not playing:
        st.caption(t("cal_need_camera", lang))
    ready = all(counts.get(k, 0) > 0 for k in ("lens", "screen", "neutral")) and kind_now is None
    if st.button(t("cal_apply", lang), disabled=not ready, key="bc_cal_apply"):
        try:
            profile = CalibrationProfile.from_samples(
                lens=worker.captured("lens"), screen=worker.captured("screen"),
                neutral=worker.captured("neutral"))
            path = _profile_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            profile.save(path)
            worker.update_config(profile=profile)
            st.session_state["bc_profile"] = profile
            st.session_state["bc_cal_msg"] = ("success", t("cal_applied", lang, path=path))
        except Exception as exc:  # a bad capture is a message, not a crash
            st.session_state["bc_cal_msg"] = ("error", t("cal_failed", lang, err=exc))
    msg = st.session_state.get("bc_cal_msg")
    if msg is not None:
        (st.success if msg[0] == "success" else st.error)(msg[1])


# ------------------------------------------------------------------------------------------- saving
def _start_saving(worker: LiveWorker, trainee: str, scenario: str, source: str,
                  video_path: Path | None) -> None:
    """Open a store session and attach it to the worker (once, when the stream starts playing)."""
    from bodycoach.store import SessionStore

    saver = SessionSaver.open(SessionStore(), worker, trainee=trainee, scenario=scenario or None,
                              source="demo" if source == "demo" else "camera (live)",
                              calibration=st.session_state.get("bc_profile"), video_path=video_path)
    st.session_state["bc_sink"] = saver


def _stop_saving(worker: LiveWorker, events: Any, keep: bool) -> int | None:
    """Finish the store session; return its id (None when nothing is kept)."""
    saver: SessionSaver | None = st.session_state.pop("bc_sink", None)
    return None if saver is None else saver.finish(events, keep=keep)


def _video_recorder_factory(path: Path) -> Any:
    from aiortc.contrib.media import MediaRecorder

    def factory() -> Any:
        return MediaRecorder(str(path))

    return factory


# ------------------------------------------------------------------------------------------ summary
# Per-phase columns: (area, labels whose time share is shown); the header (messages.share_heading) says what
# is counted, never "Øyekontakt: Øyekontakt".
_PHASE_COLUMNS = (
    (Behaviour.EYE_CONTACT, ("lens",)),
    (Behaviour.SMILE, ("warm", "open")),
    (Behaviour.ARMS, ("crossed_chest", "crossed_table")),
    (Behaviour.HANDS, ("open", "together")),
    (Behaviour.HEAD, ("upright",)),
)


def summary_segments(worker: LiveWorker) -> list[tuple[Any, Any]]:
    """(segment, report) for every segment of the session that analysed frames, oldest first."""
    return [(seg, seg.recorder.report()) for seg in worker.segments() if seg.frames > 0]


def segment_heading(seg: Any, n: int, lang: str) -> str:
    """"Del 1 av 2 · Ansikt til ansikt · Kunde: Uhøflig" (mode and customer type of one segment)."""
    parts = [t("segment_of", lang, i=seg.index, n=n)] if n > 1 else []
    parts.append(t(f"mode_{seg.mode}", lang))
    if seg.scenario:
        parts.append(f"{t('customer', lang)}: {scenarios.get_customer_type(seg.scenario).name.get(lang)}")
    return " · ".join(parts)


def phase_table(report: Any, lang: str) -> list[dict[str, str]]:
    """Per-phase time shares of ``report`` (rows of column -> text); columns without data are left out."""
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for span in getattr(report, "phases", ()):
        key = getattr(span, "phase", None) or getattr(span, "key", None)
        if key is None or key in seen:
            continue
        seen.add(key)
        try:
            name = scenarios.get_phase(key, report.mode).name.get(lang)
        except ValueError:
            name = str(key)
        row = {t("phase", lang): name}
        for b, labels in _PHASE_COLUMNS:
            if b not in areas_for_mode(report.mode):
                continue
            known = [x for x in (report.share(b, lab, key) for lab in labels) if x is not None]
            unseen = report.share(b, OUT_OF_VIEW, key)  # an area never in the picture has no share to show
            if unseen is not None and unseen >= 0.999:
                known = []
            row[messages.share_heading(b, labels, lang)] = f"{round(100 * sum(known))} %" if known else "–"
        rows.append(row)
    if rows:  # a column that is "–" in every phase (e.g. arms not in view) says nothing
        empty = [k for k in rows[0] if all(r.get(k) == "–" for r in rows)]
        rows = [{k: v for k, v in r.items() if k not in empty} for r in rows]
    return rows


def _render_summary(report: Any, lang: str, heading: str | None = None) -> None:
    """The summary card of one segment: the report's own lines, then time shares per phase."""
    with st.container(border=True):
        if heading:
            st.markdown(f"**{heading}**")
        st.markdown("\n".join(f"- {line}" for line in report.summary_lines(lang)))
        rows = phase_table(report, lang)
        if rows:
            st.markdown(f"**{t('per_phase', lang)}**")
            head = list(rows[0])
            table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            table += ["| " + " | ".join(str(r.get(k, "–")) for k in head) + " |" for r in rows]
            st.markdown("\n".join(table))


# --------------------------------------------------------------------------------------------- page
def _choice(widget: Any, label: str, options: Sequence[str], name: str, lang: str,
            fmt: Callable[[str], str], **kw: Any) -> str:
    """A radio or selectbox whose choice survives a language switch.

    Streamlit matches a widget's stored value against its *formatted* options, so a keyed widget loses its
    selection when ``format_func`` starts answering in another language. The widget is therefore keyed per
    language and the choice itself kept in ``bc_<name>_value``. Code changes the choice by setting
    ``bc_<name>_set`` (e.g. "Next phase").
    """
    store, wkey = f"bc_{name}_value", f"bc_{name}_{lang}"
    forced = st.session_state.pop(f"bc_{name}_set", None)
    if forced in options:
        st.session_state[store] = forced
        if wkey in st.session_state:
            st.session_state[wkey] = forced
    value = st.session_state.get(store)
    if value not in options:
        value = options[0]
        if wkey in st.session_state and st.session_state[wkey] not in options:
            st.session_state[wkey] = value
    if wkey in st.session_state and st.session_state[wkey] in options:
        out = widget(label, options, key=wkey, format_func=fmt, **kw)
    else:
        out = widget(label, options, index=list(options).index(value), key=wkey, format_func=fmt, **kw)
    st.session_state[store] = out
    return str(out)


def _sidebar(lang: str) -> dict[str, Any]:
    """Session settings in the sidebar; returns them."""
    with st.sidebar:
        source = _choice(st.radio, t("source", lang), ("camera", "demo"), "source", lang,
                         lambda s: t(f"source_{s}", lang))
        if source == "camera":
            st.caption(t("no_camera_help", lang))
        mode = _choice(st.radio, t("mode", lang), scenarios.MODES, "mode", lang, lambda m: t(f"mode_{m}", lang))
        mirror = st.toggle(t("mirror", lang), value=True, key="bc_mirror", disabled=source != "camera")
        show_lm = st.toggle(t("landmarks", lang), value=False, key="bc_landmarks")
        want_body = st.toggle(t("want_body", lang), value=False, key="bc_want_body",
                              disabled=mode != "face_to_face", help=t("want_body_help", lang))
        st.divider()
        save = st.checkbox(t("save", lang), key="bc_save", help=t("save_help", lang))
        trainee = ""
        save_video = False
        if save:
            trainee = st.text_input(t("trainee", lang), key="bc_trainee", max_chars=TRAINEE_MAX_CHARS).strip()
            save_video = st.checkbox(t("save_video", lang), key="bc_save_video", disabled=source != "camera")
            if not trainee:
                st.caption(t("trainee_needed", lang))
    return {"source": source, "mode": mode, "mirror": mirror, "show_landmarks": show_lm, "want_body": want_body, "save": save,
            "save_video": save_video, "trainee": trainee}


def _phase_picker(mode: str, lang: str) -> str:
    phase_keys = [p.key for p in scenarios.phases(mode)]

    def _next_phase() -> None:
        cur = st.session_state.get("bc_phase_value")
        i = phase_keys.index(cur) if cur in phase_keys else 0
        st.session_state["bc_phase_set"] = phase_keys[min(i + 1, len(phase_keys) - 1)]

    c1, c2 = st.columns([6, 1], vertical_alignment="bottom")
    with c1:
        phase = _choice(st.radio, t("phase", lang), phase_keys, "phase", lang,
                        lambda k: scenarios.get_phase(k, mode).name.get(lang), horizontal=True)
    with c2:
        st.button(t("next_phase", lang), on_click=_next_phase, key="bc_next_phase")
    ph = scenarios.get_phase(phase, mode)
    checked = ", ".join(messages.behaviour_text(b, lang) for b in _areas(mode) if b in ph.checks)
    st.caption(f"{ph.description.get(lang)} — **{t('checked', lang)}:** {checked}")
    return str(phase)


def _switch_to_demo_if_no_camera(problem: str | None) -> None:
    """When the browser reports no camera, or a blocked one, switch the source to the demo clip, once.

    Only when the problem appears (a trainee who picks the camera again is not overruled) and only while the
    camera session has processed nothing, so a recording in progress is never dropped.
    """
    seen = st.session_state.get("bc_camera_problem")
    st.session_state["bc_camera_problem"] = problem
    if problem is None or problem == seen:
        return
    if st.session_state.get("bc_source_value", "camera") != "camera":
        return
    worker: LiveWorker | None = st.session_state.get("bc_worker")
    if worker is not None and worker.stats().processed > 0:
        return
    st.session_state["bc_source_set"] = "demo"


def render_live_page() -> None:
    """Draw the live rehearsal page."""
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    lang = current_lang()
    st.markdown(_CSS, unsafe_allow_html=True)
    with st.sidebar:
        problem = camera_problem(camera_probe())
    _switch_to_demo_if_no_camera(problem)
    opts = _sidebar(lang)
    source, mode = opts["source"], opts["mode"]
    st.title(t("live_title", lang))
    st.caption(t("privacy", lang))
    if problem is not None:
        notice = t(f"auto_demo_{problem}", lang) if source == "demo" else t(f"camera_{problem}", lang)
        (st.info if source == "demo" else st.warning)(notice)

    customer_keys = ("", *(c.key for c in scenarios.CUSTOMER_TYPES))
    customer = _choice(st.selectbox, t("customer", lang), customer_keys, "customer", lang,
                       lambda k: scenarios.get_customer_type(k).name.get(lang) if k else t("customer_free", lang))
    if customer:
        _scenario_card(customer, lang)
    phase = _phase_picker(mode, lang)

    worker = _get_worker(source, opts["mirror"])
    worker.update(lang=lang, phase=phase, mode=mode, show_landmarks=opts["show_landmarks"], scenario=customer,
                  want_body=bool(opts["want_body"]))
    wkey = st.session_state["bc_worker_key"].replace(":", "-")

    save = opts["save"] and bool(opts["trainee"])
    video_path: Path | None = None
    if save and opts["save_video"] and source == "camera":
        from bodycoach.store.paths import VIDEO_DIR, resolve_home

        video_path = resolve_home() / VIDEO_DIR / f"live-{uuid.uuid4().hex}.mp4"
        video_path.parent.mkdir(parents=True, exist_ok=True)
        st.session_state.setdefault(f"bc_video_{wkey}", video_path)
        video_path = st.session_state[f"bc_video_{wkey}"]

    left, right = st.columns([3, 2])
    with left:
        common: dict[str, Any] = {
            "rtc_configuration": RTC_CONFIGURATION,
            "queued_video_frames_callback": worker.on_frames,
            "translations": webrtc_translations(lang),
            "video_html_attrs": {"autoPlay": True, "controls": False, "muted": True,
                                 "style": {"width": "100%"}},
        }
        if source == "demo":
            clip = demo_clip()
            st.caption(t("demo_playing", lang, clip=clip.name))

            common.pop("queued_video_frames_callback")
            ctx = webrtc_streamer(key=f"bc-demo-{wkey}", mode=WebRtcMode.RECVONLY,
                                  source_video_track=_track_for(worker, clip),
                                  media_stream_constraints={"video": True, "audio": False}, **common)
        elif os.environ.get(ENV_LIVE_PATH, "newest") == "callback":
            ctx = webrtc_streamer(key=f"bc-cam-{wkey}", mode=WebRtcMode.SENDRECV,
                                  media_stream_constraints=CAMERA_CONSTRAINTS,
                                  in_recorder_factory=_video_recorder_factory(video_path) if video_path else None,
                                  **common)
        else:
            # Camera: NewestFrameTrack in the sink/source slots instead of the frame callback, so each
            # returned frame is the newest camera frame plus one processing time (docs/live.md, latency).
            common.pop("queued_video_frames_callback")
            track = _track_for(worker)
            recorder = _video_recorder_factory(video_path) if video_path is not None else None
            ctx = webrtc_streamer(key=f"bc-cam-{wkey}", mode=WebRtcMode.SENDRECV,
                                  media_stream_constraints=CAMERA_CONSTRAINTS, in_recorder_factory=recorder,
                                  source_video_track=track, sink_video_track=track, **common)
    playing = bool(ctx.state.playing)
    with right:
        _live_panel()

    if playing:
        st.session_state.pop("bc_summary", None)
    if playing and save and "bc_sink" not in st.session_state:
        try:
            _start_saving(worker, opts["trainee"], customer, source, video_path)
        except Exception as exc:
            st.error(t("save_failed", lang, err=markdown_escape(exc)))

    _calibration(worker, playing, lang)

    if st.button(t("finish", lang), key="bc_finish", type="primary"):
        events = worker.finish()
        saved_id: int | None = None
        try:
            saved_id = _stop_saving(worker, events, keep=save)
        except Exception as exc:
            st.error(t("save_failed", lang, err=markdown_escape(exc)))
        segs = summary_segments(worker) if worker.stats().processed else []
        st.session_state["bc_summary"] = (segs, saved_id)
        st.session_state["bc_session_n"] = st.session_state.get("bc_session_n", 0) + 1  # next worker, fresh
        st.rerun()
    summary = st.session_state.get("bc_summary")
    if summary is not None:
        segs, saved_id = summary
        if not segs:
            st.info(t("summary_empty", lang))
        else:
            st.subheader(t("summary", lang))
            if len(segs) > 1:
                st.caption(t("segments_note", lang, n=len(segs)))
            for seg, report in segs:
                _render_summary(report, lang, segment_heading(seg, len(segs), lang))
        st.caption(t("saved", lang, id=saved_id) if saved_id else t("not_saved", lang))
