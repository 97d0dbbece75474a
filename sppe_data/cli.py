"""Command line: ``python -m sppe_data <command>``."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from sppe_data.settings import get_settings

MAX_SCALE = 1000  # x1000 is about 3 million activities: beyond that, memory runs out


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from exc


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"nombre invalide « {text} »") from exc
    if not 0 < value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(
            f"l'échelle doit être strictement positive et au plus {MAX_SCALE}"
        )
    return value


def cmd_demo(args: argparse.Namespace) -> int:
    from sppe_data import demo

    if args.as_of and args.as_of < demo.MISSION_START:
        print(
            "Erreur : la date des données ne peut précéder le début de la mission (mai 2024).",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out) if args.out else get_settings().data_dir
    if args.if_empty and any((out / "extracts").glob("*/*.parquet")):
        print(f"Données déjà présentes dans {out} : rien à générer.")
        return 0
    started = time.perf_counter()
    result = demo.generate(out, seed=args.seed, scale=args.scale, as_of=args.as_of)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{k} : {v:,}".replace(",", " ") for k, v in result.row_counts.items())
    print(
        f"Données de démonstration écrites dans {out} (date des données {result.as_of:%d/%m/%Y})."
    )
    print(f"{counts} — {elapsed:.1f} s")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from sppe_data.catalog import build_catalog

    problems = build_catalog(get_settings().extracts_dir).problems
    for p in problems:
        print(p)
    if not problems:
        print("Données et référentiels cohérents.")
    return 1 if problems else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from sppe_data import bench

    data = Path(args.data) if args.data else None
    print(bench.report(bench.run(data, scale=args.scale, repeat=args.repeat)))
    return 0


def cmd_deck(args: argparse.Namespace) -> int:
    from streamlit import logger

    # The data layer's caches run without a Streamlit server here: that is expected.
    logger.set_log_level("error")
    from exports import images
    from exports.deck import build_deck
    from sppe_data import api
    from sppe_data.period import PeriodError, parse_period

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    if args.pole not in api.pole_options():
        known = ", ".join(api.pole_options())
        print(f"Erreur : pôle inconnu « {args.pole} » (valeurs : {known}).", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        deck = build_deck(period, args.pole, with_pdf=args.pdf)
    except images.ImageExportError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    finally:
        images.stop()
    out.write_bytes(deck.pptx)
    written = [out]
    if deck.pdf is not None:
        written.append(out.with_suffix(".pdf"))
        written[-1].write_bytes(deck.pdf)
    for path in written:
        print(f"{path} : {deck.slide_count} diapositives, {path.stat().st_size / 1024:.0f} Ko")
    print(" · ".join(f"{k} {v:.2f} s" for k, v in deck.timings_s.items()))
    return 0


def cmd_import_coverage(args: argparse.Namespace) -> int:
    from sppe_data.auth import Principal
    from sppe_data.coverage import import_coverage

    # Whoever runs the command line already holds the data directory: it acts as Cnaf.
    operator = Principal("ligne-de-commande", "Ligne de commande", "cnaf")
    report = import_coverage(Path(args.file), principal=operator)
    for message in report.errors:
        print(message, file=sys.stderr)
    for note in report.notes:
        print(note)
    print(report.summary(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sppe_data", description="Pilotage SPPE : données"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="génère le jeu de données de démonstration")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=_positive, default=1.0, help="multiplie les volumes (ex. 100)")
    p.add_argument(
        "--as-of", type=_date, default=None, help="date des données (défaut : aujourd'hui)"
    )
    p.add_argument("--out", default=None, help="répertoire de données (défaut : SPPE_DATA_DIR)")
    p.add_argument(
        "--if-empty", action="store_true", help="ne fait rien si des extractions existent"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("bench", help="chronomètre les requêtes de chaque page")
    p.add_argument("--data", default=None, help="répertoire de données (défaut : jeu généré)")
    p.add_argument("--scale", type=_positive, default=100.0, help="échelle du jeu généré")
    p.add_argument("--repeat", type=int, default=15)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("deck", help="produit le dossier COPIL (PowerPoint, PDF avec --pdf)")
    p.add_argument("--period", required=True, help="mois 2026-03, semestre 2026-S1 ou année 2026")
    p.add_argument("--pole", default="all", help="code du pôle ou 'all' (défaut)")
    p.add_argument("--out", required=True, help="fichier .pptx à écrire")
    p.add_argument("--pdf", action="store_true", help="écrit aussi le PDF (même nom, .pdf)")
    p.set_defaults(func=cmd_deck)

    p = sub.add_parser(
        "import-coverage", help="importe les taux de couverture (fichier data.caf.fr)"
    )
    p.add_argument("file", help="fichier CSV (séparateur ;, UTF-8)")
    p.set_defaults(func=cmd_import_coverage)

    p = sub.add_parser("check", help="vérifie les extractions et les référentiels")
    p.set_defaults(func=cmd_check)

    from sppe_data.cli_journal import register

    register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
