"""Command line for accounts and the journal:

- ``python -m sppe_data users add NAME --role pole --pole atlantique [--name "..."]``
  (password asked twice, or read from stdin with ``--password-stdin``)
- ``python -m sppe_data users list`` / ``users disable NAME``
- ``python -m sppe_data journal export --out DIR`` (Parquet files; the app must be
  stopped, or use the export button of the app: one program at a time opens the file)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sppe_data.auth import ROLE_LABELS, Principal

OPERATOR = Principal("ligne-de-commande", "Ligne de commande", "admin")


def cmd_users(args: argparse.Namespace) -> int:
    from sppe_data import accounts

    try:
        if args.action == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass("Mot de passe : ")
                if getpass.getpass("Mot de passe (confirmation) : ") != password:
                    print("Erreur : les deux mots de passe diffèrent.", file=sys.stderr)
                    return 2
            accounts.add_user(args.username, password, args.role, args.pole, args.name or "")
            print(f"Compte « {args.username.strip().lower()} » créé ({ROLE_LABELS[args.role]}).")
        elif args.action == "disable":
            accounts.disable_user(args.username)
            print(f"Compte « {args.username} » désactivé.")
        else:
            users = accounts.list_users()
            if not users:
                print("Aucun compte.")
            for u in users:
                state = "désactivé" if u["disabled"] else "actif"
                if u["locked_until"]:
                    state += f", verrouillé jusqu'à {u['locked_until'][:16]}"
                pole = f" · {u['pole_code']}" if u["pole_code"] else ""
                print(f"{u['username']} · {u['name']} · {u['role']}{pole} · {state}")
    except accounts.AccountError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_journal(args: argparse.Namespace) -> int:
    from sppe_data import journal

    eng = journal.engine()
    if eng.problem:
        print(f"Erreur : {eng.problem}", file=sys.stderr)
        return 2
    for path in journal.export_parquet(OPERATOR, Path(args.out)):
        print(path)
    return 0


def register(sub) -> None:
    p = sub.add_parser("users", help="comptes du mode de connexion local")
    p.add_argument("action", choices=["add", "list", "disable"])
    p.add_argument("username", nargs="?", default="")
    p.add_argument("--role", choices=list(ROLE_LABELS), default="reader")
    p.add_argument("--pole", default=None, help="code du pôle (rôle pôle)")
    p.add_argument("--name", default=None, help="nom affiché")
    p.add_argument("--password-stdin", action="store_true", help="lit le mot de passe sur stdin")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("journal", help="journal des saisies")
    p.add_argument("action", choices=["export"])
    p.add_argument("--out", required=True, help="dossier des fichiers Parquet")
    p.set_defaults(func=cmd_journal)
