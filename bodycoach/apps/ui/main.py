"""The Streamlit app: page setup, language switch and navigation. ``app.py`` only calls ``main()``.

Pages: the live rehearsal (``bodycoach.apps.ui.live``) and, when that module is installed, the trainer
review (``bodycoach.apps.ui.review.render_review_page``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

from bodycoach.apps.ui.i18n import LANG_NAMES, t
from bodycoach.apps.ui.state import current_lang


def _optional_page(module: str, func: str) -> Callable[[], None] | None:
    """Return ``module.func`` or None when the module is not there (a page not built yet).

    A page that fails to import (e.g. a missing optional library) is left out with a one-line warning in
    the sidebar, so the live coach still starts.
    """
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        st.sidebar.warning(f"{module}: {exc}")
        return None
    except Exception as exc:  # the other pages must keep working
        st.sidebar.warning(f"{module}: {type(exc).__name__}: {exc}")
        return None
    fn = getattr(mod, func, None)
    return fn if callable(fn) else None


def main() -> None:
    """Run one script pass of the app."""
    st.set_page_config(page_title="bodycoach", page_icon="🪞", layout="wide")
    lang = current_lang()
    with st.sidebar:
        choice = st.selectbox(t("language", lang), list(LANG_NAMES), index=list(LANG_NAMES).index(lang),
                              format_func=LANG_NAMES.__getitem__, key="bc_lang_select")
        if choice != lang:
            st.session_state["bc_lang"] = choice
            st.rerun()
    from bodycoach.apps.ui.live import render_live_page

    pages = [st.Page(render_live_page, title=t("nav_live", lang), icon=":material/videocam:", url_path="live",
                     default=True)]
    review = _optional_page("bodycoach.apps.ui.review", "render_review_page")
    if review is not None:
        pages.append(st.Page(review, title=t("nav_review", lang), icon=":material/fact_check:",
                             url_path="review"))
    st.navigation(pages).run()
