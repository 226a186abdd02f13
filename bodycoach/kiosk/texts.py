"""Words on the kiosk's screens, Norwegian (default) and English.

Describe what to do and what was observed, never feelings or character. The phase prompts tell the
trainee what the imagined customer does, so nothing has to be typed or said to the machine.
"""

from __future__ import annotations

from bodycoach.kiosk.config import PhaseConfig

_T: dict[str, dict[str, str]] = {
    "no": {
        "attract_title": "Øv på kundemøtet",
        "attract_body": "Still deg foran skjermen og se inn i kameraet. Økten starter av seg selv.",
        "attract_hint": "Ingen video eller navn lagres.",
        "attract_hold": "Hold blikket mot kameraet …",
        "phase": "Fase",
        "of": "av",
        "time_left": "igjen",
        "customer": "Kunde",
        "summary_title": "Oppsummering",
        "summary_next": "Ny økt om",
        "summary_fallback": "Økten er ferdig. Takk!",
        "camera_missing": "Kameraet er ikke tilgjengelig. Prøver igjen om litt …",
        "camera_frozen": "Kamerabildet har stoppet. Starter kameraet på nytt …",
        "coach_error": "Et øyeblikk – starter analysen på nytt …",
        "restarted": "Kiosken startet på nytt etter en feil. Alt er klart igjen.",
        "end_left": "Økten ble avsluttet fordi ingen sto foran kameraet.",
        "end_max_time": "Tiden for økten er ute.",
        "end_completed": "Alle fasene er gjennomført.",
        "end_camera": "Økten ble avbrutt fordi kameraet forsvant.",
        "seconds": "s",
    },
    "en": {
        "attract_title": "Practise the customer encounter",
        "attract_body": (
            "Stand in front of the screen and look into the camera. The session starts by itself."
        ),
        "attract_hint": "No video or names are kept.",
        "attract_hold": "Keep looking at the camera …",
        "phase": "Phase",
        "of": "of",
        "time_left": "left",
        "customer": "Customer",
        "summary_title": "Summary",
        "summary_next": "New session in",
        "summary_fallback": "The session is over. Thank you!",
        "camera_missing": "The camera is not available. Trying again shortly …",
        "camera_frozen": "The camera image has stopped. Restarting the camera …",
        "coach_error": "One moment – restarting the analysis …",
        "restarted": "The kiosk restarted after an error. Everything is ready again.",
        "end_left": "The session ended because nobody was in front of the camera.",
        "end_max_time": "The session's time is up.",
        "end_completed": "All phases are done.",
        "end_camera": "The session stopped because the camera disappeared.",
        "seconds": "s",
    },
}

_PHASE_TITLES = {
    "no": {"reception": "Mottak", "problem_solving": "Raskt løse problem", "confirmation": "Bekreftelse",
           "farewell": "Å si farvel"},
    "en": {"reception": "Reception", "problem_solving": "Solve the problem quickly",
           "confirmation": "Confirmation", "farewell": "Farewell"},
}

_PHASE_PROMPTS = {
    "no": {
        "reception": "En kunde kommer bort til disken. Se kunden i øynene, smil og ønsk velkommen.",
        "problem_solving": (
            "Kunden forklarer saken sin. Lytt, og vis at du lytter – armene åpne, blikket hos kunden."
        ),
        "confirmation": "Bekreft hva som skal skje videre. Hold hodet oppreist og blikket mot kunden.",
        "farewell": "Kunden går. Vær tilgjengelig, smil og si farvel.",
    },
    "en": {
        "reception": "A customer walks up to the counter. Look them in the eyes, smile and welcome them.",
        "problem_solving": (
            "The customer explains the matter. Listen and show that you listen – open arms, eyes on them."
        ),
        "confirmation": "Confirm what happens next. Keep your head upright and your eyes on the customer.",
        "farewell": "The customer leaves. Stay available, smile and say goodbye.",
    },
}

_SCENARIOS = {
    "no": {"objective": "Objektiv", "friendly": "Vennlig", "rude": "Uhøflig", "shy": "Sjenert",
           "pretentious": "Pretensiøs", "indecisive": "Ubesluttsom"},
    "en": {"objective": "Objective", "friendly": "Friendly", "rude": "Rude", "shy": "Shy",
           "pretentious": "Pretentious", "indecisive": "Indecisive"},
}


def text(key: str, lang: str = "no") -> str:
    """Return the screen text ``key`` in ``lang`` (Norwegian when the language is unknown)."""
    return _T.get(lang, _T["no"])[key]


def phase_title(phase: PhaseConfig, lang: str = "no") -> str:
    """Return the phase's display title (its name, capitalised, when it has no built-in title)."""
    return _PHASE_TITLES.get(lang, _PHASE_TITLES["no"]).get(phase.name, phase.name.capitalize())


def phase_prompt(phase: PhaseConfig, lang: str = "no") -> str:
    """Return the prompt of ``phase``: the configured one, else the built-in one, else ""."""
    own = phase.prompt_en if lang == "en" else phase.prompt_no
    if own:
        return own
    return _PHASE_PROMPTS.get(lang, _PHASE_PROMPTS["no"]).get(phase.name, "")


def scenario_name(scenario: str, lang: str = "no") -> str:
    """Return the display name of a customer type."""
    return _SCENARIOS.get(lang, _SCENARIOS["no"]).get(scenario, scenario)
