"""Per-browser-session settings shared by every page (language)."""

from __future__ import annotations

import os

import streamlit as st

from bodycoach.apps.ui.i18n import LANG_NAMES

#: ``bodycoach live --lang en`` passes the start language to the app through this variable.
ENV_LANG = "BODYCOACH_LANG"


def default_lang() -> str:
    """Return the start language: ``$BODYCOACH_LANG`` when it is ``no`` or ``en``, else Norwegian."""
    lang = os.environ.get(ENV_LANG, "no")
    return lang if lang in LANG_NAMES else "no"


def current_lang() -> str:
    """Return the language chosen in the sidebar (``"no"`` or ``"en"``)."""
    lang = st.session_state.get("bc_lang")
    if lang not in LANG_NAMES:
        lang = default_lang()
        st.session_state["bc_lang"] = lang
    return str(lang)
