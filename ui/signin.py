"""Sign-in, called by the router before it builds the navigation.

The mode comes from ``SPPE_AUTH_MODE`` or, failing that, ``auth_mode`` in the ``[sppe]``
table of ``.streamlit/secrets.toml``; ``demo`` by default:

- ``demo``: no password; a clearly marked banner in the sidebar picks the role (and the
  pôle for the pôle role). Reader by default (``SPPE_DEMO_ROLE`` changes the default).
  For demonstrations on demo data only.
- ``local``: accounts of ``users.json`` (``python -m sppe_data users ...``), lock-out
  after repeated failures.
- ``oidc``: ``st.login()`` against the identity provider of ``[auth]`` in the secrets;
  the role comes from ``[sppe_roles]`` (see ``accounts.principal_from_claims``).

The signed-in principal is kept in ``st.session_state["principal"]``; the data layer
receives it with every write and checks it there.
"""

from __future__ import annotations

import os

import streamlit as st

from sppe_data import accounts, api
from sppe_data.auth import EXPORT_ROLES, ROLE_LABELS, Principal

MODES = ("demo", "local", "oidc")
PRINCIPAL_KEY = "principal"
DEMO_ROLE_KEY = "demo_role"
DEMO_POLE_KEY = "demo_pole"


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except Exception:  # no secrets file: Streamlit raises its own error type
        return {}


def auth_mode() -> str:
    mode = os.environ.get("SPPE_AUTH_MODE") or _secrets_section("sppe").get("auth_mode")
    return (mode or "demo").strip().lower()


def current() -> Principal | None:
    """The signed-in principal of this session (None before sign-in)."""
    principal = st.session_state.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else None


def can_export() -> bool:
    """Exports (images, tables, the committee deck) are for the cnaf and admin roles."""
    principal = current()
    return principal is not None and principal.role in EXPORT_ROLES


def _demo() -> Principal:
    poles = {k: v for k, v in api.pole_options().items() if k != api.ALL_POLES}
    if st.session_state.get(DEMO_ROLE_KEY) not in ROLE_LABELS:
        default = os.environ.get("SPPE_DEMO_ROLE", "reader")
        st.session_state[DEMO_ROLE_KEY] = default if default in ROLE_LABELS else "reader"
    if st.session_state.get(DEMO_POLE_KEY) not in poles:
        st.session_state[DEMO_POLE_KEY] = next(iter(poles))
    with st.sidebar.container(border=True):
        st.warning(
            "**Mode démonstration** : aucun mot de passe, rôle au choix. "
            "Ne pas utiliser avec des données réelles.",
            icon=":material/science:",
        )
        role = st.selectbox(
            "Rôle (démonstration)", list(ROLE_LABELS), format_func=ROLE_LABELS.get,
            key=DEMO_ROLE_KEY,
        )  # fmt: skip
        pole = None
        if role == "pole":
            pole = st.selectbox(
                "Pôle (démonstration)", list(poles), format_func=poles.get, key=DEMO_POLE_KEY
            )
    user_id = f"demo.{role}" + (f".{pole}" if pole else "")
    principal = Principal(user_id, "Démonstration", role, pole)
    st.session_state[PRINCIPAL_KEY] = principal
    return principal


def _login_page() -> None:
    st.title("Connexion")
    st.caption("Pilotage SPPE · mission service public de la petite enfance")
    with st.form("connexion"):
        username = st.text_input("Identifiant", max_chars=64)
        password = st.text_input("Mot de passe", type="password", max_chars=256)
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        try:
            st.session_state[PRINCIPAL_KEY] = accounts.authenticate(username, password)
        except (accounts.SignInError, accounts.AccountError) as exc:
            st.error(str(exc))
        else:
            st.rerun()


def _oidc_page() -> None:
    st.title("Connexion")
    if _logged_in():
        st.error(
            "Votre compte n'a pas de rôle dans Pilotage SPPE : demandez-en un à "
            "l'administrateur de l'application."
        )
        st.button("Se déconnecter", on_click=st.logout)
    elif not _secrets_section("auth"):
        st.error(
            "Connexion par le fournisseur d'identité non configurée : section [auth] "
            "absente de .streamlit/secrets.toml (voir .streamlit/secrets.example.toml)."
        )
    else:
        st.button("Se connecter avec le compte Cnaf", on_click=st.login, type="primary")


def _logged_in() -> bool:
    # st.user has no is_logged_in attribute when no identity provider is configured.
    return bool(st.user.get("is_logged_in", False))


def _gate(page) -> None:
    """Only the sign-in page exists until the user is signed in."""
    st.navigation([st.Page(page, title="Connexion", icon=":material/login:")]).run()
    st.stop()


def _sign_out() -> None:
    st.session_state.pop(PRINCIPAL_KEY, None)
    if auth_mode() == "oidc":
        st.logout()


def require() -> Principal:
    """The signed-in principal; draws the sign-in page and stops the run until there is
    one. In demo mode, draws the demo banner and always returns a principal."""
    mode = auth_mode()
    if mode not in MODES:
        st.error(f"Mode de connexion inconnu « {mode[:20]} » (demo, local ou oidc).")
        st.stop()
    if mode == "demo":
        return _demo()
    if mode == "oidc" and _logged_in() and current() is None:
        mapped = accounts.principal_from_claims(
            dict(st.user.to_dict()), _secrets_section("sppe_roles")
        )
        if mapped is not None:
            st.session_state[PRINCIPAL_KEY] = mapped
    principal = current()
    if principal is None:
        _gate(_login_page if mode == "local" else _oidc_page)
    st.sidebar.caption(f"Connecté : {principal.label}")
    st.sidebar.button("Se déconnecter", on_click=_sign_out, key="sign_out")
    return principal
