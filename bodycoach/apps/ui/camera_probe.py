"""Does this browser have a camera the page may use? Asked without opening it, so no permission prompt.

streamlit-webrtc shows camera errors only in the browser; the server never learns that the camera is
missing or denied. This tiny component (``camera_probe/index.html``, Streamlit's component protocol by
hand, no build step) reports ``navigator.mediaDevices.enumerateDevices()``'s camera count and the camera
permission state, again whenever a device is plugged in or out or the permission changes. The page uses it
to switch to the demo clip by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Why the camera cannot be used, as :func:`camera_problem` reports it.
NO_API, NO_CAMERA, DENIED = "no_api", "no_camera", "denied"

_component: Any = None


def camera_problem(status: Any) -> str | None:
    """Why this browser's camera cannot be used, from the probe's report; None when it can (or unknown).

    Args:
        status: The probe's value: ``{"api": bool, "cameras": int | None, "permission": str | None}``, or
            None before the browser has answered. Anything malformed counts as unknown (None).

    Returns:
        ``"no_api"`` (no camera API: not localhost/https), ``"no_camera"`` (no video input device),
        ``"denied"`` (the page is blocked from the camera), or None.
    """
    if not isinstance(status, dict):
        return None
    if status.get("api") is False:
        return NO_API
    if status.get("permission") == "denied":
        return DENIED
    cameras = status.get("cameras")
    if isinstance(cameras, int) and not isinstance(cameras, bool) and cameras == 0:
        return NO_CAMERA
    return None


def camera_probe(key: str = "bc_camera_probe") -> Any:
    """Render the invisible probe; return its latest report (None until the browser has answered)."""
    global _component
    import streamlit.components.v1 as components

    if _component is None:
        _component = components.declare_component(
            "bodycoach_camera_probe", path=str(Path(__file__).with_name("camera_probe")))
    return _component(key=key, default=None)
