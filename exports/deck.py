"""The committee deck (dossier COPIL): what goes on each slide, independent of the file
format; ``exports.deck_pptx`` and ``exports.deck_pdf`` draw the same slides as
PowerPoint (16:9) and PDF.

Slides, in order: a title slide (period, scope, data date); one slide per targeted
indicator (chart, figures, a factual sentence computed from the figures); a pôle-by-pôle
table; then the slides of ``EXTRA_SLIDES``, a plain list of builder functions that other
views (maps, committee views) add themselves to.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go
import polars as pl

from charts.progress import cumulative_progress
from charts.tables import REALISED, STATUS, TARGET, matrix_indicators, progress_matrix
from exports.deck_governance import governance_slides
from exports.tables import EURO_COLUMNS, PERCENT_COLUMNS
from sppe_data import api, fmt, reference, steering
from sppe_data.labels import PACE_STATUS
from sppe_data.period import Period

SOURCE = "activités réalisées (statut « réalisée »)"


@dataclass(frozen=True)
class Slide:
    """One slide, format-free. ``figure`` is rendered to a PNG with ``image_title`` and
    the deck's scope inside; ``image`` is a ready PNG (e.g. a map); ``facts`` are
    (label, value) pairs shown next to the picture; ``table`` is a display table."""

    title: str
    subtitle: str = ""
    figure: go.Figure | None = None
    image_title: str = ""
    image: bytes | None = None
    facts: tuple[tuple[str, str], ...] = ()
    sentence: str = ""
    table: pl.DataFrame | None = None
    is_title: bool = False


@dataclass(frozen=True)
class DeckContext:
    """Everything a slide builder may read. ``progress``: indicator_period rows (grain
    pôle-or-mission x indicator) for the period; ``scope_rows``: those of the scope."""

    period: Period
    pole_code: str
    pole_label: str
    data_date: date | None
    today: date
    source_label: str
    progress: pl.DataFrame
    year_progress: pl.DataFrame  # indicator_progress(period.year): forecasts for the charts
    # A semester's deck: the COPIL page's rows (copil_semester), whose figures its
    # indicator slides and pôle table show, as the page does (year to date).
    copil: pl.DataFrame | None = None

    @property
    def scope(self) -> str:
        return f"{self.pole_label}, {self.period.label}"

    @property
    def scope_rows(self) -> pl.DataFrame:
        return self.progress.filter(pl.col("pole_code") == self.pole_code)

    @property
    def footer(self) -> str:
        return (
            f"Pilotage SPPE · {self.scope} · Source : {SOURCE} ({self.source_label}) · "
            f"Données au {fmt.day(self.data_date)}"
        )


SlideBuilder = Callable[[DeckContext], list[Slide]]


# Table text on a slide: about 11 characters per inch at 11–12 pt, plus the cell margins.
CHARS_PER_INCH = 11
CELL_MARGIN_IN = 0.2
LONG_WORD_CHARS = 20  # a longer word (an address, an id) may break


def column_widths(table: pl.DataFrame, total: float) -> list[float]:
    """Widths of a slide table's columns (inches), adding up to ``total``. Every column
    first gets the width of its longest word (a date, a code, a header word: never broken
    in the middle); what is left goes to the columns whose texts are longer than that, in
    proportion to how much longer (so long texts wrap on fewer lines). When even the
    longest words do not fit, the widths follow them."""
    need, extra = [], []
    for name in table.columns:
        texts = [str(v) for v in table[name].to_list() if v is not None]
        words = [w for t in texts for w in t.split()] + name.split()
        word = min(max((len(w) for w in words), default=1), LONG_WORD_CHARS)
        longest = max([len(t) for t in texts] + [word], default=word)
        need.append((word + 1) / CHARS_PER_INCH + CELL_MARGIN_IN)
        extra.append((longest - word) / CHARS_PER_INCH)
    spare = total - sum(need)
    if spare <= 0:
        return [total * w / sum(need) for w in need]
    shares = extra if sum(extra) > 0 else need
    return [n + spare * e / sum(shares) for n, e in zip(need, shares, strict=True)]


@dataclass(frozen=True)
class Deck:
    pptx: bytes
    pdf: bytes | None
    slide_count: int
    titles: tuple[str, ...]
    timings_s: dict[str, float] = field(default_factory=dict)


def collect(period: Period, pole_code: str) -> DeckContext:
    """Reads the figures of the period (one query) and of its year (for the charts)."""
    info = api.data_info()
    previous = period.previous()
    poles = api.pole_options()
    if pole_code not in poles:
        raise ValueError(f"Pôle inconnu « {pole_code} » : {', '.join(poles)}.")
    return DeckContext(
        period=period,
        pole_code=pole_code,
        pole_label=poles[pole_code],
        data_date=info.data_date,
        today=info.today,
        source_label=info.source_label,
        progress=api.indicator_period(period.start, period.end, previous.start, previous.end),
        year_progress=api.indicator_progress(period.year),
        copil=(
            steering.copil_semester(period.year, period.number)
            if period.kind == "semester"
            else None
        ),
    )


def _change(current: int, previous: int) -> str:
    delta = current - previous
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{fmt.number(abs(delta))}"


def indicator_sentence(row: dict, period: Period, today: date, unit: str) -> str:
    """A short factual sentence from the figures of one indicator_period row."""
    text = (
        f"{period.label.capitalize()} — réalisé : {fmt.number(row['realised_count'])} {unit},"
        f" pour une cible de {fmt.number(row['target_count'], 1)} sur la période"
        f" ({fmt.percent(row['achieved_share'])} atteint)."
    )
    status = PACE_STATUS[row["pace_status"]].label.lower()
    if row["pace_status"] == "not_started":
        text += " La période n'a pas commencé."
    elif today < period.end:
        text += (
            f" Attendu au {fmt.day(today)} : {fmt.number(row['expected_count'], 1)},"
            f" soit un rythme de {fmt.percent(row['pace_ratio'])} ({status})."
        )
    else:
        text += f" Période close : rythme de {fmt.percent(row['pace_ratio'])} ({status})."
    previous = row["previous_realised_count"]
    text += (
        f" Période précédente ({period.previous().label}) : {fmt.number(previous)},"
        f" soit {_change(row['realised_count'], previous)}."
    )
    return text


def indicator_facts(row: dict, period: Period) -> tuple[tuple[str, str], ...]:
    status = PACE_STATUS[row["pace_status"]]
    return (
        ("Réalisé sur la période", fmt.number(row["realised_count"])),
        ("Cible de la période", fmt.number(row["target_count"], 1)),
        ("Atteint", fmt.percent(row["achieved_share"])),
        ("Attendu à date", fmt.number(row["expected_count"], 1)),
        ("Rythme", f"{fmt.percent(row['pace_ratio'])} · {status.symbol} {status.label}"),
        (
            f"Période précédente ({period.previous().label})",
            f"{fmt.number(row['previous_realised_count'])} "
            f"({_change(row['realised_count'], row['previous_realised_count'])})",
        ),
    )


def semester_facts(row: dict, period: Period) -> tuple[tuple[str, str], ...]:
    """The facts of an indicator on a semester's deck: the COPIL page's figures
    (copil_semester row), each saying what it counts."""
    status = PACE_STATUS[row["pace_status"]]
    previous = period.previous()
    return (
        (f"Réalisé au {period.label}", fmt.number(row["semester_realised_count"])),
        ("Réalisé depuis le 1er janvier", fmt.number(row["year_realised_count"])),
        ("Cible annuelle", fmt.number(row["target_count"], 1)),
        ("Attendu à date", fmt.number(row["expected_count"], 1)),
        ("Rythme", f"{fmt.percent(row['pace_ratio'])} · {status.symbol} {status.label}"),
        (
            f"Semestre précédent ({previous.label})",
            f"{fmt.number(row['previous_realised_count'])} "
            f"({_change(row['semester_realised_count'], row['previous_realised_count'])})",
        ),
    )


def semester_sentence(row: dict, period: Period, unit: str) -> str:
    """The sentence of an indicator on a semester's deck, from its copil_semester row."""
    status = PACE_STATUS[row["pace_status"]].label.lower()
    previous = row["previous_realised_count"]
    if row["as_of"] < period.start:
        return (
            f"{period.label.capitalize()} : la période n'a pas commencé. Depuis le 1er"
            f" janvier : {fmt.number(row['year_realised_count'])} {unit}, pour une cible"
            f" annuelle de {fmt.number(row['target_count'], 1)} ; attendu au"
            f" {fmt.day(row['as_of'])} : {fmt.number(row['expected_count'], 1)} ({status})."
        )
    return (
        f"{period.label.capitalize()} — réalisé : {fmt.number(row['semester_realised_count'])}"
        f" {unit} ; depuis le 1er janvier : {fmt.number(row['year_realised_count'])}, pour"
        f" une cible annuelle de {fmt.number(row['target_count'], 1)}. Attendu au"
        f" {fmt.day(row['as_of'])} : {fmt.number(row['expected_count'], 1)}, soit un rythme"
        f" de {fmt.percent(row['pace_ratio'])} ({status}). Semestre précédent"
        f" ({period.previous().label}) : {fmt.number(previous)},"
        f" soit {_change(row['semester_realised_count'], previous)}."
    )


