"""Who may open the review page: the machine's owner on loopback, anyone else only with the room's passcode.

The review page lists every trainee's sessions and can delete them and import recordings. Served on
127.0.0.1 (``bodycoach live``'s default) only someone at this machine reaches it. Served on any other
address (``--address 0.0.0.0``, or ``streamlit run app.py`` with no address, which listens on every
interface) it asks for a passcode that the room's administrator sets in ``BODYCOACH_REVIEW_PASSCODE``
(the environment of the service, like Streamlit's own advice to keep secrets out of the code). The
comparison is constant-time (``hmac.compare_digest``, as in Streamlit's password tutorial).

Pure: no Streamlit import (the page calls these).
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from bodycoach.errors import ConfigError

ENV_PASSCODE = "BODYCOACH_REVIEW_PASSCODE"
#: Shortest passcode accepted (characters): a guessable one protects nothing on a shared network.
MIN_PASSCODE_CHARS = 8


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to ``address`` is reachable from this machine only.

    None or "" is what Streamlit binds to every interface with, so it is not loopback.
    """
    if address is None:
        return False
    a = address.strip().strip("[]").lower()
    if a == "localhost":
        return True
    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False


def configured_passcode(environ: dict[str, str] | None = None) -> str | None:
    """The administrator's passcode from ``BODYCOACH_REVIEW_PASSCODE`` (None when unset or blank).

    Raises:
        ConfigError: set but shorter than ``MIN_PASSCODE_CHARS``.
    """
    env = os.environ if environ is None else environ
    value = env.get(ENV_PASSCODE, "")
    if not value.strip():
        return None
    if len(value) < MIN_PASSCODE_CHARS:
        raise ConfigError(f"{ENV_PASSCODE}: {len(value)} characters; expected at least {MIN_PASSCODE_CHARS}")
    return value


def passcode_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of the typed passcode with the configured one."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def check_serving(address: str | None, environ: dict[str, str] | None = None) -> str | None:
    """Refuse to serve the review page beyond this machine without a passcode.

    Returns:
        The passcode to ask for, or None when the address is loopback (no passcode needed).

    Raises:
        ConfigError: the address is not loopback and no (long enough) passcode is configured.
    """
    if is_loopback(address):
        return None
    code = configured_passcode(environ)
    if code is None:
        where = address if address else "every interface"
        raise ConfigError(
            f"--address {where}: the review page (every trainee's sessions, delete, upload) would be open to "
            f"the network; set {ENV_PASSCODE} to a passcode of {MIN_PASSCODE_CHARS}+ characters, or serve on "
            f"localhost"
        )
    return code
