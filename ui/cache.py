"""Cached reads for the pages: ``st.cache_data`` over the data layer's plain read
functions (``sppe_data.api``, ``sppe_data.steering``, ``sppe_data.territory``).

Each wrapper keeps the name and the signature of the function it wraps and declares the
tables that function reads. A result is keyed by:

- the function's arguments, bound to its signature (defaults applied, so ``f(2026)`` and
  ``f(year=2026)`` share an entry);
- "today" (``sppe_data.clock.today()``): a pinned date or a new data date is seen at once;
- the versions of the tables in ``reads``, from ``sppe_data.db.table_versions()`` (table
  -> extract files and, for the tables the journal feeds, the store's revision): a write
  to the store invalidates only the reads of the tables it changed. Should the data layer
  give no version for one of them, the key takes every table's version (the whole data
  version), so a write invalidates too many reads rather than too few.

``reads`` names the catalog tables fed by the extracts or the store (``activities``,
``requests``, ``projects``, ``partners``, ``staff``, ``coverage``). The ``ref_*`` tables
(the reference files and the edits the Cnaf makes in the app) are part of every
table's version; a wrapper that reads them only (``reads=()``) is keyed by the version
of the edits (``sppe_data.reference.version()``).

Bounds: each wrapper keeps at most ``max_entries`` results per process (least recently
used dropped first). Nothing here holds state of its own: the entries live in
Streamlit's cache, ``st.cache_data.clear()`` empties them all and ``f.clear()`` those of
one wrapper. The plain function stays reachable as ``f.__wrapped__``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from sppe_data import api, clock, db, reference, saisines, steering, territory

P = ParamSpec("P")
R = TypeVar("R")

#: The catalog tables a wrapper may declare (extract views, some fed by the store too).
DATA_TABLES = frozenset({"activities", "requests", "projects", "partners", "staff", "coverage"})


def table_versions(reads: tuple[str, ...]) -> tuple[tuple[str, object], ...]:
    """The part of a cache key that says which data a result was computed from: the
    version of each table of ``reads``, or every table's version (the whole data
    version) when the data layer gives none for one of them."""
    if not reads:
        return (("reference", reference.version()),)
    versions = db.table_versions()
    if all(table in versions for table in reads):
        return tuple((table, versions[table]) for table in reads)
    return tuple(sorted(versions.items()))


def cached(fn: Callable[P, R], *, reads: tuple[str, ...], max_entries: int = 128) -> Callable[P, R]:
    """``fn`` cached by its arguments, today and the versions of the tables it reads."""
    unknown = set(reads) - DATA_TABLES
    if unknown:
        raise ValueError(f"unknown tables in reads: {sorted(unknown)}")
    signature = inspect.signature(fn)
    if any(
        p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY)
        for p in signature.parameters.values()
    ):
        raise TypeError(f"{fn.__qualname__}: only named parameters can be cached")
    reads = tuple(sorted(set(reads)))

    def run(arguments: tuple[tuple[str, Any], ...], today: date, versions: tuple) -> R:
        # today and versions only key the entry: fn reads the same clock and tables.
        # The versions are read before the data, so an entry is never older than its key.
        return fn(**dict(arguments))

    # Streamlit keys a cache by module, qualified name and source: the source of ``run``
    # is the same for every wrapper, so the name must tell them apart.
    run.__module__ = __name__
    run.__qualname__ = f"cached[{fn.__module__}.{fn.__qualname__}]"
    run_cached = st.cache_data(show_spinner=False, max_entries=max_entries)(run)

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = tuple(bound.arguments.items())
        return run_cached(arguments, clock.today(), table_versions(reads))

    wrapper.reads = reads  # type: ignore[attr-defined]
    wrapper.clear = run_cached.clear  # type: ignore[attr-defined]
    return wrapper


# -- sppe_data.api ---------------------------------------------------------------------

indicator_progress = cached(api.indicator_progress, reads=("activities",))
indicator_monthly = cached(api.indicator_monthly, reads=("activities",), max_entries=256)
indicator_period = cached(api.indicator_period, reads=("activities",))
extract_status = cached(
    api.extract_status,
    reads=("activities", "requests", "projects", "partners", "staff"),
    max_entries=4,
)
pole_reference = cached(api.pole_reference, reads=(), max_entries=4)
target_reference = cached(api.target_reference, reads=(), max_entries=4)

# -- sppe_data.steering ----------------------------------------------------------------

activity_breakdown = cached(steering.activity_breakdown, reads=("activities",))
activity_list = cached(steering.activity_list, reads=("activities",), max_entries=64)
activity_monthly_by_pole = cached(steering.activity_monthly_by_pole, reads=("activities",))
copil_semester = cached(steering.copil_semester, reads=("activities",), max_entries=32)
ops_month_activity = cached(steering.ops_month_activity, reads=("activities",))
ops_late_items = cached(steering.ops_late_items, reads=("activities",))
requests_open = cached(steering.requests_open, reads=("requests",))
requests_open_ages = cached(steering.requests_open_ages, reads=("requests",))
control_outcomes = cached(steering.control_outcomes, reads=("activities",))
partner_controls = cached(
    steering.partner_controls, reads=("activities", "partners"), max_entries=32
)
staff_by_pole = cached(steering.staff_by_pole, reads=("activities", "staff"), max_entries=32)
staff_positions = cached(steering.staff_positions, reads=("staff",), max_entries=32)
staffing_by_pole_job = cached(steering.staffing_by_pole_job, reads=("staff",), max_entries=32)
staffing_activity_per_fte = cached(
    steering.staffing_activity_per_fte, reads=("activities", "staff"), max_entries=32
)
request_delays = cached(steering.request_delays, reads=("requests",))
travel_fees = cached(steering.travel_fees, reads=("activities",))

# -- sppe_data.saisines ----------------------------------------------------------------

request_steps = cached(saisines.request_steps, reads=("requests",), max_entries=64)
request_activities = cached(saisines.request_activities, reads=("activities",), max_entries=64)

# -- sppe_data.territory ---------------------------------------------------------------

departement_map = cached(territory.departement_map, reads=("activities", "coverage"))
coverage_years = cached(territory.coverage_years, reads=("coverage",), max_entries=4)
project_pipeline = cached(territory.project_pipeline, reads=("projects",), max_entries=32)


def _project_map(pole_code: str = "all", density: bool = False, dep_codes: tuple = ()):
    """The projects map of a pôle and the table behind it (``charts.maps.project_map``),
    built once per pôle, view and detailed départements, then kept until the projects
    change: a toggle of the density view does not redraw it."""
    from charts import maps
    from charts.territory_tables import project_departement_table, project_table

    projects = project_pipeline(pole_code)
    if dep_codes:
        projects = projects.filter(projects["dep_code"].is_in(list(dep_codes)))
    view = maps.project_map(projects, density=density, focus=tuple(dep_codes)).frozen()
    if projects.height > maps.POINTS_THRESHOLD:
        table = project_departement_table(maps.projects_by_departement(projects))
    else:
        table = project_table(projects)
    return view, table


project_map = cached(_project_map, reads=("projects",), max_entries=32)


def _project_page(pole_code: str = "all", subtitle: str = "", late_shown: int = 200) -> dict:
    """The figures and small tables of the Projets page (``charts.projects.page_parts``),
    so that a rerun does not read back every project of the scope."""
    from charts.projects import page_parts

    return page_parts(project_pipeline(pole_code), subtitle, late_shown)


project_page = cached(_project_page, reads=("projects",), max_entries=32)


# --- maps ---


def _pole_map(departements, indicator: str = "pole", pole_code: str = "all"):
    """The Carte des pôles (``charts.maps.pole_map``) built once per rows of
    ``departement_map`` (hashed: 101 rows), colouring and pôle, and kept serialised: a
    rerun or a return to the page reads back its JSON instead of drawing the
    départements again. ``reads=()``: keyed by the reference's version too (the pôles'
    composition and labels drawn)."""
    from charts import maps

    return maps.pole_map(departements, indicator, pole_code).frozen()


pole_map = cached(_pole_map, reads=(), max_entries=32)
