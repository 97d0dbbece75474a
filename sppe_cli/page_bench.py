"""Server time and payload of every page: ``python -m sppe_data bench --pages``.

The app (``app.py``) runs in this process under Streamlit's ``AppTest``, in demo mode as
``--role``, on ``--data`` or on a demo set generated at ``--scale`` in a temporary
directory (its own migrated store and the committee's demo records). For each page the
role may open (``ui.navigation.pages_for``), in the order of the menu registry:

- a warm-up pass first displays every page once (modules imported, DuckDB catalog built);
- « à froid » (``cold_ms``): Streamlit's data caches emptied, the page displayed once;
- « à chaud » (``median_ms``, ``p90_ms``): ``repeat`` more reruns, caches warm.

Times are those of the script run on the server (the router and the page, as the
ScriptRunner executes them), without AppTest's own bookkeeping.

« Envoyé » (``payload_bytes``): the serialized size (protobuf ``ByteSize()``) of every
message (``ForwardMsg``) one display of the page produces: the elements and blocks of the
page and of the sidebar, the navigation, the page's information. That is what the browser
receives over the WebSocket on the page's first display (a table of more than 150 000
rows is sent in pages, as by a server, though AppTest would send it whole). Not counted:
the files Streamlit serves over HTTP (data of the download buttons, images), the pages of
a long table fetched as one scrolls, the front end's JavaScript; on a rerun, a real server
may send a reference instead of an unchanged element of 10 kB or more the browser holds.
``payload_by_type`` splits it by element type (``block`` for the containers).

« Requêtes » (``query_ms``, ``query_count``): the time spent in ``sppe_data.db.run_sql``
(DuckDB) during the cold display; the warm reruns read Streamlit's caches
(``warm_query_ms``, their median). « Base » (``warm_store_ms``; ``store_ms`` and
``store_count`` for the cold display): the time of the SQL statements sent to the store
(SQLAlchemy: the journal's revisions that key the caches, the committee's registers…),
which no cache spares; ``run_sql`` reads the revisions too, so the two overlap a little.

``--browser`` (best effort): the app served by Streamlit on 127.0.0.1 (demo mode, the same
role) and headless Chromium (Playwright), in two ways; medians, « — » where a page has no
such element:

- « par l'adresse » (``browser``): each page opened by its address in a new tab (the
  whole front end starts again), after one visit that warms the server's caches, then
  ``BROWSER_VISITS`` visits; times from the start of navigation;
- « par un clic dans le menu » (``browser_click``): the app opened once, then each page
  reached by a click on its entry of Streamlit's sidebar menu (the page changes in the
  browser, no reload), ``BROWSER_VISITS`` times, each time from the lightest other page
  (lowest server time), clicked first; times from the click (the click event's time).
  The elements on screen at the click do not count, nor those Streamlit marks stale.

The marks: ``title_ms`` the page's title, ``kpi_ms`` the first KPI, ``chart_ms`` the first
chart (Plotly or map) visible; ``idle_ms`` the end of the page's last run on the server
(the app's script state back to « not running »); ``map_ms`` the first map interactive:
its plotly drawing is on the page and, with the pointer moved over it (a ``mousemove``
at its centre, then on a 3 × 3 grid, one every 100 ms), the map shows the tooltip of a
département or a project. A tooltip needs the map drawn and its shapes ready to answer
the pointer, so this is when a user sees the map and it answers. A page with no map, or
whose map shows no tooltip within ``MAP_TIMEOUT_S``, has « — ».
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sppe_cli.common import EXIT_FAILED, EXIT_USAGE, CommandError

APP = Path(__file__).resolve().parents[1] / "app.py"
DEFAULT_ROLE = "reader"
DEFAULT_REPEAT = 5
RUN_TIMEOUT_S = 600  # one display of one page at national scale, at most
# The router's message when a page raised (app.py), and the logger it writes to.
PAGE_FAILED = "Cette page n'a pas pu s'afficher"
APP_LOGGER = "sppe"
UNAVAILABLE = "Données indisponibles"
QUIET_LOGGERS = (
    "streamlit.runtime.scriptrunner_utils.script_run_context",
    "streamlit.runtime.caching.cache_data_api",
)
ENV_KEYS = ("SPPE_DATA_DIR", "SPPE_DATABASE_URL", "SPPE_AUTH_MODE", "SPPE_DEMO_ROLE")

BROWSER_VISITS = 2  # measured visits by the page's address, and clicks in the menu
BROWSER_TIMEOUT_S = 120
MAP_TIMEOUT_S = 60  # a map that never answers the pointer: « — » after this long
SERVER_START_TIMEOUT_S = 60
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Browser marks: name -> CSS selector of the first element that must be visible.
BROWSER_MARKS = {
    "title_ms": "[data-testid='stMain'] h1",
    # st.metric, or the big figure of a KPI card (ui.components.kpi_card).
    "kpi_ms": "[data-testid='stMetric'], [data-testid='stMain'] span[style*='font-size:2rem'], "
    "[data-testid='stMain'] span[style*='font-size: 2rem']",
    "chart_ms": ".js-plotly-plot",
}
BROWSER_LABELS = {"title_ms": "titre", "kpi_ms": "1er KPI", "chart_ms": "1er graphique"}
# The marks the page script records besides BROWSER_MARKS (see the module's docstring).
MAP_MARK, IDLE_MARK = "map_ms", "idle_ms"
ALL_MARKS = (*BROWSER_MARKS, MAP_MARK, IDLE_MARK)
NAV_LINK = "[data-testid='stSidebarNav'] a"
# Records when each mark is first seen: on a page load, in ms from the start of
# navigation; after a click on an entry of the menu, in ms from that click (the marks
# start again, and the elements shown at the click no longer count).
MARKS_SCRIPT = """
(() => {
  const marks = %(marks)s;
  const NAV = %(nav)s;
  // The maps are the plotly charts keyed map_* (ui.maps.map_box).
  const MAP = "[class*='st-key-map_'] .js-plotly-plot";
  // Where the pointer is moved over a map, as fractions of its width and height: its
  // centre first, then a grid.
  const PROBES = [[0.5, 0.5]];
  for (const fy of [0.3, 0.5, 0.7]) for (const fx of [0.3, 0.5, 0.7]) PROBES.push([fx, fy]);
  const PROBE_EVERY_MS = 100, PROBE_FOR_MS = %(probe_for_ms)d;
  let seen = {}, t0 = 0, ran = false, probes = 0, lastProbe = -Infinity;
  let before = new WeakSet();
  window.__sppeBench = seen;
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const fresh = (el) => !before.has(el) && !el.closest("[data-stale='true']") && visible(el);
  const note = (name) => { if (!(name in seen)) seen[name] = Math.round(performance.now() - t0); };
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(NAV)) return;
    before = new WeakSet();
    for (const selector of [...Object.values(marks), MAP]) {
      for (const el of document.querySelectorAll(selector)) before.add(el);
    }
    seen = {};
    window.__sppeBench = seen;
    t0 = event.timeStamp;
    ran = false;
    probes = 0;
    lastProbe = -Infinity;
  }, true);
  const probeMap = () => {
    const chart = [...document.querySelectorAll(MAP)].find(fresh);
    const canvas = chart && chart.querySelector(".nsewdrag");
    if (!canvas || !visible(canvas)) return;
    const tip = chart.querySelector(".hoverlayer .hovertext");
    if (tip && tip.textContent.trim()) {
      note("map_ms");
      return;
    }
    const now = performance.now();
    if (now - lastProbe < PROBE_EVERY_MS || now - t0 > PROBE_FOR_MS) return;
    lastProbe = now;
    const [fx, fy] = PROBES[probes++ %% PROBES.length];
    const box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new MouseEvent("mousemove", {
      clientX: box.left + fx * box.width, clientY: box.top + fy * box.height, bubbles: true,
    }));
  };
  const look = () => {
    for (const [name, selector] of Object.entries(marks)) {
      if (!(name in seen) && [...document.querySelectorAll(selector)].some(fresh)) note(name);
    }
    const app = document.querySelector("[data-testid='stApp']");
    const state = app && app.getAttribute("data-test-script-state");
    if (state === "running") ran = true;
    else if (ran && state === "notRunning") {
      ran = false;
      seen.idle_ms = Math.round(performance.now() - t0);  // the last run's end
    }
    if (!("map_ms" in seen)) probeMap();
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""


def role_arg(text: str) -> str:
    """``--role``: one of the sign-in roles, or a French usage error."""
    from sppe_data.auth import ROLE_LABELS

    if text not in ROLE_LABELS:
        known = ", ".join(ROLE_LABELS)
        raise argparse.ArgumentTypeError(f"rôle inconnu « {text} » (valeurs : {known})")
    return text


def percentile_90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


@dataclass
class Display:
    """What one run of the app (one display of a page) did on the server."""

    ms: float
    payload_bytes: int
    payload_by_type: dict[str, int]
    query_ms: float
    query_count: int
    store_ms: float
    store_count: int
    error: str | None
    unavailable: bool


@dataclass
class PageResult:
    page: str
    path: str
    cold: Display | None = None
    warm: list[Display] = field(default_factory=list)
    error: str | None = None
    browser: dict[str, float | None] | None = None
    browser_click: dict[str, float | None] | None = None

    @property
    def warm_ms(self) -> list[float]:
        return [d.ms for d in self.warm]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.warm_ms) if self.warm else 0.0

    @property
    def p90_ms(self) -> float:
        return percentile_90(self.warm_ms)

    def warm_median(self, name: str) -> float | None:
        values = [getattr(d, name) for d in self.warm]
        return round(statistics.median(values), 1) if values else None

    def as_json(self) -> dict:
        cold = self.cold
        return {
            "page": self.page,
            "path": self.path,
            "median_ms": round(self.median_ms, 1),
            "p90_ms": round(self.p90_ms, 1),
            "cold_ms": round(cold.ms, 1) if cold else None,
            "runs_ms": [round(v, 1) for v in self.warm_ms],
            "payload_bytes": cold.payload_bytes if cold else None,
            "payload_by_type": cold.payload_by_type if cold else None,
            "query_ms": round(cold.query_ms, 1) if cold else None,
            "query_count": cold.query_count if cold else None,
            "warm_query_ms": self.warm_median("query_ms"),
            "store_ms": round(cold.store_ms, 1) if cold else None,
            "store_count": cold.store_count if cold else None,
            "warm_store_ms": self.warm_median("store_ms"),
            "data_unavailable": bool(cold and cold.unavailable),
            "error": self.error,
            "browser": self.browser,
            "browser_click": self.browser_click,
        }


