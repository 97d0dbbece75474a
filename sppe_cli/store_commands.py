"""Commands on the store (what the app writes): ``migrate``, ``backup``, ``restore``,
``journal export`` and ``import-activities``."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from sppe_cli.common import ADMIN, EXIT_FAILED, EXIT_USAGE, CommandError, read_input
from sppe_data.auth import Principal
from sppe_data.settings import get_settings

LEGACY_FILES = ("journal.duckdb", "users.json")
# Labels of the counts store.import_legacy returns (other keys are shown as they are).
LEGACY_LABELS = {
    "activities": "activités",
    "activity_entries": "activités",
    "requests": "saisines",
    "request_entries": "saisines",
    "audit": "entrées d'audit",
    "audit_log": "entrées d'audit",
    "accounts": "comptes",
    "users": "comptes",
}
OPERATOR_MAX = 100


# --- migrate --------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    from sppe_data import store

    url = store.database_url()
    where = store.describe(url)
    if args.check:
        current, head = store.schema_status(url)
        if current == head:
            print(f"Base de données {where} : schéma {head} à jour.")
            return 0
        print(
            f"Base de données {where} : schéma {current or 'absent'}, cette version de "
            f"l'application attend {head} : lancez « sppe migrate ».",
            file=sys.stderr,
        )
        return EXIT_FAILED
    result = store.migrate(url)
    if result.before == result.after:
        print(f"Base de données {where} : schéma {result.after} déjà à jour.")
    else:
        print(f"Base de données {where} : schéma {result.before or 'vide'} → {result.after}.")
    data_dir = get_settings().data_dir
    legacy = [name for name in LEGACY_FILES if (data_dir / name).exists()]
    if legacy:
        counts = store.import_legacy(data_dir, url)
        shown = ", ".join(f"{LEGACY_LABELS.get(k, k)} : {v}" for k, v in counts.items())
        print(
            f"Reprise de {' et '.join(legacy)} ({data_dir}) : {shown or 'rien à reprendre'}. "
            "Les anciens fichiers sont laissés en place ; une nouvelle reprise n'ajoute rien."
        )
    return 0


# --- backup and restore ---------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    from sppe_data import store

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = store.backup(out)
    print(f"Sauvegarde de {store.describe(store.database_url())} : {path} "
          f"({path.stat().st_size / 1024:.0f} Ko).")  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from sppe_data import store

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"sauvegarde introuvable : {path}", EXIT_USAGE)
    where = store.describe(store.database_url())
    if not args.yes:
        raise CommandError(
            f"la restauration remplace tout le contenu de la base {where} (journal, audit, "
            f"comptes) par celui de {path}. Relancez avec --yes pour confirmer.",
            EXIT_USAGE,
        )
    store.restore(path)
    store.reset_cache()
    print(f"Base de données {where} restaurée depuis {path}.")
    return 0


# --- journal --------------------------------------------------------------------------


def cmd_journal(args: argparse.Namespace) -> int:
    from sppe_data import journal

    for path in journal.export_parquet(ADMIN, Path(args.out)):
        print(path)
    return 0


# --- import-activities ----------------------------------------------------------------


def operator_principal(name: str) -> Principal:
    """The Cnaf principal an import runs as: the audit log records it under ``name``."""
    operator = " ".join(name.split())
    if not operator or len(operator) > OPERATOR_MAX or not operator.isprintable():
        raise CommandError(
            f"--operator : le nom de la personne qui importe est obligatoire "
            f"({OPERATOR_MAX} caractères au plus).",
            EXIT_USAGE,
        )
    return Principal(operator, f"{operator} (ligne de commande)", "cnaf")


def cmd_import_activities(args: argparse.Namespace) -> int:
    """The bulk import of the Saisie page: the whole file is checked, one faulty row and
    nothing is written. The same file imported twice (here or in the app) adds nothing."""
    from sppe_data import journal

    principal = operator_principal(args.operator)
    content = read_input(args.file, journal.IMPORT_MAX_BYTES)
    try:
        rows = journal.read_table(Path(args.file).name, content)
    except ValueError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    file_token = "import:" + hashlib.sha256(content).hexdigest()
    report = journal.import_activities(principal, rows, file_token)
    if report.errors.height:
        lines = [
            f"ligne {r['Ligne']}"
            + (f" · {r['Champ']}" if r["Champ"] else "")
            + f" : {r['Message']}"
            for r in report.errors.iter_rows(named=True)
        ]
        raise CommandError(
            f"import refusé : {report.errors.height} erreur(s), rien n'a été enregistré.\n"
            + "\n".join(lines)
        )
    skipped = f", {report.skipped_count} déjà importée(s)" if report.skipped_count else ""
    print(
        f"{report.saved_count} activité(s) importée(s){skipped} depuis {args.file}, "
        f"au nom de « {principal.user_id} »."
    )
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "migrate",
        help="met la base de données au schéma de cette version (et reprend les anciens fichiers)",
        description=(
            "Met la base (SPPE_DATABASE_URL, ou sppe.sqlite3 du répertoire de données) au "
            "schéma de cette version de l'application, en la créant si besoin ; reprend une "
            "fois journal.duckdb et users.json s'ils sont dans le répertoire de données. À "
            "lancer avant de redémarrer l'application après une mise à jour."
        ),
    )
    p.add_argument(
        "--check", action="store_true", help="dit seulement si la base est à jour (code 1 sinon)"
    )
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("backup", help="sauvegarde la base de données (cohérente, à chaud)")
    p.add_argument(
        "--out", required=True, metavar="DOSSIER", help="dossier où écrire la sauvegarde"
    )
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="remplace la base de données par une sauvegarde")
    p.add_argument(
        "file", metavar="FICHIER", help="fichier de sauvegarde écrit par « sppe backup »"
    )
    p.add_argument("--yes", action="store_true", help="confirme le remplacement")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("journal", help="journal des saisies")
    journal_sub = p.add_subparsers(dest="action", required=True, metavar="action")
    q = journal_sub.add_parser("export", help="exporte le journal et l'audit en Parquet")
    q.add_argument("--out", required=True, metavar="DOSSIER", help="dossier des fichiers Parquet")
    q.set_defaults(func=cmd_journal)

    p = sub.add_parser(
        "import-activities",
        help="importe un fichier d'activités (import en masse de la page Saisie)",
        description=(
            "Import en masse de la page « Saisie de l'activité » : fichier CSV (« ; » ou "
            "« , », UTF-8 ou Windows-1252) ou Excel (.xlsx), une ligne par activité, en-têtes "
            "et valeurs en français comme dans le modèle de la page, ou en codes. Tout ou "
            "rien : une ligne en erreur et rien n'est enregistré (rapport ligne par ligne, "
            "code 1). Enregistré dans le journal d'audit au nom de --operator (rôle Cnaf)."
        ),
    )
    p.add_argument("file", metavar="FICHIER", help="fichier .csv ou .xlsx")
    p.add_argument(
        "--operator", required=True, metavar="NOM", help="nom de la personne qui importe (audit)"
    )
    p.set_defaults(func=cmd_import_activities)
