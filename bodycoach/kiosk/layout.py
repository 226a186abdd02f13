"""Screen layout computed from the window size, every frame (so a resolution change simply re-lays out).

Sizes are in pixels of the window; fonts scale with the shorter side so text stays readable from about
1.5 m on anything from 800×480 to 4K.
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[int, int, int, int]  # x, y, width, height in pixels

# Smallest canvas the kiosk draws: below this a window is minimised or being resized; draw at this size.
MIN_WH = (320, 240)


@dataclass(frozen=True)
class Layout:
    """Where things go on a ``width`` × ``height`` canvas.

    Attributes:
        width: Canvas width in pixels.
        height: Canvas height in pixels.
        margin: Outer margin in pixels.
        title_px: Title font size in pixels.
        body_px: Body text font size in pixels.
        small_px: Small text font size in pixels.
        badge_px: State badges over the video, in pixels of the screen (not of the camera image).
        cue_px: The cue over the video, in pixels of the screen: at 1080 lines 41 px, whose capitals
            (0.73 em in DejaVu Sans) are 30 px high, readable from about 3 m.
        banner: The top banner (phase, customer, time left) on the session screen.
        video: The box the camera image is fitted into on the session screen.
        footer: The bottom strip for prompts and status messages.
    """

    width: int
    height: int
    margin: int
    title_px: int
    body_px: int
    small_px: int
    badge_px: int
    cue_px: int
    banner: Rect
    video: Rect
    footer: Rect


def layout_for(window_wh: tuple[int, int]) -> Layout:
    """Return the layout for a window of ``window_wh`` pixels (clamped to at least ``MIN_WH``)."""
    w = max(MIN_WH[0], int(window_wh[0]))
    h = max(MIN_WH[1], int(window_wh[1]))
    s = min(w, h)
    margin = max(8, s // 40)
    title_px = max(18, s // 14)
    body_px = max(14, s // 26)
    small_px = max(12, s // 40)
    banner_h = int(body_px * 2.6)
    footer_h = int(body_px * 3.4)
    video_y = banner_h
    video_h = max(1, h - banner_h - footer_h)
    return Layout(
        width=w, height=h, margin=margin, title_px=title_px, body_px=body_px, small_px=small_px,
        badge_px=max(small_px, int(body_px * 0.75)), cue_px=body_px,
        banner=(0, 0, w, banner_h),
        video=(0, video_y, w, video_h),
        footer=(0, h - footer_h, w, footer_h),
    )


def fit_rect(src_wh: tuple[int, int], box: Rect) -> Rect:
    """Return the largest rectangle with the aspect ratio of ``src_wh`` centred inside ``box``."""
    sw, sh = max(1, src_wh[0]), max(1, src_wh[1])
    bx, by, bw, bh = box
    scale = min(bw / sw, bh / sh)
    w = max(1, int(round(sw * scale)))
    h = max(1, int(round(sh * scale)))
    return bx + (bw - w) // 2, by + (bh - h) // 2, w, h