# --- the data set and the environment -----------------------------------------------


@contextlib.contextmanager
def _environment() -> Iterator[None]:
    """Restores the variables the bench sets (it may run inside another program)."""
    saved = {key: os.environ.get(key) for key in ENV_KEYS}
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _data_set(
    data_dir: Path | None, scale: float, seed: int, log: Callable[[str], None]
) -> Iterator[Path]:
    """``data_dir`` as it is, or a demo set generated in a temporary directory with its
    own store at the current schema and the committee's demo records."""
    if data_dir is not None:
        os.environ["SPPE_DATA_DIR"] = str(data_dir.resolve())
        yield data_dir
        return
    from sppe_data import demo, store
    from sppe_data.governance import demo as governance_demo

    with tempfile.TemporaryDirectory(prefix="sppe-bench-pages-") as tmp:
        generated = Path(tmp)
        started = time.perf_counter()
        result = demo.generate(generated, seed=seed, scale=scale, as_of=date.today())
        activities = f"{result.row_counts['activities']:,}".replace(",", " ")
        log(
            f"Jeu généré (échelle {scale:g}) en {time.perf_counter() - started:.1f} s : "
            f"{activities} activités"
        )
        os.environ["SPPE_DATA_DIR"] = str(generated)
        url = f"sqlite:///{generated / store.engine.SQLITE_FILE}"
        store.migrate(url)
        os.environ["SPPE_DATABASE_URL"] = url
        _reset_caches()
        governance_demo.seed(result.as_of)
        yield generated