def _indicator_chart(ctx: DeckContext, row: dict) -> go.Figure:
    year = ctx.period.year
    monthly = api.indicator_monthly(year, row["indicator_code"], ctx.pole_code)
    forecast = ctx.year_progress.filter(
        (pl.col("pole_code") == ctx.pole_code) & (pl.col("indicator_code") == row["indicator_code"])
    )
    fig = cumulative_progress(
        monthly,
        forecast["forecast_count"][0] if forecast.height else None,
        title=f"{row['indicator_label']} : réalisé cumulé et trajectoire cible",
        subtitle=f"{ctx.pole_label}, {year}",
        today=ctx.today,
    )
    if ctx.period.kind != "year":
        # The period shaded and named, as ``add_vrect`` draws it, set in one update
        # (ten times cheaper than add_vrect).
        band = dict(xref="x", yref="y domain", x0=ctx.period.start, x1=ctx.period.end)
        fig.update_layout(
            shapes=[
                *fig.layout.shapes,
                dict(band, type="rect", y0=0, y1=1, fillcolor="#F0F0F0", layer="below",
                     line=dict(width=0)),
            ],
            annotations=[
                *fig.layout.annotations,
                dict(xref="x", yref="y domain", x=ctx.period.start, y=1, xanchor="left",
                     yanchor="top", text=ctx.period.label, showarrow=False),
            ],
        )  # fmt: skip
    return fig


