"""Roles and rights, checked by the data layer itself (hiding a widget is not the
protection), and the sign-in mode the app is configured for.

Roles: ``reader`` (steering committee: reads everything, writes nothing), ``pole``
(manager or agent of ONE pôle: writes only for that pôle), ``cnaf`` (central staff:
reads everything, writes for every pôle, imports, exports, audit log), ``admin``
(users, audit log, exports; no activity writes).

Sign-in mode (fails closed): ``SPPE_AUTH_MODE`` or, failing that, ``auth_mode`` in the
``[sppe]`` table of the secrets (``.streamlit/secrets.toml``): ``local`` (accounts of the
store), ``oidc`` (the identity provider of ``[auth]``) or ``demo`` (no password, only
when asked for). No mode, an unknown one, or a secrets file that cannot be read: the
app shows what is wrong and nothing else (``ConfigProblem``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROLE_LABELS = {
    "reader": "Lecteur (comité de pilotage)",
    "pole": "Pôle (responsable ou agent)",
    "cnaf": "Cnaf (Dpfas)",
    "admin": "Administrateur",
}
WRITER_ROLES = frozenset({"pole", "cnaf"})
AUDIT_ROLES = frozenset({"cnaf", "admin"})
EXPORT_ROLES = frozenset({"cnaf", "admin"})
IMPORT_ROLES = frozenset({"cnaf"})  # national extracts and reference layers


class AccessDenied(PermissionError):
    """A write or a read outside the caller's rights; the message is French."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: an account id, a name to show, a role and, for the pôle role,
    the one pôle they belong to."""

    user_id: str
    display_name: str
    role: str
    pole_code: str | None = None
    # The account's session epoch when this principal was read from the store (None for
    # demo and command-line principals): an open session ends when it changes.
    session_epoch: int | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.role not in ROLE_LABELS:
            raise ValueError(f"unknown role: {self.role!r}")
        if self.role == "pole" and not self.pole_code:
            raise ValueError("the pole role needs a pole_code")

    @property
    def label(self) -> str:
        """French, for the sidebar: name, role and, for the pôle role, the pôle."""
        role = ROLE_LABELS[self.role]
        if self.role != "pole":
            return f"{self.display_name} · {role}"
        from sppe_data import reference

        poles = dict(reference.poles().select("pole_code", "pole_label").iter_rows())
        return f"{self.display_name} · {role} · {poles.get(self.pole_code, self.pole_code)}"


def can_write(principal: Principal | None, pole_code: str | None) -> bool:
    if principal is None:
        return False
    if principal.role == "cnaf":
        return True
    return principal.role == "pole" and pole_code is not None and pole_code == principal.pole_code


def check_write(principal: Principal | None, pole_code: str | None) -> None:
    """Raises AccessDenied unless the caller may write an entry of this pôle."""
    if principal is None:
        raise AccessDenied("Connectez-vous pour enregistrer une saisie.")
    if can_write(principal, pole_code):
        return
    if principal.role == "pole":
        raise AccessDenied(
            f"Vous ne pouvez saisir que pour votre pôle ({principal.pole_code}) : "
            f"enregistrement pour le pôle « {pole_code} » refusé."
        )
    raise AccessDenied(
        f"Le rôle « {ROLE_LABELS[principal.role]} » ne permet pas d'enregistrer des saisies."
    )


def check_role(principal: Principal | None, allowed: frozenset[str], what: str) -> None:
    if principal is None or principal.role not in allowed:
        raise AccessDenied(f"Votre rôle ne permet pas {what}.")


# --- the sign-in mode ---------------------------------------------------------------------

AUTH_MODES = ("local", "oidc", "demo")
AUTH_MODE_ENV = "SPPE_AUTH_MODE"
SECRETS_EXAMPLE = ".streamlit/secrets.example.toml"
HOW_TO_CONFIGURE = (
    f"Pour choisir le mode de connexion : la variable d'environnement {AUTH_MODE_ENV} "
    "(local : comptes de l'application ; oidc : fournisseur d'identité de la Cnaf ; demo : "
    "démonstration sans mot de passe, jamais sur des données réelles), prise en compte au "
    "redémarrage de l'application ; ou la clé auth_mode de la section [sppe] du fichier "
    f".streamlit/secrets.toml (modèle : {SECRETS_EXAMPLE}), prise en compte au "
    "rechargement de la page."
)
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)\s*$")


class ConfigProblem(Exception):
    """The sign-in configuration is missing or unreadable; ``str()`` is French and says
    what is wrong and how to fix it."""


def _toml_position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, int]:
    line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)  # Python 3.14
    if line is not None and col is not None:
        return int(line), int(col)
    found = _TOML_POSITION.search(str(exc))
    if found:
        return int(found.group(1)), int(found.group(2))
    lines = text.splitlines() or [""]  # "at end of document"
    return len(lines), len(lines[-1]) + 1


def read_secrets_files(paths: Iterable[str]) -> dict:
    """The secrets of the ``.toml`` files among ``paths`` (Streamlit's ``secrets.files``,
    later files win at the top level, as Streamlit merges them); a missing file is
    skipped. Raises ConfigProblem naming the file, line and column of a syntax error, or
    a file that cannot be read. Directories (mounted secrets) are left to Streamlit."""
    merged: dict = {}
    for raw in paths:
        path = Path(raw)
        if path.suffix != ".toml":
            if path.exists() and not path.is_dir():
                raise ConfigProblem(
                    f"Chemin de secrets invalide : {path} n'est ni un fichier .toml ni un "
                    "dossier (option secrets.files de Streamlit). " + HOW_TO_CONFIGURE
                )
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            reason = (
                "il n'est pas encodé en UTF-8"
                if isinstance(exc, UnicodeDecodeError)
                else "droits insuffisants ou fichier inaccessible"
            )
            raise ConfigProblem(
                f"Le fichier de secrets {path} ne peut pas être lu ({reason}). "
                "Corrigez-le ou retirez-le. " + HOW_TO_CONFIGURE
            ) from exc
        try:
            merged.update(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            line, col = _toml_position(exc, text)
            raise ConfigProblem(
                f"Le fichier de secrets {path} est illisible : erreur de syntaxe TOML à la "
                f"ligne {line}, colonne {col}. Aucun réglage de ce fichier n'est appliqué "
                "tant qu'il n'est pas corrigé (guillemets autour des textes, sections entre "
                "crochets, une clé = valeur par ligne). " + HOW_TO_CONFIGURE
            ) from exc
    return merged


def resolve_mode(env_value: str | None, sppe_section: object) -> str:
    """The sign-in mode: ``env_value`` (``SPPE_AUTH_MODE``) when set, else ``auth_mode``
    of the ``[sppe]`` secrets table. Raises ConfigProblem when there is none or it is
    not one of AUTH_MODES: never a default mode."""
    raw: object = (env_value or "").strip()
    where = f"la variable {AUTH_MODE_ENV}"
    if not raw:
        where = "la clé auth_mode de la section [sppe] des secrets"
        if sppe_section is None:
            sppe_section = {}
        if not isinstance(sppe_section, Mapping):
            raise ConfigProblem(
                "Les secrets contiennent une clé « sppe » qui n'est pas une section "
                "[sppe]. " + HOW_TO_CONFIGURE
            )
        raw = sppe_section.get("auth_mode")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ConfigProblem(
                "Aucun mode de connexion n'est configuré : l'application reste fermée. "
                + HOW_TO_CONFIGURE
            )
    mode = raw.strip().lower() if isinstance(raw, str) else None
    if mode not in AUTH_MODES:
        shown = raw[:20] if isinstance(raw, str) else type(raw).__name__
        raise ConfigProblem(
            f"Mode de connexion inconnu « {shown} » dans {where} : attendu local, oidc "
            "ou demo. " + HOW_TO_CONFIGURE
        )
    return mode
