"""The ``oidc`` sign-in mode's claims rules: who the identity provider says the user is,
and which role that gives in Pilotage SPPE. Pure (no Streamlit, no store).

Rules, all failing closed with a French message (``SignInRefused``):

- the identity is the e-mail, lower-cased; no e-mail (or not an address) → refused, never
  the display name or the ``sub`` instead;
- ``email_verified``: absent is accepted (many providers only send it when false); when
  present it must say true (``True`` or ``"true"``), anything else (``False``,
  ``"false"``, ``null``, ``0``...) → refused;
- ``sppe_role`` and ``sppe_pole`` claims, set by the provider, win over the mapping of
  the secrets: a string or a list; a list must hold one value (repeats allowed), several
  different values → refused; an unknown role or pôle → refused; the pôle role needs a
  pôle. ``sppe_pole`` is only read for the pôle role;
- no ``sppe_role`` claim: the ``[sppe_roles]`` table of the secrets (``admin``, ``cnaf``,
  ``reader``: lists of e-mails or ``@domain``; ``poles``: e-mail or ``@domain`` → pôle
  code), first match in the order admin, cnaf, pôle, reader; no match → refused, the
  message tells to ask the administrator for a role.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sppe_data import reference
from sppe_data.auth import ROLE_LABELS, Principal

ROLE_CLAIM = "sppe_role"
POLE_CLAIM = "sppe_pole"
MAPPED_ROLES = ("admin", "cnaf")  # checked before the pôles, then reader
_SHOWN_MAX = 40  # a value of the provider quoted in a message is cut to this length

NO_EMAIL = (
    "Connexion refusée : votre fournisseur d'identité n'a pas transmis d'adresse e-mail. "
    "Demandez à l'administrateur de l'application de vérifier sa configuration."
)
BAD_EMAIL = (
    "Connexion refusée : votre fournisseur d'identité n'a pas transmis d'adresse e-mail "
    "valide. Demandez à l'administrateur de l'application de vérifier sa configuration."
)
UNVERIFIED = (
    "Connexion refusée : votre adresse e-mail n'est pas vérifiée par votre fournisseur "
    "d'identité. Faites-la vérifier, puis reconnectez-vous."
)
NO_ROLE = (
    "Votre compte n'a pas de rôle dans Pilotage SPPE : demandez-en un à l'administrateur "
    "de l'application."
)


class SignInRefused(Exception):
    """The provider signed the user in, but Pilotage SPPE refuses them; the message is
    French and safe to show."""


def _shown(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _email(claims: Mapping) -> str:
    raw = claims.get("email")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise SignInRefused(NO_EMAIL)
    if not isinstance(raw, str):
        raise SignInRefused(BAD_EMAIL)
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    odd = any(c.isspace() or not c.isprintable() for c in email)  # blanks, control chars
    if not (local and at and domain) or "@" in domain or odd:
        raise SignInRefused(BAD_EMAIL)
    return email


def _check_verified(claims: Mapping) -> None:
    if "email_verified" not in claims:
        return
    value = claims["email_verified"]
    if value is True or (isinstance(value, str) and value.strip().lower() == "true"):
        return
    raise SignInRefused(UNVERIFIED)


def _single(claims: Mapping, name: str, what: str) -> str | None:
    """The one value of a claim sent as a string or a list; None when absent or empty."""
    raw = claims.get(name)
    if raw is None:
        return None
    values = raw if isinstance(raw, list | tuple) else [raw]
    if not all(isinstance(v, str) for v in values):
        raise SignInRefused(
            f"Connexion refusée : {what} transmis par votre fournisseur d'identité est "
            "illisible. Signalez-le à l'administrateur de l'application."
        )
    distinct = sorted({v.strip().lower() for v in values if v.strip()})
    if not distinct:
        return None
    if len(distinct) > 1:
        raise SignInRefused(
            f"Connexion refusée : votre fournisseur d'identité transmet plusieurs valeurs "
            f"pour {what} ({_shown(', '.join(distinct))}) ; une seule est admise. "
            "Demandez à l'administrateur de l'application de corriger votre compte."
        )
    return distinct[0]


def _from_claims(claims: Mapping, poles: Collection[str]) -> tuple[str, str | None] | None:
    role = _single(claims, ROLE_CLAIM, "le rôle")
    if role is None:
        return None
    if role not in ROLE_LABELS:
        raise SignInRefused(
            f"Connexion refusée : le rôle « {_shown(role)} » transmis par votre fournisseur "
            f"d'identité est inconnu (rôles : {', '.join(ROLE_LABELS)}). Demandez à "
            "l'administrateur de l'application de corriger votre compte."
        )
    if role != "pole":
        return role, None
    pole = _single(claims, POLE_CLAIM, "le pôle")
    if pole is None:
        raise SignInRefused(
            "Connexion refusée : le rôle pôle transmis par votre fournisseur d'identité "
            "n'est accompagné d'aucun pôle. Demandez à l'administrateur de l'application "
            "de corriger votre compte."
        )
    if pole not in poles:
        raise SignInRefused(
            f"Connexion refusée : le pôle « {_shown(pole)} » transmis par votre fournisseur "
            "d'identité est inconnu. Demandez à l'administrateur de l'application de "
            "corriger votre compte."
        )
    return role, pole


def _entries(value: object) -> set[str]:
    values = [value] if isinstance(value, str) else list(value or [])
    return {str(v).strip().lower() for v in values}


def _from_mapping(
    email: str, mapping: Mapping, poles: Collection[str]
) -> tuple[str, str | None] | None:
    domain = "@" + email.split("@", 1)[1]
    for role in MAPPED_ROLES:
        entries = _entries(mapping.get(role))
        if email in entries or domain in entries:
            return role, None
    pole_map = {str(k).strip().lower(): v for k, v in dict(mapping.get("poles") or {}).items()}
    pole = pole_map.get(email) or pole_map.get(domain)
    if pole is not None:
        pole = str(pole).strip().lower()
        if pole not in poles:
            raise SignInRefused(
                f"Connexion refusée : le pôle « {_shown(pole)} » attribué à votre adresse "
                "dans la configuration de Pilotage SPPE est inconnu. Signalez-le à "
                "l'administrateur de l'application."
            )
        return "pole", pole
    entries = _entries(mapping.get("reader"))
    if email in entries or domain in entries:
        return "reader", None
    return None


def principal_from_claims(
    claims: Mapping, mapping: Mapping, *, poles: Collection[str] | None = None
) -> Principal:
    """The principal of a user signed in by the identity provider, or SignInRefused.

    ``claims``: the provider's claims (``st.user``); ``mapping``: the ``[sppe_roles]``
    table of the secrets; ``poles``: the known pôle codes (the reference's by default).
    """
    email = _email(claims)
    _check_verified(claims)
    known_poles = set(reference.poles()["pole_code"]) if poles is None else set(poles)
    granted = _from_claims(claims, known_poles) or _from_mapping(email, mapping, known_poles)
    if granted is None:
        raise SignInRefused(NO_ROLE)
    role, pole = granted
    name = claims.get("name")
    name = " ".join(name.split()) if isinstance(name, str) else ""
    return Principal(email, name or email, role, pole)
