"""Real browser, ``oidc`` sign-in: the whole ``st.login`` flow in Chromium against a real
OpenID Connect provider (panva's ``oidc-provider``, tests/oidc/, installed by ``make
test``) started on a free loopback port. The app reads a secrets file of the test's own
directory (Streamlit's ``secrets.files`` option), never the repository's .streamlit/."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import ROOT, SCREENSHOTS, free_port, serve_app
from tests.conftest import migrated
from tests.tiny import TODAY, write_tiny_extracts

pytestmark = pytest.mark.browser

OIDC_DIR = ROOT / "tests" / "oidc"
CLIENT_ID = "pilotage-sppe"
START_TIMEOUT_S = 30
SIGN_IN = "Se connecter avec le compte Cnaf"
SIGN_OUT = "Se déconnecter"
# The provider's accounts: the login typed in its form picks one; any password.
ACCOUNTS = {
    # cnaf through the secrets' [sppe_roles] (domain @cnaf.fr); mixed-case address.
    "claire": {"email": "Claire.Martin@CNAF.fr", "email_verified": True, "name": "Claire Martin"},
    # Role and pôle sent by the provider, as lists.
    "agent": {
        "email": "agent@caf33.example",
        "email_verified": "true",
        "name": "Agent Atlantique",
        "sppe_role": ["pole"],
        "sppe_pole": ["atlantique"],
    },
    # Would be cnaf by its domain, but the provider says the address is not verified.
    "paul": {"email": "paul.durand@cnaf.fr", "email_verified": False, "name": "Paul Durand"},
    # Verified, but in no list of [sppe_roles] and without a role claim.
    "invite": {"email": "invite@ailleurs.example", "email_verified": True, "name": "Invité"},
}
SECRETS = """\
[sppe]
auth_mode = "oidc"

