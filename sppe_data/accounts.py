"""Accounts of the ``local`` sign-in mode, and the role mapping of the ``oidc`` mode.

Local accounts live in ``users.json`` in the data directory (never in git): per user a
display name, role, pôle, an argon2id hash (salted, slow), a disabled flag and the
lock-out state. After ``MAX_FAILURES`` wrong passwords in a row the account is locked
for ``LOCK_MINUTES``. The CLI manages it: ``python -m sppe_data users add|list|disable``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sppe_data import reference
from sppe_data.auth import ROLE_LABELS, Principal
from sppe_data.settings import get_settings

USERS_FILE = "users.json"
MAX_FAILURES = 5
LOCK_MINUTES = 15
PASSWORD_MIN = 10
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")

_hasher = PasswordHasher()  # argon2id, library defaults (salted, memory-hard)
_file_lock = threading.Lock()  # a lock object, never reassigned: no shared mutable data
_DUMMY_HASH = _hasher.hash("compte inexistant")  # equalises timing for unknown users


class SignInError(Exception):
    """Sign-in refused; the message is French and safe to show."""


class AccountError(ValueError):
    """An invalid account operation (CLI); the message is French."""


def users_path() -> Path:
    return get_settings().data_dir / USERS_FILE


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["users"]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AccountError(f"Fichier des comptes {USERS_FILE} illisible.") from exc


def _save(path: Path, users: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"users": users}, fh, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _now() -> datetime:
    return datetime.now(UTC)


def add_user(
    username: str, password: str, role: str, pole_code: str | None = None, name: str = ""
) -> None:
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "Identifiant invalide : 2 à 64 caractères, lettres minuscules, chiffres, . _ @ -."
        )
    if role not in ROLE_LABELS:
        raise AccountError(f"Rôle inconnu « {role} » (rôles : {', '.join(ROLE_LABELS)}).")
    poles = set(reference.poles()["pole_code"])
    if role == "pole" and pole_code not in poles:
        raise AccountError(f"Le rôle pôle exige un pôle parmi : {', '.join(sorted(poles))}.")
    if role != "pole":
        pole_code = None
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"Mot de passe trop court (au moins {PASSWORD_MIN} caractères).")
    with _file_lock:
        users = _load(users_path())
        if username in users:
            raise AccountError(f"Le compte « {username} » existe déjà.")
        users[username] = {
            "name": name.strip() or username,
            "role": role,
            "pole_code": pole_code,
            "hash": _hasher.hash(password),
            "disabled": False,
            "failed_count": 0,
            "locked_until": None,
        }
        _save(users_path(), users)


def list_users() -> list[dict]:
    """Grain: one account. Keys: username, name, role, pole_code, disabled, locked_until
    (never the hash)."""
    users = _load(users_path())
    return [
        {"username": u, **{k: v[k] for k in ("name", "role", "pole_code", "disabled")},
         "locked_until": v.get("locked_until")}
        for u, v in sorted(users.items())
    ]  # fmt: skip


def disable_user(username: str) -> None:
    with _file_lock:
        users = _load(users_path())
        if username not in users:
            raise AccountError(f"Compte « {username} » introuvable.")
        users[username]["disabled"] = True
        _save(users_path(), users)


WRONG = "Identifiant ou mot de passe incorrect."


def authenticate(username: str, password: str, now: datetime | None = None) -> Principal:
    """The signed-in principal, or SignInError. Unknown user and wrong password give the
    same message; a locked or disabled account says so (only after the right password
    for a disabled one)."""
    now = now or _now()
    username = (username or "").strip().lower()
    with _file_lock:
        users = _load(users_path())
        user = users.get(username)
        if user is None:
            with contextlib.suppress(VerificationError):
                _hasher.verify(_DUMMY_HASH, password or "")
            raise SignInError(WRONG)
        locked_until = user.get("locked_until")
        if locked_until and datetime.fromisoformat(locked_until) > now:
            minutes = max(1, int((datetime.fromisoformat(locked_until) - now).seconds / 60) + 1)
            raise SignInError(
                f"Compte verrouillé après {MAX_FAILURES} échecs : réessayez dans {minutes} min "
                "ou contactez l'administrateur."
            )
        try:
            _hasher.verify(user["hash"], password or "")
        except (VerificationError, InvalidHashError):
            user["failed_count"] = int(user.get("failed_count", 0)) + 1
            if user["failed_count"] >= MAX_FAILURES:
                user["locked_until"] = (now + timedelta(minutes=LOCK_MINUTES)).isoformat()
                user["failed_count"] = 0
                _save(users_path(), users)
                raise SignInError(
                    f"{WRONG} Compte verrouillé pour {LOCK_MINUTES} min après "
                    f"{MAX_FAILURES} échecs."
                ) from None
            _save(users_path(), users)
            raise SignInError(WRONG) from None
        if user.get("disabled"):
            raise SignInError("Ce compte est désactivé : contactez l'administrateur.")
        if user.get("failed_count") or user.get("locked_until"):
            user["failed_count"], user["locked_until"] = 0, None
            _save(users_path(), users)
    return Principal(username, user["name"], user["role"], user.get("pole_code"))


def principal_from_claims(claims: dict, mapping: dict) -> Principal | None:
    """The ``oidc`` mode's role mapping. ``claims``: the identity provider's claims
    (``st.user``); ``mapping`` (secrets ``[sppe_roles]``): ``admin``, ``cnaf``,
    ``reader``: lists of e-mails or ``@domain``; ``poles``: e-mail or ``@domain`` ->
    pôle code. A ``sppe_role`` claim (and ``sppe_pole``) set by the provider wins.
    None: signed in but no role in this app."""
    email = str(claims.get("email") or "").strip().lower()
    name = str(claims.get("name") or email or "?")
    poles = set(reference.poles()["pole_code"])
    role, pole = claims.get("sppe_role"), claims.get("sppe_pole")
    if role in ROLE_LABELS and (role != "pole" or pole in poles):
        return Principal(email or name, name, role, pole if role == "pole" else None)
    if not email or "@" not in email:
        return None
    domain = "@" + email.split("@", 1)[1]

    def listed(key: str) -> bool:
        entries = {str(e).strip().lower() for e in mapping.get(key, [])}
        return email in entries or domain in entries

    for role in ("admin", "cnaf"):
        if listed(role):
            return Principal(email, name, role)
    pole_map = {str(k).strip().lower(): v for k, v in dict(mapping.get("poles", {})).items()}
    pole = pole_map.get(email) or pole_map.get(domain)
    if pole in poles:
        return Principal(email, name, "pole", pole)
    if listed("reader"):
        return Principal(email, name, "reader")
    return None
