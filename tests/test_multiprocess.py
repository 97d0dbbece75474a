"""Several processes on one store, on SQLite and on PostgreSQL: app servers and the
command line writing at once each see the others' writes (in the DuckDB views too); an
export run during the writes holds every entry committed before it; a process sees a
write made elsewhere with no restart; kill -9 of a writer loses and duplicates nothing;
repeated submission tokens from many threads give exact counts; a long read does not
block writers and a waiting writer either succeeds or fails loudly within the bound.

The processes are real OS processes running tests/workers.py. Every expected figure is
counted from what the test asked for and what the processes acknowledged, and checked
against the store read directly.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from sppe_data import api, journal, store
from sppe_data.store import schema
from tests import workers

ROOT = Path(__file__).resolve().parents[1]
BASE = 3  # tests/tiny.py: sensitive controls done in 2026 before any entry (A01, A02, A06)
EVENT_TIMEOUT_S = 60


class Worker:
    """One tests/workers.py process; its JSON events are read as they come."""

    def __init__(self, *args: str, log_dir: Path, on_event=None):
        self.name = "-".join(args)
        self.stderr_path = log_dir / f"{self.name}.{time.monotonic_ns()}.stderr"
        self.stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.workers", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        self.events: queue.Queue = queue.Queue()
        self.history: list[dict] = []
        self.on_event = on_event  # called from the reader thread, in order
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            event = json.loads(raw)
            event["at"] = time.monotonic()
            self.history.append(event)
            if self.on_event is not None:
                self.on_event(self, event)
            self.events.put(event)
        self.events.put({"event": "eof"})

    def send(self, **command) -> None:
        self.proc.stdin.write((json.dumps(command) + "\n").encode())
        self.proc.stdin.flush()

    def send_line(self, line: str) -> None:
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def stderr_tail(self) -> str:
        self.stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def wait_for(self, kind: str, timeout: float = EVENT_TIMEOUT_S) -> dict:
        """The next event of ``kind``; events of other kinds are skipped (they stay in
        ``history``). An error event or the process ending fails the test."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                event = self.events.get(timeout=max(left, 0.01))
            except queue.Empty:
                pytest.fail(f"{self.name}: no {kind!r} within {timeout} s\n{self.stderr_tail()}")
            if event["event"] == "error":
                pytest.fail(f"{self.name}: {event.get('trace') or event}")
            if event["event"] == "eof":
                code = self.proc.wait(10)
                pytest.fail(f"{self.name}: exited ({code}) before {kind!r}\n{self.stderr_tail()}")
            if event["event"] == kind:
                return event

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send(op="quit")
                self.proc.stdin.close()
                self.proc.wait(15)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(10)
        self.stderr.close()


@pytest.fixture
def spawn(tmp_path):
    started: list[Worker] = []

    def start(*args: str, on_event=None) -> Worker:
        worker = Worker(*args, log_dir=tmp_path, on_event=on_event)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


def stored_activities() -> pl.DataFrame:
    table = schema.activity_entries
    return store.get_store().read(sa.select(table.c.activity_id, table.c.submission_token,
                                            table.c.comment, table.c.is_deleted))  # fmt: skip


def stored_audit() -> pl.DataFrame:
    log = schema.audit_log
    return store.get_store().read(sa.select(log.c.entity_id, log.c.action))


def realised_here() -> int:
    frame = api.indicator_progress(workers.YEAR)
    row = frame.filter(
        (pl.col("pole_code") == "all") & (pl.col("indicator_code") == workers.INDICATOR)
    )
    return row["realised_count"].item()


def engine_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


# --- 1. two app servers and the command line writing at once ----------------------------


