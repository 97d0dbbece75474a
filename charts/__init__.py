"""Plotly figure builders: DataFrame in, figure out. No I/O, no Streamlit."""
