"""Several users at once, with writes going on: ``sppe bench --users N``.

The app runs under Streamlit on 127.0.0.1 (the server ``page_bench`` starts: demo mode,
as ``--role``; Streamlit's file watcher off, as the sources do not change in a
deployment), on ``--data`` or on a demo set generated at ``--scale`` in a temporary
directory. Then, for ``--duration`` seconds:

- ``--users`` simulated users, each a client of Streamlit's own WebSocket protocol (what
  the browser speaks: a ``BackMsg`` asks for a run of a page, the server answers with the
  page's messages up to ``script_finished``), each going through the pages its role may
  open (``ui.navigation.pages_for``), in the order of the menu from its own starting
  page, with a think time of about ``--think`` seconds between two pages;
- a writer that records an activity every ``--write-every`` seconds through the journal
  (``sppe_data.journal.save_activity``, what the Saisie page calls), in this process,
  against the same store;
- the resident memory of the server (its process and their children, from ``/proc``),
  every half second.

Before the measured window, alone on the server, one user opens every page in turn
(not counted in the load figures):

- a first display, « 1er » (modules imported, catalog built, caches filled);
- what a write costs the others, page by page, twice (medians): the page displayed
  again (« avant »: it reads the server's caches), one activity recorded through the
  journal, the page displayed again (« après »: it reads again what the write changed,
  as the first user to open it after a write would). A page that does not read the
  activities should cost the same before and after; the difference (« surcoût ») is
  what the write cost that page.

Reported: the server's peak and final memory against the 2 Gio target; for each page the
first display, the median and p90 of its displays under load (ms from the request of the
run to ``script_finished``), and its display before and after a write; the exceptions
the server logged (the last line of each traceback).

The writes stay in the store: with ``--data``, give the bench a copy of the data
directory (its SQLite store), never the data of a deployment.

Exit code 1 when the server stops, a page fails (the router's French error message, an
exception, a run that never finishes) or a user loses its connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sppe_cli import page_bench
from sppe_cli.common import EXIT_FAILED, EXIT_USAGE, CommandError

DEFAULT_USERS = 10
DEFAULT_DURATION_S = 60.0
DEFAULT_ROLE = "cnaf"
DEFAULT_THINK_S = 1.0
DEFAULT_WRITE_EVERY_S = 3.0
SAMPLE_EVERY_S = 0.5
RSS_TARGET_BYTES = 2 * 1024**3
PAGE_TIMEOUT_S = 300.0  # one display under load at national scale, at most
STREAM_PATH = "/_stcore/stream"
# A page whose display after a write is slower than before by more than both of these
# reads again what the write changed (the figures are noisy: a hint, not a rule).
EXTRA_MIN_MS = 50.0
EXTRA_MIN_RATIO = 0.25
WRITE_PAIRS = 2  # displays before and after a write, per page (medians)
# The writer's activity: a sensitive control, done, without findings, in the idf_hdf pôle.
WRITER_ID = "banc.charge"
WRITTEN_TABLES = ("activities",)
# Streamlit's file watcher off: a source file saved during the bench would make the
# server forget and import the app's modules again, which no deployment sees.
WATCHER_ENV = "STREAMLIT_SERVER_FILE_WATCHER_TYPE"


def _positive(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"valeur positive attendue (reçu « {text} »)")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"entier d'au moins 1 attendu (reçu « {text} »)")
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the load bench. ``--data``, ``--scale``, ``--role`` and ``--json``
    are those of ``bench`` (``main`` reads them when present)."""
    parser.add_argument(
        "--users",
        type=_count,
        default=None,
        metavar="N",
        help="banc de charge : N utilisateurs simulés à la fois (10 pour l'objectif)",
    )
    parser.add_argument(
        "--duration",
        type=_positive,
        default=DEFAULT_DURATION_S,
        metavar="S",
        help=f"avec --users : durée de la mesure en secondes (défaut : {DEFAULT_DURATION_S:g})",
    )
    parser.add_argument(
        "--think",
        type=_positive,
        default=DEFAULT_THINK_S,
        metavar="S",
        help=f"avec --users : temps de lecture entre deux pages (défaut : {DEFAULT_THINK_S:g} s)",
    )
    parser.add_argument(
        "--write-every",
        type=_positive,
        default=DEFAULT_WRITE_EVERY_S,
        metavar="S",
        help="avec --users : une saisie d'activité toutes les S secondes "
        f"(défaut : {DEFAULT_WRITE_EVERY_S:g})",
    )