def test_app_servers_and_the_cli_writing_at_once_see_each_other(store_url, spawn, capsys):
    per_writer, import_rows = 40, 10
    acked: set[str] = set()
    acked_lock = threading.Lock()
    own: dict[int, set[str]] = {}
    read_checks: list[str] = []  # problems seen in the writers' own page runs

    def track(worker: Worker, event: dict) -> None:
        mine = own.setdefault(event["pid"], set())
        if event["event"] == "ack":
            with acked_lock:
                acked.add(event["token"])
            mine.add(event["token"])
        elif "tokens" in event and event["event"] in ("count", "done"):
            # The page run right after a save shows it: every acknowledged write of this
            # process is in its DuckDB views and in the indicator.
            missing = mine - set(event["tokens"])
            if missing or event["realised"] < BASE + len(mine):
                read_checks.append(f"{worker.name}: {len(missing)} own writes missing")

    app1, app2, reader = (spawn("session", on_event=track) for _ in range(3))
    for worker in (app1, app2, reader):
        ready = worker.wait_for("ready")
        assert (ready["realised"], ready["tokens"]) == (BASE, [])  # catalog built, empty

    started = time.perf_counter()
    app1.send(op="write", prefix="app1", n=per_writer, read_every=5)
    app2.send(op="write", prefix="app2", n=per_writer, read_every=5)
    cli = spawn("cli", "cli", str(per_writer), str(import_rows), on_event=track)

    # Exports while the others write: each holds every entry acknowledged before it began.
    exports = []
    writers_done = threading.Event()
    waiter_failed: list[BaseException] = []

    def wait_writers() -> None:
        try:
            app1.wait_for("done")
            app2.wait_for("done")
            cli.wait_for("done")
        except BaseException as exc:  # pytest.fail in this thread: re-raised below
            waiter_failed.append(exc)
        finally:
            writers_done.set()

    waiter = threading.Thread(target=wait_writers)
    waiter.start()
    total = 3 * per_writer + import_rows
    while not writers_done.is_set():
        with acked_lock:
            before = set(acked)
        if len(before) == total:
            break  # all written: the command line is only reading now
        reader.send(op="export")
        export = reader.wait_for("export")
        exports.append((len(before), export))
        assert before <= set(export["export_tokens"]), "export misses committed entries"
        assert before <= set(export["tokens"]), "DuckDB view misses committed entries"
        # The indicator is read just before the view's tokens (writes only add rows).
        assert BASE + len(before) <= export["realised"] <= BASE + len(export["tokens"])
        # The audit log is read in the same snapshot: one creation row per entry.
        assert export["audit_rows"] == len(export["export_tokens"])
    waiter.join()
    if waiter_failed:
        raise waiter_failed[0]
    elapsed = time.perf_counter() - started
    assert cli.proc.wait(30) == 0, cli.stderr_tail()

    expected = sorted(
        [f"{p}-{i:04d}" for p in ("app1", "app2", "cli") for i in range(per_writer)]
        + [f"cli-file:{i}" for i in range(import_rows)]
    )
    assert sorted(acked) == expected
    assert not read_checks, read_checks[:3]
    during = [n for n, e in exports if 0 < n < len(expected)]
    assert len(during) >= 2, f"only {len(during)} exports ran during the writes"

    # Afterwards, every process sees every write, through DuckDB.
    for worker in (app1, app2, reader):
        worker.send(op="count")
        final = worker.wait_for("count")
        assert final["tokens"] == expected, worker.name
        assert final["realised"] == BASE + len(expected), worker.name
    rows = stored_activities()
    assert sorted(rows["comment"]) == expected
    assert sorted(rows["submission_token"]) == expected
    assert realised_here() == BASE + len(expected)

    with capsys.disabled():
        print(
            f"\n[{engine_of(store_url)}] 2 app servers + cli: {len(expected)} writes in "
            f"{elapsed:.2f} s; {len(exports)} exports during the writes "
            f"(committed before each: {[n for n, _ in exports]}); median export "
            f"{sorted(e['elapsed_s'] for _, e in exports)[len(exports) // 2]:.3f} s"
        )


# --- 2. a write made elsewhere is seen with no restart ----------------------------------


