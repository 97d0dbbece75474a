"""Commands on the extracts and the figures: ``demo``, ``check``, ``bench``, ``deck``,
``indicators`` (imports: ``extract_commands``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

from sppe_cli.common import (
    EXIT_FAILED,
    EXIT_USAGE,
    CommandError,
    require_data,
    require_store,
    write_output,
)
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


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"année invalide « {text} » (attendu AAAA)")
    return int(text)


def _check_pole(pole: str) -> None:
    from sppe_data import api

    options = api.pole_options()
    if pole not in options:
        known = ", ".join(options)
        raise CommandError(f"pôle inconnu « {pole} » (valeurs : {known}).", EXIT_USAGE)


# --- demo, check, bench ---------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from sppe_data import demo

    if args.as_of and args.as_of < demo.MISSION_START:
        raise CommandError(
            "la date des données ne peut précéder le début de la mission (mai 2024).",
            EXIT_USAGE,
        )
    out = Path(args.out) if args.out else get_settings().data_dir
    extracts = out / "extracts"
    present = any(extracts.glob("*/*.parquet")) or any(extracts.glob("*/versions/*/*.parquet"))
    if args.if_empty and present:
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
    return _seed_governance(out, result.as_of)


def _seed_governance(out: Path, as_of) -> int:
    """The committee's demonstration records, in the app's store (the one of the data
    directory written to); a store that cannot be written: a French error, exit 1."""
    from sppe_data import store
    from sppe_data.governance import demo as governance_demo

    if out.resolve() != get_settings().data_dir.resolve():
        print(f"Registres du comité non générés : la base de l'application n'est pas dans {out}.")
        return 0
    try:
        seeded = governance_demo.seed(as_of)
    except store.StoreUnavailable as exc:
        raise CommandError(f"registres du comité non générés : {exc}") from exc
    total = sum(seeded.created.values())
    print(f"Registres du comité (orientations, plan de travail, réunions…) : {total} ajoutés.")
    return 0


def _unknown_code_problems() -> list[str]:
    """The extract rows whose codes the reference does not know: one French line per
    extract column (count and examples). The journal's rows, validated at entry, are
    not checked."""
    from sppe_data import checks, store

    try:
        found = checks.unknown_codes()
    except store.StoreUnavailable:
        return []  # already reported: the catalog cannot be read without the store
    if not found:
        return []
    return [
        "Codes inconnus du référentiel dans les extractions (les saisies du journal, "
        "vérifiées à l'enregistrement, ne sont pas comptées) :",
        *(f"- {u.describe()}" for u in found),
    ]


def cmd_check(args: argparse.Namespace) -> int:
    """The store (reachable, schema of this version), then the extracts and references,
    then the codes of the extract rows: every problem listed, exit 1 when there is one."""
    from sppe_data import store

    problems: list[str] = []
    try:
        require_store()
        current, _head = store.schema_status()
        print(f"Base de données {store.describe(store.database_url())} : schéma {current} à jour.")
    except store.StoreUnavailable as exc:
        problems.append(str(exc))
    from sppe_data.db import data_problems

    try:
        found = data_problems()
    except store.StoreUnavailable as exc:
        found = [str(exc)]
    problems += [p for p in found if p not in problems]
    try:
        from sppe_data import reference_edits

        problems += [p for p in reference_edits.validate_all() if p not in problems]
    except store.StoreUnavailable as exc:
        problems += [p for p in [str(exc)] if p not in problems]
    problems += _unknown_code_problems()
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("Données et référentiels cohérents.")
    return EXIT_FAILED if problems else 0


def cmd_bench(args: argparse.Namespace) -> int:
    modes = [m for m, on in (("--store", args.store), ("--pages", args.pages),
                             ("--users", args.users), ("--deck", args.deck)) if on]  # fmt: skip
    if len(modes) > 1:
        raise CommandError(f"{' et '.join(modes)} : un seul à la fois.", EXIT_USAGE)
    if args.users:
        from sppe_cli import load_bench

        return load_bench.main(args)
    if args.deck:
        from exports import bench as deck_bench

        if args.data:  # the deck reads the data directory of the environment
            os.environ["SPPE_DATA_DIR"] = str(Path(args.data).resolve())
        return deck_bench.main(["--period", args.period] if args.period else [])
    if args.store:
        from sppe_data import store_bench

        repeat = args.repeat if args.repeat is not None else 15
        return store_bench.main(args.database_url, scale=args.scale, repeat=repeat)
    if args.pages:
        from sppe_cli import page_bench

        return page_bench.main(args)
    page_only = [f for f, on in (("--role", args.role), ("--json", args.json),
                                 ("--browser", args.browser)) if on]  # fmt: skip
    if page_only:
        raise CommandError(f"{', '.join(page_only)} : seulement avec --pages.", EXIT_USAGE)
    from sppe_data import bench

    data = Path(args.data) if args.data else None
    repeat = args.repeat if args.repeat is not None else 15
    print(bench.report(bench.run(data, scale=args.scale, repeat=repeat)))
    return 0


# --- deck -----------------------------------------------------------------------------


def cmd_deck(args: argparse.Namespace) -> int:
    from sppe_data.period import PeriodError, parse_period

    try:
        period = parse_period(args.period)
    except PeriodError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    require_data()
    _check_pole(args.pole)
    from exports import images
    from exports.deck import build_deck

    out = Path(args.out)
    try:
        deck = build_deck(period, args.pole, with_pdf=args.pdf)
    except images.ImageExportError as exc:
        raise CommandError(str(exc)) from exc
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


# --- indicators -----------------------------------------------------------------------

INDICATOR_COLUMNS = [
    "year",
    "as_of",
    "pole_code",
    "pole_label",
    "indicator_code",
    "indicator_label",
    "realised_count",
    "target_count",
    "achieved_share",
    "expected_count",
    "pace_ratio",
    "pace_status",
    "pace_status_label",
    "forecast_count",
]


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def indicator_rows(progress, year: int, as_of: date) -> list[dict]:
    """The Synthèse figures as records: codes for programs, French labels beside them.
    Counts to one decimal and shares (1 = 100 %) to four, as the page rounds them."""
    from sppe_data.labels import PACE_STATUS

    return [
        {
            "year": year,
            "as_of": as_of,
            "pole_code": r["pole_code"],
            "pole_label": r["pole_label"],
            "indicator_code": r["indicator_code"],
            "indicator_label": r["indicator_label"],
            "realised_count": int(r["realised_count"]),
            "target_count": _rounded(r["target_count"], 1),
            "achieved_share": _rounded(r["achieved_share"], 4),
            "expected_count": _rounded(r["expected_count"], 1),
            "pace_ratio": _rounded(r["pace_ratio"], 4),
            "pace_status": r["pace_status"],
            "pace_status_label": PACE_STATUS[r["pace_status"]].label,
            "forecast_count": _rounded(r["forecast_count"], 1),
        }
        for r in progress.iter_rows(named=True)
    ]


def cmd_indicators(args: argparse.Namespace) -> int:
    require_data()
    import polars as pl

    from sppe_data import api

    years = api.target_years()
    if args.year not in years:
        known = ", ".join(str(y) for y in sorted(years))
        raise CommandError(
            f"aucune cible pour l'année {args.year} (années qui en ont : {known}).", EXIT_USAGE
        )
    if args.pole is not None:
        _check_pole(args.pole)
    info = api.data_info()
    progress = api.indicator_progress(args.year).sort("pole_sort", "indicator_sort")
    if args.pole is not None:
        progress = progress.filter(pl.col("pole_code") == args.pole)
    if progress.is_empty():
        raise CommandError(f"aucun indicateur calculé pour l'année {args.year}.")
    rows = indicator_rows(progress, args.year, info.today)
    if args.format == "json":
        document = {
            "year": args.year,
            "pole": args.pole,  # null: every pôle and the mission
            "as_of": info.today.isoformat(),
            "data_date": info.data_date.isoformat() if info.data_date else None,
            "source": info.source_label,
            "indicators": [{**r, "as_of": r["as_of"].isoformat()} for r in rows],
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        write_output(text.encode("utf-8"), args.out)
    else:
        from exports.tables import table_to_csv

        frame = pl.DataFrame(
            rows,
            schema={
                **dict.fromkeys(INDICATOR_COLUMNS, pl.String),
                "year": pl.Int64,
                "as_of": pl.Date,
                "realised_count": pl.Int64,
                **dict.fromkeys(
                    ["target_count", "achieved_share", "expected_count", "pace_ratio",
                     "forecast_count"],
                    pl.Float64,
                ),
            },
            orient="row",
        )  # fmt: skip
        write_output(table_to_csv(frame), args.out)
    if args.out:
        print(f"{args.out} : {len(rows)} lignes.", file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("demo", help="génère le jeu de données de démonstration")
    p.add_argument("--seed", type=int, default=42, metavar="N")
    p.add_argument(
        "--scale", type=_positive, default=1.0, metavar="K", help="multiplie les volumes (ex. 100)"
    )
    p.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="AAAA-MM-JJ",
        help="date des données (défaut : aujourd'hui)",
    )
    p.add_argument(
        "--out",
        default=None,
        metavar="DOSSIER",
        help="répertoire de données (défaut : SPPE_DATA_DIR)",
    )
    p.add_argument(
        "--if-empty", action="store_true", help="ne fait rien si des extractions existent"
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help="vérifie la base, les extractions et les référentiels")
    p.set_defaults(func=cmd_check)

    from sppe_cli import load_bench
    from sppe_cli.page_bench import role_arg as page_bench_role

    p = sub.add_parser(
        "bench", help="chronomètre les requêtes de chaque page (les pages : --pages)"
    )
    p.add_argument(
        "--data",
        default=None,
        metavar="DOSSIER",
        help="répertoire de données (défaut : jeu généré)",
    )
    p.add_argument(
        "--scale", type=_positive, default=100.0, metavar="K", help="échelle du jeu généré"
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        metavar="N",
        help="essais (défaut : 15 ; 5 relances à chaud avec --pages)",
    )
    p.add_argument(
        "--pages",
        action="store_true",
        help="exécute chaque page ouverte au rôle (AppTest) : temps serveur, données "
        "envoyées au navigateur, temps des requêtes",
    )
    p.add_argument(
        "--role",
        type=page_bench_role,
        default=None,
        metavar="RÔLE",
        help="avec --pages : reader (défaut), pole, cnaf ou admin",
    )
    p.add_argument("--json", action="store_true", help="avec --pages : résultats en JSON")
    p.add_argument(
        "--browser",
        action="store_true",
        help="avec --pages : mesure aussi dans Chromium (titre, 1er KPI, 1er graphique)",
    )
    p.add_argument(
        "--store",
        action="store_true",
        help="débit d'écriture et coût de lecture du journal (SQLite ; PostgreSQL avec "
        "--database-url)",
    )
    p.add_argument(
        "--deck",
        action="store_true",
        help="dossier COPIL et images exportées (PNG, SVG, PDF) : temps par étape, sur "
        "--data ou les données configurées",
    )
    p.add_argument(
        "--period",
        default=None,
        metavar="PÉRIODE",
        help="avec --deck : période du dossier (ex. 2026-S1 ; défaut : 1er semestre de "
        "l'année en cours)",
    )
    load_bench.add_arguments(p)
    p.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help="avec --store : base PostgreSQL vide dédiée au banc d'essai",
    )
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("deck", help="produit le dossier COPIL (PowerPoint, PDF avec --pdf)")
    p.add_argument(
        "--period",
        required=True,
        metavar="PÉRIODE",
        help="mois 2026-03, semestre 2026-S1 ou année 2026",
    )
    p.add_argument("--pole", default="all", metavar="PÔLE", help="code du pôle ou 'all' (défaut)")
    p.add_argument("--out", required=True, metavar="FICHIER", help="fichier .pptx à écrire")
    p.add_argument("--pdf", action="store_true", help="écrit aussi le PDF (même nom, .pdf)")
    p.set_defaults(func=cmd_deck)

    p = sub.add_parser(
        "indicators",
        help="les chiffres de la Synthèse (réalisé, cible, rythme, statut, prévision)",
        description=(
            "Les six indicateurs ciblés d'une année, tels que la page Synthèse les montre : "
            "réalisé, cible, part atteinte, attendu à date, rythme, statut et prévision, "
            "par pôle et pour la mission (pole_code 'all'). Codes pour les programmes, "
            "libellés français à côté. CSV (« ; », virgule décimale, UTF-8 avec BOM, comme "
            "les exports de l'application) ou JSON."
        ),
    )
    p.add_argument("--year", type=_year, required=True, metavar="AAAA", help="année")
    p.add_argument(
        "--pole",
        default=None,
        metavar="PÔLE",
        help="un pôle, ou 'all' pour la mission (défaut : chaque pôle et la mission)",
    )
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument(
        "--out", default=None, metavar="FICHIER", help="fichier à écrire (défaut : sortie standard)"
    )
    p.set_defaults(func=cmd_indicators)
