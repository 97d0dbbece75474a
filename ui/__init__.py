"""Streamlit building blocks shared by the pages (filters, boxes, badges)."""
