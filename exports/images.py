"""Chart images for meetings: PNG (16:9, 1920 x 1080), SVG and PDF, rendered by one
Chromium (through kaleido) shared by every export of the process.

The image says what it shows: title, scope, source and data date are drawn inside it,
with the same plotly template as on screen (``charts.theme``).

Public API: ``figure_to_image(fig, fmt, title, scope, source, data_date) -> bytes``.
The Chromium is started on the first export (never at import) and reused; a lock
serialises the calls, since kaleido's sync server takes one request at a time.
"""

from __future__ import annotations

import os
import shutil
import threading
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

_LOCK = threading.Lock()


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


def framed(
    fig: go.Figure, title: str, scope: str, source: str, data_date: date | None
) -> go.Figure:
    """A copy of ``fig`` sized 16:9 with the title, the scope (as subtitle) and a
    ``Source : … · Données au …`` line inside the image. Pure; ``fig`` is not changed."""
    out = go.Figure(fig)
    out.update_layout(
        template=theme.template(),
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
    )
    out.add_annotation(
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
    )
    return out


def _render(fig: go.Figure, fmt_name: str) -> bytes:
    import kaleido

    browser = chromium_path()
    if browser is None:
        raise ImageExportError(
            "Export d'image indisponible : Chromium n'est pas installé sur le serveur "
            "(paquet Debian « chromium »)."
        )
    opts = {"format": fmt_name, "width": WIDTH, "height": HEIGHT}
    opts["scale"] = PNG_SCALE if fmt_name == "png" else 1
    with _LOCK:
        for attempt in (1, 2):
            # Idempotent: starts the one Chromium of the process on the first export only.
            kaleido.start_sync_server(
                path=browser, mathjax=False, timeout=RENDER_TIMEOUT_S, silence_warnings=True
            )
            try:
                return kaleido.calc_fig_sync(fig, opts=opts)
            except Exception as exc:  # kaleido/choreographer errors: a French message
                # A crashed or stuck Chromium: start a fresh one and try once more.
                kaleido.stop_sync_server(silence_warnings=True)
                if attempt == 2:
                    raise ImageExportError(
                        "L'image n'a pas pu être produite (moteur de rendu indisponible). "
                        "Réessayez dans un instant."
                    ) from exc
    raise AssertionError("unreachable")


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
    if fmt not in FORMATS:
        raise ValueError(f"format d'image inconnu : {fmt!r} (png, svg ou pdf)")
    return _render(framed(fig, title, scope, source, data_date), fmt)


def stop() -> None:
    """Stops the shared Chromium (tests and command-line runs; the app keeps it)."""
    import kaleido

    with _LOCK:
        kaleido.stop_sync_server(silence_warnings=True)
