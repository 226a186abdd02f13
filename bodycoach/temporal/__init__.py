"""Per-frame labels → stable states (hysteresis in ms) → events; the gaze-style window."""