# --- what is measured -----------------------------------------------------------------


@dataclass
class Visit:
    """One display of a page by one user."""

    page: str
    user: int
    started: float  # time.monotonic()
    ms: float
    error: str | None = None


@dataclass
class Write:
    done: float  # time.monotonic()
    ms: float


@dataclass
class PageStats:
    page: str
    path: str
    visits: list[Visit] = field(default_factory=list)
    # Alone on the server: the first display (warm-up), and the displays before and
    # right after a write.
    first_ms: float | None = None
    before_ms: float | None = None
    after_ms: float | None = None
    error: str | None = None  # of a display alone on the server

    def _ms(self) -> list[float]:
        return [v.ms for v in self.visits if v.error is None]

    @property
    def errors(self) -> list[str]:
        return ([self.error] if self.error else []) + [v.error for v in self.visits if v.error]

    def median(self) -> float | None:
        values = self._ms()
        return statistics.median(values) if values else None

    def p90(self) -> float | None:
        values = self._ms()
        return page_bench.percentile_90(values) if values else None

    def extra_ms(self) -> float | None:
        if self.before_ms is None or self.after_ms is None:
            return None
        return self.after_ms - self.before_ms

    def reads_writes(self) -> bool | None:
        """Whether the display after a write is slower (see ``EXTRA_MIN_*``)."""
        extra = self.extra_ms()
        if extra is None:
            return None
        return extra > EXTRA_MIN_MS and extra > EXTRA_MIN_RATIO * self.before_ms

    def as_json(self) -> dict:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return {
            "page": self.page,
            "path": self.path,
            "first_ms": rounded(self.first_ms),
            "visits": len(self.visits),
            "median_ms": rounded(self.median()),
            "p90_ms": rounded(self.p90()),
            "before_write_ms": rounded(self.before_ms),
            "after_write_ms": rounded(self.after_ms),
            "extra_ms": rounded(self.extra_ms()),
            "reads_writes": self.reads_writes(),
            "errors": self.errors,
        }


@dataclass
class LoadResult:
    users: int
    role: str
    duration_s: float
    pages: list[PageStats]
    rss: list[tuple[float, int]] = field(default_factory=list)  # (s since start, bytes)
    writes: list[Write] = field(default_factory=list)
    write_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # server, connections
    server_errors: list[str] = field(default_factory=list)  # from the server's log
    warmup_s: float = 0.0
    write_pairs: int = WRITE_PAIRS

    @property
    def peak_rss(self) -> int:
        return max((b for _, b in self.rss), default=0)

    @property
    def load_peak_rss(self) -> int:
        """The peak once every page had been displayed (under load)."""
        return max((b for t, b in self.rss if t >= self.warmup_s), default=0)

    @property
    def peak_rss_at_s(self) -> float:
        """When the peak was sampled, in seconds since the server started."""
        return max(self.rss, key=lambda sample: sample[1], default=(0.0, 0))[0]

    @property
    def final_rss(self) -> int:
        return self.rss[-1][1] if self.rss else 0

    def failures(self) -> list[str]:
        out = list(self.problems)
        for page in self.pages:
            for error in dict.fromkeys(page.errors):
                out.append(f"la page « {page.page} » a échoué : {error}")
        return out

    def as_json(self) -> dict:
        write_ms = [w.ms for w in self.writes]
        return {
            "users": self.users,
            "role": self.role,
            "duration_s": round(self.duration_s, 1),
            "warmup_s": round(self.warmup_s, 1),
            "rss_peak_bytes": self.peak_rss,
            "rss_peak_at_s": round(self.peak_rss_at_s, 1),
            "rss_load_peak_bytes": self.load_peak_rss,
            "rss_final_bytes": self.final_rss,
            "rss_target_bytes": RSS_TARGET_BYTES,
            "rss_within_target": self.peak_rss <= RSS_TARGET_BYTES,
            "rss_samples": len(self.rss),
            "writes": len(self.writes),
            "write_median_ms": round(statistics.median(write_ms), 1) if write_ms else None,
            "written_tables": list(WRITTEN_TABLES),
            "write_pairs": self.write_pairs,
            "write_errors": self.write_errors,
            "visits": sum(len(p.visits) for p in self.pages),
            "pages": [p.as_json() for p in self.pages],
            "failures": self.failures(),
            "server_errors": self.server_errors,
        }


# --- the server's memory --------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    """Parent pid -> its children's pids, from /proc."""
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces or parentheses.
        fields = stat[stat.rfind(b")") + 2 :].split()
        out.setdefault(int(fields[1]), []).append(int(entry.name))
    return out


