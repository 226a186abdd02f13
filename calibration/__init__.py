"""Calibration tables shipped as package data (bodycoach.calibration)."""
