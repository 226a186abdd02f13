"""Where a live frame's time goes on the server, without a browser: per-stage milliseconds at 640×480.

Runs the stages the app's camera path runs for each frame, on frames of a sample clip letterboxed to
640×480, in the same order and with the same libraries:

  vp8_decode   aiortc's Vp8Decoder on a frame encoded by aiortc's Vp8Encoder (what arrives from Chrome
               is VP8 too; Chrome's encoder runs in the browser and is not counted here)
  to_bgr       av.VideoFrame → BGR ndarray (LiveWorker)
  extract      MediapipeExtractor.extract (pose + face mesh with iris + hands, threads)
  analyse      Coach.step_landmarks (features, classifiers, temporal)
  cue+report   CueScheduler.update + SessionRecorder.add
  render       overlay.annotate (Pillow text)
  from_bgr     BGR ndarray → av.VideoFrame
  vp8_encode   aiortc's Vp8Encoder.encode of the annotated frame (what goes back to the browser)

Usage: python benchmarks/live_stages.py --frames 150
Prints a JSON line with p50/p90 wall milliseconds per stage, the mean CPU milliseconds per stage (process
CPU time, all threads: less sensitive to other jobs on the machine than wall time) and the implied frame
rate of the server side alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def letterbox(frame: np.ndarray, w: int = 640, h: int = 480) -> np.ndarray:
    """Scale ``frame`` into w×h keeping its aspect ratio, black bars around."""
    import cv2

    fh, fw = frame.shape[:2]
    s = min(w / fw, h / fh)
    small = cv2.resize(frame, (round(fw * s), round(fh * s)), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 3), np.uint8)
    y0, x0 = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return out


def main() -> int:
    """Run the stages; print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "liveportrait_d12.mp4")
    args = ap.parse_args()

    import av
    from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder
    from aiortc.jitterbuffer import JitterFrame

    from bodycoach.apps.live_worker import (
        LiveSettings,
        _default_cues,
        _default_recorder,
        _default_render,
        make_live_coach,
    )
    from bodycoach.io.video import open_source

    coach = make_live_coach(mirrored=False)
    settings = LiveSettings()
    cues, rec = _default_cues(settings), _default_recorder(settings)
    enc_in, dec, enc_out = Vp8Encoder(), Vp8Decoder(), Vp8Encoder()
    times: dict[str, list[float]] = {k: [] for k in (
        "vp8_decode", "to_bgr", "extract", "analyse", "cue+report", "render", "from_bgr", "vp8_encode", "total")}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    n = 0
    t_wall = time.perf_counter()

    def mark() -> tuple[float, float]:
        # Wall time, and CPU time of the whole process (all threads: MediaPipe's graphs run on their own).
        return time.perf_counter(), time.process_time()

    while n < args.frames:
        src = open_source(args.clip)
        for frame, _ts in src:
            if n >= args.frames:
                break
            img = letterbox(frame)
            vf = av.VideoFrame.from_ndarray(img, format="bgr24")
            vf.pts, vf.time_base = n * 3000, Fraction(1, 90000)
            payloads, ts90 = enc_in.encode(vf, force_keyframe=n == 0)
            # Reassemble the VP8 bitstream from the payloads (strip the 1- to 6-byte VP8 payload descriptor).
            from aiortc.codecs.vpx import VpxPayloadDescriptor

            chunks = []
            for p in payloads:
                _desc, rest = VpxPayloadDescriptor.parse(p)
                chunks.append(rest)
            data = b"".join(chunks)
            ts = n * 33
            t0 = mark()
            frames = dec.decode(JitterFrame(data=data, timestamp=ts90))
            t1 = mark()
            if not frames:
                continue
            bgr = frames[0].to_ndarray(format="bgr24")
            t2 = mark()
            lm = coach.extractor.extract(bgr, ts)
            t3 = mark()
            result = coach.step_landmarks(lm)
            t4 = mark()
            cue = cues.update(result, settings.phase)
            rec.add(result, settings.phase)
            t5 = mark()
            out = _default_render(bgr, result, lang="no", show_landmarks=False, cue=cue)
            t6 = mark()
            of = av.VideoFrame.from_ndarray(out, format="bgr24")
            of.pts, of.time_base = vf.pts, vf.time_base
            t7 = mark()
            enc_out.encode(of)
            t8 = mark()
            if n >= 10:  # skip model warm-up
                for k, a, b in (("vp8_decode", t0, t1), ("to_bgr", t1, t2), ("extract", t2, t3),
                                ("analyse", t3, t4), ("cue+report", t4, t5), ("render", t5, t6),
                                ("from_bgr", t6, t7), ("vp8_encode", t7, t8), ("total", t0, t8)):
                    times[k].append((b[0] - a[0]) * 1000.0)
                    cpu[k].append((b[1] - a[1]) * 1000.0)
            n += 1
        src.close()
    wall = time.perf_counter() - t_wall
    coach.close()
    res: dict[str, object] = {"frames": n, "size": "640x480", "cpus": os.cpu_count(),
                              "loadavg_1min": round(os.getloadavg()[0], 1)}
    for k, v in times.items():
        s = sorted(v)
        res[f"{k}_ms_p50"] = round(statistics.median(s), 2)
        res[f"{k}_ms_p90"] = round(s[int(0.9 * (len(s) - 1))], 2)
        res[f"{k}_cpu_ms_mean"] = round(statistics.fmean(cpu[k]), 2)
    res["server_fps_from_p50_total"] = round(1000.0 / float(res["total_ms_p50"]), 1)  # type: ignore[arg-type]
    res["wall_s"] = round(wall, 1)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
