"""Kiosk configuration: frozen dataclasses, loaded from TOML and validated up front.

Two files feed one ``KioskConfig``: ``calibration/kiosk.toml`` (the thresholds, with units and reasons)
and the room's own ``kiosk.toml`` (language, scenario, phases, camera, privacy). The room file may also
override any threshold under the same section and key. Both are checked the same way: an unknown key or a
bad value raises ``ConfigError`` with one line naming the file, the key, the value and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError
from bodycoach.tomlfile import read_toml

LANGS = ("no", "en")

# The guide's customer types (rehearsal scenarios): the ids of ``bodycoach.feedback.scenarios`` and the
# Norwegian names accepted as aliases (with and without æøå, for keyboards without them).
SCENARIOS = ("objective", "friendly", "rude", "shy", "pretentious", "indecisive")
SCENARIO_ALIASES = {
    "objektiv": "objective", "vennlig": "friendly", "uhøflig": "rude", "uhoflig": "rude", "sjenert": "shy",
    "pretensiøs": "pretentious", "pretensios": "pretentious", "ubesluttsom": "indecisive",
}

# The face-to-face encounter's phases (guide: "4 faser"), ids of ``bodycoach.feedback.scenarios``, and
# the Norwegian names accepted as aliases.
PHASES = ("reception", "problem_solving", "confirmation", "farewell")
PHASE_ALIASES = {
    "mottak": "reception", "raskt_lose_problem": "problem_solving", "raskt løse problem": "problem_solving",
    "problem": "problem_solving", "losning": "problem_solving", "løsning": "problem_solving",
    "bekreftelse": "confirmation", "farvel": "farewell", "si_farvel": "farewell", "å si farvel": "farewell",
}


def scenario_key(value: str) -> str | None:
    """Return the customer-type id for ``value`` (id or Norwegian name), or None when unknown."""
    v = value.strip().lower()
    return v if v in SCENARIOS else SCENARIO_ALIASES.get(v)


def phase_key(value: str) -> str | None:
    """Return the phase id for ``value`` (id or Norwegian name), or None when unknown."""
    v = value.strip().lower()
    return v if v in PHASES else PHASE_ALIASES.get(v)


@dataclass(frozen=True)
class DisplayConfig:
    """How the kiosk looks.

    Attributes:
        lang: ``"no"`` (default) or ``"en"``.
        fullscreen: Full-screen window (False = a normal window, for setting up).
        mirror: Show the camera image mirrored, like a mirror (what people expect of a screen).
        show_landmarks: Draw the landmark skeleton on the session view.
    """

    lang: str = "no"
    fullscreen: bool = True
    mirror: bool = True
    show_landmarks: bool = False


@dataclass(frozen=True)
class PhaseConfig:
    """One rehearsal phase, advanced by a timer.

    Attributes:
        name: Phase id of the guide (``reception``, ``problem_solving``, ``confirmation``, ``farewell``;
            the Norwegian names ``mottak``, ``bekreftelse``, ``farvel`` … are accepted and normalised).
        seconds: Duration of the phase in seconds.
        prompt_no: Optional Norwegian prompt shown during the phase (overrides the built-in one).
        prompt_en: Optional English prompt.
    """

    name: str
    seconds: float
    prompt_no: str = ""
    prompt_en: str = ""


DEFAULT_PHASES: tuple[PhaseConfig, ...] = (
    PhaseConfig("reception", 15.0),
    PhaseConfig("problem_solving", 25.0),
    PhaseConfig("confirmation", 10.0),
    PhaseConfig("farewell", 10.0),
)


@dataclass(frozen=True)
class SessionConfig:
    """The rehearsal.

    Attributes:
        scenario: Customer type of the guide (see ``SCENARIOS``).
        phases: Phases in order; each advances after its ``seconds``.
        max_s: Hard limit of one session in seconds (the phases may add up to less or more).
        summary_s: How long the summary card is shown, in seconds.
    """

    scenario: str = "friendly"
    phases: tuple[PhaseConfig, ...] = DEFAULT_PHASES
    max_s: float = 90.0
    summary_s: float = 12.0


@dataclass(frozen=True)
class CameraConfig:
    """Where frames come from.

    Attributes:
        source: Camera index (``"0"``) or a video file path (a recorded clip stands in for a camera).
        loop: Repeat a file source at its end (demo / tests); ignored for cameras.
    """

    source: str = "0"
    loop: bool = True


@dataclass(frozen=True)
class PrivacyConfig:
    """What is kept. By default nothing: no video, no landmarks, no names.

    Attributes:
        keep_summaries: Opt in to keep an anonymous summary of each session in the local SQLite store
            (time shares and events only, no frames, no landmarks, no names).
        store_home: Folder of the store ("" = the platform default or ``BODYCOACH_HOME``).
    """

    keep_summaries: bool = False
    store_home: str = ""


@dataclass(frozen=True)
class PresenceConfig:
    """When somebody counts as present (see ``calibration/kiosk.toml`` for the reasons)."""

    start_after_ms: int = 2000
    leave_after_ms: int = 4000
    dropout_grace_ms: int = 400
    max_yaw_deg: float = 25.0
    min_face_width_norm: float = 0.06


@dataclass(frozen=True)
class WatchdogConfig:
    """When the camera counts as lost or frozen and how reopening backs off (``calibration/kiosk.toml``)."""

    frozen_after_ms: int = 3000
    identical_for_ms: int = 5000
    retry_initial_ms: int = 500
    retry_max_ms: int = 8000
    retry_factor: float = 2.0
    max_coach_errors: int = 5
    coach_error_window_ms: int = 60000


@dataclass(frozen=True)
class KioskConfig:
    """Everything the kiosk needs; build it with ``load_kiosk_config``."""

    display: DisplayConfig = field(default_factory=DisplayConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    presence: PresenceConfig = field(default_factory=PresenceConfig)
    watchdog: WatchdogConfig = field(default_factory=WatchdogConfig)


# --- validation ----------------------------------------------------------------------------------
# key -> (type, check, expectation text). Checks return True when the value is acceptable.

def _pos(v: float) -> bool:
    return math.isfinite(v) and v > 0


_RULES: dict[str, tuple[type, Any, str]] = {
    "display.lang": (str, lambda v: v in LANGS, f"one of {', '.join(LANGS)}"),
    "display.fullscreen": (bool, None, "true or false"),
    "display.mirror": (bool, None, "true or false"),
    "display.show_landmarks": (bool, None, "true or false"),
    "session.scenario": (str, lambda v: scenario_key(v) is not None,
                         f"one of {', '.join(SCENARIOS)} (or the Norwegian name)"),
    "session.max_s": (float, lambda v: 5 <= v <= 3600, "seconds in 5..3600"),
    "session.summary_s": (float, lambda v: 1 <= v <= 300, "seconds in 1..300"),
    "phase.name": (str, lambda v: phase_key(v) is not None,
                   f"one of {', '.join(PHASES)} (or the Norwegian name)"),
    "phase.seconds": (float, lambda v: 1 <= v <= 3600, "seconds in 1..3600"),
    "phase.prompt_no": (str, lambda v: len(v) <= 200, "text of at most 200 characters"),
    "phase.prompt_en": (str, lambda v: len(v) <= 200, "text of at most 200 characters"),
    "camera.source": (str, lambda v: bool(v.strip()), "a camera index like \"0\" or a video file path"),
    "camera.loop": (bool, None, "true or false"),
    "privacy.keep_summaries": (bool, None, "true or false"),
    "privacy.store_home": (str, None, "a folder path or \"\""),
    "presence.start_after_ms": (int, lambda v: 0 <= v <= 60000, "milliseconds in 0..60000"),
    "presence.leave_after_ms": (int, lambda v: 500 <= v <= 600000, "milliseconds in 500..600000"),
    "presence.dropout_grace_ms": (int, lambda v: 0 <= v <= 10000, "milliseconds in 0..10000"),
    "presence.max_yaw_deg": (float, lambda v: 1 <= v <= 90, "degrees in 1..90"),
    "presence.min_face_width_norm": (float, lambda v: 0 <= v < 1, "a share of the frame width in 0..1"),
    "watchdog.frozen_after_ms": (int, lambda v: 200 <= v <= 600000, "milliseconds in 200..600000"),
    "watchdog.identical_for_ms": (int, lambda v: 200 <= v <= 600000, "milliseconds in 200..600000"),
    "watchdog.retry_initial_ms": (int, lambda v: 10 <= v <= 600000, "milliseconds in 10..600000"),
    "watchdog.retry_max_ms": (int, lambda v: 10 <= v <= 3600000, "milliseconds in 10..3600000"),
    "watchdog.retry_factor": (float, lambda v: 1 <= v <= 10, "a factor in 1..10"),
    "watchdog.max_coach_errors": (int, lambda v: 1 <= v <= 1000, "a count in 1..1000"),
    "watchdog.coach_error_window_ms": (int, lambda v: 1000 <= v <= 3600000, "milliseconds in 1000..3600000"),
}

_SECTIONS: dict[str, type] = {
    "display": DisplayConfig,
    "session": SessionConfig,
    "camera": CameraConfig,
    "privacy": PrivacyConfig,
    "presence": PresenceConfig,
    "watchdog": WatchdogConfig,
}


def _coerce(where: str, key: str, value: Any) -> Any:
    typ, check, expect = _RULES[key]
    bad = ConfigError(f"{where}: {key} = {value!r}: expected {expect}")
    if typ is bool:
        if not isinstance(value, bool):
            raise bad
    elif typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad
        value = float(value)
    elif typ is str:
        if isinstance(value, int) and not isinstance(value, bool) and key == "camera.source":
            value = str(value)  # source = 0 is as good as source = "0"
        if not isinstance(value, str):
            raise bad
    if check is not None and not check(value):
        raise bad
    if key == "session.scenario":
        value = scenario_key(value)
    elif key == "phase.name":
        value = phase_key(value)
    return value


def _phase(where: str, i: int, raw: Any) -> PhaseConfig:
    label = f"session.phases[{i}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: {label} = {raw!r}: expected a table with name and seconds")
    allowed = {f.name for f in fields(PhaseConfig)}
    for k in raw:
        if k not in allowed:
            expected = ", ".join(sorted(allowed))
            raise ConfigError(f"{where}: unknown key {label}.{k} (expected one of {expected})")
    for k in ("name", "seconds"):
        if k not in raw:
            raise ConfigError(f"{where}: {label}.{k} is missing")
    vals: dict[str, Any] = {}
    for k, v in raw.items():
        try:
            vals[k] = _coerce(where, f"phase.{k}", v)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(f"phase.{k}", f"{label}.{k}", 1)) from None
    return PhaseConfig(**vals)


def apply_table(base: KioskConfig, table: Mapping[str, Any], where: str) -> KioskConfig:
    """Return ``base`` with the values of a parsed TOML ``table`` applied, validating every key.

    Args:
        base: The config the table overrides.
        table: Parsed TOML (sections as sub-tables).
        where: File name (or other label) used in error messages.

    Raises:
        ConfigError: an unknown section or key, or a value of the wrong type or out of range.
    """
    cfg = base
    for section, sub in table.items():
        if section not in _SECTIONS:
            expected = ", ".join(_SECTIONS)
            raise ConfigError(f"{where}: unknown section [{section}] (expected one of {expected})")
        if not isinstance(sub, Mapping):
            raise ConfigError(f"{where}: {section} = {sub!r}: expected a [{section}] table")
        current = getattr(cfg, section)
        allowed = [f.name for f in fields(_SECTIONS[section])]
        updates: dict[str, Any] = {}
        for key, value in sub.items():
            if key not in allowed:
                raise ConfigError(
                    f"{where}: unknown key {section}.{key} (expected one of {', '.join(allowed)})"
                )
            if section == "session" and key == "phases":
                if not isinstance(value, list) or not value:
                    raise ConfigError(
                        f"{where}: session.phases = {value!r}: expected one or more [[session.phases]]"
                    )
                phases = tuple(_phase(where, i, p) for i, p in enumerate(value))
                names = [p.name for p in phases]
                dup = sorted({n for n in names if names.count(n) > 1})
                if dup:
                    raise ConfigError(f"{where}: session.phases: phase {dup[0]!r} appears twice")
                updates[key] = phases
            else:
                updates[key] = _coerce(where, f"{section}.{key}", value)
        cfg = replace(cfg, **{section: replace(current, **updates)})
    _check_consistency(cfg, where)
    return cfg


def _check_consistency(cfg: KioskConfig, where: str) -> None:
    w = cfg.watchdog
    if w.retry_max_ms < w.retry_initial_ms:
        raise ConfigError(
            f"{where}: watchdog.retry_max_ms = {w.retry_max_ms}: expected >= watchdog.retry_initial_ms "
            f"({w.retry_initial_ms})"
        )


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, "config file")


def load_kiosk_config(path: str | Path | None = None, thresholds: str | Path | None = None) -> KioskConfig:
    """Load and validate the kiosk config.

    Args:
        path: The room's ``kiosk.toml`` (None = built-in defaults only).
        thresholds: The thresholds file (None = ``calibration/kiosk.toml`` shipped with bodycoach).

    Returns:
        The validated config.

    Raises:
        ConfigError: a file is missing or not TOML, or holds an unknown key or a bad value.
    """
    from bodycoach.resources import calibration_file

    tpath = Path(thresholds) if thresholds is not None else calibration_file("kiosk.toml")
    cfg = apply_table(KioskConfig(), _read_toml(tpath), tpath.name if thresholds is None else str(tpath))
    if path is not None:
        p = Path(path)
        cfg = apply_table(cfg, _read_toml(p), str(p))
    return cfg


def check_can_run(cfg: KioskConfig, where: str = "kiosk config") -> None:
    """Refuse a config that can never work, before the kiosk starts (what ``--check`` runs too).

    A camera index may come back (unplugged, busy) and is only checked for form; a file source that is
    missing, a folder or not a video will not, so it is refused here instead of being retried forever.
    The "is it a video" part needs the decoder and is done by the caller (``cmd_kiosk``); this checks
    what can be told without one.

    Raises:
        ConfigError: naming the key, the value and what was expected.
    """
    src = cfg.camera.source.strip()
    if src.lstrip("-").isdigit():
        if int(src) < 0:
            raise ConfigError(f"{where}: camera.source = {src!r}: expected a camera index >= 0 or a video file")
    else:
        p = Path(src).expanduser()
        if not p.exists():
            raise ConfigError(f"{where}: camera.source = {src!r}: no such file; expected a camera index like "
                              f"\"0\" or an existing video file")
        if not p.is_file():
            raise ConfigError(f"{where}: camera.source = {src!r}: not a file; expected a video file")
    home = cfg.privacy.store_home.strip()
    if home:
        h = Path(home).expanduser()
        if h.exists() and not h.is_dir():
            raise ConfigError(f"{where}: privacy.store_home = {home!r}: is a file; expected a folder")
        parent = h
        while not parent.exists() and parent.parent != parent:
            parent = parent.parent
        if not parent.is_dir():
            raise ConfigError(f"{where}: privacy.store_home = {home!r}: {str(parent)!r} is a file; expected a "
                              f"folder")