def title_slide(ctx: DeckContext) -> Slide:
    return Slide(
        title="Comité de pilotage – mission SPPE",
        subtitle=(
            f"{ctx.pole_label} · {ctx.period.label}\n"
            f"Données au {fmt.day(ctx.data_date)} · situation au {fmt.long_day(ctx.today)}"
        ),
        is_title=True,
    )


def indicator_slides(ctx: DeckContext) -> list[Slide]:
    units = dict(reference.indicators().select("indicator_code", "unit").iter_rows())
    slides = []
    copil = {}
    if ctx.copil is not None:
        scope = ctx.copil.filter(pl.col("pole_code") == ctx.pole_code)
        copil = {r["indicator_code"]: r for r in scope.iter_rows(named=True)}
    for row in ctx.scope_rows.sort("indicator_sort").iter_rows(named=True):
        fig = _indicator_chart(ctx, row)
        unit = units.get(row["indicator_code"], "")
        semester = copil.get(row["indicator_code"])
        slides.append(
            Slide(
                title=row["indicator_label"],
                subtitle=ctx.scope,
                figure=fig,
                image_title=fig.layout.title.text,
                facts=(
                    semester_facts(semester, ctx.period)
                    if semester
                    else indicator_facts(row, ctx.period)
                ),
                sentence=(
                    semester_sentence(semester, ctx.period, unit)
                    if semester
                    else indicator_sentence(row, ctx.period, ctx.today, unit)
                ),
            )
        )
    return slides


_SYMBOLS = {f"{s.symbol} {s.label}": s.symbol for s in PACE_STATUS.values()}


def matrix_cells(matrix: pl.DataFrame) -> pl.DataFrame:
    """A typed pôle matrix (``charts.tables.progress_matrix``) as the slide shows it:
    the pôle, then one cell per indicator, ``✔ 187 / 250`` (status symbol, realised,
    target)."""
    columns = {"Pôle": matrix["Pôle"].to_list()}
    for name in matrix_indicators(matrix):
        columns[name] = [
            f"{_SYMBOLS.get(status, '–')} {fmt.number(realised)} / {fmt.smart(target)}"
            for status, realised, target in zip(
                matrix[name + STATUS], matrix[name + REALISED], matrix[name + TARGET],
                strict=True,
            )
        ]  # fmt: skip
    return pl.DataFrame(columns, schema={c: pl.String for c in columns})


