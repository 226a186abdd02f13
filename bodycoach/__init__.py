"""bodycoach: an on-device body-language coach for front-desk and reception trainees."""

from __future__ import annotations

import os as _os

# OpenCV's FFmpeg backend and its own logger print multi-line warnings for every bad file; our errors are
# one line. Set before cv2 is first imported; an explicit value from the user wins.
_os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
_os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

__version__ = "0.1.0"
