"""Boundaries of the départements and pôle zones (built offline, committed compact)
and the pydeck layers of the maps."""
