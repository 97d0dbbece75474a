"""Store timings: ``sppe bench --store`` (or ``python -m sppe_data.store_bench``).

Printed figures, not timed tests, on a throwaway store and a data set generated at
``--scale`` (10 by default):

- writes per second of ``journal.save_activity`` (one entry, its audit row and the
  revision bump per transaction), from 1 thread and from 4 threads;
- the extra read cost of the journal: the median time of the Synthèse page query
  (``run_sql("indicator_progress")``, which also reads the store's revisions) with 0,
  1,000 and 10,000 live journal rows, the difference with 0 rows, and the time to reload
  DuckDB's copy of the live rows after a write (``db.catalog()``, then the same query).

SQLite always (a file in a temporary data directory). PostgreSQL when
``--database-url`` names a dedicated empty database: the bench migrates it and fills it
with its own entries and audit rows, so it refuses a database that holds any.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

LEVELS = (0, 1_000, 10_000)  # live journal rows during the read measurements
THREADS = (1, 4)
IMPORT_BATCH = 5_000  # journal.IMPORT_MAX_ROWS
RELOAD_RUNS = 7
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class ReadFigures:
    rows: int
    page_ms: float  # median page query, journal copy up to date
    revisions_ms: float  # median of the one store query every page run makes
    reload_ms: float  # median db.catalog() right after a write (the copy reloaded)
    page_after_write_ms: float  # median first page query after a write (reload included)


@dataclass
class EngineFigures:
    engine: str
    version: str
    writes_per_s: dict[int, float] = field(default_factory=dict)  # threads -> median
    reads: list[ReadFigures] = field(default_factory=list)


class BenchError(RuntimeError):
    """The bench cannot run; ``str()`` is a French message."""


def _principal():
    from sppe_data.auth import Principal

    return Principal("banc-essai", "Banc d'essai", "cnaf")


def _activity(day: date, comment: str) -> dict:
    """A done sensitive control: it counts for the year's Synthèse indicator."""
    return {
        "activity_kind": "controle_sensible",
        "pole_code": "idf_hdf",
        "caf_code": "59",
        "status": "done",
        "activity_on": day,
        "days_spent": 1,
        "has_findings": False,
        "undue_amount_eur": 0,
        "comment": comment,
    }


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _live_rows() -> int:
    import sqlalchemy as sa

    from sppe_data import store
    from sppe_data.store import schema

    table = schema.activity_entries
    query = sa.select(sa.func.count()).where(table.c.is_deleted.is_(False))
    return int(store.get_store().rows(query)[0][0])


def _fill_to(target: int, day: date, run_id: str) -> None:
    """Live journal rows up to ``target``, by bulk imports (one transaction each)."""
    from sppe_data import journal

    missing = target - _live_rows()
    batch_no = 0
    while missing > 0:
        size = min(missing, IMPORT_BATCH)
        token = f"bench-{run_id}-fill-{target}-{batch_no}"
        rows = [{k: str(v) for k, v in _activity(day, f"{token}:{i}").items()} for i in range(size)]
        report = journal.import_activities(_principal(), rows, token)
        if report.errors.height:
            raise BenchError(f"Import refusé : {report.errors.to_dicts()[:3]}")
        missing -= report.saved_count
        batch_no += 1


def _measure_reads(rows: int, day: date, repeat: int, run_id: str) -> ReadFigures:
    from sppe_data import db, journal, store

    params = {"year": day.year, "today": day}
    db.run_sql("indicator_progress", **params)  # the copy in sync, the cache warm
    page_ms = _median_ms(lambda: db.run_sql("indicator_progress", **params), repeat)
    revisions_ms = _median_ms(lambda: store.get_store().revisions(), repeat)
    reloads, firsts = [], []
    for i in range(RELOAD_RUNS):
        token = f"bench-{run_id}-reload-{rows}-{i}"
        journal.save_activity(_principal(), _activity(day, token), token)
        reloads.append(_median_ms(db.catalog, 1))  # reloads the copy: the store changed
        token = f"{token}-b"
        journal.save_activity(_principal(), _activity(day, token), token)
        firsts.append(_median_ms(lambda: db.run_sql("indicator_progress", **params), 1))
    return ReadFigures(
        rows=rows,
        page_ms=page_ms,
        revisions_ms=revisions_ms,
        reload_ms=statistics.median(reloads),
        page_after_write_ms=statistics.median(firsts),
    )


def _writes_per_s(threads: int, writes: int, day: date, prefix: str) -> float:
    """One run: ``writes`` calls of ``save_activity`` split over ``threads`` threads."""
    from sppe_data import journal

    failures: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)

    def work(t: int) -> None:
        barrier.wait()
        try:
            for i in range(t, writes, threads):
                token = f"{prefix}-{i}"
                journal.save_activity(_principal(), _activity(day, token), token)
        except BaseException as exc:
            failures.append(exc)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return writes / elapsed


def _measure_writes(threads: int, writes: int, runs: int, day: date, run_id: str) -> float:
    """Median writes per second over ``runs`` runs."""
    return statistics.median(
        _writes_per_s(threads, writes, day, f"bench-{run_id}-w{threads}-{run}")
        for run in range(runs)
    )


def _server_version(url: str) -> str:
    import sqlalchemy as sa

    from sppe_data import store

    current = store.get_store(url)
    if current.dialect == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    version = current.rows(sa.text("show server_version"))[0][0]
    return f"PostgreSQL {str(version).split()[0]}"


