"""Data layer of Pilotage SPPE: settings, DuckDB catalog, query runner, reference
data, demo generator and command line (``python -m sppe_data``)."""
