"""Voice layer: pure analysis of speech samples (activity, level, pitch, syllable nuclei, pace, events).

No cv2, mediapipe or streamlit here; ``bodycoach.io.audio`` decodes recordings into the 16 kHz mono float
arrays this layer takes.
"""

from bodycoach.voice.analysis import EVENT_KINDS, VoiceAnalysis, VoiceEvent, analyze_samples
from bodycoach.voice.settings import VoiceSettings

__all__ = ["EVENT_KINDS", "VoiceAnalysis", "VoiceEvent", "VoiceSettings", "analyze_samples"]
