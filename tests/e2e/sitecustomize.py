"""Test-harness only: make aioice offer the loopback address (``BODYCOACH_E2E_ICE_LOOPBACK=1``, or ``only``).

The e2e harness puts this folder on the app subprocess's ``PYTHONPATH``; Python imports
``sitecustomize`` at start-up. aioice leaves 127.0.0.1 out of its host candidates, so WebRTC between
headless Chromium (``--allow-loopback-in-peer-connection``) and the app would need a non-loopback
interface. CI machines may have none. The product never loads this file.
"""

from __future__ import annotations

import os

_MODE = os.environ.get("BODYCOACH_E2E_ICE_LOOPBACK", "")

if _MODE in ("1", "only"):
    try:
        import aioice.ice as _ice
    except ImportError:  # pragma: no cover - aiortc not installed
        pass
    else:
        _orig = _ice.get_host_addresses

        def _with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
            if _MODE == "only":  # behave like a machine with no network but loopback (as on some CI)
                return ["127.0.0.1"] if use_ipv4 else []
            addrs = _orig(use_ipv4, use_ipv6)
            if use_ipv4 and "127.0.0.1" not in addrs:
                addrs = ["127.0.0.1", *addrs]
            return addrs

        _ice.get_host_addresses = _with_loopback

if os.environ.get("BODYCOACH_E2E_LOG"):
    # Diagnostics for benchmarks: WebRTC connection states from aiortc/aioice/streamlit-webrtc on stderr.
    import logging as _logging

    _handler = _logging.StreamHandler()
    _handler.setFormatter(_logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for _name in ("aiortc", "aioice", "streamlit_webrtc"):
        _lg = _logging.getLogger(_name)
        _lg.setLevel(os.environ["BODYCOACH_E2E_LOG"])
        _lg.addHandler(_handler)
