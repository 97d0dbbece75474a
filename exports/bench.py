"""Export timings: ``python -m exports.bench [--period 2026-S1] [--pole all]``.

On the data of SPPE_DATA_DIR (the demo data by default): time of the first chart image
(Chromium start included) and of the next ones per format, with their sizes; then the
full committee deck (PPTX + PDF) with its sizes. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date


def main(argv: list[str] | None = None) -> int:
    from exports import images
    from exports.deck import build_deck, collect, indicator_slides
    from sppe_data.period import parse_period

    parser = argparse.ArgumentParser(prog="python -m exports.bench")
    parser.add_argument("--period", default=f"{date.today().year}-S1")
    parser.add_argument("--pole", default="all")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    period = parse_period(args.period)

    slide = indicator_slides(collect(period, args.pole))[0]
    lines = []

    def one(fmt: str) -> tuple[float, int]:
        started = time.perf_counter()
        data = images.figure_to_image(
            slide.figure, fmt, slide.image_title, slide.subtitle, "activités", date.today()
        )
        return time.perf_counter() - started, len(data)

    first, _ = one("png")
    lines.append(f"Première image PNG (démarrage de Chromium compris) : {first:.2f} s")
    for fmt in ("png", "svg", "pdf"):
        runs = [one(fmt) for _ in range(args.repeat)]
        median = statistics.median(t for t, _ in runs)
        lines.append(
            f"Image {fmt.upper()} suivante : médiane {median:.3f} s sur {args.repeat}, "
            f"{runs[0][1] / 1024:.0f} Ko"
        )
    deck = build_deck(period, args.pole, with_pdf=True)
    timings = " · ".join(f"{k} {v:.2f} s" for k, v in deck.timings_s.items())
    lines.append(f"Dossier {period.label}, {deck.slide_count} diapositives : {timings}")
    lines.append(
        f"Tailles : PPTX {len(deck.pptx) / 1024:.0f} Ko, PDF {len(deck.pdf) / 1024:.0f} Ko"
    )
    images.stop()
    started = time.perf_counter()
    deck = build_deck(period, args.pole, with_pdf=True)
    lines.append(
        f"Dossier avec démarrage de Chromium (premier export du processus) : "
        f"{time.perf_counter() - started:.2f} s"
    )
    images.stop()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