def test_a_process_sees_a_write_from_another_without_restart(store_url, spawn, capsys):
    app = spawn("session")
    ready = app.wait_for("ready")  # its catalog is built and its journal copy loaded
    assert (ready["realised"], ready["tokens"]) == (BASE, [])
    assert realised_here() == BASE  # this process's catalog too

    saved = journal.save_activity(workers.POLE_IDF, workers.control("ici-1"), "ici-1")
    started = time.perf_counter()
    app.send(op="count")
    seen = app.wait_for("count")
    reload_s = time.perf_counter() - started
    assert (seen["realised"], seen["tokens"]) == (BASE + 1, ["ici-1"])

    # The other way round: its write (then its cancellation) reaches this process.
    app.send(op="write", prefix="la", n=1)
    theirs = app.wait_for("ack")
    app.wait_for("done")
    assert realised_here() == BASE + 2
    app.send(op="cancel", entity_id=theirs["entity_id"])
    app.wait_for("cancelled")
    assert realised_here() == BASE + 1
    journal.cancel_activity(workers.POLE_IDF, saved.entity_id)
    app.send(op="count")
    seen = app.wait_for("count")
    assert (seen["realised"], seen["tokens"]) == (BASE, [])
    assert app.proc.poll() is None and seen["pid"] == ready["pid"]  # no restart
    with capsys.disabled():
        print(f"\n[{engine_of(store_url)}] another process's write seen in {reload_s:.3f} s")


# --- 3. kill -9 of a writer in the middle of its writes ---------------------------------


ROUNDS = 30
IMPORT_EVERY = 3  # one round in three, the writer's transactions are bulk imports


def test_kill_9_of_a_writer_loses_and_duplicates_nothing(store_url, spawn, capsys):
    """A unit is what one transaction writes: one activity (save rounds) or IMPORT_ROWS
    activities (import rounds), announced ("send") before and acknowledged after."""
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    sent: dict[str, list[str]] = {}
    acks: dict[str, list[str]] = {}
    size: dict[str, int] = {}  # prefix -> rows per unit

    def track(worker: Worker, event: dict) -> None:
        if event["event"] in ("send", "ack"):
            prefix = event["token"].rsplit("-", 1)[0]
            (sent if event["event"] == "send" else acks).setdefault(prefix, []).append(
                event["token"]
            )

    zygote = spawn("zygote", on_event=track)
    zygote.wait_for("ready")
    started = time.perf_counter()
    in_flight: list[str] = []
    first_ack_s: list[float] = []
    for r in range(ROUNDS):
        prefix = f"k{r:02d}"
        mode = "import" if r % IMPORT_EVERY == IMPORT_EVERY - 1 else "save"
        size[prefix] = workers.IMPORT_ROWS if mode == "import" else 1
        forked_at = time.monotonic()
        zygote.send_line(f"fork {prefix} 1000000 {mode}")
        child = zygote.wait_for("forked")["child"]
        try:
            first_ack_s.append(zygote.wait_for("ack")["at"] - forked_at)
            # It has opened the store and written once: kill it at a random moment.
            time.sleep(rng.uniform(0.0, 0.2))
        finally:
            os.kill(child, signal.SIGKILL)  # also when the test fails: never left writing
        zygote.send_line(f"reap {child}")
        reaped = zygote.wait_for("reaped")
        assert (reaped["child"], reaped["signal"]) == (child, signal.SIGKILL)
        # Every event of the dead child is in the pipe before "reaped".
        unacked = [t for t in sent[prefix] if t not in set(acks[prefix])]
        assert len(unacked) <= 1  # one transaction at a time: at most one in flight
        in_flight += unacked
    killing_s = time.perf_counter() - started

    def unit_size(unit: str) -> int:
        return size[unit.rsplit("-", 1)[0]]

    acked = [t for prefix in acks for t in acks[prefix]]
    all_sent = {t for prefix in sent for t in sent[prefix]}
    rows = stored_activities()
    assert rows.filter(pl.col("comment") != pl.col("submission_token")).is_empty()  # whole
    assert max(Counter(rows["submission_token"]).values()) == 1  # no row twice
    per_unit = Counter(token.split(":")[0] for token in rows["submission_token"])
    assert set(per_unit) <= all_sent  # nothing that was never sent
    lost = [u for u in acked if per_unit[u] != unit_size(u)]
    assert not lost, f"acknowledged writes lost: {lost[:5]}"
    partial = [u for u in per_unit if per_unit[u] != unit_size(u)]
    assert not partial, f"transactions half written: {partial[:5]}"
    committed_unacked = [u for u in in_flight if per_unit[u]]

    # Each row and its audit row were committed together, or neither was.
    audit = stored_audit()
    assert audit["action"].unique().sort().to_list() == ["creation", "import"]
    assert sorted(audit["entity_id"]) == sorted(rows["activity_id"])
    # The counters move once per committed transaction (a save or a whole import).
    revisions = store.get_store().revisions()
    assert revisions["activity_entries"] == len(per_unit)
    assert revisions["audit_log"] == len(per_unit)

    # The user whose submission was cut off sends it again: written once in all.
    for unit in in_flight:
        if unit_size(unit) == 1:
            again = journal.save_activity(workers.POLE_IDF, workers.control(unit), unit)
            assert again.created == (unit not in committed_unacked)
        else:
            report = journal.import_activities(workers.POLE_IDF, workers.bulk_rows(unit), unit)
            assert report.saved_count == (0 if unit in committed_unacked else unit_size(unit))
    rows = stored_activities()
    assert rows.height == sum(unit_size(u) for u in set(acked) | set(in_flight))
    assert max(Counter(rows["submission_token"]).values()) == 1

    # The store still opens and takes writes: in a new process, and in this one.
    zygote.send_line("fork after 5 save")
    child = zygote.wait_for("forked")["child"]
    zygote.wait_for("finished")
    zygote.send_line(f"reap {child}")
    assert zygote.wait_for("reaped")["code"] == 0
    journal.save_activity(workers.POLE_IDF, workers.control("last"), "last")
    assert realised_here() == BASE + rows.height + 5 + 1
    url = store.get_store().engine.url
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as check:
            assert check.execute("pragma integrity_check").fetchall() == [("ok",)]
    else:
        # The killed clients' server sessions are gone: none left holding a transaction.
        idle = sa.text(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and state like 'idle in transaction%' and pid <> pg_backend_pid()"
        )
        assert store.get_store().rows(idle)[0][0] == 0

    imports = [u for u in acked if unit_size(u) > 1]
    with capsys.disabled():
        print(
            f"\n[{engine_of(store_url)}] kill -9 x {ROUNDS} (seed {seed}): {len(acked)} "
            f"acknowledged transactions ({len(imports)} imports of {workers.IMPORT_ROWS}), "
            f"all present once and whole; {len(in_flight)} cut off in flight, "
            f"{len(committed_unacked)} of them committed before the kill; "
            f"{killing_s:.2f} s (fork to first write {sorted(first_ack_s)[ROUNDS // 2]:.3f} s)"
        )