[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{cookie_secret}"
client_id = "{client_id}"
client_secret = "{client_secret}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"

[sppe_roles]
admin = ["admin.pilotage@cnaf.fr"]
cnaf = ["@cnaf.fr"]
reader = ["@copil.example"]
"""
# Streamlit's own English, which must never reach a page of the app.
ENGLISH = ("Traceback", "Error", "Exception", "Page not found", "Authentication", "Sign in",
           "Log in", "Log out", "Logout")  # fmt: skip


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node") or (
        "/usr/bin/node" if os.access("/usr/bin/node", os.X_OK) else None
    )
    if path is None or not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        message = "Node.js ou tests/oidc/node_modules absent (make oidc-provider) : test OIDC"
        if os.environ.get("CI"):
            pytest.fail(f"{message} obligatoire en CI.")
        pytest.skip(f"{message} ignoré.")
    return path


@contextmanager
def oidc_provider(
    node: str, port: int, client_secret: str, app_url: str, work_dir: Path
) -> Iterator[str]:
    """Runs tests/oidc/provider.mjs on ``port`` for the app at ``app_url``; yields the
    issuer. Its output goes to a log file in ``work_dir``."""
    issuer = f"http://127.0.0.1:{port}"
    accounts_file = work_dir / "oidc-accounts.json"
    accounts_file.write_text(json.dumps(ACCOUNTS), encoding="utf-8")
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URI": f"{app_url}/oauth2callback",
        # Streamlit sends its callback URL as the post-logout redirect.
        "OIDC_POST_LOGOUT_REDIRECT_URI": f"{app_url}/oauth2callback",
        "OIDC_ACCOUNTS": str(accounts_file),
    }
    with (work_dir / f"oidc-provider-{port}.log").open("w") as log:
        proc = subprocess.Popen(
            [node, "provider.mjs"], cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    metadata = f"{issuer}/.well-known/openid-configuration"
                    with urllib.request.urlopen(metadata, timeout=2) as r:
                        if r.status == 200 and json.load(r)["issuer"] == issuer:
                            break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(
                            f"le fournisseur OIDC n'a pas démarré en {START_TIMEOUT_S} s"
                        ) from None
                    time.sleep(0.3)
            yield issuer
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory, chromium, node) -> Iterator[tuple[str, str, Path]]:
    """(app URL, issuer, data directory): the app in oidc mode on the tiny data set, and
    its provider."""
    work_dir = tmp_path_factory.mktemp("browser_oidc")
    data_dir = migrated(write_tiny_extracts(work_dir / "data"))
    provider_port = free_port()
    client_secret = secrets.token_urlsafe(24)
    secrets_file = work_dir / "secrets.toml"
    secrets_file.write_text(
        SECRETS.format(
            cookie_secret=secrets.token_urlsafe(32),
            client_id=CLIENT_ID,
            client_secret=client_secret,
            issuer=f"http://127.0.0.1:{provider_port}",
        ),
        encoding="utf-8",
    )
    # The app's port is only known once it runs: the redirect URI of the secrets says
    # {port} (Streamlit fills it in), the provider starts after the app with the real one.
    # secrets.files is a list option: its variable is split on whitespace.
    assert " " not in str(secrets_file)
    env = {
        "SPPE_TODAY": TODAY.isoformat(),
        "STREAMLIT_SECRETS_FILES": str(secrets_file),
        "SPPE_AUTH_MODE": "",  # empty: the mode comes from the secrets file (oidc)
    }
    with (
        serve_app(data_dir, **env) as url,
        oidc_provider(node, provider_port, client_secret, url, work_dir) as issuer,
    ):
        yield url, issuer, data_dir


@pytest.fixture
def context(browser):
    """A fresh browser context (no cookie of another test); nothing leaves the machine
    (the provider's stock pages import a web font)."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="fr-FR")
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    yield ctx
    ctx.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)  # let Streamlit finish painting
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def assert_french(page) -> None:
    text = page.inner_text("body")
    assert not [w for w in ENGLISH if w in text], text


def sign_in_page(page, app_url: str):
    page.goto(app_url)
    button = page.get_by_role("button", name=SIGN_IN)
    button.wait_for(timeout=30_000)
    return button


def provider_sign_in(page, app_url: str, issuer: str, login: str) -> None:
    """From the app's sign-in page: the provider's own login form, then back to the app."""
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{issuer}/interaction/**", timeout=30_000)
    page.locator("input[name='login']").fill(login)
    page.locator("input[name='password']").fill("nimporte quel mot de passe")
    page.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/"), timeout=30_000)


def provider_sign_out(page, app_url: str, issuer: str) -> None:
    """After the app's "Se déconnecter": the provider's sign-out, then the app again."""
    page.wait_for_url(f"{issuer}/session/end**", timeout=30_000)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/"), timeout=30_000)


def stored_accounts(data_dir: Path) -> list[tuple]:
    """(username, role, pole_code, auth_source) of the store's accounts, read directly."""
    with sqlite3.connect(data_dir / "sppe.sqlite3") as db:
        sql = "SELECT username, role, pole_code, auth_source FROM accounts ORDER BY username"
        return db.execute(sql).fetchall()


def identity_cookies(context) -> list[str]:
    return [c["name"] for c in context.cookies() if c["name"].startswith("_streamlit_user")]


def test_sign_in_gets_the_mapped_role_then_sign_out(oidc_app, context):
    app_url, issuer, data_dir = oidc_app
    page = context.new_page()
    sign_in_page(page, app_url)
    assert page.get_by_role("heading", name="Connexion").is_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Synthèse", exact=True).count() == 0  # no page before sign-in
    assert_french(page)
    shot(page, "oidc_connexion.png")

    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{issuer}/interaction/**", timeout=30_000)
    shot(page, "oidc_fournisseur.png")
    page.locator("input[name='login']").fill("claire")
    page.locator("input[name='password']").fill("nimporte quel mot de passe")
    page.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/"), timeout=30_000)

    # cnaf by the domain of the secrets; the e-mail is the identity, the name is shown.
    sidebar.get_by_text("Connecté : Claire Martin · Cnaf (Dpfas)").wait_for(timeout=30_000)
    assert identity_cookies(context) == ["_streamlit_user", "_streamlit_user_tokens"]
    # Recorded in the store under the lower-cased e-mail (an administrator can disable it).
    assert ("claire.martin@cnaf.fr", "cnaf", None, "oidc") in stored_accounts(data_dir)
    page.get_by_text("Synthèse des indicateurs").first.wait_for(timeout=30_000)
    assert sidebar.get_by_text("Saisie", exact=False).count() > 0  # cnaf writes
    assert_french(page)
    shot(page, "oidc_connecte.png")

    sidebar.get_by_role("button", name=SIGN_OUT).click()
    provider_sign_out(page, app_url, issuer)
    sign_in_page(page, app_url)  # a fresh load: nothing of the session survives
    assert identity_cookies(context) == []
    assert page.get_by_text("Connecté").count() == 0
    shot(page, "oidc_deconnecte.png")
    # Signed out of the provider too: it asks for the login again.
    page.get_by_role("button", name=SIGN_IN).click()
    page.wait_for_url(f"{issuer}/interaction/**", timeout=30_000)
    assert page.locator("input[name='login']").is_visible()


def test_role_and_pole_claims_sent_as_lists(oidc_app, context):
    app_url, issuer, data_dir = oidc_app
    page = context.new_page()
    sign_in_page(page, app_url)
    provider_sign_in(page, app_url, issuer, "agent")
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text(
        "Connecté : Agent Atlantique · Pôle (responsable ou agent) · Atlantique"
    ).wait_for(timeout=30_000)
    assert ("agent@caf33.example", "pole", "atlantique", "oidc") in stored_accounts(data_dir)
    assert_french(page)


@pytest.mark.parametrize(
    ("login", "message", "screenshot"),
    [
        ("paul", "votre adresse e-mail n'est pas vérifiée", "oidc_refus_non_verifiee.png"),
        ("invite", "demandez-en un à l'administrateur", "oidc_refus_sans_role.png"),
    ],
)
def test_a_refused_identity_sees_why_and_nothing_else(
    oidc_app, context, login, message, screenshot
):
    app_url, issuer, data_dir = oidc_app
    page = context.new_page()
    sign_in_page(page, app_url)
    provider_sign_in(page, app_url, issuer, login)
    page.get_by_text(message).wait_for(timeout=30_000)
    # Signed in at the provider, refused by the app: the sign-in page only, no account.
    assert identity_cookies(context)
    assert ACCOUNTS[login]["email"] not in [row[0] for row in stored_accounts(data_dir)]
    assert page.get_by_text("Connecté").count() == 0
    assert page.get_by_text("Synthèse des indicateurs").count() == 0
    assert page.get_by_role("button", name=SIGN_IN).count() == 0
    assert_french(page)
    shot(page, screenshot)
    # Another account can be tried after signing out.
    page.get_by_role("button", name=SIGN_OUT).click()
    provider_sign_out(page, app_url, issuer)
    sign_in_page(page, app_url)
    assert identity_cookies(context) == []
