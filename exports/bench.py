"""Export timings: ``python -m exports.bench [--period 2026-S1] [--pole all] [--runs 3]``.

On the data of SPPE_DATA_DIR (the demo data by default; ``python -m sppe_data demo
--scale 100`` for the national scale): time of the first chart image (Chromium start
included) and the median time of the next ones per format, with their sizes; the pôle
map's PNG (the heaviest image); then the committee deck (PPTX + PDF): first deck of the
process (Chromium start included), median of ``--runs`` decks with the image cache
emptied before each (every chart rendered), and one deck whose images all come from the
cache; total and per phase (données: reading and building the slides, the charts being
rendered meanwhile; images: waiting for the charts still rendering; pptx and pdf,
built side by side). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

PHASES = ("total", "données", "images", "pptx", "pdf")


def _phases(timings: dict[str, float]) -> str:
    return " · ".join(f"{k} {timings[k]:.2f} s" for k in PHASES if k in timings)


def main(argv: list[str] | None = None) -> int:
    from exports import images
    from exports.deck import build_deck, collect, indicator_slides, pole_map_slides
    from sppe_data.period import parse_period

    parser = argparse.ArgumentParser(prog="python -m exports.bench")
    parser.add_argument("--period", default=f"{date.today().year}-S1")
    parser.add_argument("--pole", default="all")
    parser.add_argument("--repeat", type=int, default=5, help="images par format")
    parser.add_argument("--runs", type=int, default=3, help="dossiers mesurés")
    args = parser.parse_args(argv)
    period = parse_period(args.period)

    ctx = collect(period, args.pole)
    slide = indicator_slides(ctx)[0]
    lines = []

    def one(fmt: str, shown=slide) -> tuple[float, int]:
        images.clear_cache()  # a real render each time
        started = time.perf_counter()
        data = images.figure_to_image(
            shown.figure, fmt, shown.image_title, shown.subtitle, "activités", date.today()
        )
        return time.perf_counter() - started, len(data)

    images.stop()
    first, _ = one("png")
    lines.append(f"Première image PNG (démarrage de Chromium compris) : {first:.2f} s")
    for fmt in ("png", "svg", "pdf"):
        runs = [one(fmt) for _ in range(args.repeat)]
        median = statistics.median(t for t, _ in runs)
        lines.append(
            f"Image {fmt.upper()} suivante : médiane {median:.3f} s sur {args.repeat}, "
            f"{runs[0][1] / 1024:.0f} Ko"
        )
    started = time.perf_counter()
    images.figure_to_image(
        slide.figure, "png", slide.image_title, slide.subtitle, "activités", date.today()
    )
    lines.append(f"Image PNG déjà produite (cache) : {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    pole_map = pole_map_slides(ctx)[0]
    built = time.perf_counter() - started
    runs = [one("png", pole_map) for _ in range(args.repeat)]
    lines.append(
        f"Carte des pôles : figure {built:.2f} s, PNG médiane "
        f"{statistics.median(t for t, _ in runs):.3f} s sur {args.repeat}, "
        f"{runs[0][1] / 1024:.0f} Ko"
    )

    images.stop()
    images.clear_cache()
    deck = build_deck(period, args.pole, with_pdf=True)
    lines.append(
        f"Dossier {period.label}, premier du processus (démarrage de Chromium compris), "
        f"{deck.slide_count} diapositives : {_phases(deck.timings_s)}"
    )
    runs = []
    for _ in range(args.runs):
        images.clear_cache()
        runs.append(build_deck(period, args.pole, with_pdf=True).timings_s)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    lines.append(f"Dossier, médiane sur {args.runs} (images rendues) : {_phases(median)}")
    deck = build_deck(period, args.pole, with_pdf=True)
    lines.append(f"Dossier, images en cache : {_phases(deck.timings_s)}")
    lines.append(
        f"Tailles : PPTX {len(deck.pptx) / 1024:.0f} Ko, PDF {len(deck.pdf) / 1024:.0f} Ko"
    )
    images.stop()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