def french_cells(table: pl.DataFrame) -> pl.DataFrame:
    """A typed table as French text for a slide: 1 234 and 12,5 (one decimal), 12,5 %
    for shares, 1 234 € for amounts, 05/03/2026 for dates; text columns unchanged."""

    def text(name: str, dtype: pl.DataType):
        if name in PERCENT_COLUMNS and dtype.is_numeric():
            return lambda v: fmt.percent(v, 1)
        if name in EURO_COLUMNS and dtype.is_numeric():
            return fmt.euros
        if dtype.is_integer():
            return fmt.number
        if dtype.is_float():
            return lambda v: fmt.number(v, 1)
        if dtype == pl.Date:
            return fmt.day
        return None

    return table.select(
        pl.Series(name, [show(v) for v in table[name]], dtype=pl.String)
        if (show := text(name, dtype))
        else pl.col(name)
        for name, dtype in table.schema.items()
    )


def pole_table_slide(ctx: DeckContext) -> Slide:
    from charts.copil import copil_matrix

    rows = ctx.progress if ctx.copil is None else ctx.copil
    if ctx.pole_code != api.ALL_POLES:
        rows = rows.filter(pl.col("pole_code").is_in([api.ALL_POLES, ctx.pole_code]))
    return Slide(
        title="Pôle par pôle",
        subtitle=(
            f"{ctx.period.label} · réalisé / cible de la période"
            if ctx.copil is None
            else f"{ctx.period.label} · réalisé depuis le 1er janvier / cible annuelle"
        ),
        table=matrix_cells(progress_matrix(rows) if ctx.copil is None else copil_matrix(rows)),
        sentence="Légende : " + " · ".join(f"{s.symbol} {s.label}" for s in PACE_STATUS.values()),
    )


def pole_map_slides(ctx: DeckContext) -> list[Slide]:
    """The pôles, their portfolios and pivot Cafs on the national map (overseas insets)."""
    from charts.pole_map import pole_map_figure
    from geo import boundaries
    from sppe_data import territory

    departements = territory.departement_map(ctx.period.year, api.ALL_POLES)
    title = "Les pôles de la mission SPPE et leurs Caf pivots"
    fig = pole_map_figure(boundaries.national_layout(screen=True), departements, title, "")
    by_pole = departements.filter(~pl.col("is_overseas")).group_by("pole_label").len()
    facts = tuple(
        (label, f"{fmt.number(n)} départements")
        for label, n in by_pole.sort("pole_label").iter_rows()
    )
    overseas = departements.filter(pl.col("is_overseas")).height
    return [
        Slide(
            title="Carte des pôles",
            subtitle="Portefeuilles régionaux et Caf pivots",
            figure=fig,
            image_title=title,
            facts=facts,
            sentence=(
                f"{departements['is_pivot'].sum()} Caf pivots désignées ; "
                f"{overseas} départements d'outre-mer (encarts) : ingénierie par le Cepaje, "
                "appui au contrôle par le pôle Centre-Est."
            ),
        )
    ]


def copil_slides(ctx: DeckContext) -> list[Slide]:
    """The COPIL stratégique view of the semester holding the end of the period (the
    last one started for a year): factual summary, then the largest gaps."""
    from charts import copil as copil_builders

    year = ctx.period.year
    # The semester of the period: itself, the one holding the month, or for a year the
    # one of today when the year is under way (its second when it is over).
    anchor = ctx.today if ctx.period.kind == "year" else ctx.period.start
    anchor = min(max(anchor, ctx.period.start), ctx.period.end)
    half = Period.containing("semester", anchor).number
    semester = steering.semester_period(year, half)
    previous = semester.previous()
    copil = ctx.copil if ctx.copil is not None else steering.copil_semester(year, half)
    sentences = copil_builders.factual_summary(copil, previous.label)
    gaps = copil
    if ctx.pole_code != api.ALL_POLES:
        gaps = copil.filter(pl.col("pole_code").is_in([api.ALL_POLES, ctx.pole_code]))
    return [
        Slide(
            title="Synthèse factuelle du semestre",
            subtitle=f"Mission, {semester.label} · comparé au {previous.label}",
            table=pl.DataFrame({"Constat (rédigé à partir des seuls chiffres)": sentences}),
            sentence=reference.engineering_scope_note(),
        ),
        Slide(
            title="Les plus grands écarts à l'attendu",
            subtitle=f"{ctx.pole_label}, {semester.label} · réalisé depuis le 1er janvier",
            table=french_cells(copil_builders.largest_gaps(gaps)),
            sentence="Écart = attendu à date − réalisé ; seuls les écarts positifs sont listés.",
        ),
    ]


