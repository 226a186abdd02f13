"""Draw a session's summary card (for the kiosk and the end of a live session) from a Report.

Not per-frame code: it draws with Pillow directly onto a fresh image and returns BGR pixels, so it can be
shown with cv2, written with cv2.imwrite or handed to Streamlit (``channels="BGR"``).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from bodycoach.feedback.messages import check_lang
from bodycoach.feedback.report import Report, ScoreItem
from bodycoach.feedback.scenarios import get_customer_type
from bodycoach.render.fonts import displayable, get_font

Frame = npt.NDArray[np.uint8]

_RGB: Final[dict[str, tuple[int, int, int]]] = {
    "good": (60, 175, 80),
    "needs_work": (255, 140, 0),
    "no_data": (140, 140, 140),
}
_BG: Final = (24, 28, 34)
_FG: Final = (240, 240, 240)
_DIM: Final = (170, 175, 185)
_BAR_BG: Final = (60, 66, 76)


def _status_word(status: str, lang: str, reason: str | None = None) -> str:
    no = {"good": "Bra", "needs_work": "Øv mer på dette", "no_data": "Ikke målt"}
    en = {"good": "Good", "needs_work": "Practise this", "no_data": "Not measured"}
    if status == "no_data" and reason not in (None, "not_measured"):
        # The detail (ScoreItem.note via summary_lines) says why: "ikke øvd", "ikke vurdert: armene ...".
        return "Ikke vurdert" if lang == "no" else "Not judged"
    return (no if lang == "no" else en)[status]


def _item_detail(report: Report, item: ScoreItem, lang: str) -> str:
    """The summary line of ``item`` without its mark and title."""
    for line in report.summary_lines(lang):
        prefix = f" {item.title(lang)}: "
        if prefix in line:
            return line.split(prefix, 1)[1]
    return ""


def _bar_value(item: ScoreItem) -> tuple[float | None, float]:
    """(bar fill, target tick) in 0..1: the share asked for, or for body rules the share without faults."""
    if item.key in ("arms", "head", "posture"):
        if item.bad_share is None:
            return None, 0.0
        return 1.0 - item.bad_share, 1.0 - item.target
    return item.share, item.target


def _fit(d: ImageDraw.ImageDraw, t: str, font: object, max_w: float) -> str:
    """Cut ``t`` with an ellipsis so that it fits ``max_w`` pixels."""
    t = displayable(t)
    if d.textlength(t, font=font) <= max_w:  # type: ignore[arg-type]
        return t
    while t and d.textlength(t + "…", font=font) > max_w:  # type: ignore[arg-type]
        t = t[:-1]
    return t.rstrip() + "…" if t else ""


def render_summary_card(
    report: Report, *, lang: str = "no", size: tuple[int, int] = (1280, 720), title: str | None = None
) -> Frame:
    """Return a BGR image (H, W, 3) summarising ``report``: scorecard with bars, smiles and phases.

    Args:
        report: The session report.
        lang: ``"no"`` (default) or ``"en"``.
        size: (width, height) in pixels; text scales with the height. Tiny sizes give a plain card.
        title: Heading; default "Oppsummering" / "Summary".

    Raises:
        ValueError: Unknown language or a size below 1×1.
    """
    lg = check_lang(lang)
    w, h = int(size[0]), int(size[1])
    if w < 1 or h < 1:
        raise ValueError(f"size must be at least (1, 1) pixels, but got {size!r}")
    img = Image.new("RGB", (w, h), _BG)
    d = ImageDraw.Draw(img)
    # Portrait screens stack each bar under its text; text scales with the height but never overflows.
    stacked = h > w
    unit = max(6, int(min(h / 36, w / (30 if stacked else 56))))
    pad = unit * 2
    f_title = get_font(int(unit * 2.2), bold=True)
    f_head = get_font(int(unit * 1.25), bold=True)
    f_text = get_font(int(unit * 1.05))
    f_small = get_font(max(6, int(unit * 0.9)))

    def text(xy: tuple[float, float], t: str, font: object, fill: tuple[int, int, int] = _FG) -> None:
        d.text(xy, displayable(t), font=font, fill=fill)  # type: ignore[arg-type]

    heading = title if title is not None else ("Oppsummering" if lg == "no" else "Summary")
    text((pad, pad), _fit(d, heading, f_title, w - 2 * pad), f_title)
    sub = report.summary_lines(lg)[0]
    if report.scenario:
        try:
            sub += (
                "   ·   "
                + ("Kunde: " if lg == "no" else "Customer: ")
                + get_customer_type(report.scenario).name.get(lg)
            )
        except ValueError:
            sub += f"   ·   {report.scenario}"
    y: float = pad + unit * 3
    text((pad, y), _fit(d, sub, f_text, w - 2 * pad), f_text, _DIM)
    y += unit * 2.4

    bar_x = int(pad + unit * 1.4) if stacked else int(w * 0.58)
    bar_w = max(10, w - bar_x - pad)
    footer = [ln for ln in report.summary_lines(lg)[1:] if ln[:1] not in ("✓", "→", "–")]
    room = h - y - pad - len(footer) * unit * 1.5
    lo, hi = (unit * 4.4, unit * 5.2) if stacked else (unit * 2.6, unit * 3.4)
    row_h = max(lo, min(hi, room / max(1, len(report.scorecard))))
    text_w = (w - bar_x - pad) if stacked else (bar_x - pad * 2 - unit * 1.4)
    for item in report.scorecard:
        if y + row_h > h - len(footer) * unit * 1.5:
            break
        col = _RGB[item.status]
        r = unit * 0.45
        d.ellipse((pad, y + unit * 0.35, pad + 2 * r, y + unit * 0.35 + 2 * r), fill=col)
        text((pad + unit * 1.4, y), _fit(d, item.title(lg), f_head, text_w), f_head)
        detail = _fit(d, f"{_status_word(item.status, lg, item.reason)} — {_item_detail(report, item, lg)}", f_small, text_w)
        text((pad + unit * 1.4, y + unit * 1.55), detail, f_small, _DIM)
        value, tick = _bar_value(item)
        if value is not None:
            by = y + unit * (3.0 if stacked else 0.4)
            d.rectangle((bar_x, by, bar_x + bar_w, by + unit), fill=_BAR_BG)
            d.rectangle((bar_x, by, bar_x + int(bar_w * max(0.0, min(1.0, value))), by + unit), fill=col)
            tx = bar_x + int(bar_w * tick)
            d.line((tx, by - unit * 0.3, tx, by + unit * 1.3), fill=_FG, width=max(1, unit // 6))
        y += row_h

    footer = [ln for ln in report.summary_lines(lg)[1:] if ln[:1] not in ("✓", "→", "–")]
    fy = h - pad - len(footer) * unit * 1.5
    fy = max(fy, y)
    for line in footer:
        if fy + unit * 1.2 > h:
            break
        text((pad, fy), _fit(d, line, f_small, w - 2 * pad), f_small, _DIM)
        fy += unit * 1.5
    rgb = np.asarray(img, dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])