@contextlib.contextmanager
def _quiet_streamlit() -> Iterator[None]:
    """Streamlit's warnings about running outside a server (AppTest's session state set
    from this thread, the caches emptied between runs): expected here, not printed.
    A filter, as Streamlit sets its loggers' levels again when its configuration loads."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    drop = logging.Filter("page-bench-drops-everything")  # matches no record name
    for logger in loggers:
        logger.addFilter(drop)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(drop)


def _reset_caches() -> None:
    import streamlit as st

    from sppe_data import db, store

    st.cache_data.clear()
    st.cache_resource.clear()
    db.reset()
    store.reset_cache()


# --- one run of the app, observed -----------------------------------------------------


class _LogCatcher(logging.Handler):
    """The errors the app logs (the router logs a page that raised, then shows a French
    message): kept for the report, not printed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _describe(record: logging.LogRecord) -> str:
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        return f"{type(exc).__name__} : {exc}"
    return record.getMessage()


def _message_kind(msg) -> str:
    kind = msg.WhichOneof("type")
    if kind != "delta":
        return kind or "autre"
    delta = msg.delta.WhichOneof("type")
    if delta == "new_element":
        return msg.delta.new_element.WhichOneof("type") or "element"
    return "block" if delta == "add_block" else delta or "delta"