def _check_empty(url: str) -> None:
    import sqlalchemy as sa

    from sppe_data import store
    from sppe_data.store import schema

    current = store.get_store(url)
    counts = [
        current.rows(sa.select(sa.func.count()).select_from(t))[0][0]
        for t in (schema.activity_entries, schema.request_entries, schema.audit_log)
    ]
    if any(counts):
        raise BenchError(
            f"La base {store.describe(url)} contient déjà des saisies ou un journal d'audit : "
            "le banc d'essai exige une base vide qui lui est dédiée (il y écrit des milliers "
            "de saisies)."
        )


def run_engine(url: str, repeat: int, writes: int, runs: int) -> EngineFigures:
    """Every figure for one store (``url``, migrated here); SPPE_DATA_DIR is set."""
    from sppe_data import clock, db, store

    os.environ["SPPE_DATABASE_URL"] = url
    store.reset_cache()
    store.migrate(url)
    _check_empty(url)
    db.reset()
    day = clock.today()
    run_id = f"{os.getpid()}-{time.time_ns()}"
    figures = EngineFigures(engine=store.get_store(url).dialect, version=_server_version(url))
    for rows in LEVELS:
        _fill_to(rows, day, run_id)
        figures.reads.append(_measure_reads(rows, day, repeat, run_id))
    for threads in THREADS:
        figures.writes_per_s[threads] = _measure_writes(threads, writes, runs, day, run_id)
    return figures


def run(
    database_url: str | None = None,
    scale: float = 10.0,
    repeat: int = 15,
    writes: int = 200,
    runs: int = 3,
    seed: int = 42,
) -> list[EngineFigures]:
    """SQLite in a temporary data directory, then PostgreSQL if ``database_url``."""
    from sppe_data import db, demo, store

    saved_env = {k: os.environ.get(k) for k in ("SPPE_DATA_DIR", "SPPE_DATABASE_URL")}
    with tempfile.TemporaryDirectory(prefix="sppe-bench-store-") as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        generated = demo.generate(data_dir, seed=seed, scale=scale, as_of=date.today())
        activities = f"{generated.row_counts['activities']:,}".replace(",", " ")
        print(
            f"Jeu généré (échelle {scale:g}, {activities} activités nationales) en "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        os.environ["SPPE_DATA_DIR"] = str(data_dir)
        urls = [f"sqlite:///{data_dir / 'sppe.sqlite3'}"]
        if database_url:
            urls.append(database_url)
        out = []
        try:
            for url in urls:
                print(f"Mesures sur {store.describe(url)}…", flush=True)
                out.append(run_engine(url, repeat=repeat, writes=writes, runs=runs))
        finally:
            store.reset_cache()
            db.reset()
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return out


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def report(results: list[EngineFigures], repeat: int, writes: int, runs: int) -> str:
    lines = [
        f"Écritures (journal.save_activity) : saisies par seconde, médiane de {_n(runs, 'essai')} "
        f"de {_n(writes, 'saisie')}",
        f"{'Moteur':<34} "
        + " ".join(f"{f'{t} fil' + ('s' if t > 1 else ''):>10}" for t in THREADS),
    ]
    for r in results:
        label = r.version
        lines.append(f"{label:<34} " + " ".join(f"{r.writes_per_s[t]:>10.0f}" for t in THREADS))
    lines += [
        "",
        f"Coût de lecture du journal (requête indicator_progress ; ms, médianes de "
        f"{_n(repeat, 'essai')}, rechargement : {RELOAD_RUNS})",
        f"{'Moteur':<11} {'Saisies':>8} {'Requête':>9} {'Surcoût':>9} {'Révisions':>10} "
        f"{'Rechargement':>13} {'Requête après écriture':>23}",
    ]
    for r in results:
        base = r.reads[0].page_ms
        for f in r.reads:
            rows = f"{f.rows:,}".replace(",", " ")
            lines.append(
                f"{ENGINE_LABELS[r.engine]:<11} {rows:>8} {f.page_ms:>9.1f} "
                f"{f.page_ms - base:>+9.1f} {f.revisions_ms:>10.2f} {f.reload_ms:>13.1f} "
                f"{f.page_after_write_ms:>23.1f}"
            )
    lines += [
        "",
        "Requête : le journal à jour (une requête de révisions comprise). Surcoût : par "
        "rapport à 0 saisie. Rechargement : db.catalog() juste après une écriture (copie "
        "des saisies vivantes vers DuckDB). Requête après écriture : la première requête de "
        "page qui suit une écriture, rechargement compris.",
    ]
    return "\n".join(lines)


def main(
    database_url: str | None = None,
    scale: float = 10.0,
    repeat: int = 15,
    writes: int = 200,
    runs: int = 3,
) -> int:
    """The ``sppe bench --store`` command: prints the tables; 1 with a French message
    when a store cannot be used."""
    from sppe_data import store

    if min(repeat, writes, runs) < 1 or scale <= 0:
        print("Erreur : --scale, --repeat, --writes et --runs doivent être positifs.",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        results = run(database_url, scale=scale, repeat=repeat, writes=writes, runs=runs)
    except (BenchError, store.StoreUnavailable) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    print(report(results, repeat=repeat, writes=writes, runs=runs))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sppe_data.store_bench",
        description="Pilotage SPPE : débit d'écriture et coût de lecture du journal",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="base PostgreSQL vide dédiée au banc d'essai (SQLite est toujours mesuré)",
    )
    parser.add_argument("--scale", type=float, default=10.0, help="échelle du jeu généré")
    parser.add_argument("--repeat", type=int, default=15, help="essais par requête")
    parser.add_argument("--writes", type=int, default=200, help="saisies par essai d'écriture")
    parser.add_argument("--runs", type=int, default=3, help="essais d'écriture")
    return parser


if __name__ == "__main__":
    args = build_parser().parse_args()
    sys.exit(
        main(
            args.database_url,
            scale=args.scale,
            repeat=args.repeat,
            writes=args.writes,
            runs=args.runs,
        )
    )
