"""Commands on the national extracts: ``import-extract``, ``import-coverage`` (the same
for the coverage rates), ``extracts history`` and ``extracts rollback``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from sppe_cli.common import (
    CNAF,
    EXIT_FAILED,
    EXIT_USAGE,
    CommandError,
    require_store,
    write_output,
)
from sppe_data.auth import Principal
from sppe_data.extracts import EXTRACTS

OPERATOR_MAX = 100
REPORT_ROWS_SHOWN = 50


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from exc


def _version(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise argparse.ArgumentTypeError(f"numéro de version invalide « {text[:20]} »")
    return int(text)


def _operator(text: str) -> str:
    clean = " ".join(text.split())
    if not clean or len(clean) > OPERATOR_MAX or not clean.isprintable():
        raise argparse.ArgumentTypeError(
            f"nom d'opérateur invalide (texte d'une ligne, {OPERATOR_MAX} caractères au plus)"
        )
    return clean


def _principal(args: argparse.Namespace) -> Principal:
    """The command line acts as the Cnaf; ``--operator`` names who ran it (history and
    audit log)."""
    if not getattr(args, "operator", None):
        return CNAF
    return Principal(args.operator, args.operator, "cnaf")


def print_report(result) -> None:
    """The refusal report on stderr: one line per problem (column, count, examples)."""
    report = result.report
    for row in report.head(REPORT_ROWS_SHOWN).iter_rows(named=True):
        column = f"{row['Colonne']} : " if row.get("Colonne") else ""
        count = f" ({row['Lignes']} ligne(s))" if row.get("Lignes") is not None else ""
        examples = f" Exemples : {row['Exemples']}" if row.get("Exemples") else ""
        print(f"- {column}{row['Problème']}{count}.{examples}".replace("..", "."), file=sys.stderr)
    if report.height > REPORT_ROWS_SHOWN:
        print(f"- … et {report.height - REPORT_ROWS_SHOWN} autre(s) problème(s).", file=sys.stderr)


def run_import(name: str, file: str, args: argparse.Namespace) -> int:
    from sppe_data.imports import versions

    path = Path(file)
    if not path.is_file():
        raise CommandError(f"fichier introuvable : {path}", EXIT_USAGE)
    require_store()
    result = versions.import_extract(
        _principal(args),
        name,
        path.name,
        path,
        data_date=getattr(args, "data_date", None),
        source_label=getattr(args, "source", None),
    )
    if not result.ok:
        print(result.message, file=sys.stderr)
        print_report(result)
        return EXIT_FAILED
    if result.adopted_version:
        print(f"Les fichiers déjà en place sont conservés comme version {result.adopted_version}.")
    print(result.message)
    print(f"Durée : {result.seconds:.1f} s.".replace(".", ",", 1))
    return 0


def cmd_import_extract(args: argparse.Namespace) -> int:
    return run_import(args.name, args.file, args)


def cmd_import_coverage(args: argparse.Namespace) -> int:
    return run_import("coverage", args.file, args)


def cmd_history(args: argparse.Namespace) -> int:
    from exports.tables import table_to_csv
    from sppe_cli.common import ADMIN
    from sppe_data.imports import versions

    require_store()
    frame = versions.history(ADMIN, args.name)
    if args.format == "csv":
        write_output(table_to_csv(versions.history_table(frame)), None)
        return 0
    if frame.is_empty():
        which = f"de l'extraction « {EXTRACTS[args.name].label} »" if args.name else ""
        print(f"Aucune version importée {which}".strip() + ".")
        return 0
    for name in dict.fromkeys(frame["extract_name"]):
        print(f"{EXTRACTS[name].label} ({name}) :")
        for r in frame.filter(frame["extract_name"] == name).iter_rows(named=True):
            state = "en service" if r["is_current"] else ""
            action = versions.ACTION_LABELS.get(r["action"], r["action"])
            if r["restored_from"]:
                action += f" vers la version {r['restored_from']}"
            data_date = r["data_date"].strftime("%d/%m/%Y") if r["data_date"] else "–"
            kept = "" if r["purged_at"] is None else " ; fichiers supprimés"
            years = f" ; années du fichier {r['years'].replace(',', ', ')}" if r["years"] else ""
            print(
                f"  version {r['version']:>3} {state:<10} {action} le "
                f"{r['imported_at']:%d/%m/%Y %H:%M} (UTC) par {r['imported_by']} ; "
                f"{versions.count_text(r['row_count'])} ligne(s) ; données au {data_date} ; "
                f"source : {r['source_label']} ; fichier {r['file_name']}{years}{kept}"
            )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from sppe_data.imports import versions

    require_store()
    try:
        result = versions.rollback(_principal(args), args.name, args.to)
    except versions.VersionRefused as exc:
        raise CommandError(str(exc)) from exc
    print(result.message)
    return 0


def _add_import_options(p) -> None:
    p.add_argument(
        "--data-date",
        type=_date,
        default=None,
        metavar="AAAA-MM-JJ",
        help="date des données (défaut : aujourd'hui)",
    )
    p.add_argument(
        "--source", default=None, metavar="TEXTE", help="source (défaut : le nom du fichier)"
    )
    p.add_argument(
        "--operator",
        type=_operator,
        default=None,
        metavar="NOM",
        help="qui importe (historique et journal d'audit ; défaut : ligne-de-commande)",
    )


def register(sub) -> None:
    names = ", ".join(EXTRACTS)
    p = sub.add_parser(
        "import-extract",
        help="importe une extraction nationale (Parquet, CSV ou XLSX), vérifiée d'abord",
        description=(
            "Lit et vérifie le fichier en entier (colonnes, types, codes, dates, doublons), "
            "puis le met en service d'un coup ; refusé, rien ne change et le rapport dit "
            f"pourquoi. Extractions : {names}. Les versions précédentes sont gardées "
            "(« sppe extracts history », « sppe extracts rollback »)."
        ),
    )
    p.add_argument("name", choices=list(EXTRACTS), metavar="EXTRACTION", help=names)
    p.add_argument("file", metavar="FICHIER", help="fichier .parquet, .csv ou .xlsx")
    _add_import_options(p)
    p.set_defaults(func=cmd_import_extract)

    p = sub.add_parser(
        "import-coverage",
        help="importe les taux de couverture (fichier data.caf.fr) ; "
        "comme « import-extract coverage »",
    )
    p.add_argument("file", metavar="FICHIER", help="fichier CSV data.caf.fr, XLSX ou Parquet")
    _add_import_options(p)
    p.set_defaults(func=cmd_import_coverage)

    p = sub.add_parser("extracts", help="historique et retour arrière des extractions")
    actions = p.add_subparsers(dest="action", required=True, metavar="action")
    h = actions.add_parser("history", help="les versions importées, les plus récentes d'abord")
    h.add_argument("name", nargs="?", default=None, choices=list(EXTRACTS), metavar="EXTRACTION")
    h.add_argument("--format", choices=["text", "csv"], default="text")
    h.set_defaults(func=cmd_history)
    r = actions.add_parser(
        "rollback",
        help="remet en service une version précédente (par défaut : l'import d'avant)",
    )
    r.add_argument("name", choices=list(EXTRACTS), metavar="EXTRACTION")
    r.add_argument("--to", type=_version, default=None, metavar="VERSION")
    r.add_argument(
        "--operator",
        type=_operator,
        default=None,
        metavar="NOM",
        help="qui revient en arrière (historique et journal d'audit)",
    )
    r.set_defaults(func=cmd_rollback)
