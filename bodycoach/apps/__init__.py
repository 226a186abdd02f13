"""Thin shells over the coach: the command line, the Streamlit pages and the kiosk."""
