"""Boundaries of the départements and pôle zones (built offline, committed compact)
(the maps themselves are drawn by ``charts.maps``)."""
