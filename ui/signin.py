"""Sign-in, called by the router before it builds the navigation.

The mode comes from ``SPPE_AUTH_MODE`` or, failing that, ``auth_mode`` in the ``[sppe]``
table of the secrets (``.streamlit/secrets.toml``). It fails closed: no mode, an unknown
one, a secrets file that cannot be read, or (local and oidc) a store that cannot be
read give one French page saying what is wrong, and nothing else (no menu, no data):

- ``demo``: only when asked for. No password; a clearly marked banner in the sidebar
  picks the role (and the pôle for the pôle role). Reader by default (``SPPE_DEMO_ROLE``
  changes the default). For demonstrations on demo data only.
- ``local``: accounts of the store (``sppe users ...``, the Comptes page); one generic
  refusal, lock-out per account and throttle per client address (``accounts``).
- ``oidc``: ``st.login()`` against the identity provider of ``[auth]`` in the secrets;
  the role comes from the provider's claims or ``[sppe_roles]`` (see
  ``identity.principal_from_claims``); a refused identity sees why, in French.

The signed-in principal is kept in ``st.session_state["principal"]``; the data layer
receives it with every write and checks it there. On every run the account is read
again (``accounts.refresh``): disabled, the session ends; new role or pôle, the new
rights apply. Until sign-in, the sign-in page stands in for every page of the app at its
own address, so a link to a page (and its filters) opens that page once signed in.

Client address (per-address throttle): Streamlit's ``st.context.ip_address`` (None on
localhost). Behind a reverse proxy, that is the proxy's address: set
``SPPE_CLIENT_IP_HEADER`` (e.g. ``X-Forwarded-For`` or ``X-Real-IP``) to take the last
address of that header, as written by the proxy; only when the proxy sets it, otherwise a
client could choose its own address.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import streamlit as st
from streamlit import config as st_config

from sppe_data import accounts, api, auth, identity, store
from sppe_data.auth import EXPORT_ROLES, ROLE_LABELS, Principal
from ui import filters
from ui.navigation import PAGES

MODES = auth.AUTH_MODES
CLIENT_IP_HEADER_ENV = "SPPE_CLIENT_IP_HEADER"
SIGNED_OUT_KEY = "signed_out_notice"  # why an open session was ended (French)
SIGNED_OUT = (
    "Votre session a été fermée : votre compte a été désactivé ou modifié par "
    "l'administrateur de l'application. Reconnectez-vous ou contactez-le."
)
PRINCIPAL_KEY = "principal"
DEMO_ROLE_KEY = "demo_role"
DEMO_POLE_KEY = "demo_pole"


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except Exception:  # no secrets file: Streamlit raises its own error type
        return {}


def configuration() -> tuple[str | None, str | None]:
    """(the sign-in mode, None), or (None, what is wrong, in French). Read on every run:
    the secrets files Streamlit reads (its ``secrets.files`` option: ``~/.streamlit``,
    the working directory's ``.streamlit``, the app's ``.streamlit``) are parsed here too,
    to name the file, line and column of a syntax error that Streamlit only logs, and
    to read ``[sppe]`` as the files say now."""
    paths = [str(p) for p in st_config.get_option("secrets.files")]
    try:
        files = auth.read_secrets_files(paths)
        try:  # mounted secret directories (and test secrets) are Streamlit's only
            section = files["sppe"] if "sppe" in files else st.secrets.get("sppe")
        except FileNotFoundError:  # Streamlit: no secrets at all, or a directory it refused
            if any(Path(p).is_dir() for p in paths):
                raise auth.ConfigProblem(
                    f"Les secrets de Streamlit ({', '.join(paths)}) ne peuvent pas être lus. "
                    + auth.HOW_TO_CONFIGURE
                ) from None
            section = None
        return auth.resolve_mode(os.environ.get(auth.AUTH_MODE_ENV), section), None
    except auth.ConfigProblem as problem:
        return None, str(problem)


def auth_mode() -> str | None:
    """The configured sign-in mode (None: not configured or unreadable)."""
    return configuration()[0]


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


def client_key() -> str | None:
    """The client's address for the per-address throttle (see the module docstring)."""
    header = os.environ.get(CLIENT_IP_HEADER_ENV, "").strip()
    if header:
        forwarded = (st.context.headers.get(header) or "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return st.context.ip_address


def _login_page() -> None:
    st.title("Connexion")
    st.caption("Pilotage SPPE · mission service public de la petite enfance")
    if st.session_state.get(SIGNED_OUT_KEY):
        st.warning(st.session_state[SIGNED_OUT_KEY], icon=":material/logout:")
    with st.form("connexion"):
        username = st.text_input("Identifiant", max_chars=64, autocomplete="username")
        password = st.text_input(
            "Mot de passe", type="password", max_chars=256, autocomplete="current-password"
        )
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        try:
            principal = accounts.authenticate(username, password, client_key())
        except (accounts.SignInError, store.StoreUnavailable) as exc:
            st.error(str(exc))
        else:
            st.session_state[PRINCIPAL_KEY] = principal
            st.session_state.pop(SIGNED_OUT_KEY, None)
            st.rerun()  # same address: the page asked for opens, with its filters


OIDC_REFUSAL_KEY = "oidc_refusal"  # why the signed-in identity was refused (French)
OIDC_LOGIN_ERROR = (
    "La connexion par le fournisseur d'identité est mal configurée (section [auth] des "
    "secrets) : signalez-le à l'administrateur de l'application."
)


def _start_login() -> None:
    try:
        st.login()  # redirects to the identity provider, back on /oauth2callback
    except Exception:  # Streamlit's own configuration errors are in English
        logging.getLogger("sppe").exception("st.login failed")
        st.session_state[OIDC_REFUSAL_KEY] = OIDC_LOGIN_ERROR


def _oidc_page() -> None:
    st.title("Connexion")
    st.caption("Pilotage SPPE · mission service public de la petite enfance")
    if _logged_in():
        # Signed in by the identity provider, refused by Pilotage SPPE (_oidc_principal).
        st.error(st.session_state.get(OIDC_REFUSAL_KEY) or identity.NO_ROLE)
        st.button("Se déconnecter", on_click=_sign_out, key="oidc_refused_sign_out")
    elif not _secrets_section("auth"):
        st.error(
            "Connexion par le fournisseur d'identité non configurée : section [auth] "
            "absente de .streamlit/secrets.toml (voir .streamlit/secrets.example.toml)."
        )
    else:
        if st.session_state.get(OIDC_REFUSAL_KEY):
            st.error(st.session_state[OIDC_REFUSAL_KEY])
        st.write("Connectez-vous avec votre compte professionnel.")
        st.button("Se connecter avec le compte Cnaf", on_click=_start_login, type="primary")


def _logged_in() -> bool:
    # st.user has no is_logged_in attribute when no identity provider is configured.
    return bool(st.user.get("is_logged_in", False))


def _oidc_principal() -> Principal | None:
    """The principal of the user the identity provider signed in, or None, the refusal
    kept for the sign-in page."""
    try:
        principal = identity.principal_from_claims(
            st.user.to_dict(), _secrets_section("sppe_roles")
        )
        # Records the account in the store (an administrator can disable it), refuses a
        # disabled one; the principal comes back with its session epoch.
        principal = accounts.record_oidc_sign_in(principal)
    except (
        identity.SignInRefused, accounts.SignInError, accounts.AccountError,
        store.StoreUnavailable,
    ) as exc:  # fmt: skip
        st.session_state[OIDC_REFUSAL_KEY] = str(exc)
        return None
    st.session_state.pop(OIDC_REFUSAL_KEY, None)
    return principal


def _follow_oidc_identity() -> None:
    """Keeps the principal in step with Streamlit's identity: none when nobody is signed
    in (signed out, cookie gone), mapped again when the signed-in e-mail changes."""
    if not _logged_in():
        st.session_state.pop(PRINCIPAL_KEY, None)
        return
    principal = current()
    email = str(st.user.get("email") or "").strip().lower()
    if principal is None or principal.user_id != email:
        st.session_state.pop(PRINCIPAL_KEY, None)
        mapped = _oidc_principal()
        if mapped is not None:
            st.session_state[PRINCIPAL_KEY] = mapped


def _addresses() -> list[tuple[str, bool]]:
    """(url path, is default) of every page of the app."""
    out = []
    for spec in PAGES:
        page = st.Page(spec.path, url_path=spec.url_path)
        out.append((page.url_path, spec.default))
    return out


def only(page, title: str) -> None:
    """Draws ``page`` alone and stops the run: no menu, no sidebar, no other page. It
    stands in for every page of the app at that page's address, so the address asked for
    is kept (no "Page not found"), and opens once the stand-in is gone (after sign-in)."""
    stand_ins = [
        st.Page(page, title=title, url_path=path, default=default) for path, default in _addresses()
    ]
    st.navigation(stand_ins, position="hidden").run()
    st.stop()


def refused_page(spec):
    """A hidden page at the address of a page the signed-in role may not open: says so,
    in French (a link shared by someone of another role, or rights just changed)."""
    roles = ", ".join(ROLE_LABELS[r] for r in ROLE_LABELS if spec.roles and r in spec.roles)

    def draw() -> None:
        st.title(spec.title)
        st.warning(
            f"Cette page est réservée aux rôles : {roles}. Votre rôle ne permet pas de "
            "l'ouvrir ; choisissez une autre page dans le menu.",
            icon=":material/lock:",
        )

    path = st.Page(spec.path, url_path=spec.url_path).url_path
    return st.Page(draw, title=spec.title, url_path=path, visibility="hidden")


# oidc: the identity provider sends the browser back to the app's root, in a new session.
# The page and filters asked for wait in a short-lived cookie of the browser (written by
# the sign-in page, read once signed in: only a known page and known filters are used).
LINK_COOKIE = "sppe_lien"
LINK_KEY = "link_restored"
_REMEMBER_LINK = (
    "<script>document.cookie = 'sppe_lien=' + encodeURIComponent("
    "location.pathname.split('/').pop() + location.search) + "
    "'; path=/; max-age=900; SameSite=Lax';</script>"
)
_FORGET_LINK = "<script>document.cookie = 'sppe_lien=; path=/; max-age=0; SameSite=Lax';</script>"


def _remembering(page):
    def draw() -> None:
        page()
        st.html(_REMEMBER_LINK, unsafe_allow_javascript=True)

    return draw


def restore_link(pages: list) -> None:
    """Router, once signed in (oidc): opens the page and filters asked for before the
    identity provider's round trip, once per session, then forgets them."""
    done = st.session_state.get(LINK_KEY)
    if done == "forget":  # the run after the switch: the cookie goes
        st.sidebar.html(_FORGET_LINK, unsafe_allow_javascript=True)
        st.session_state[LINK_KEY] = True
    if done or auth_mode() != "oidc":
        return
    st.session_state[LINK_KEY] = True
    raw = st.context.cookies.get(LINK_COOKIE)
    if not raw:
        return
    st.session_state[LINK_KEY] = "forget"
    path, _, query = unquote(raw).partition("?")
    target = next((p for p in pages if p.url_path == path and path), None)
    params = {k: v for k, v in parse_qsl(query) if k in filters.URL_KEYS}
    if target is not None:
        st.switch_page(target, query_params=params)
    st.sidebar.html(_FORGET_LINK, unsafe_allow_javascript=True)


def _gate(page) -> None:
    """Only the sign-in page exists until the user is signed in."""
    only(_remembering(page) if page is _oidc_page else page, "Connexion")


def _plain(text: str) -> str:
    """Text shown as is, not as Markdown (a path holds underscores, a section brackets)."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|~$" else ch for ch in text)


def _problem_page(message: str, title: str):
    """What is wrong, then (for the configuration) how to configure it."""
    what, how = message, None
    if message.endswith(auth.HOW_TO_CONFIGURE):
        what, how = message.removesuffix(auth.HOW_TO_CONFIGURE).strip(), auth.HOW_TO_CONFIGURE

    def draw() -> None:
        st.title(title)
        st.caption("Pilotage SPPE · mission service public de la petite enfance")
        st.error(_plain(what), icon=":material/block:")
        if how:
            st.info(_plain(how), icon=":material/settings:")

    return draw


def _sign_out() -> None:
    st.session_state.pop(PRINCIPAL_KEY, None)
    if auth_mode() == "oidc":
        st.session_state.pop(OIDC_REFUSAL_KEY, None)
        st.logout()  # Streamlit's identity cookie, then the provider's own sign-out


def _follow_account(mode: str) -> Principal | None:
    """The session's principal as the store has it now (one primary-key read): None,
    and the session ends, when the account was disabled, removed or its password
    changed; new role or pôle: the new rights from this run on."""
    principal = current()
    if principal is None:
        return None
    try:
        fresh = accounts.refresh(principal)
    except store.StoreUnavailable as exc:
        only(_problem_page(str(exc), "Base de données indisponible"), "Base indisponible")
    if fresh is not None:
        st.session_state[PRINCIPAL_KEY] = fresh
        return fresh
    st.session_state.pop(PRINCIPAL_KEY, None)
    st.session_state[SIGNED_OUT_KEY] = SIGNED_OUT
    if mode == "oidc":  # still signed in at the provider: mapped and recorded again, or refused
        _follow_oidc_identity()
        if current() is not None:
            st.session_state.pop(SIGNED_OUT_KEY, None)
        return current()
    return None


def require() -> Principal:
    """The signed-in principal; draws the sign-in page and stops the run until there is
    one. In demo mode, draws the demo banner and always returns a principal. Fails
    closed: a configuration or a store that cannot be read draws one page saying why."""
    mode, problem = configuration()
    if problem is not None:
        only(_problem_page(problem, "Connexion impossible : configuration à corriger"),
             "Configuration à corriger")  # fmt: skip
    if mode == "demo":
        return _demo()
    try:
        store.get_store()  # checked once per process, then cached
    except store.StoreUnavailable as exc:
        only(_problem_page(str(exc), "Base de données indisponible"), "Base indisponible")
    if mode == "oidc":
        _follow_oidc_identity()
    principal = _follow_account(mode)
    if principal is None:
        _gate(_login_page if mode == "local" else _oidc_page)
    st.sidebar.caption(f"Connecté : {principal.label}")
    st.sidebar.button("Se déconnecter", on_click=_sign_out, key="sign_out")
    return principal