def _tree(pid: int) -> list[int]:
    children, out, todo = _children(), [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2 :].split()[0] not in (b"Z", b"X")


def _server_pid() -> int:
    """The server ``page_bench._server`` started: this process's Streamlit child."""
    for pid in _children().get(os.getpid(), []):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if b"streamlit" in fh.read():
                    return pid
        except OSError:
            continue
    raise CommandError("banc de charge : processus du serveur Streamlit introuvable.")


class _Sampler(threading.Thread):
    """The server's resident memory (its process and their children) every half second."""

    def __init__(self, pid: int, result: LoadResult, started: float) -> None:
        super().__init__(daemon=True, name="load-bench-rss")
        self.pid, self.result, self.started = pid, result, started
        self.stop = threading.Event()
        self.died = False

    def sample(self) -> None:
        if not _alive(self.pid):
            self.died = True
            return
        total = sum(_rss_bytes(pid) for pid in _tree(self.pid))
        self.result.rss.append((time.monotonic() - self.started, total))

    def run(self) -> None:
        while not self.stop.is_set() and not self.died:
            self.sample()
            self.stop.wait(SAMPLE_EVERY_S)


# --- the writer -----------------------------------------------------------------------


def _activity(n: int) -> dict:
    """A valid activity, as the Saisie form would send it (a new day each time)."""
    from sppe_data import entries

    return {
        "activity_kind": "controle_sensible",
        "pole_code": "idf_hdf",
        "caf_code": "59",
        "status": "done",
        "activity_on": entries.latest_day() - timedelta(days=n % 28),
        "days_spent": 1 + n % 3,
        "has_findings": False,
        "comment": f"Banc de charge, saisie {n + 1}",
    }


class _Writer(threading.Thread):
    """Records an activity through the journal: every ``every`` seconds once started, or
    one at a time (``write_one``)."""

    def __init__(self, every: float, result: LoadResult) -> None:
        super().__init__(daemon=True, name="load-bench-writer")
        self.every, self.result = every, result
        self.stop = threading.Event()
        self.count = 0

    def write_one(self, counted: bool = True) -> str | None:
        """One activity; its error if the journal refused it."""
        from sppe_data import journal
        from sppe_data.auth import Principal

        principal = Principal(WRITER_ID, "Banc de charge", "cnaf")
        started = time.perf_counter()
        self.count += 1
        try:
            journal.save_activity(principal, _activity(self.count), journal.new_token())
        except Exception as exc:  # reported; the bench goes on
            error = f"{type(exc).__name__} : {exc}"
            self.result.write_errors.append(error)
            return error
        if counted:
            self.result.writes.append(
                Write(time.monotonic(), (time.perf_counter() - started) * 1000)
            )
        return None

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.write_one()


# --- the simulated users (Streamlit's WebSocket protocol) -----------------------------


def page_error(msg) -> str | None:
    """The error a ``ForwardMsg`` shows, if any: the router's French message for a page
    that raised, an exception element, a page the server does not know."""
    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "page introuvable"
    if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    shown = element.WhichOneof("type")
    if shown == "exception":  # its type only when the server shows error details
        kind = element.exception.type
        return f"exception : {kind}" if kind else "exception (voir le journal du serveur)"
    if shown == "alert" and element.alert.body.startswith(page_bench.PAGE_FAILED):
        return element.alert.body.split("\n")[0]
    return None


class _Client:
    """One user's session: a WebSocket to the server, one page run at a time."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://", 1) + STREAM_PATH
        self.ws = None
        self.hashes: dict[str, str] = {}  # url path ("" for the default page) -> script hash

    async def __aenter__(self) -> _Client:
        import websockets

        self.ws = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=30
        )
        return self

    async def __aexit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()

    async def show(self, page_hash: str = "") -> tuple[float, str | None]:
        """Runs a page (the default page for ``""``): ms until ``script_finished``, and
        the page's error if any."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = page_hash
        started = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        error = None
        async with asyncio.timeout(PAGE_TIMEOUT_S):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await self.ws.recv())
                kind = msg.WhichOneof("type")
                if kind == "navigation":
                    self.hashes = {
                        p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages
                    }
                elif kind == "script_finished":
                    ms = (time.perf_counter() - started) * 1000
                    if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        error = error or "erreur de compilation"
                    return ms, error
                else:
                    error = error or page_error(msg)


