"""Texts of the Streamlit pages themselves (buttons, headings, help), Norwegian (default) and English.

The coaching words (areas, labels, cues, scenarios) come from ``bodycoach.feedback``; this module only
holds the page chrome so the pages stay free of string literals.
"""

from __future__ import annotations

LANG_NAMES = {"no": "Norsk", "en": "English"}

_T: dict[str, tuple[str, str]] = {
    "app_title": ("bodycoach – kroppsspråk i kundeservice", "bodycoach – body language at the front desk"),
    "language": ("Språk", "Language"),
    "nav_live": ("Øv live", "Live rehearsal"),
    "nav_review": ("Gjennomgang", "Review"),
    "live_title": ("Øv på møtet med kunden", "Rehearse the customer encounter"),
    "privacy": (
        "Alt kjøres på denne maskinen. Ingen bilder forlater den, og ingenting lagres uten at du krysser av.",
        "Everything runs on this machine. No frame leaves it, and nothing is stored unless you tick it.",
    ),
    "source": ("Kilde", "Source"),
    "source_camera": ("Kamera", "Camera"),
    "source_demo": ("Demo (eksempelvideo)", "Demo (sample clip)"),
    "no_camera_help": (
        "Ingen kamera, eller nektet nettleseren tilgang? Velg «Demo (eksempelvideo)»: da spilles et "
        "eksempelopptak gjennom den samme analysen.",
        "No camera, or did the browser deny access? Choose \"Demo (sample clip)\": a sample recording then "
        "runs through the same analysis.",
    ),
    "device_not_available": (
        "Fant ikke noe kamera. Koble til et kamera, eller velg «Demo (eksempelvideo)» under «Kilde».",
        "No camera found. Connect one, or choose \"Demo (sample clip)\" under \"Source\".",
    ),
    "device_access_denied": (
        "Nettleseren fikk ikke bruke kameraet. Tillat kamera for denne siden, eller velg "
        "«Demo (eksempelvideo)».",
        "The browser may not use the camera. Allow the camera for this page, or choose "
        "\"Demo (sample clip)\".",
    ),
    "media_api_not_available": (
        "Nettleseren gir ikke tilgang til kamera her (bruk http://localhost eller https). Velg «Demo».",
        "The browser offers no camera here (use http://localhost or https). Choose \"Demo\".",
    ),
    "auto_demo_no_camera": (
        "Fant ikke noe kamera, så demoen spilles i stedet. Koble til et kamera og velg «Kamera» under «Kilde».",
        "No camera found, so the demo plays instead. Connect a camera and choose \"Camera\" under \"Source\".",
    ),
    "auto_demo_denied": (
        "Nettleseren har blokkert kameraet for denne siden, så demoen spilles i stedet. Tillat kamera "
        "(låsesymbolet ved adressen) og velg «Kamera» under «Kilde».",
        "The browser blocks the camera for this page, so the demo plays instead. Allow the camera (the lock "
        "by the address) and choose \"Camera\" under \"Source\".",
    ),
    "auto_demo_no_api": (
        "Nettleseren gir ikke tilgang til kamera her (bruk http://localhost eller https), så demoen spilles.",
        "The browser offers no camera here (use http://localhost or https), so the demo plays.",
    ),
    "camera_no_camera": (
        "Fant ikke noe kamera. Koble til et kamera, eller velg «Demo (eksempelvideo)».",
        "No camera found. Connect one, or choose \"Demo (sample clip)\".",
    ),
    "camera_denied": (
        "Nettleseren har blokkert kameraet for denne siden. Tillat kamera (låsesymbolet ved adressen), "
        "eller velg «Demo (eksempelvideo)».",
        "The browser blocks the camera for this page. Allow it (the lock by the address), or choose "
        "\"Demo (sample clip)\".",
    ),
    "camera_no_api": (
        "Nettleseren gir ikke tilgang til kamera her (bruk http://localhost eller https).",
        "The browser offers no camera here (use http://localhost or https).",
    ),
    "device_ask_permission": ("Gi siden tilgang til kameraet.", "Allow this page to use the camera."),
    "start": ("Start", "Start"),
    "stop": ("Stopp", "Stop"),
    "select_device": ("Velg kamera", "Select camera"),
    "demo_playing": ("Demo: {clip}", "Demo: {clip}"),
    "mode": ("Øvelse", "Practice"),
    "mode_face_to_face": ("Ansikt til ansikt", "Face to face"),
    "mode_telephone": ("Telefon", "Telephone"),
    "mirror": ("Speilvendt bilde", "Mirror view"),
    "landmarks": ("Vis landemerker", "Show landmarks"),
    "customer": ("Kundetype", "Customer type"),
    "customer_free": ("Fri øving (ingen kundetype)", "Free practice (no customer type)"),
    "description": ("Beskrivelse", "Description"),
    "normal_contact": ("Normal kontakt", "Normal contact"),
    "difficult_contact": ("Vanskelig kontakt", "Difficult contact"),
    "phase": ("Fase", "Phase"),
    "next_phase": ("Neste fase", "Next phase"),
    "checked": ("Det som følges med på nå", "Checked now"),
    "cue_heading": ("Tilbakemelding", "Feedback"),
    "waiting": ("Trykk «Start» for å begynne.", "Press \"Start\" to begin."),
    "no_person": ("Ser ingen foran kameraet.", "Nobody in front of the camera."),
    "all_good": ("Fortsett slik.", "Keep it up."),
    "states": ("Nå", "Now"),
    "stats": ("{processed} bilder analysert · {fps:.1f} bilder/s · {dropped} hoppet over · {ms:.0f} ms/bilde",
              "{processed} frames analysed · {fps:.1f} fps · {dropped} skipped · {ms:.0f} ms/frame"),
    "calibration": ("Kalibrering (anbefalt første gang)", "Calibration (recommended the first time)"),
    "calibration_help": (
        "Tre korte steg med kameraet i gang: se inn i linsen, se på skjermen du jobber på, og hvil ansiktet. "
        "Da vet bodycoach hva «øyekontakt» og «ser på skjermen» betyr i ditt oppsett.",
        "Three short steps with the camera running: look into the lens, look at the screen you work on, "
        "and relax your face. Then bodycoach knows what \"eye contact\" and \"looking at the screen\" mean "
        "in your setup.",
    ),
    "cal_status_stored": ("lagret og i bruk", "stored and in use"),
    "cal_status_none": ("ikke kalibrert ennå", "not calibrated yet"),
    "cal_stored": ("En kalibrering er lagret i {path} og brukes nå ({what}). Ta opptakene på nytt for å "
                   "erstatte den.",
                   "A calibration is stored in {path} and in use now ({what}). Record the steps again to "
                   "replace it."),
    "cal_none": ("Ingen kalibrering er lagret. Vil du kalibrere? Ta de tre korte opptakene under; "
                 "kalibreringen lagres da i {path} og brukes her, av «bodycoach analyze», kiosken og "
                 "gjennomgangen.",
                 "No calibration is stored. Would you like to calibrate? Record the three short steps below; "
                 "the calibration is then stored in {path} and used here, by \"bodycoach analyze\", the "
                 "kiosk and the review."),
    "framing": ("Bildeutsnitt", "Framing"),
    "want_body": ("Coach også armer og hender", "Also coach arms and hands"),
    "want_body_help": ("Da må disken og hendene dine synes i bildet; sjekken under videoen sier fra.",
                       "Then the counter and your hands must be in the picture; the check beside the video "
                       "tells you."),
    "cal_lens": ("1. Se inn i kameralinsen", "1. Look into the camera lens"),
    "cal_screen": ("2. Se på arbeidsskjermen", "2. Look at your work screen"),
    "cal_neutral": ("3. Avslappet, nøytralt ansikt", "3. Relaxed, neutral face"),
    "cal_record": ("Ta opp 3 s", "Record 3 s"),
    "cal_samples": ("{n} bilder", "{n} frames"),
    "cal_apply": ("Bruk kalibreringen", "Apply the calibration"),
    "cal_applied": ("Kalibreringen er i bruk og lagret i {path}.",
                    "Calibration applied and saved to {path}."),
    "cal_need_camera": ("Start kameraet først.", "Start the camera first."),
    "cal_failed": ("Kalibreringen feilet: {err}", "Calibration failed: {err}"),
    "cal_unavailable": ("Kalibrering er ikke tilgjengelig i denne versjonen.",
                        "Calibration is not available in this version."),
    "save": ("Lagre økten for veilederen (landemerker, tilstander og hendelser)",
             "Save the session for the trainer (landmarks, states and events)"),
    "trainee": ("Navn eller kallenavn", "Name or nickname"),
    "trainee_needed": ("Skriv et navn eller kallenavn for å lagre.", "Enter a name or nickname to save."),
    "save_video": ("Lagre også selve videoen", "Also save the video itself"),
    "save_help": (
        "Kryss av før du trykker «Start». Uten kryss lagres ingenting; fjerner du krysset før du avslutter, "
        "slettes det som er skrevet.",
        "Tick before pressing \"Start\". Without a tick nothing is stored; untick before finishing and what "
        "was written is deleted.",
    ),
    "finish": ("Avslutt og vis oppsummering", "Finish and show the summary"),
    "new_session": ("Ny økt", "New session"),
    "summary": ("Oppsummering", "Summary"),
    "segment_of": ("Del {i} av {n}", "Part {i} of {n}"),
    "segments_note": (
        "Du byttet modus eller kundetype underveis: økten har {n} deler, hver med sin egen oppsummering.",
        "You switched the mode or the customer type during the session: it has {n} parts, each with its own "
        "summary.",
    ),
    "summary_empty": ("Ingen bilder ble analysert i denne økten.",
                      "No frames were analysed in this session."),
    "saved": ("Økten er lagret for veilederen (id {id}).", "The session is saved for the trainer (id {id})."),
    "not_saved": ("Økten er ikke lagret.", "The session was not stored."),
    "save_failed": ("Kunne ikke lagre økten: {err}", "Could not save the session: {err}"),
    "duration": ("Varighet", "Duration"),
    "share": ("Andel av tiden", "Share of the time"),
    "area": ("Område", "Area"),
    "state": ("Tilstand", "State"),
    "verdict": ("Vurdering", "Verdict"),
    "events": ("Hendelser", "Events"),
    "per_phase": ("Per fase", "Per phase"),
}


def t(key: str, lang: str = "no", **fmt: object) -> str:
    """Return the page text ``key`` in ``lang`` (``"no"`` or ``"en"``), formatted with ``fmt``.

    Raises:
        KeyError: Unknown key (a programming error).
    """
    pair = _T[key]
    s = pair[1] if lang == "en" else pair[0]
    return s.format(**fmt) if fmt else s


def webrtc_translations(lang: str) -> dict[str, str]:
    """Return streamlit-webrtc's ``translations`` (its buttons and camera errors) in ``lang``."""
    keys = ("start", "stop", "select_device", "media_api_not_available", "device_ask_permission",
            "device_not_available", "device_access_denied")
    return {k: t(k, lang) for k in keys}