# Slides after the pôle table (committee view, maps), in order: builder functions.
EXTRA_SLIDES: tuple[SlideBuilder, ...] = (copil_slides, pole_map_slides, governance_slides)


def _slide_groups(ctx: DeckContext) -> Iterator[list[Slide]]:
    """The slides in order, builder by builder (a deck starts rendering the charts of a
    group while the next ones are read)."""
    yield [title_slide(ctx)]
    yield indicator_slides(ctx)
    yield [pole_table_slide(ctx)]
    for builder in EXTRA_SLIDES:
        yield builder(ctx)


def plan(ctx: DeckContext) -> list[Slide]:
    return [slide for group in _slide_groups(ctx) for slide in group]


Progress = Callable[[float, str], None]


def _timed(fn: Callable[..., bytes], *args) -> tuple[bytes, float]:
    started = time.perf_counter()
    return fn(*args), time.perf_counter() - started


def build_deck(
    period: Period, pole_code: str, with_pdf: bool = True, progress: Progress | None = None
) -> Deck:
    """The deck as PPTX (and PDF). ``progress(fraction, French text)`` is called as it
    goes (the page shows it as a progress bar).

    The charts of each group of slides are rendered (shared Chromium) as soon as the
    group is built, while the next groups are read; the PDF is assembled alongside the
    PowerPoint. ``timings_s``: ``données`` (reading and building the slides), ``images``
    (waiting for the charts still being rendered after that), ``pptx``, ``pdf`` (each
    its own duration, the two overlapping) and ``total``."""
    from exports import deck_pdf, deck_pptx, images

    report = progress or (lambda fraction, text: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    images.warm_up()  # Chromium starts while the figures are read
    # Threads that wait for Chromium (the images), and the PDF built beside the PPTX.
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sppe-deck")
    try:
        report(0.02, "Lecture des chiffres…")
        ctx = collect(period, pole_code)
        slides: list[Slide] = []
        batches: list[tuple[list[int], Future[list[bytes]]]] = []
        for group in _slide_groups(ctx):
            charted = [len(slides) + i for i, slide in enumerate(group) if slide.figure is not None]
            slides.extend(group)
            if charted:
                requests = [
                    (slides[i].figure, "png", slides[i].image_title, ctx.scope, SOURCE,
                     ctx.data_date)
                    for i in charted
                ]  # fmt: skip
                batches.append((charted, pool.submit(images.figures_to_images, requests)))
        timings["données"] = time.perf_counter() - started

        count = sum(len(charted) for charted, _ in batches)
        report(0.3, f"{count} graphiques en cours de rendu…")
        mark = time.perf_counter()
        pictures: list[bytes | None] = [slide.image for slide in slides]
        for charted, batch in batches:
            for i, picture in zip(charted, batch.result(), strict=True):
                pictures[i] = picture
        timings["images"] = time.perf_counter() - mark

        report(0.85, "Assemblage PowerPoint et PDF…")
        pdf_job = (
            pool.submit(_timed, deck_pdf.render, slides, pictures, ctx.footer) if with_pdf else None
        )
        pptx, timings["pptx"] = _timed(deck_pptx.render, slides, pictures, ctx.footer)
        pdf = None
        if pdf_job is not None:
            pdf, timings["pdf"] = pdf_job.result()
    finally:
        # An error: charts still rendering finish on their own (and are cached).
        pool.shutdown(wait=False, cancel_futures=True)
    timings["total"] = time.perf_counter() - started
    report(1.0, "Dossier prêt.")
    return Deck(
        pptx=pptx,
        pdf=pdf,
        slide_count=len(slides),
        titles=tuple(s.title for s in slides),
        timings_s=timings,
    )
