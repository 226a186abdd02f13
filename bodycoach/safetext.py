"""User-supplied text: limits on the way in, neutralised on the way out (pure, no dependencies).

Trainee names, scenario keys and correction notes come from people (a terminal, a web form, an
upload) and end up in four places that interpret text: a terminal (control characters and ANSI escapes),
Streamlit Markdown (images fetched from anywhere, links, ``:red[...]`` directives), spreadsheets opening
a CSV export (formulas) and the store itself. This module is the one place that knows the rules:

* ``check_free_text`` refuses what must never be stored (control characters, NUL, the bidirectional
  overrides that make a name read differently from what it is) and enforces a length limit, naming the
  limit without echoing a 10 k-character value back.
* ``terminal_safe`` / ``json_terminal_safe`` make any text printable on one terminal line.
* ``markdown_escape`` makes any text render literally in CommonMark/GFM (what Streamlit uses).
* ``csv_cell`` neutralises spreadsheet formulas as OWASP's "CSV Injection" page advises.
"""

from __future__ import annotations

import unicodedata
from typing import Any

#: Longest trainee name or pseudonym (characters).
TRAINEE_MAX_CHARS = 100
#: Longest correction note (characters).
NOTE_MAX_CHARS = 2000
#: How much of a refused value an error message shows.
_PREVIEW_CHARS = 40

# Unicode bidirectional embedding/override/isolate controls: "Trojan Source" (CVE-2021-42574) style
# reordering makes a name display differently from what it is. All are category Cf, refused below.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def preview(value: str, limit: int = _PREVIEW_CHARS) -> str:
    """``repr`` of at most ``limit`` characters of ``value`` (control characters shown escaped)."""
    if len(value) <= limit:
        return repr(value)
    return repr(value[:limit]) + f"... ({len(value)} characters)"


def _bad_char(ch: str) -> bool:
    """Whether ``ch`` may never be stored: C0/C1 controls, DEL, bidi controls, other format characters."""
    if ch in _BIDI:
        return True
    cat = unicodedata.category(ch)
    # Cc: controls (NUL, newline, ESC, DEL, C1). Cs: lone surrogates (from undecodable bytes).
    # Co/Cn: private use and unassigned. Cf other than the bidi set (zero-width joiner in emoji and
    # some scripts is legitimate) stays allowed.
    return cat in ("Cc", "Cs", "Co", "Cn")


def check_free_text(field: str, value: str, max_chars: int, *, allow_empty: bool = False) -> str:
    """Return ``value`` stripped and NFC-normalised, or raise ``ValueError`` naming the rule broken.

    Args:
        field: Name of the field in the message (``trainee``, ``note``).
        value: The text as received.
        max_chars: Length limit after stripping.
        allow_empty: Whether an empty (or blank) value is acceptable (returned as "").

    Raises:
        ValueError: empty (unless allowed), longer than ``max_chars``, or holding a control character,
            NUL, a lone surrogate or a bidirectional override. The message shows at most 40 characters.
    """
    if not isinstance(value, str):
        raise ValueError(f"{field}: got {type(value).__name__}; expected text")
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        if allow_empty:
            return ""
        raise ValueError(f"{field}: is empty; expected 1-{max_chars} characters")
    if len(text) > max_chars:
        raise ValueError(f"{field}: {len(text)} characters is longer than the limit of {max_chars}; "
                         f"expected at most {max_chars} characters")
    for i, ch in enumerate(text):
        if _bad_char(ch):
            kind = ("a bidirectional override" if ch in _BIDI else
                    "an undecodable byte" if unicodedata.category(ch) == "Cs" else "a control character")
            raise ValueError(f"{field}: {preview(text)} holds {kind} (U+{ord(ch):04X}) at position {i + 1}; "
                             f"expected plain text on one line")
    return text


def _escape_char(ch: str) -> str:
    o = ord(ch)
    if o <= 0xFF:
        return f"\\x{o:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def terminal_safe(text: Any) -> str:
    """``str(text)`` with every non-printable character (newline, ESC, bidi, ...) shown as an escape.

    Printing the result can neither start a new line, move the cursor, recolour the terminal nor
    reorder what follows. Spaces and printable non-ASCII (æ, ø, å) stay as they are.
    """
    s = str(text)
    if s.isprintable():
        return s
    return "".join(ch if ch.isprintable() else _escape_char(ch) for ch in s)


def json_terminal_safe(text: str) -> str:
    """JSON text with every non-printable character written as a ``\\uXXXX`` escape (still valid JSON).

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but leaves C1 controls and the
    bidirectional overrides raw; this escapes those too (surrogate pairs above U+FFFF).
    """
    if text.isprintable() or all(ch.isprintable() or ch in "\n " for ch in text):
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch in "\n ":
            out.append(ch)
            continue
        o = ord(ch)
        if o > 0xFFFF:
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
        else:
            out.append(f"\\u{o:04x}")
    return "".join(out)


# CommonMark: "Any ASCII punctuation character may be backslash-escaped", and an escaped character is
# always literal. Escaping all of them covers images, links, emphasis, HTML, headings, tables, GFM
# autolinks (``www.``, ``http://``), Streamlit's ``:color[...]``/``:material/...:`` directives,
# emoji shortcodes and ``$...$`` math.
_MD_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def markdown_escape(text: Any) -> str:
    """``str(text)`` escaped so that Markdown (CommonMark + GFM + Streamlit's extensions) shows it literally.

    Control characters (a newline would start a new block) are shown as escapes first.
    """
    s = terminal_safe(text)
    return "".join("\\" + ch if ch in _MD_PUNCT else ch for ch in s)


# OWASP "CSV Injection": cells starting with these are formulas (or become one) in Excel, LibreOffice
# and Google Sheets; OWASP ASVS 1.2.10 adds NUL.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def csv_cell(value: Any) -> Any:
    """Neutralise a CSV cell the way OWASP advises: text starting with = + - @ tab, CR or NUL gets a leading '.

    Numbers (int, float) are returned unchanged, so negative numbers stay numbers. The csv module
    already quotes the cell and doubles embedded quotes (OWASP's second step).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
