"""A bare streamlit-webrtc echo, the baseline of ``benchmarks/live_latency.py`` (not part of the product).

``BENCH_ECHO`` picks the variant: ``relay`` (no callback: aiortc decodes and re-encodes the track),
``callback`` (identity ``video_frame_callback`` on streamlit-webrtc's async worker thread: the default
path the live coach also takes) or ``sync`` (identity callback, ``async_processing=False``).
"""

import os

import av
import streamlit as st
from streamlit_webrtc import WebRtcMode, webrtc_streamer

VARIANT = os.environ.get("BENCH_ECHO", "callback")


def identity(frame: av.VideoFrame) -> av.VideoFrame:
    """Decode to BGR and back, like any real callback."""
    return av.VideoFrame.from_ndarray(frame.to_ndarray(format="bgr24"), format="bgr24")


kw: dict = {}
if VARIANT in ("callback", "sync"):
    kw["video_frame_callback"] = identity
if VARIANT == "sync":
    kw["async_processing"] = False
st.write(f"echo variant: {VARIANT}")
webrtc_streamer(
    key=f"echo-{VARIANT}", mode=WebRtcMode.SENDRECV, rtc_configuration={"iceServers": []},
    media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480},
                                        "frameRate": {"ideal": 30}}, "audio": False},
    video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
    **kw,
)
