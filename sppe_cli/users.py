"""``sppe users``: the accounts of the local sign-in mode (and the roles of identity
provider accounts), managed as an administrator; every change is in the audit log under
« ligne-de-commande »."""

from __future__ import annotations

import argparse
import getpass
import sys

from sppe_cli.common import ADMIN, EXIT_USAGE, CommandError
from sppe_data.auth import ROLE_LABELS


def _password(args: argparse.Namespace) -> str:
    """From the standard input's first line with --password-stdin (scripts), else asked
    twice on the terminal, never shown."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (confirmation) : ") != password:
        raise CommandError("les deux mots de passe diffèrent.", EXIT_USAGE)
    return password


def _state(user: dict) -> str:
    state = "désactivé" if user["disabled"] else "actif"
    if user.get("locked_until"):
        state += f", verrouillé jusqu'à {user['locked_until'][:16].replace('T', ' ')} (UTC)"
    return state


def cmd_users(args: argparse.Namespace) -> int:
    from sppe_data import accounts

    action = args.action
    try:
        if action == "add":
            password = _password(args)
            user = accounts.add_user(
                ADMIN, args.username, password, args.role, args.pole, args.name or ""
            )
            print(f"Compte « {user['username']} » créé ({ROLE_LABELS[user['role']]}).")
        elif action == "list":
            users = accounts.list_users(ADMIN)
            if not users:
                print("Aucun compte.")
            for u in users:
                pole = f" · {u['pole_code']}" if u["pole_code"] else ""
                source = " · fournisseur d'identité" if u.get("auth_source") == "oidc" else ""
                print(f"{u['username']} · {u['name']} · {u['role']}{pole}{source} · {_state(u)}")
        elif action == "disable":
            done = accounts.disable_user(ADMIN, args.username)
            print(f"Compte « {args.username} » " + ("désactivé." if done else "déjà désactivé."))
        elif action == "enable":
            done = accounts.enable_user(ADMIN, args.username)
            print(f"Compte « {args.username} » " + ("réactivé." if done else "déjà actif."))
        elif action == "set-role":
            done = accounts.set_role(ADMIN, args.username, args.role, args.pole)
            label = ROLE_LABELS[args.role] + (f", pôle {args.pole}" if args.pole else "")
            print(
                f"Compte « {args.username} » : "
                + (f"rôle changé ({label})." if done else f"a déjà ce rôle ({label}).")
            )
        elif action == "set-password":
            password = _password(args)
            accounts.set_password(ADMIN, args.username, password)
            print(f"Compte « {args.username} » : mot de passe changé, sessions ouvertes fermées.")
    except accounts.AccountError as exc:
        raise CommandError(str(exc), EXIT_USAGE) from exc
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "users",
        help="comptes utilisateurs (ajout, liste, désactivation, rôle, mot de passe)",
        description=(
            "Comptes de l'application, gérés en administrateur ; chaque changement est "
            "tracé dans le journal d'audit. Mot de passe : demandé deux fois, ou lu sur "
            "l'entrée standard avec --password-stdin (12 caractères au moins)."
        ),
    )
    users = p.add_subparsers(dest="action", required=True, metavar="action")
    roles = list(ROLE_LABELS)

    q = users.add_parser("add", help="crée un compte local")
    q.add_argument("username", metavar="IDENTIFIANT", help="minuscules, chiffres, . _ - @")
    q.add_argument("--role", choices=roles, default="reader", help="défaut : reader")
    q.add_argument("--pole", default=None, metavar="PÔLE", help="code du pôle (rôle pole)")
    q.add_argument("--name", default=None, metavar="NOM", help="nom affiché")
    q.add_argument("--password-stdin", action="store_true", help="lit le mot de passe sur stdin")

    users.add_parser("list", help="liste les comptes")

    for action, text in (("disable", "désactive un compte (ferme ses sessions)"),
                         ("enable", "réactive un compte (et lève un verrouillage)")):  # fmt: skip
        q = users.add_parser(action, help=text)
        q.add_argument("username", metavar="IDENTIFIANT")

    q = users.add_parser("set-role", help="change le rôle (et le pôle) d'un compte")
    q.add_argument("username", metavar="IDENTIFIANT")
    q.add_argument("--role", choices=roles, required=True)
    q.add_argument("--pole", default=None, metavar="PÔLE", help="code du pôle (rôle pole)")

    q = users.add_parser("set-password", help="change le mot de passe d'un compte local")
    q.add_argument("username", metavar="IDENTIFIANT")
    q.add_argument("--password-stdin", action="store_true", help="lit le mot de passe sur stdin")

    p.set_defaults(func=cmd_users)
