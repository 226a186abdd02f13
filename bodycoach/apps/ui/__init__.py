"""Streamlit pages (thin shells over the coach)."""