class _ServerConfig:
    """Streamlit's configuration as its table module sees it, but not under AppTest:
    AppTest sends every table whole, a server sends a table of more than 150 000 rows
    in pages (the first with the page, the others as one scrolls)."""

    def __init__(self, config) -> None:
        self._config = config

    def get_option(self, key: str):
        return False if key == "global.appTest" else self._config.get_option(key)

    def __getattr__(self, name: str):
        return getattr(self._config, name)


class _Probe:
    """Patches that observe AppTest runs: the script's time (ScriptRunner), the messages
    of the run (their protobuf sizes), the DuckDB queries and the errors the app logs.
    Everything is put back on exit."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._script_s = 0.0
        self._query_s = 0.0
        self._query_count = 0
        self._store_s = 0.0
        self._store_count = 0
        self._messages: list = []
        self._logs = _LogCatcher()
        self._run_sql = None
        self._patched: dict[tuple[str, str], object] = {}

    def __enter__(self) -> _Probe:
        import streamlit.runtime.scriptrunner.script_runner as script_runner
        import streamlit.testing.v1.local_script_runner as local_runner
        from streamlit.dataframe import lazy_df_source as lazy_tables  # st.dataframe shadows

        from sppe_data import db

        self._run_sql = db.run_sql
        run_script = script_runner.exec_func_with_error_handling
        parse_tree = local_runner.parse_tree_from_messages

        def timed_script(*args, **kwargs):
            started = time.perf_counter()
            try:
                return run_script(*args, **kwargs)
            finally:
                self._script_s += time.perf_counter() - started

        def kept_messages(messages):
            self._messages = list(messages)
            return parse_tree(messages)

        self._set(script_runner, "exec_func_with_error_handling", timed_script)
        self._set(local_runner, "parse_tree_from_messages", kept_messages)
        self._set(lazy_tables, "config", _ServerConfig(lazy_tables.config))
        self._listen_to_store()
        app_logger = logging.getLogger(APP_LOGGER)
        app_logger.addHandler(self._logs)
        self._stack.callback(app_logger.removeHandler, self._logs)
        self._set(app_logger, "propagate", False)
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _set(self, owner, name: str, value) -> None:
        original = getattr(owner, name)
        setattr(owner, name, value)
        self._stack.callback(setattr, owner, name, original)

    def _listen_to_store(self) -> None:
        """Time of the SQL statements sent to the store (SQLAlchemy, every engine)."""
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        def before(conn, *_args) -> None:
            conn.info.setdefault("page_bench_started", []).append(time.perf_counter())

        def after(conn, *_args) -> None:
            started = conn.info.get("page_bench_started")
            if started:
                self._store_s += time.perf_counter() - started.pop()
                self._store_count += 1

        event.listen(Engine, "before_cursor_execute", before)
        event.listen(Engine, "after_cursor_execute", after)
        self._stack.callback(event.remove, Engine, "before_cursor_execute", before)
        self._stack.callback(event.remove, Engine, "after_cursor_execute", after)

    def _timed_run_sql(self, name: str, **params: object):
        started = time.perf_counter()
        try:
            return self._run_sql(name, **params)
        finally:
            self._query_s += time.perf_counter() - started
            self._query_count += 1

    def _patch_run_sql(self) -> None:
        """``run_sql`` in every module that imported it (the pages import theirs as they
        first run, so this is done before each run)."""
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if namespace is not None and namespace.get("run_sql") is self._run_sql:
                self._set(module, "run_sql", self._timed_run_sql)

    def run(self, at) -> Display:
        self._patch_run_sql()
        self._script_s = self._query_s = self._store_s = 0.0
        self._query_count = self._store_count = 0
        self._messages = []
        self._logs.records.clear()
        started = time.perf_counter()
        at.run()
        wall_s = time.perf_counter() - started
        by_type: dict[str, int] = {}
        for msg in self._messages:
            kind = _message_kind(msg)
            by_type[kind] = by_type.get(kind, 0) + msg.ByteSize()
        return Display(
            ms=(self._script_s or wall_s) * 1000,
            payload_bytes=sum(by_type.values()),
            payload_by_type=dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
            query_ms=self._query_s * 1000,
            query_count=self._query_count,
            store_ms=self._store_s * 1000,
            store_count=self._store_count,
            error=self._error(at),
            unavailable=any(w.value.startswith(UNAVAILABLE) for w in at.main.warning),
        )

    def _error(self, at) -> str | None:
        if at.exception:
            return at.exception[0].value
        if self._logs.records:
            return _describe(self._logs.records[0])
        failed = [e.value for e in at.error if e.value.startswith(PAGE_FAILED)]
        return failed[0] if failed else None


def _new_app(role: str, probe: _Probe):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=RUN_TIMEOUT_S)
    at.session_state["demo_role"] = role
    # The default page: the navigation is known from here. Its errors, if any, are
    # reported with its own measurements.
    probe.run(at)
    return at


def _show(at, probe: _Probe, spec) -> Display:
    at.switch_page(spec.path)
    return probe.run(at)


def measure_pages(role: str, repeat: int, log: Callable[[str], None]) -> list[PageResult]:
    """Every page the role may open, on the data of the environment (see the module's
    docstring for what is measured)."""
    import streamlit as st

    from ui.navigation import pages_for

    specs = pages_for(role)
    results = [PageResult(spec.title, spec.path) for spec in specs]
    with _Probe() as probe:
        at = _new_app(role, probe)
        log(f"Rôle {role} : {len(specs)} pages ; passage de mise en température…")
        for spec in specs:
            with contextlib.suppress(Exception):  # measured (and reported) below
                _show(at, probe, spec)
        for spec, result in zip(specs, results, strict=True):
            try:
                st.cache_data.clear()
                result.cold = _show(at, probe, spec)
                result.error = result.cold.error
                for _ in range(repeat if result.error is None else 0):
                    result.warm.append(probe.run(at))
                    result.error = result.warm[-1].error
                    if result.error:
                        break
            except Exception as exc:  # a run that timed out: a fresh app for the next page
                result.error = f"{type(exc).__name__} : {exc}"
                at = _new_app(role, probe)
            status = f"erreur : {result.error}" if result.error else (
                f"{result.median_ms:.0f} ms"
            )  # fmt: skip
            log(f"  {result.page} : {status}")
    return results


# --- the real browser -----------------------------------------------------------------


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise CommandError("--browser : Chromium introuvable (apt-get install chromium).")


@contextlib.contextmanager
def _server(role: str, log_dir: Path) -> Iterator[str]:
    """The app under Streamlit on a free local port, demo mode as ``role``."""
    from sppe_cli.serve import ServerStartError, running

    env = {"SPPE_AUTH_MODE": "demo", "SPPE_DEMO_ROLE": role}
    try:
        with running(env, log_dir, SERVER_START_TIMEOUT_S) as url:
            yield url
    except ServerStartError as exc:
        raise CommandError(f"--browser : {exc}") from None


def _page_url(base: str, spec) -> str:
    if spec.default:
        return f"{base}/"
    return f"{base}/{spec.url_path or Path(spec.path).stem}"


def _marks(page) -> dict[str, float | None]:
    from playwright.sync_api import Error as PlaywrightError

    try:
        seen = page.evaluate("() => window.__sppeBench || {}")
    except PlaywrightError:
        seen = {}
    return {name: seen.get(name) for name in ALL_MARKS}


def _settle(page) -> None:
    """Waits until the app is idle (no run in progress for a second), then, when the
    page shows a map, until it answers the pointer (at most MAP_TIMEOUT_S), and lets
    the charts draw."""
    deadline, quiet = time.monotonic() + BROWSER_TIMEOUT_S, 0
    while quiet < 4 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        state = page.get_attribute("[data-testid='stApp']", "data-test-script-state")
        quiet = quiet + 1 if state == "notRunning" else 0
    deadline = time.monotonic() + MAP_TIMEOUT_S
    while (
        _marks(page)[MAP_MARK] is None
        and page.locator("[class*='st-key-map_'] .js-plotly-plot").count()
        and time.monotonic() < deadline
    ):
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)


def _visit(context, url: str) -> dict[str, float | None]:
    """One visit by the page's address in a new tab: the marks' times in ms from the
    start of navigation."""
    from playwright.sync_api import Error as PlaywrightError

    page = context.new_page()
    try:
        page.goto(url, wait_until="commit", timeout=BROWSER_TIMEOUT_S * 1000)
        page.locator(BROWSER_MARKS["title_ms"]).first.wait_for(timeout=BROWSER_TIMEOUT_S * 1000)
        _settle(page)
    except PlaywrightError:
        pass  # best effort: the marks seen so far
    seen = _marks(page)
    page.close()
    return seen


def _click(page, url: str) -> dict[str, float | None]:
    """One click on the menu entry of ``url`` in an open app (Streamlit switches page
    in the browser, no reload): the marks' times in ms from the click."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.locator(f"{NAV_LINK}[href='{url}']").first.click(timeout=BROWSER_TIMEOUT_S * 1000)
        page.wait_for_function(
            "() => 'title_ms' in (window.__sppeBench || {})", timeout=BROWSER_TIMEOUT_S * 1000
        )
        _settle(page)
    except PlaywrightError:
        pass
    return _marks(page)