# --- 4. repeated submission tokens from many threads ------------------------------------


def test_repeated_tokens_from_20_threads_give_exact_counts(store_url, capsys):
    threads_count, per_thread = 20, 100
    # 400 tokens sent twice and 400 sent three times: 2,000 submissions. Submission i
    # goes to thread i % 20, in order: the copies of a token, adjacent in this list, go
    # to different threads at the same step, so they race.
    multiplicity = [2] * 400 + [3] * 400
    random.Random(9).shuffle(multiplicity)
    submissions = [f"r{n:03d}" for n, m in enumerate(multiplicity) for _ in range(m)]
    assert len(submissions) == threads_count * per_thread
    plan = [submissions[t::threads_count] for t in range(threads_count)]
    assert all(len(set(p)) == len(p) for p in plan)  # never twice from one thread
    results: list[tuple[str, str, bool]] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def submit(tokens: list[str]) -> None:
        try:
            barrier.wait()
            for token in tokens:
                saved = journal.save_activity(workers.POLE_IDF, workers.control(token), token)
                results.append((token, saved.entity_id, saved.created))
        except BaseException as exc:
            failures.append(exc)

    store.get_store()
    started = time.perf_counter()
    threads = [threading.Thread(target=submit, args=(p,)) for p in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert not failures, failures[:3]

    distinct = len(multiplicity)  # 800
    assert len(results) == len(submissions)
    created = [token for token, _, was_created in results if was_created]
    assert sorted(created) == sorted(set(submissions))  # each token created exactly once
    ids: dict[str, set[str]] = {}
    for token, entity_id, _ in results:
        ids.setdefault(token, set()).add(entity_id)
    assert all(len(found) == 1 for found in ids.values())  # every copy got the same entry

    rows = stored_activities()
    assert rows.height == distinct
    assert sorted(rows["comment"]) == sorted(set(submissions))
    assert dict(zip(rows["submission_token"], rows["activity_id"], strict=True)) == {
        token: found.pop() for token, found in ids.items()
    }
    audit = stored_audit()
    assert audit.height == distinct
    assert sorted(audit["entity_id"]) == sorted(rows["activity_id"])
    revisions = store.get_store().revisions()
    assert (revisions["activity_entries"], revisions["audit_log"]) == (distinct, distinct)
    assert realised_here() == BASE + distinct
    with capsys.disabled():
        print(
            f"\n[{engine_of(store_url)}] {threads_count} threads x {per_thread} submissions "
            f"({distinct} tokens, each sent 2-3 times): {rows.height} rows, {audit.height} "
            f"audit rows, {elapsed:.2f} s ({len(submissions) / elapsed:.0f} submissions/s)"
        )


# --- 5. long readers and waiting writers --------------------------------------------------


def test_a_long_read_does_not_block_writers(store_url, spawn, capsys):
    hold_s, writes, bound_s = 3.0, 20, 1.5
    reader = spawn("session")
    reader.wait_for("ready")
    reader.send(op="hold_read", seconds=hold_s)
    assert reader.wait_for("reading")["rows"] == 0
    latencies = []
    for i in range(writes):
        started = time.perf_counter()
        journal.save_activity(workers.POLE_IDF, workers.control(f"w{i}"), f"w{i}")
        latencies.append(time.perf_counter() - started)
    assert realised_here() == BASE + writes  # the writes are visible to others at once
    done = reader.wait_for("read_done", timeout=hold_s + 30)
    written_s = sum(latencies)
    assert written_s < hold_s, "the writes waited for the reader"
    assert max(latencies) < bound_s
    # One read transaction is one snapshot: the writes made meanwhile are not in it...
    assert done["rows_again"] == done["rows_first"] == 0
    # ...and the reader's next transaction sees them.
    assert done["rows_after"] == writes
    with capsys.disabled():
        print(
            f"\n[{engine_of(store_url)}] {writes} writes during a {hold_s:.0f} s read: "
            f"{written_s:.2f} s in all, slowest {max(latencies) * 1000:.0f} ms"
        )


def test_a_waiting_writer_gets_through_or_fails_loudly_within_the_bound(
    store_url, spawn, monkeypatch, capsys
):
    hold_s = 2.0
    holder = spawn("session")
    holder.wait_for("ready")
    holder.send(op="hold_write", token="same", seconds=hold_s)
    held = holder.wait_for("holding")
    # The same form submitted here while the other process holds its transaction: it
    # waits for it (SQLite: the write lock; PostgreSQL: the token's unique index), then
    # finds the entry the other process committed.
    started = time.perf_counter()
    saved = journal.save_activity(workers.POLE_IDF, workers.control("same"), "same")
    waited = time.perf_counter() - started
    returned_at = time.monotonic()
    holder.wait_for("released")
    assert (saved.entity_id, saved.created) == (held["entity_id"], False)
    # It returned only once the other transaction was over (held hold_s after "holding").
    assert returned_at - held["at"] > hold_s - 0.5
    assert waited < store.engine.BUSY_TIMEOUT_MS / 1000

    # A transaction stuck in another process (a frozen server) for longer than the busy
    # timeout: the writer waiting behind it gives up with a French message, never hangs.
    bound_s = 1.0
    monkeypatch.setattr(store.engine, "BUSY_TIMEOUT_MS", int(bound_s * 1000))
    store.reset_cache()
    holder.send(op="hold_write", token="stuck", seconds=bound_s + 2.5)
    holder.wait_for("holding")
    started = time.perf_counter()
    with pytest.raises(store.StoreUnavailable, match="occupée"):
        journal.save_activity(workers.POLE_IDF, workers.control("stuck"), "stuck")
    gave_up = time.perf_counter() - started
    assert bound_s * 0.9 < gave_up < bound_s + 2.0
    holder.wait_for("released", timeout=30)

    rows = stored_activities()
    assert sorted(rows["submission_token"]) == ["same", "stuck"]  # the holder's, once each
    assert stored_audit().height == 2
    with capsys.disabled():
        print(
            f"\n[{engine_of(store_url)}] a writer waited {waited:.2f} s for another's "
            f"{hold_s:.0f} s transaction, then found its entry; behind a stuck one, it gave "
            f"up after {gave_up:.2f} s (bound {bound_s:.0f} s)"
        )
