"""Fonts that draw æ, ø and å, found once and cached.

Order: the DejaVu Sans files bundled in ``bodycoach/assets/fonts`` (licence beside them), then the system's
DejaVu (Debian ``fonts-dejavu-core``), then Pillow's built-in font. Pillow's built-in scalable font
(Aileron, Pillow >= 10.1) has no glyphs for æ, ø, å (measured: they render as the same empty box), so when
it is the only font left :func:`fit_text` transliterates them (æ→ae, ø→o, å→aa) instead of drawing boxes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from PIL import ImageFont

_ASSETS: Final = Path(__file__).resolve().parent.parent / "assets" / "fonts"
_SYSTEM: Final = Path("/usr/share/fonts/truetype/dejavu")
_FILES: Final = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_TRANSLIT: Final = str.maketrans(
    {
        "æ": "ae",
        "ø": "o",
        "å": "aa",
        "Æ": "Ae",
        "Ø": "O",
        "Å": "Aa",
        "—": "-",
        "–": "-",
        "≥": ">=",
        "≤": "<=",
        "✓": "+",
        "→": ">",
        "×": "x",
    }
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def font_path(bold: bool = False) -> Path | None:
    """Return the path of the DejaVu Sans file to use, or None when none is installed."""
    for folder in (_ASSETS, _SYSTEM):
        p = folder / _FILES[bold]
        if p.is_file():
            return p
    if bold:
        return font_path(False)
    return None


# Few sizes are in use at once (badge, cue, card); each face holds its font file (~0.75 MB) in memory.
@lru_cache(maxsize=16)
def get_font(size_px: int, bold: bool = False) -> Font:
    """Return a cached font of ``size_px`` pixels (em height); DejaVu when available."""
    size = max(1, int(size_px))
    p = font_path(bold)
    if p is not None:
        try:
            return ImageFont.truetype(str(p), size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=4)
def has_nordic_glyphs(size_px: int = 20, bold: bool = False) -> bool:
    """Whether the font in use draws æ, ø and å as distinct glyphs (not one fallback box)."""
    f = get_font(size_px, bold)
    masks = [bytes(f.getmask(ch)) for ch in ("æ", "ø", "å", "\uffff")]
    return len(set(masks)) == 4


def displayable(text: str, size_px: int = 20, bold: bool = False) -> str:
    """Return ``text`` as the font can draw it (transliterated only when the font lacks æ, ø, å)."""
    return text if has_nordic_glyphs(20, bold) else text.translate(_TRANSLIT)
