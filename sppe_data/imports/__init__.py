"""Imports of files into the app: bounded reading, validation, versions of the national
extracts."""