def _medians(visits: list[dict[str, float | None]]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name in ALL_MARKS:
        values = [v[name] for v in visits if v[name] is not None]
        out[name] = round(statistics.median(values)) if values else None
    return out


def _shown(marks: dict[str, float | None]) -> str:
    labels = {**BROWSER_LABELS, MAP_MARK: "carte interactive", IDLE_MARK: "fin"}
    return ", ".join(f"{label} {_cell(marks[name])} ms" for name, label in labels.items())


def measure_browser(specs, results: list[PageResult], role: str, log) -> None:
    """Every page measured by its address (``browser``), then by clicks in the menu of
    one open app (``browser_click``); see the module's docstring."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise CommandError(
            "--browser demande Playwright (pip install -r requirements-dev.txt)."
        ) from None
    chromium = _chromium()
    script = MARKS_SCRIPT % {
        "marks": json.dumps(BROWSER_MARKS),
        "nav": json.dumps(NAV_LINK),
        "probe_for_ms": MAP_TIMEOUT_S * 1000,
    }
    log("Navigateur : serveur Streamlit et Chromium…")
    with (
        tempfile.TemporaryDirectory(prefix="sppe-bench-browser-") as tmp,
        _server(role, Path(tmp)) as base,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="fr-FR")
            context.add_init_script(script)
            # The front end's files in the browser's cache.
            if _visit(context, f"{base}/")["title_ms"] is None:
                raise CommandError(
                    f"--browser : l'application ne s'est pas affichée en {BROWSER_TIMEOUT_S} s "
                    "dans Chromium."
                )
            shown: list[tuple] = []
            for spec, result in zip(specs, results, strict=True):
                if result.error:
                    continue
                url = _page_url(base, spec)
                if _visit(context, url)["title_ms"] is None:  # the server's caches warm
                    log(f"  {result.page} : navigateur, titre non affiché ; page ignorée")
                    continue
                result.browser = _medians([_visit(context, url) for _ in range(BROWSER_VISITS)])
                log(f"  {result.page} : par l'adresse, {_shown(result.browser)}")
                shown.append((spec, result))
            _measure_clicks(context, base, shown, log)
        finally:
            browser.close()


def _measure_clicks(context, base: str, shown: list[tuple], log) -> None:
    """The app opened once; each page reached BROWSER_VISITS times by a click in the
    menu from the lightest other page (the lowest server time), which is clicked first."""
    if len(shown) < 2:
        return
    by_weight = sorted(shown, key=lambda sr: sr[1].median_ms)
    page = context.new_page()
    try:
        page.goto(f"{base}/", timeout=BROWSER_TIMEOUT_S * 1000)
        page.locator(BROWSER_MARKS["title_ms"]).first.wait_for(timeout=BROWSER_TIMEOUT_S * 1000)
        _settle(page)
        for spec, result in shown:
            light = next(s for s, _ in by_weight if s is not spec)
            clicks = []
            for _ in range(BROWSER_VISITS):
                _click(page, _page_url(base, light))
                clicks.append(_click(page, _page_url(base, spec)))
            result.browser_click = _medians(clicks)
            log(f"  {result.page} : clic dans le menu, {_shown(result.browser_click)}")
    finally:
        page.close()


# --- the command ----------------------------------------------------------------------


def run(
    data_dir: Path | None,
    *,
    scale: float,
    role: str,
    repeat: int,
    browser: bool = False,
    seed: int = 42,
    log: Callable[[str], None] = print,
) -> list[PageResult]:
    from sppe_cli.common import require_store
    from ui.navigation import pages_for

    with _environment(), _quiet_streamlit():
        os.environ["SPPE_AUTH_MODE"] = "demo"  # the role is chosen, as in a demonstration
        os.environ.pop("SPPE_DEMO_ROLE", None)
        if data_dir is not None and not data_dir.is_dir():
            raise CommandError(f"répertoire de données introuvable : {data_dir}")
        with _data_set(data_dir, scale, seed, log):
            _reset_caches()
            try:
                require_store()
                results = measure_pages(role, repeat, log)
                if browser:
                    measure_browser(pages_for(role), results, role, log)
            finally:
                _reset_caches()
    return results


def _cell(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(results: list[PageResult], repeat: int, with_browser: bool = False) -> str:
    head = (
        f"{'Page':<32} {'médiane':>8} {'p90':>8} {'à froid':>8} {'Mo envoyés':>11} "
        f"{'requêtes':>9} {'base':>6}"
    )
    if with_browser:
        head += f" │ {'titre':>6} {'1er KPI':>8} {'1er graph.':>10}"
    lines = [head]
    for r in results:
        if r.cold is None or not r.warm:
            lines.append(f"{r.page[:32]:<32} ERREUR : {r.error}")
            continue
        line = (
            f"{r.page[:32]:<32} {r.median_ms:>8.0f} {r.p90_ms:>8.0f} {r.cold.ms:>8.0f} "
            f"{r.cold.payload_bytes / 1e6:>11.3f} {r.cold.query_ms:>9.0f} "
            f"{r.warm_median('store_ms'):>6.0f}"
        )
        if with_browser:
            b = r.browser or {}
            line += (
                f" │ {_cell(b.get('title_ms')):>6} {_cell(b.get('kpi_ms')):>8} "
                f"{_cell(b.get('chart_ms')):>10}"
            )
        if r.cold.unavailable:
            line += "  (données indisponibles)"
        if r.error:
            line += f"  ERREUR : {r.error}"
        lines.append(line)
    lines += [
        "",
        "Temps serveur en ms d'une exécution de la page (routeur compris) : médiane et p90 "
        f"de {repeat} relances à chaud ; à froid : premier affichage, caches de données vidés.",
        "Mo envoyés : messages protobuf d'un affichage (sans les fichiers à télécharger, "
        "les images ni les lignes de tableau chargées au défilement).",
        "Requêtes : ms passées dans DuckDB à l'affichage à froid ; base : ms des instructions "
        "SQL envoyées à la base (journal, révisions, registres) par relance à chaud.",
    ]
    if with_browser:
        lines.append(
            "Navigateur (indicatif) : ms depuis le début de la navigation jusqu'au titre, "
            f"au premier KPI et au premier graphique visibles, médiane de {BROWSER_VISITS} "
            "visites après une visite de mise en température ; « — » : aucun sur la page."
        )
        lines += ["", *browser_report(results)]
    return "\n".join(lines)


BROWSER_COLUMNS = (("title_ms", "titre"), ("kpi_ms", "1er KPI"), ("chart_ms", "1er graph."),
                   (MAP_MARK, "carte"), (IDLE_MARK, "fin"))  # fmt: skip


def browser_report(results: list[PageResult]) -> list[str]:
    """The browser's table: each mark by the page's address and from a click in the menu."""
    width = 8 * len(BROWSER_COLUMNS)
    head = " ".join(f"{label:>7}" for _, label in BROWSER_COLUMNS)
    lines = [
        "Navigateur, en ms (médianes) :",
        f"{'':<32} {'par l’adresse de la page':^{width}} │ {'par un clic dans le menu':^{width}}",
        f"{'Page':<32} {head} │ {head}",
    ]
    for r in results:
        if r.browser is None and r.browser_click is None:
            continue
        cells = [
            " ".join(f"{_cell((marks or {}).get(name)):>7}" for name, _ in BROWSER_COLUMNS)
            for marks in (r.browser, r.browser_click)
        ]
        lines.append(f"{r.page[:32]:<32} {cells[0]} │ {cells[1]}")
    lines += [
        "",
        f"Par l'adresse : la page chargée dans un nouvel onglet, médiane de {BROWSER_VISITS} "
        "visites (ms depuis le début de la navigation). Par un clic : l'application ouverte "
        f"une fois, la page atteinte par son entrée du menu, sans rechargement, médiane de "
        f"{BROWSER_VISITS} clics depuis la page la plus légère (ms depuis le clic).",
        "titre, 1er KPI, 1er graph. : premier élément de ce type visible ; carte : la carte "
        "répond au pointeur (son infobulle s'affiche au survol) ; fin : l'exécution de la "
        "page terminée sur le serveur ; « — » : aucun sur la page.",
    ]
    return lines


def failures(results: list[PageResult]) -> list[str]:
    return [f"la page « {r.page} » a échoué : {r.error}" for r in results if r.error]


def main(args: argparse.Namespace) -> int:
    """``bench --pages``: the table (or JSON), then a French error and exit 1 when a page
    raised."""
    repeat = args.repeat if args.repeat is not None else DEFAULT_REPEAT
    if repeat < 1:
        raise CommandError("--repeat doit valoir au moins 1.", EXIT_USAGE)
    data = Path(args.data) if args.data else None
    as_json = args.json

    def log(line: str) -> None:
        print(line, file=sys.stderr if as_json else sys.stdout, flush=True)

    role = args.role or DEFAULT_ROLE
    results = run(data, scale=args.scale, role=role, repeat=repeat, browser=args.browser, log=log)
    if as_json:
        print(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
    else:
        print(report(results, repeat, with_browser=args.browser))
    problems = failures(results)
    for problem in problems:
        print(f"Erreur : {problem}", file=sys.stderr)
    return EXIT_FAILED if problems else 0
