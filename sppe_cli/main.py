"""The ``sppe`` command: its parser, and the one place that turns an expected failure
into a French message on stderr and a non-zero exit code (never a stack trace)."""

from __future__ import annotations

import os
import sys

from sppe_cli import (
    data_commands,
    extract_commands,
    governance_commands,
    serve,
    store_commands,
    users,
)
from sppe_cli.common import expected_error
from sppe_cli.parser import FrenchParser

DESCRIPTION = """\
Pilotage SPPE en ligne de commande.

Répertoire de données : SPPE_DATA_DIR ; base de données : SPPE_DATABASE_URL (par
défaut sppe.sqlite3 du répertoire de données). Code de sortie 0 si tout est fait,
1 si le résultat manquerait ou serait incomplet (base ou extraction illisible, import
refusé), 2 si la commande est mal formée."""


def build_parser(prog: str = "sppe") -> FrenchParser:
    parser = FrenchParser(prog=prog, description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="commande")
    serve.register(sub)
    store_commands.register(sub)
    data_commands.register(sub)
    extract_commands.register(sub)
    users.register(sub)
    governance_commands.register(sub)
    return parser


def _installed_data_dir() -> None:
    """Installed from a wheel, the default data directory (beside the packages) would be
    inside the Python environment: use ./data of the working directory instead, as the
    README says. A checkout keeps its own default (./data of the repository)."""
    from sppe_data.settings import PROJECT_DIR

    if not os.environ.get("SPPE_DATA_DIR") and not (PROJECT_DIR / "pyproject.toml").exists():
        os.environ["SPPE_DATA_DIR"] = os.path.abspath("data")


def main(argv: list[str] | None = None, prog: str = "sppe") -> int:
    args = build_parser(prog).parse_args(argv)
    _installed_data_dir()
    try:
        return args.func(args)
    except (Exception, KeyboardInterrupt) as exc:
        known = expected_error(exc)
        if known is None:
            raise
        message, code = known
        print(f"Erreur : {message}", file=sys.stderr)
        return code


def run() -> None:
    """Console script entry point (``sppe``)."""
    sys.exit(main())