def _url_path(spec) -> str:
    return "" if spec.default else spec.url_path or Path(spec.path).stem


def _hash(hashes: dict[str, str], spec) -> str:
    found = hashes.get(_url_path(spec))
    if found is None:
        raise CommandError(f"banc de charge : la page « {spec.title} » n'est pas dans le menu.")
    return found


def _failure(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"aucune réponse en {PAGE_TIMEOUT_S:.0f} s"
    return f"{type(exc).__name__} : {exc}" if str(exc) else type(exc).__name__


async def _alone(
    url: str, specs, stats, writer: _Writer, pairs: int, log
) -> tuple[dict, list[str]]:
    """Alone on the server, for each page: a first display (modules imported, caches
    filled, and what the previous page's write changed read again), then ``pairs``
    times: a display (« avant »: the caches warm), one activity recorded, a display
    (« après »), medians kept. Returns the pages' script hashes (the same for every
    session) and the errors."""
    problems = []
    async with _Client(url) as client:
        await client.show()
        for spec in specs:
            page = stats[spec.path]
            page_hash = _hash(client.hashes, spec)
            page.first_ms, error = await client.show(page_hash)
            before, after = [], []
            for _ in range(pairs):
                if error:
                    break
                ms, error = await client.show(page_hash)
                before.append(ms)
                if error:
                    break
                write_error = await asyncio.to_thread(writer.write_one, False)
                if write_error:
                    problems.append(f"saisie refusée : {write_error}")
                    return client.hashes, problems
                ms, error = await client.show(page_hash)
                after.append(ms)
            if not error:
                page.before_ms, page.after_ms = statistics.median(before), statistics.median(after)
            if error:
                page.error = error
                problems.append(f"la page « {spec.title} » a échoué : {error}")
                log(f"  {spec.title} : erreur : {error}")
                continue
            log(
                f"  {spec.title} : {_n(page.first_ms)} ms ; {_n(page.before_ms)} ms, "
                f"puis {_n(page.after_ms)} ms après une saisie"
            )
        return client.hashes, problems


@dataclass
class _Load:
    """What the simulated users share: the pages, their script hashes, the measures."""

    url: str
    hashes: dict[str, str]
    specs: list
    stats: dict[str, PageStats]
    writer: _Writer
    think: float
    seed: int

    async def user(self, n: int, client: _Client, first: int, end: float) -> None:
        """User ``n``: from page ``first`` of the menu, every page in turn until ``end``."""
        rng = random.Random(self.seed + n)
        await asyncio.sleep(rng.uniform(0, self.think))
        i = first
        while time.monotonic() < end:
            spec = self.specs[i % len(self.specs)]
            i += 1
            started = time.monotonic()
            try:
                ms, error = await client.show(_hash(self.hashes, spec))
            except Exception as exc:  # the connection may be gone: this user stops
                ms = (time.monotonic() - started) * 1000
                self.stats[spec.path].visits.append(
                    Visit(spec.title, n, started, ms, _failure(exc))
                )
                return
            self.stats[spec.path].visits.append(Visit(spec.title, n, started, ms, error))
            await asyncio.sleep(rng.uniform(0.5, 1.5) * self.think)

    async def run(self, users: int, duration: float) -> list[str]:
        """Opens every user's session on the default page (not measured), then starts the
        writer and the users for ``duration`` seconds."""
        async with contextlib.AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(_Client(self.url)) for _ in range(users)]
            await asyncio.gather(*(client.show() for client in clients))
            self.writer.start()
            end = time.monotonic() + duration
            pages = len(self.specs)
            outcomes = await asyncio.gather(
                *(self.user(n, c, n * pages // users, end) for n, c in enumerate(clients)),
                return_exceptions=True,
            )
        return [
            f"l'utilisateur {n + 1} a perdu sa connexion : {_failure(outcome)}"
            for n, outcome in enumerate(outcomes)
            if isinstance(outcome, BaseException)
        ]


# --- the command ----------------------------------------------------------------------


def run(
    data_dir: Path | None,
    *,
    users: int,
    duration: float,
    scale: float = 1.0,
    role: str = DEFAULT_ROLE,
    think: float = DEFAULT_THINK_S,
    write_every: float = DEFAULT_WRITE_EVERY_S,
    pairs: int = WRITE_PAIRS,
    seed: int = 42,
    log: Callable[[str], None] = print,
) -> LoadResult:
    from sppe_cli.common import require_store
    from ui.navigation import pages_for

    specs = pages_for(role)
    result = LoadResult(users, role, duration, [PageStats(s.title, s.path) for s in specs])
    result.write_pairs = pairs
    stats = {p.path: p for p in result.pages}
    with page_bench._environment(), page_bench._quiet_streamlit(), contextlib.ExitStack() as stack:
        watcher = os.environ.get(WATCHER_ENV)
        stack.callback(_restore, WATCHER_ENV, watcher)
        os.environ[WATCHER_ENV] = "none"
        os.environ["SPPE_AUTH_MODE"] = "demo"
        os.environ["SPPE_DEMO_ROLE"] = role
        if data_dir is not None and not data_dir.is_dir():
            raise CommandError(f"répertoire de données introuvable : {data_dir}")
        if data_dir is not None:
            log(
                "Attention : les saisies du banc (« Banc de charge ») restent dans la base ; "
                "avec --data, donnez-lui une copie des données."
            )
        stack.enter_context(page_bench._data_set(data_dir, scale, seed, log))
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="sppe-bench-load-"))
        stack.callback(lambda: result.server_errors.extend(_logged_errors(Path(tmp))))
        stack.callback(page_bench._reset_caches)
        page_bench._reset_caches()
        require_store()
        log(f"Serveur Streamlit (rôle {role}, {len(specs)} pages)…")
        try:
            url = stack.enter_context(page_bench._server(role, Path(tmp)))
        except CommandError:
            raise CommandError("banc de charge : le serveur Streamlit n'a pas démarré.") from None
        _measure(url, specs, stats, result, users, duration, think, write_every, pairs, seed, log)
    return result


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _logged_errors(log_dir: Path) -> list[str]:
    """The exceptions the server logged (the last line of each traceback), once the
    server has stopped: what the pages' French error messages do not say."""
    out: list[str] = []
    for path in log_dir.glob("*.log"):
        in_traceback = False
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Traceback"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                out.append(line.strip()[:300])
                in_traceback = False
    return out


