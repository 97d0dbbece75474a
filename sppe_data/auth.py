"""Roles and rights, checked by the data layer itself (hiding a widget is not the
protection).

Roles: ``reader`` (steering committee: reads everything, writes nothing), ``pole``
(manager or agent of ONE pôle: writes only for that pôle), ``cnaf`` (central staff:
reads everything, writes for every pôle, imports, exports, audit log), ``admin``
(users, audit log, exports; no activity writes).
"""

from __future__ import annotations

from dataclasses import dataclass

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
