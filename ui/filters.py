"""Sidebar filters, shared by every page and written into the URL (a link opens the
same view): ``?annee=2026&pole=atlantique``.

The URL carries codes, not labels; an unknown value in a link is ignored (the default
is used), never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from sppe_data import api

YEAR_KEY = "annee"
POLE_KEY = "pole"
URL_KEYS = (YEAR_KEY, POLE_KEY)  # the query parameters a link may carry
_URL_READ = "_filters_read_from_url"


@dataclass(frozen=True)
class Filters:
    year: int
    pole_code: str  # 'all' or a pôle code
    pole_label: str

    @property
    def scope(self) -> str:
        return f"{self.pole_label}, année {self.year}"


@dataclass(frozen=True)
class _Choices:
    """The values the filters offer, read once per call (each read asks the store
    whether the reference changed)."""

    years: list[str]
    poles: dict[str, str]

    @staticmethod
    def read() -> _Choices:
        return _Choices([str(y) for y in api.target_years()], api.pole_options())

    def valid(self, key: str, value: str | None) -> bool:
        return value in (self.years if key == YEAR_KEY else self.poles)


def sidebar(home_pole: str | None = None) -> Filters:
    """Draws the filters in the sidebar (the router calls it on every run, so their
    state survives page switches) and mirrors them into the URL. ``home_pole``: the
    pôle of a pôle user, where the view starts (a link's pôle comes first)."""
    choices = _Choices.read()
    start_pole = home_pole if choices.valid(POLE_KEY, home_pole) else api.ALL_POLES
    defaults = {YEAR_KEY: str(api.default_year()), POLE_KEY: start_pole}
    if not st.session_state.get(_URL_READ):
        # First run of the session: a shared link decides the view.
        st.session_state[_URL_READ] = True
        for key in defaults:
            from_url = st.query_params.get(key)
            if choices.valid(key, from_url):
                st.session_state[key] = from_url
    for key, default in defaults.items():
        # Written back on every run, valid or not: a page switch would otherwise show the
        # widget's first option while the pages keep using the stored value.
        value = st.session_state.get(key)
        st.session_state[key] = value if choices.valid(key, value) else default
    poles = choices.poles
    with st.sidebar:
        st.selectbox("Année", choices.years, key=YEAR_KEY)
        st.selectbox("Pôle", list(poles), format_func=poles.__getitem__, key=POLE_KEY)
    st.query_params.update(
        {YEAR_KEY: st.session_state[YEAR_KEY], POLE_KEY: st.session_state[POLE_KEY]}
    )
    return _current(choices)


def current() -> Filters:
    return _current(_Choices.read())


def _current(choices: _Choices) -> Filters:
    year = st.session_state.get(YEAR_KEY)
    pole = st.session_state.get(POLE_KEY)
    if not choices.valid(YEAR_KEY, year):
        year = str(api.default_year())
    if not choices.valid(POLE_KEY, pole):
        pole = api.ALL_POLES
    return Filters(year=int(year), pole_code=pole, pole_label=choices.poles[pole])
