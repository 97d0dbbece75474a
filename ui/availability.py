"""Figures fed by an unavailable extract: « Données indisponibles », never a zero.

An extract that is missing, unreadable or incomplete (``db.unavailable_extracts()``,
extract name -> French reason) leaves its catalog view empty: every count computed on it
would be 0, and every pace status "En retard". A page therefore asks, before it shows a
figure, whether the extracts behind it are available, and shows in its place
« Données indisponibles : <raison> ».

Which extracts feed a figure is not listed here: it is the ``reads`` declaration of the
cached read the figure comes from (``ui.cache``). ``missing(cache.indicator_progress)``
gives the unavailable extracts among those that read declares; a page fed partly by
other extracts still shows the figures whose reads are all available.

The journal's entries are not an extract: the activities (or requests) logged in the app
are added to the extract's rows, but when the extract itself is unavailable the national
figures are unavailable too, whatever the journal holds. A figure made of the journal's
rows alone would pass for the mission's, which it is not.

The same module says when a mission total counts activities booked to no pôle (pôle
absent or unknown): the mission rows of the indicator grid count every realised row,
the pôle rows only theirs (``queries/out_of_pole_activities.sql``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl
import streamlit as st

from sppe_data import checks, db, fmt
from ui import cache

UNAVAILABLE_LABEL = "Données indisponibles"
#: The value a metric shows in place of a figure computed on missing data.
UNAVAILABLE_VALUE = "Indisponible"

Source = object  # a cached read of ``ui.cache`` (its ``reads``) or an extract name


def _tables(sources: Iterable[Source]) -> list[str]:
    tables: list[str] = []
    for source in sources:
        names = (source,) if isinstance(source, str) else getattr(source, "reads", None)
        if names is None:
            raise TypeError(f"not a cached read nor an extract name: {source!r}")
        tables += [n for n in names if n not in tables]
    return tables


def missing(*sources: Source) -> dict[str, str]:
    """Extract name -> French reason, for the unavailable extracts among those the
    ``sources`` read (cached reads of ``ui.cache``, or extract names)."""
    unavailable = db.unavailable_extracts()
    return {t: unavailable[t] for t in _tables(sources) if t in unavailable}


def message(reasons: dict[str, str]) -> str:
    """« Données indisponibles : <raison> » (one reason per unavailable extract)."""
    texts = list(dict.fromkeys(reasons.values()))
    if len(texts) == 1:
        return f"{UNAVAILABLE_LABEL} : {texts[0]}"
    return f"{UNAVAILABLE_LABEL} :\n\n" + "\n".join(f"- {t}" for t in texts)


def blocked(*sources: Source) -> bool:
    """True, after showing « Données indisponibles : <raison> » where the figures would
    be, when an extract the ``sources`` read is unavailable; False (nothing shown)
    otherwise. Usage: ``if not availability.blocked(cache.x): <the figures>``."""
    reasons = missing(*sources)
    if reasons:
        st.warning(message(reasons), icon=":material/database_off:")
    return bool(reasons)


def stop_if_unavailable(*sources: Source) -> None:
    """For a page whose every figure comes from the ``sources``: the message, then
    nothing more of the page."""
    if blocked(*sources):
        st.stop()


def metric(container, label: str, value: str, *sources: Source, **kwargs) -> None:
    """``container.metric(label, value)``, or « Indisponible » in place of the value
    when an extract the ``sources`` read is unavailable."""
    reasons = missing(*sources)
    if reasons:
        container.metric(label, UNAVAILABLE_VALUE, help=message(reasons))
    else:
        container.metric(label, value, **kwargs)


# -- activities booked to no pôle --------------------------------------------------------

out_of_pole_activities = cache.cached(checks.out_of_pole_activities, reads=("activities",))


def out_of_pole_note(date_from: date, date_to: date, indicator_code: str | None = None) -> str:
    """« dont N activité(s) hors des cinq pôles » for the mission total over
    [date_from, date_to] (up to today), for one indicator or all six; "" when N = 0."""
    counts = out_of_pole_activities(date_from, date_to)
    if indicator_code is not None:
        counts = counts.filter(pl.col("indicator_code") == indicator_code)
    n = int(counts["activity_count"].sum() or 0)
    return out_of_pole_text(n)


def out_of_pole_text(n: int) -> str:
    if n <= 0:
        return ""
    noun = "activité" if n == 1 else "activités"
    return f"dont {fmt.number(n)} {noun} hors des cinq pôles"


def out_of_pole_counts(date_from: date, date_to: date) -> dict[str, int]:
    """indicator_code -> activities booked to no pôle over [date_from, date_to]."""
    counts = out_of_pole_activities(date_from, date_to)
    return dict(counts.select("indicator_code", "activity_count").iter_rows())