def _measure(
    url, specs, stats, result, users, duration, think, write_every, pairs, seed, log
) -> None:
    pid = _server_pid()
    sampler = _Sampler(pid, result, time.monotonic())
    sampler.start()
    writer = _Writer(write_every, result)
    try:
        log(
            "Seul sur le serveur, chaque page : 1er affichage ; affichage suivant, "
            "puis après une saisie :"
        )
        started = time.monotonic()
        hashes, problems = _run_apart(_alone(url, specs, stats, writer, pairs, log))
        result.problems += problems
        result.warmup_s = time.monotonic() - started
        if result.problems:
            return
        log(
            f"{users} utilisateurs pendant {duration:g} s, une saisie toutes les {write_every:g} s…"
        )
        load = _Load(url, hashes, specs, stats, writer, think, seed)
        result.problems += _run_apart(load.run(users, duration))
    except Exception as exc:
        result.problems.append(f"banc de charge interrompu : {_failure(exc)}")
    finally:
        writer.stop.set()
        if writer.is_alive():
            writer.join()
        sampler.stop.set()
        sampler.join()
        if sampler.died:
            result.problems.insert(0, "le serveur Streamlit s'est arrêté pendant la mesure")
        else:
            sampler.sample()  # the final memory, after the last display


# --- the report -----------------------------------------------------------------------


def _n(value: float, digits: int = 0) -> str:
    """A French number: narrow no-break space between thousands, decimal comma."""
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def _ms(value: float | None) -> str:
    return "—" if value is None else _n(value)


def _gib(value: int) -> str:
    return f"{_n(value / 1024**3, 2)} Gio"


