"""Query timings per page: ``python -m sppe_data bench``.

Runs, uncached, the named queries each page issues on its first display, on a data set
generated at ``--scale`` (100 by default) unless ``--data`` points at one, and prints
the median and the 90th percentile per page over ``--repeat`` runs.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sppe_data.period import Period
from sppe_data.steering_bench import STEERING_PAGE_QUERIES

# Page -> function (today, year) giving the (query name, params) the page runs.
PAGE_QUERIES: dict[str, Callable[[date, int], list[tuple[str, dict]]]] = {
    **STEERING_PAGE_QUERIES,
    "Synthèse": lambda today, year: [
        ("indicator_progress", {"year": year, "today": today}),
        (
            "indicator_monthly",
            {
                "year": year,
                "today": today,
                "indicator_code": "controles_sensibles",
                "pole_code": "all",
            },
        ),
    ],
    "Dossier COPIL": lambda today, year: [
        (
            "indicator_period",
            {
                "period_start": Period("semester", year, 1).start,
                "period_end": Period("semester", year, 1).end,
                "previous_start": Period("semester", year, 1).previous().start,
                "previous_end": Period("semester", year, 1).previous().end,
                "today": today,
            },
        ),
        ("indicator_progress", {"year": year, "today": today}),
    ],
    "Carte des pôles": lambda today, year: [
        ("coverage_years", {}),
        (
            "departement_map",
            {"year": year, "pole_code": "all", "coverage_year": None, "today": today},
        ),
    ],
    "Projets": lambda today, year: [
        ("project_pipeline", {"pole_code": "all", "today": today}),
    ],
    "Données et référentiels": lambda today, year: [
        ("extract_row_counts", {}),
        ("pole_portfolio", {}),
        ("targets_by_year", {}),
    ],
}


def _time_page(calls: list[tuple[str, dict]], repeat: int) -> list[float]:
    from sppe_data.db import run_sql

    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        for name, params in calls:
            run_sql(name, **params)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(data_dir: Path | None, scale: float, repeat: int, seed: int = 42) -> dict[str, list[float]]:
    from sppe_data import clock, demo

    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="sppe-bench-")
        data_dir = Path(tmp.name)
        started = time.perf_counter()
        result = demo.generate(data_dir, seed=seed, scale=scale, as_of=date.today())
        print(
            f"Jeu généré (échelle {scale:g}) en {time.perf_counter() - started:.1f} s : "
            f"{result.row_counts['activities']:,} activités".replace(",", " ")
        )
    os.environ["SPPE_DATA_DIR"] = str(data_dir)
    if tmp is not None:
        # A generated set gets its own empty store: the journal adds nothing to it.
        from sppe_data import store

        url = f"sqlite:///{Path(tmp.name) / 'sppe.sqlite3'}"
        store.migrate(url)
        os.environ["SPPE_DATABASE_URL"] = url
    try:
        today = clock.today()
        out = {}
        for page, calls_for in PAGE_QUERIES.items():
            calls = calls_for(today, today.year)
            _time_page(calls, 1)  # warm-up: catalog creation and Parquet metadata
            out[page] = _time_page(calls, repeat)
        return out
    finally:
        if tmp is not None:
            tmp.cleanup()


def report(timings: dict[str, list[float]]) -> str:
    runs = len(next(iter(timings.values())))
    lines = [f"{'Page':<32} {'médiane':>10} {'p90':>10}  (ms, {runs} essais)"]
    for page, values in timings.items():
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
        lines.append(f"{page:<32} {statistics.median(values):>10.1f} {p90:>10.1f}")
    return "\n".join(lines)
