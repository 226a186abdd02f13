"""Per-camera, per-person calibration: where the lens is, where the work screen is, and a neutral face.

A short guided capture (look into the lens; look at your screen; a neutral, relaxed face) gives three
lists of ``Landmarks``. :meth:`CalibrationProfile.from_samples` turns them into medians of the features
the classifiers compare against. Without a profile the classifiers use the defaults of
``calibration/thresholds.toml`` (lens straight ahead, screen below the camera, population-average face).

Units: gaze angles in degrees (same convention as ``head_yaw_deg`` / ``head_pitch_deg``), face shape in
inter-ocular distances of the frontalised face (``_norm``).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError
from bodycoach.types import Landmarks

PROFILE_VERSION = 1
#: The one name of the saved profile, in the data folder (``bodycoach.store.paths.resolve_home``): written
#: by ``bodycoach calibrate`` and the live page, read by live, ``analyze``, the kiosk and the review.
PROFILE_NAME = "calibration_profile.json"
NEUTRAL_KEYS = ("eye_open_norm", "brow_raise_norm", "mouth_width_norm", "smile_lift_norm", "lip_gap_norm",
                "cheek_mouth_norm", "lower_lid_drop_norm", "nose_up_sw", "shoulder_tilt_deg")
MIN_SAMPLES = 3


@dataclass(frozen=True)
class CalibrationProfile:
    """Calibration of one camera and person.

    Attributes:
        lens_yaw_deg: Gaze yaw when looking into the lens (subtracted from every gaze yaw).
        lens_pitch_deg: Gaze pitch when looking into the lens.
        screen_yaw_deg: Centre of the work-screen zone (gaze yaw, lens-relative), or None.
        screen_pitch_deg: Centre of the work-screen zone (gaze pitch, lens-relative), or None.
        screen_radius_deg: Half-size of the screen zone in degrees.
        neutral: Median neutral-face (and posture) features, by feature name.
    """

    lens_yaw_deg: float = 0.0
    lens_pitch_deg: float = 0.0
    screen_yaw_deg: float | None = None
    screen_pitch_deg: float | None = None
    screen_radius_deg: float = 15.0
    neutral: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("lens_yaw_deg", "lens_pitch_deg", "screen_radius_deg"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > 90:
                raise ConfigError(f"profile.{name} = {v!r}, expected a finite angle in [-90, 90] degrees")
        if self.screen_radius_deg <= 0:
            raise ConfigError(f"profile.screen_radius_deg = {self.screen_radius_deg}, expected > 0")
        for name in ("screen_yaw_deg", "screen_pitch_deg"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > 90):
                raise ConfigError(f"profile.{name} = {v!r}, expected null or an angle in [-90, 90] degrees")
        for k, v in self.neutral.items():
            if k not in NEUTRAL_KEYS:
                raise ConfigError(f"profile.neutral.{k}: unknown key, expected one of {', '.join(NEUTRAL_KEYS)}")
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ConfigError(f"profile.neutral.{k} = {v!r}, expected a finite number")

    @property
    def has_screen(self) -> bool:
        """Whether a screen zone was calibrated."""
        return self.screen_yaw_deg is not None and self.screen_pitch_deg is not None

    @classmethod
    def from_samples(cls, lens: Sequence[Landmarks], screen: Sequence[Landmarks] = (),
                     neutral: Sequence[Landmarks] = (), config: Any | None = None) -> CalibrationProfile:
        """Build a profile from the guided capture.

        Args:
            lens: Frames looking into the lens (required, at least 3 with a measurable face).
            screen: Frames looking at the work screen (optional).
            neutral: Frames with a neutral, relaxed face and upright posture (optional; the lens frames are
                used for the face when empty).
            config: Thresholds (for the iris gains); the shipped ones when None.

        Raises:
            ConfigError: too few usable frames in ``lens`` (or in ``screen`` when given).
        """
        from bodycoach.classifiers.eye_contact import raw_gaze
        from bodycoach.config import load_config
        from bodycoach.features.extract import extract_features

        cfg = config or load_config()

        def gaze(seq: Sequence[Landmarks]) -> list[tuple[float, float]]:
            out = []
            for lm in seq:
                f = extract_features(lm, min_visibility=cfg.quality.min_visibility)
                gy, gp = raw_gaze(f, cfg.eye_contact)
                if math.isfinite(gy) and math.isfinite(gp):
                    out.append((gy, gp))
            return out

        lg = gaze(lens)
        if len(lg) < MIN_SAMPLES:
            raise ConfigError(f"calibration: only {len(lg)} lens frames with a measurable face, "
                              f"expected >= {MIN_SAMPLES}")
        ly = statistics.median(g[0] for g in lg)
        lp = statistics.median(g[1] for g in lg)
        sy = sp = None
        radius = 15.0
        if screen:
            sg = gaze(screen)
            if len(sg) < MIN_SAMPLES:
                raise ConfigError(f"calibration: only {len(sg)} screen frames with a measurable face, "
                                  f"expected >= {MIN_SAMPLES}")
            sy = statistics.median(g[0] for g in sg) - ly
            sp = statistics.median(g[1] for g in sg) - lp
            spread = max(statistics.pstdev([g[0] for g in sg]), statistics.pstdev([g[1] for g in sg]))
            check_separation(math.hypot(sy, sp), spread, max(statistics.pstdev([g[0] for g in lg]),
                                                             statistics.pstdev([g[1] for g in lg])))
            # Half the lens-to-screen distance at most, so the two zones never overlap.
            radius = max(6.0, min(25.0, 2.5 * spread + 5.0, 0.5 * math.hypot(sy, sp)))
        neutral_vals: dict[str, list[float]] = {k: [] for k in NEUTRAL_KEYS}
        for lm in (neutral or lens):
            f = extract_features(lm, min_visibility=cfg.quality.min_visibility)
            for k in NEUTRAL_KEYS:
                v = f.get(k)
                if math.isfinite(v):
                    neutral_vals[k].append(v)
        neu = {k: float(statistics.median(v)) for k, v in neutral_vals.items() if len(v) >= MIN_SAMPLES}
        return cls(lens_yaw_deg=float(ly), lens_pitch_deg=float(lp), screen_yaw_deg=sy, screen_pitch_deg=sp,
                   screen_radius_deg=float(radius), neutral=neu)

    def summary(self, lang: str = "no") -> str:
        """One line for the page and the CLI: what the profile holds."""
        if lang == "no":
            s = f"linse {self.lens_yaw_deg:+.0f}° / {self.lens_pitch_deg:+.0f}°"
            s += (f", skjerm {self.screen_yaw_deg:+.0f}° / {self.screen_pitch_deg:+.0f}°" if self.has_screen
                  else ", ingen skjerm")
            return s + f", nøytralt ansikt ({len(self.neutral)} mål)"
        s = f"lens {self.lens_yaw_deg:+.0f}° / {self.lens_pitch_deg:+.0f}°"
        s += (f", screen {self.screen_yaw_deg:+.0f}° / {self.screen_pitch_deg:+.0f}°" if self.has_screen
              else ", no screen")
        return s + f", neutral face ({len(self.neutral)} values)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (with a format version)."""
        return {"version": PROFILE_VERSION, **asdict(self)}

    def save(self, path: str | Path) -> Path:
        """Write the profile as JSON."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | Path) -> CalibrationProfile:
        """Read a profile written by :meth:`save`.

        Raises:
            ConfigError: missing file, bad JSON, unknown keys or out-of-range values.
        """
        p = Path(path)
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{p}: no such profile file") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{p}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(d, dict):
            raise ConfigError(f"{p}: expected a JSON object, but got {type(d).__name__}")
        version = d.pop("version", PROFILE_VERSION)
        if version != PROFILE_VERSION:
            raise ConfigError(f"{p}: profile version {version!r}, expected {PROFILE_VERSION}")
        known = {"lens_yaw_deg", "lens_pitch_deg", "screen_yaw_deg", "screen_pitch_deg", "screen_radius_deg",
                 "neutral"}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"{p}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            return cls(**d)
        except ConfigError as exc:
            raise ConfigError(f"{p}: {exc}") from None
        except TypeError as exc:
            raise ConfigError(f"{p}: {exc}") from None


def check_separation(distance_deg: float, screen_spread_deg: float, lens_spread_deg: float,
                     cfg: Any | None = None) -> None:
    """Refuse a capture whose screen samples cannot be told apart from its lens samples.

    Args:
        distance_deg: Gaze distance between the screen and the lens medians (degrees).
        screen_spread_deg: Larger standard deviation (yaw or pitch) within the screen samples.
        lens_spread_deg: The same within the lens samples.
        cfg: ``CaptureConfig``; default ``calibration/framing.toml`` ``[capture]``.

    Raises:
        ConfigError: the two are closer than ``min_lens_screen_deg`` or than ``min_separation_spreads``
            times the larger spread; the message says what to do.
    """
    from bodycoach.feedback.framing import load_capture_config

    c = cfg or load_capture_config()
    need = max(c.min_lens_screen_deg, c.min_separation_spreads * max(screen_spread_deg, lens_spread_deg))
    if not math.isfinite(distance_deg) or distance_deg < need:
        raise ConfigError(
            f"calibration: the screen samples point where the lens samples point ({distance_deg:.1f} degrees "
            f"apart, expected at least {need:.1f}); record the screen step again looking at the middle of your "
            f"work screen, not at the camera (or leave the screen step out)")


def saved_profile_path(home: str | Path | None = None) -> Path:
    """``<data folder>/calibration_profile.json``: the one place the profile is saved and read."""
    from bodycoach.store.paths import resolve_home

    return resolve_home(home) / PROFILE_NAME


def load_saved_profile(path: str | Path | None = None, home: str | Path | None = None) -> CalibrationProfile | None:
    """Return the profile at ``path`` (default :func:`saved_profile_path`), or None when there is none.

    Raises:
        ConfigError: the file exists but is broken (bad JSON, unknown keys, out-of-range values).
    """
    p = Path(path) if path is not None else saved_profile_path(home)
    if not p.exists():
        return None
    return CalibrationProfile.load(p)