def report(result: LoadResult) -> str:
    write_ms = [w.ms for w in result.writes]
    peak = result.peak_rss
    verdict = "objectif tenu" if peak <= RSS_TARGET_BYTES else "objectif dépassé"
    visits = sum(len(p.visits) for p in result.pages)
    lines = [
        f"{result.users} utilisateurs simulés (rôle {result.role}) pendant "
        f"{_n(result.duration_s)} s : {_n(visits)} affichages de page, "
        f"{_n(len(result.writes))} saisies d'activité"
        + (f" ({_n(statistics.median(write_ms))} ms médiane)" if write_ms else "")
        + ".",
        f"Mémoire du serveur (RSS, processus et enfants) : pic {_gib(peak)} "
        f"({_n(result.peak_rss_at_s)} s après le démarrage), pic sous charge "
        f"{_gib(result.load_peak_rss)}, "
        f"fin {_gib(result.final_rss)} ({verdict} : ≤ {_gib(RSS_TARGET_BYTES)}).",
        "",
        f"{'':<32} {'seul':>7} │ {'sous charge':^25} │ {'seul, une saisie':^26}",
        f"{'Page':<32} {'1er':>7} │ {'affich.':>7} {'médiane':>8} {'p90':>8} │ {'avant':>8} "
        f"{'après':>8} {'surcoût':>8}",
    ]
    for p in result.pages:
        line = (
            f"{p.page[:32]:<32} {_ms(p.first_ms):>7} │ {len(p.visits):>7} "
            f"{_ms(p.median()):>8} {_ms(p.p90()):>8} │ {_ms(p.before_ms):>8} "
            f"{_ms(p.after_ms):>8} {_ms(p.extra_ms()):>8}"
        )
        if p.reads_writes():
            line += "  relit la saisie"
        if p.errors:
            line += f"  ERREUR : {p.errors[0]}"
        lines.append(line)
    lines += [
        "",
        "Temps en ms d'un affichage, de la demande au message de fin d'exécution "
        "(script_finished). 1er : premier affichage de la page, seul sur le serveur "
        "(mise en température). Sous charge : nombre d'affichages, médiane et p90.",
        "Seul, une saisie : la page affichée (caches du serveur chauds), une activité "
        "enregistrée, la page affichée de nouveau, médianes de "
        f"{result.write_pairs} fois ; surcoût : ce que la saisie a coûté à "
        f"cette page ; « relit la saisie » : plus de {_n(EXTRA_MIN_MS)} ms et de "
        f"{_n(EXTRA_MIN_RATIO * 100)} % (une saisie change les activités).",
    ]
    if result.server_errors:
        counts: dict[str, int] = {}
        for error in result.server_errors:
            counts[error] = counts.get(error, 0) + 1
        lines.append(f"Erreurs dans le journal du serveur : {len(result.server_errors)}")
        lines += [f"  {n} × {error}" for error, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    if result.write_errors:
        lines.append(f"Saisies refusées : {len(result.write_errors)} ({result.write_errors[0]}).")
    return "\n".join(lines)


def _run_apart(coroutine):
    """``asyncio.run`` on a thread of its own: the caller's thread may already run an
    event loop (a program that embeds the bench, a browser driven from the same
    process), where ``asyncio.run`` refuses to start."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="sppe-load-bench")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def main(args: argparse.Namespace) -> int:
    """``bench --users N``: the report (or JSON), then French errors and exit 1 when the
    server stopped, a page failed or a user lost its connection."""
    users = getattr(args, "users", None) or DEFAULT_USERS
    duration = getattr(args, "duration", None) or DEFAULT_DURATION_S
    if duration <= 0 or users < 1:
        raise CommandError("--users et --duration doivent être positifs.", EXIT_USAGE)
    data = Path(args.data) if getattr(args, "data", None) else None
    as_json = bool(getattr(args, "json", False))

    def log(line: str) -> None:
        print(line, file=sys.stderr if as_json else sys.stdout, flush=True)

    result = run(
        data,
        users=users,
        duration=duration,
        scale=getattr(args, "scale", None) or 1.0,
        role=getattr(args, "role", None) or DEFAULT_ROLE,
        think=getattr(args, "think", None) or DEFAULT_THINK_S,
        write_every=getattr(args, "write_every", None) or DEFAULT_WRITE_EVERY_S,
        pairs=getattr(args, "write_pairs", None) or WRITE_PAIRS,
        log=log,
    )
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(report(result))
    problems = result.failures()
    for problem in problems:
        print(f"Erreur : {problem}", file=sys.stderr)
    return EXIT_FAILED if problems else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sppe_cli.load_bench",
        description="Banc de charge : plusieurs utilisateurs simulés et des saisies en cours.",
    )
    parser.add_argument("--data", default=None, metavar="DOSSIER",
                        help="répertoire de données (défaut : jeu généré)")  # fmt: skip
    parser.add_argument("--scale", type=_positive, default=1.0, metavar="K",
                        help="échelle du jeu généré (défaut : 1)")  # fmt: skip
    parser.add_argument("--role", type=page_bench.role_arg, default=DEFAULT_ROLE, metavar="RÔLE",
                        help=f"rôle des utilisateurs (défaut : {DEFAULT_ROLE})")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="résultats en JSON")
    add_arguments(parser)
    return parser


if __name__ == "__main__":
    try:
        sys.exit(main(_parser().parse_args()))
    except CommandError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
