"""Commands on the committee's governance records: ``import-candidates`` (the pivot-Caf
candidates of a campaign, from a CSV or Excel file, as on the page « Sélection des Caf
pivots »)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sppe_cli.common import CNAF, EXIT_FAILED, EXIT_USAGE, CommandError, read_input
from sppe_data.auth import Principal

ACCOUNT_MAX = 100


def _campaign(text: str) -> int:
    from sppe_data.governance import model

    clean = text.strip()
    if not clean.isdigit() or not model.YEAR_MIN <= int(clean) <= model.YEAR_MAX:
        raise argparse.ArgumentTypeError(
            f"campagne invalide « {clean[:20]} » (une année de {model.YEAR_MIN} à {model.YEAR_MAX})"
        )
    return int(clean)


def _account(text: str) -> str:
    clean = " ".join(text.split())
    if not clean or len(clean) > ACCOUNT_MAX or not clean.isprintable():
        raise argparse.ArgumentTypeError(
            f"nom invalide (texte d'une ligne, {ACCOUNT_MAX} caractères au plus)"
        )
    return clean


def _principal(args: argparse.Namespace) -> Principal:
    """The command line acts as the Cnaf (as ``import-activities``); ``--compte`` names
    who ran it in the audit log (default: ligne-de-commande)."""
    if not args.compte:
        return CNAF
    return Principal(args.compte, f"{args.compte} (ligne de commande)", "cnaf")


def cmd_import_candidates(args: argparse.Namespace) -> int:
    """The import of the page « Sélection des Caf pivots »: the whole file is checked,
    one refused cell and nothing is written. The same file imported twice into the same
    campaign (here or in the app) adds nothing."""
    from sppe_data import fmt
    from sppe_data.governance import candidates_import

    principal = _principal(args)
    limit = candidates_import.IMPORT_MAX_BYTES
    content = read_input(args.file, limit)
    name = Path(args.file).name
    if len(content) > limit:  # only the first bytes were read: say the file's real size
        size = Path(args.file).stat().st_size
        too_big = candidates_import.Problem(
            None, "", f"Fichier trop volumineux : {fmt.number(size / 1e6, 1)} Mo (au plus "
                      f"{fmt.number(limit / 1e6, 1)} Mo)."
        )  # fmt: skip
        raise CommandError(str(candidates_import.ImportRefused([too_big])), EXIT_USAGE)
    try:
        done = candidates_import.import_candidates(principal, name, content, args.campagne)
    except candidates_import.ImportRefused as exc:
        # The file itself (unreadable, hostile, its header): a bad input; rows: refused.
        raise CommandError(str(exc), EXIT_FAILED if exc.rows_refused else EXIT_USAGE) from exc
    skipped = f", {done.skipped} déjà importée(s)" if done.skipped else ""
    print(
        f"{done.created} candidature(s) importée(s){skipped} pour la campagne "
        f"{done.campaign}, depuis {name}, au nom de « {principal.user_id} »."
    )
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "import-candidates",
        help="importe les candidatures de Caf pivot d'une campagne (fichier CSV ou Excel)",
        description=(
            "Import des candidatures de Caf pivot de la page « Sélection des Caf pivots » : "
            "fichier CSV (« ; » ou « , », UTF-8 ou Windows-1252) ou Excel (.xlsx), une ligne "
            "par Caf candidate, en-têtes en français comme dans le modèle de la page (ou en "
            "codes), nombres à virgule décimale, oui ou non pour les locaux ; 1 Mo et 500 "
            "lignes au plus. Tout ou rien : une cellule refusée et rien n'est enregistré "
            "(rapport ligne par ligne ; code 1 si des lignes sont refusées, 2 si le fichier "
            "lui-même l'est). Le même fichier "
            "importé deux fois dans la même campagne n'ajoute rien. Enregistré dans le "
            "journal d'audit au nom de --compte (rôle Cnaf)."
        ),
    )
    p.add_argument("file", metavar="FICHIER", help="fichier .csv ou .xlsx")
    p.add_argument(
        "--campagne",
        required=True,
        type=_campaign,
        metavar="ANNEE",
        help="campagne des candidatures (année)",
    )
    p.add_argument(
        "--compte",
        type=_account,
        default=None,
        metavar="NOM",
        help="qui importe (journal d'audit ; défaut : ligne-de-commande)",
    )
    p.set_defaults(func=cmd_import_candidates)
