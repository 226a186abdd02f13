"""Trainer review: timeline data, scorecard, charts and the self-contained HTML report (pure helpers)."""
