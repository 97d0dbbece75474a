"""Worker processes for the multi-process tests (tests/test_multiprocess.py). Each is a
real OS process running the data layer the way an app server or the command line does;
the test drives it and reads what it did as JSON lines on its standard output.

    python -m tests.workers session
        A long-lived process, like an app server: one JSON command per line on stdin
        ({"op": "write" | "count" | "export" | "cancel" | "hold_read" | "hold_write" |
        "quit", ...}), one JSON event per line on stdout.
    python -m tests.workers cli PREFIX COUNT ROWS
        A one-shot process, like a command-line run: COUNT activities through
        ``journal.save_activity``, then ROWS through one bulk import, then exit.
    python -m tests.workers zygote
        Imports the data layer once, then forks one writer per "fork PREFIX LIMIT MODE"
        line (MODE "save": one activity per transaction, "import": a bulk import of
        IMPORT_ROWS) and waits for one per "reap PID" line. The kill -9 test kills and
        replaces dozens of writers: a fork costs milliseconds, a fresh interpreter a
        second and more. The store is never opened and polars never used before a fork:
        each writer opens everything itself.

Every write is a sensitive control of the idf_hdf pôle at the Caf du Nord in January
2026 (tests/tiny.py), its comment equal to its submission token, so the indicator and
the DuckDB views can be checked token by token. An acknowledged write is reported only
after ``save_activity`` returned (the transaction committed), with a flushed write.

Environment: SPPE_DATA_DIR, SPPE_DATABASE_URL, SPPE_TODAY, as the test sets them.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from datetime import date

from sppe_data import journal
from sppe_data.auth import Principal

POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
CNAF = Principal("dpfas", "Dpfas", "cnaf")
YEAR = 2026
INDICATOR = "controles_sensibles"
IMPORT_ROWS = 25  # rows per bulk import of the zygote's "import" writers


def control(token: str) -> dict:
    """A done sensitive control that counts for the 2026 indicator (tests/tiny.py)."""
    return {
        "activity_kind": "controle_sensible",
        "pole_code": "idf_hdf",
        "caf_code": "59",
        "status": "done",
        "activity_on": date(2026, 1, 20),
        "days_spent": 1,
        "has_findings": False,
        "undue_amount_eur": 0,
        "comment": token,
    }


def bulk_rows(file_token: str, count: int = IMPORT_ROWS) -> list[dict]:
    """The rows of one bulk import, as text (a file's cells); row j is recorded under the
    token ``file_token:j`` (journal.import_activities), its comment too."""
    return [{k: str(v) for k, v in control(f"{file_token}:{j}").items()} for j in range(count)]


def emit(event: str, **fields) -> None:
    """One JSON line, written with one system call (atomic on a pipe, survives a kill)."""
    line = json.dumps({"event": event, "pid": os.getpid(), **fields}, default=str) + "\n"
    os.write(1, line.encode())


# --- what a process sees ----------------------------------------------------------------


def realised() -> int:
    """The Synthèse figure: sensitive controls done in 2026, whole mission (DuckDB)."""
    from sppe_data import api

    frame = api.indicator_progress(YEAR)
    row = frame.filter((frame["pole_code"] == "all") & (frame["indicator_code"] == INDICATOR))
    return int(row["realised_count"].item())


def duck_tokens() -> list[str]:
    """Tokens of the journal activities in DuckDB's ``activities`` view, the one every
    page query reads (the journal's comment is its token here)."""
    from sppe_data import db

    cursor = db.catalog().connection.cursor()
    try:
        rows = cursor.execute(
            "select comment from activities where activity_id like 'JA%' order by comment"
        ).fetchall()
    finally:
        cursor.close()
    return [r[0] for r in rows]


def seen() -> dict:
    """The indicator, then the view's tokens: two reads, each of them up to date."""
    return {"realised": realised(), "tokens": duck_tokens()}


def stored_count(conn) -> int:
    import sqlalchemy as sa

    from sppe_data.store import schema

    table = schema.activity_entries
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


# --- session: an app server -------------------------------------------------------------


def op_write(prefix: str, n: int, read_every: int = 0, start: int = 0) -> None:
    for i in range(start, start + n):
        token = f"{prefix}-{i:04d}"
        saved = journal.save_activity(POLE_IDF, control(token), token)
        emit("ack", token=token, entity_id=saved.entity_id, created=saved.created)
        if read_every and (i + 1 - start) % read_every == 0:
            emit("count", **seen())  # the page run that follows a save
    emit("done", prefix=prefix)


def op_export() -> None:
    """What the deck and the exports read: the journal tables and the page queries."""
    started = time.perf_counter()
    tables = journal.export_tables(CNAF)
    exported = sorted(tables["journal_activities"]["submission_token"].to_list())
    audited = tables["journal_audit"].height
    emit(
        "export", export_tokens=exported, audit_rows=audited, **seen(),
        elapsed_s=time.perf_counter() - started,
    )  # fmt: skip


def op_hold_read(seconds: float) -> None:
    """One read transaction held open while others write."""
    from sppe_data import store

    with store.get_store().reading() as conn:
        first = stored_count(conn)
        emit("reading", rows=first)
        time.sleep(seconds)
        again = stored_count(conn)
    with store.get_store().reading() as conn:
        after = stored_count(conn)
    emit("read_done", rows_first=first, rows_again=again, rows_after=after)


def op_hold_write(token: str, seconds: float) -> None:
    """One write transaction (an activity with ``token``) held open before its commit."""
    from sppe_data import store

    with store.get_store().write() as conn:
        saved = journal._insert(conn, "activities", control(token), token, POLE_IDF, "creation")
        emit("holding", token=token, entity_id=saved.entity_id)
        time.sleep(seconds)
    emit("released", token=token, entity_id=saved.entity_id)


def session() -> int:
    emit("ready", **seen())  # the catalog built, the journal copy loaded
    for line in sys.stdin:
        command = json.loads(line)
        op = command.pop("op")
        try:
            if op == "quit":
                break
            if op == "write":
                op_write(**command)
            elif op == "count":
                emit("count", **seen())
            elif op == "export":
                op_export()
            elif op == "cancel":
                journal.cancel_activity(POLE_IDF, command["entity_id"])
                emit("cancelled", entity_id=command["entity_id"])
            elif op == "hold_read":
                op_hold_read(command["seconds"])
            elif op == "hold_write":
                op_hold_write(command["token"], command["seconds"])
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as exc:
            emit("error", op=op, type=type(exc).__name__, message=str(exc),
                 trace=traceback.format_exc())  # fmt: skip
    return 0


# --- cli: a one-shot command-line run ---------------------------------------------------


def cli(prefix: str, count: int, import_rows: int) -> int:
    emit("ready")
    for i in range(count):
        token = f"{prefix}-{i:04d}"
        saved = journal.save_activity(POLE_IDF, control(token), token)
        emit("ack", token=token, entity_id=saved.entity_id, created=saved.created)
    if import_rows:
        file_token = f"{prefix}-file"
        tokens = [f"{file_token}:{i}" for i in range(import_rows)]
        report = journal.import_activities(CNAF, bulk_rows(file_token, import_rows), file_token)
        if report.errors.height or report.saved_count != import_rows:
            emit("error", op="import", message=str(report.errors.to_dicts()[:3]))
            return 1
        for token in tokens:  # one transaction: all acknowledged together
            emit("ack", token=token, created=True)
    emit("done", prefix=prefix, **seen())
    return 0


# --- zygote: forks writers to be killed -------------------------------------------------


def _writer(prefix: str, limit: int, mode: str) -> None:
    """In the forked child: writes until killed (or ``limit`` writes), announcing each
    token before sending it and acknowledging it once committed. ``save``: one activity
    per transaction; ``import``: IMPORT_ROWS activities per transaction."""
    for i in range(limit):
        token = f"{prefix}-{i:05d}"
        emit("send", token=token)
        if mode == "import":
            report = journal.import_activities(POLE_IDF, bulk_rows(token), token)
            if report.saved_count != IMPORT_ROWS:
                raise RuntimeError(f"import {token}: {report}")
        else:
            journal.save_activity(POLE_IDF, control(token), token)
        emit("ack", token=token)
    emit("finished", prefix=prefix)


def _die_with(parent: int) -> None:
    """The forked writer never outlives the zygote (Linux: killed when it ends)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the zygote ended before the call above
        os._exit(1)


def zygote() -> int:
    parent = os.getpid()
    sys.stdout.flush()
    emit("ready")
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "fork":
            prefix, limit, mode = words[1], int(words[2]), words[3]
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    _die_with(parent)
                    _writer(prefix, limit, mode)
                except BaseException as exc:  # the child reports, never returns to the loop
                    emit("error", op="writer", type=type(exc).__name__, message=str(exc),
                         trace=traceback.format_exc())  # fmt: skip
                    code = 1
                os._exit(code)
            emit("forked", child=pid, prefix=prefix)
        elif words[0] == "reap":
            pid = int(words[1])
            _, status = os.waitpid(pid, 0)
            emit(
                "reaped", child=pid,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            )  # fmt: skip
    return 0


def main(argv: list[str]) -> int:
    mode, *args = argv
    if mode == "session":
        return session()
    if mode == "cli":
        prefix, count, import_rows = args
        return cli(prefix, int(count), int(import_rows))
    if mode == "zygote":
        return zygote()
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
