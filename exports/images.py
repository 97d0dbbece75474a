"""Chart images for meetings: PNG (16:9, 1920 x 1080), SVG and PDF, rendered by one
Chromium (through kaleido) shared by every export of the process.

The image says what it shows: title, scope, source and data date are drawn inside it,
with the same plotly template as on screen (``charts.theme``).

Public API: ``figure_to_image(fig, fmt, title, scope, source, data_date) -> bytes`` for
one export, ``figures_to_images([(fig, fmt, title, scope, source, data_date), …])`` for
many at once (the committee deck). The Chromium is started on the first export (or by
``warm_up()``, never at import) and reused: it keeps ``TABS`` tabs with plotly.js loaded,
driven by one asyncio loop on a background thread, so that concurrent exports and the
images of a deck are rendered side by side. plotly.js clears its plot after each image;
a tab's page is still loaded afresh every ``RENDERS_PER_LOAD`` images, in the
background: no export waits for it. A failed render restarts the Chromium. Identical
requests (same figure, same format) are answered from a small in-memory cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pickle
import shutil
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go

from charts import theme
from sppe_data import fmt

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
# Layout size in CSS pixels (16:9); PNG is rendered at 1.5x: 1920 x 1080.
WIDTH, HEIGHT = 1280, 720
PNG_SCALE = 1.5
RENDER_TIMEOUT_S = 60
CHROMIUM_ENV = "SPPE_CHROMIUM"  # optional override of the browser used for images
TABS = 3  # tabs of the shared Chromium: images rendered side by side
RENDERS_PER_LOAD = 25  # images drawn by a tab before its page is loaded afresh
START_TIMEOUT_S = 60
CACHE_BYTES = 64 * 1024 * 1024  # rendered images kept for identical requests

_LOCK = threading.Lock()  # guards the engine (start, stop) and the cache
_ENGINE: _Engine | None = None
_CACHE: OrderedDict[str, bytes] = OrderedDict()

# One image to render: (figure, format, title, scope, source, data date).
ImageRequest = tuple[go.Figure, str, str, str, str, "date | None"]


class ImageExportError(RuntimeError):
    """An image could not be produced; the message is French and shown as is."""


def chromium_path() -> str | None:
    """Debian's Chromium (package ``chromium``), or the one named by SPPE_CHROMIUM."""
    for candidate in (os.environ.get(CHROMIUM_ENV), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def available() -> bool:
    return chromium_path() is not None


def _merge(base: dict, changes: dict) -> dict:
    """``base`` updated by ``changes`` as plotly's ``update_layout`` does: nested dicts
    merged, other values replaced. Returns a new dict; neither argument is changed."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def framed_spec(
    fig: go.Figure, title: str, scope: str, source: str, data_date: date | None
) -> dict:
    """``fig`` as a plotly dict sized 16:9 with the title, the scope (as subtitle) and a
    ``Source : … · Données au …`` line inside the image. Built on the dict: a figure's
    properties are not checked again (30 to 80 ms a chart)."""
    spec = fig.to_dict()
    layout = _merge(
        spec.get("layout", {}),
        dict(
            width=WIDTH,
            height=HEIGHT,
            margin=dict(l=80, r=40, t=110, b=130),
            title=dict(
                text=title,
                subtitle=dict(text=scope, font=dict(size=16, color=theme.MUTED)),
                x=0.02,
                xanchor="left",
                font=dict(size=24),
            ),
            font=dict(size=15),
        ),
    )
    layout["template"] = {"layout": theme.template_layout()}
    layout["annotations"] = [
        *layout.get("annotations", ()),
        dict(
            text=f"Source : {source} · Données au {fmt.day(data_date)}",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-100,
            showarrow=False,
            align="left",
            font=dict(size=13, color=theme.MUTED),
        ),
    ]
    return {**spec, "layout": layout}


def framed(
    fig: go.Figure, title: str, scope: str, source: str, data_date: date | None
) -> go.Figure:
    """``framed_spec`` as a figure (properties checked). Pure; ``fig`` is not changed."""
    return go.Figure(framed_spec(fig, title, scope, source, data_date))


_UNAVAILABLE = (
    "Export d'image indisponible : Chromium n'est pas installé sur le serveur "
    "(paquet Debian « chromium »)."
)
_FAILED = (
    "L'image n'a pas pu être produite (moteur de rendu indisponible). Réessayez dans un instant."
)


def _kaleido_class():
    """kaleido's browser whose tabs are reused for ``RENDERS_PER_LOAD`` images before a
    reload (kaleido reloads after every image: plotly.js parsed again, 0.2 to 0.5 s of a
    core each time), the reload done without making any image wait (imported on the
    first export only)."""
    import kaleido

    class _Kaleido(kaleido.Kaleido):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self._reloads: set[asyncio.Task] = set()
            self._renders: dict[int, int] = {}  # images since the last load, per tab

        async def _return_kaleido_tab(self, tab) -> None:
            done = self._renders.get(id(tab), 0) + 1
            if done < RENDERS_PER_LOAD:
                # plotly.js purges its plot after each image: the page is clean.
                self._renders[id(tab)] = done
                await self.tabs_ready.put(tab)
                return
            self._renders[id(tab)] = 0
            task = asyncio.create_task(super()._return_kaleido_tab(tab))
            self._reloads.add(task)
            task.add_done_callback(self._reloads.discard)
            task.add_done_callback(_reloaded)

        async def close(self) -> None:
            for task in list(self._reloads):
                task.cancel()
            await super().close()

    def _reloaded(task: asyncio.Task) -> None:
        # Collected here: a reload cut short by a stop is not an error worth a trace.
        if not task.cancelled():
            task.exception()

    return _Kaleido


class _Engine:
    """The shared Chromium (``TABS`` tabs) and the asyncio loop, on a daemon thread, that
    drives it. Started without waiting: ``render`` waits for the start if needed."""

    def __init__(self, browser: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="sppe-images", daemon=True
        )
        self.thread.start()
        self.browser = None
        self.warming: asyncio.Future | None = None
        self.opened = asyncio.run_coroutine_threadsafe(self._open(browser), self.loop)

    async def _open(self, path: str) -> None:
        browser = _kaleido_class()(n=TABS, path=path, mathjax=False, timeout=RENDER_TIMEOUT_S)
        await browser.open()
        self.browser = browser
        # Each tab draws a small chart once, in the background: its first real image
        # then runs on compiled plotly.js code (0.1 to 0.2 s faster).
        self.warming = asyncio.gather(
            *(browser.calc_fig(_WARM_FIGURE, opts=_opts("png")) for _ in range(TABS)),
            return_exceptions=True,
        )

    async def _render_all(self, jobs: list[tuple[dict, dict]]) -> list[bytes]:
        async def one(fig: dict, opts: dict) -> bytes:
            # A tab lost with a crashed renderer would be waited for forever: time out.
            return await asyncio.wait_for(
                self.browser.calc_fig(fig, opts=opts), RENDER_TIMEOUT_S + 5
            )

        return await asyncio.gather(*(one(fig, opts) for fig, opts in jobs))

    def render(self, jobs: list[tuple[dict, dict]]) -> list[bytes]:
        self.opened.result(timeout=START_TIMEOUT_S)
        done = asyncio.run_coroutine_threadsafe(self._render_all(jobs), self.loop)
        return done.result(timeout=RENDER_TIMEOUT_S * (1 + len(jobs) // TABS) + 10)

    def close(self) -> None:
        try:
            self.opened.result(timeout=START_TIMEOUT_S)  # a Chromium being started: close it
            asyncio.run_coroutine_threadsafe(self.browser.close(), self.loop).result(timeout=20)
        except Exception:  # a dead browser: nothing left to close
            pass
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=20)


_WARM_FIGURE = {
    "data": [
        {"type": "bar", "x": ["a", "b"], "y": [1, 2], "name": "a"},
        {"type": "scatter", "x": ["a", "b"], "y": [2, 1], "name": "b"},
    ],
    "layout": {"title": {"text": "a", "subtitle": {"text": "b"}}},
}


def _engine() -> _Engine:
    global _ENGINE
    browser = chromium_path()
    if browser is None:
        raise ImageExportError(_UNAVAILABLE)
    with _LOCK:
        if _ENGINE is None:
            _ENGINE = _Engine(browser)
        return _ENGINE


def _drop(engine: _Engine) -> None:
    """Stops ``engine`` if it is still the shared one (a crashed or stuck Chromium)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is not engine:
            return
        _ENGINE = None
    engine.close()


def warm_up() -> None:
    """Starts the shared Chromium in the background (returns at once) so that the first
    export of a deck does not wait for it. Does nothing without Chromium."""
    if available():
        _engine()


def _opts(fmt_name: str) -> dict:
    scale = PNG_SCALE if fmt_name == "png" else 1
    return {"format": fmt_name, "width": WIDTH, "height": HEIGHT, "scale": scale}


def _key(spec: dict, fmt_name: str) -> tuple[str, int]:
    """Cache key of a framed figure (as a dict) in a format, and the size of its
    specification. Pickle rather than JSON: the same content gives the same bytes within
    the process, ten times faster than JSON on a map."""
    data = pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(fmt_name.encode() + b"\n" + data).hexdigest(), len(data)


def _remember(rendered: dict[str, bytes]) -> None:
    with _LOCK:
        for key, data in rendered.items():
            _CACHE[key] = data
            _CACHE.move_to_end(key)
        while sum(len(v) for v in _CACHE.values()) > CACHE_BYTES and len(_CACHE) > 1:
            _CACHE.popitem(last=False)


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


def _render_many(specs: list[tuple[dict, str]]) -> list[bytes]:
    """Images of framed figures, in order: identical requests come from the cache, the
    others are rendered together on the shared Chromium, the heaviest first (a map
    starts on a tab while the other charts share the remaining ones)."""
    if not available():
        raise ImageExportError(_UNAVAILABLE)
    keyed = [(*_key(spec, fmt_name), spec, fmt_name) for spec, fmt_name in specs]
    with _LOCK:
        found = {key: _CACHE[key] for key, *_ in keyed if key in _CACHE}
        for key in found:
            _CACHE.move_to_end(key)
    todo: dict[str, tuple[int, dict, str]] = {}
    for key, size, fig, fmt_name in keyed:
        if key not in found:
            todo.setdefault(key, (size, fig, fmt_name))
    if todo:
        order = sorted(todo, key=lambda k: -todo[k][0])
        jobs = [(todo[k][1], _opts(todo[k][2])) for k in order]
        for attempt in (1, 2):
            engine = _engine()
            try:
                results = engine.render(jobs)
                break
            except Exception as exc:  # kaleido/choreographer errors: a French message
                # A crashed or stuck Chromium: start a fresh one and try once more.
                _drop(engine)
                if attempt == 2:
                    raise ImageExportError(_FAILED) from exc
        rendered = dict(zip(order, results, strict=True))
        _remember(rendered)
        found.update(rendered)
    return [found[key] for key, *_ in keyed]


def figure_to_image(
    fig: go.Figure,
    fmt: str,
    title: str,
    scope: str,
    source: str,
    data_date: date | None,
) -> bytes:
    """The chart as ``png`` (1920 x 1080), ``svg`` or ``pdf`` (1280 x 720 px page),
    framed with its title, scope, source and data date."""
    return figures_to_images([(fig, fmt, title, scope, source, data_date)])[0]


def figures_to_images(requests: Sequence[ImageRequest]) -> list[bytes]:
    """Several charts at once, each as ``figure_to_image`` would give it, in order:
    rendered side by side on the tabs of the shared Chromium."""
    for request in requests:
        if request[1] not in FORMATS:
            raise ValueError(f"format d'image inconnu : {request[1]!r} (png, svg ou pdf)")
    return _render_many(
        [
            (framed_spec(fig, title, scope, source, data_date), fmt_name)
            for fig, fmt_name, title, scope, source, data_date in requests
        ]
    )


def stop() -> None:
    """Stops the shared Chromium (tests and command-line runs; the app keeps it)."""
    global _ENGINE
    with _LOCK:
        engine, _ENGINE = _ENGINE, None
    if engine is not None:
        engine.close()
