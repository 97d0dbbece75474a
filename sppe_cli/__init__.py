"""The ``sppe`` command line of Pilotage SPPE: an entry point like app.py, above the data
layer (it may assemble data, charts and exports). ``python -m sppe_data`` runs it too."""
