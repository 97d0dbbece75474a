"""Real browser: sign-in that fails closed. A start without a mode, or with a secrets file
that cannot be read, shows one French page and nothing else; local sign-in; a link to a
page with its filters opened before sign-in lands there after it; a disabled account is
signed out at its next click; a page of another role says so in French; with the
identity provider (oidc), the deep link survives its round trip."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sppe_data import accounts, store
from sppe_data.auth import Principal
from tests import test_browser_oidc as oidc
from tests.browser import SCREENSHOTS, serve_app
from tests.conftest import migrated
from tests.tiny import TODAY, write_tiny_extracts

pytestmark = pytest.mark.browser
# The identity provider of the oidc tests, and their app on it (fixtures).
node, oidc_app, oidc_context = oidc.node, oidc.oidc_app, oidc.context
ADMIN = Principal("admin.test", "Admin Test", "admin")
PASSWORD = "girafe nuageuse sur le toit"
TIMEOUT = 60_000  # a loaded machine: sign-in hashes (argon2) and reruns take longer
# No sidebar, or one with nothing in it but its collapse button's icon.
SIDEBAR_EMPTY = """() => {
    const s = document.querySelector('[data-testid="stSidebar"]');
    return !s || s.innerText.replace(/keyboard_double_arrow_left/g, "").trim() === "";
}"""
NO_SECRETS = "absent/secrets.toml"  # Streamlit's secrets.files: no file at all


@contextlib.contextmanager
def data_env(data_dir: Path) -> Iterator[None]:
    """This process on the server's store (the SQLite file of its data directory)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SPPE_DATA_DIR", str(data_dir))
        mp.delenv("SPPE_DATABASE_URL", raising=False)
        store.reset_cache()
        try:
            yield
        finally:
            store.reset_cache()


def server_env(secrets_file: Path, mode: str) -> dict[str, str]:
    return {
        "SPPE_TODAY": TODAY.isoformat(),
        "SPPE_AUTH_MODE": mode,  # "" = not set
        "SPPE_DATABASE_URL": "",
        # Only this file (absent or not): a developer's own secrets play no part.
        "STREAMLIT_SECRETS_FILES": str(secrets_file),
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("signin") / "data"))
    with data_env(data_dir):
        accounts.add_user(ADMIN, "agent.med", PASSWORD, "pole", "mediterranee", "Agent Méd")
        accounts.add_user(ADMIN, "agent.sortant", PASSWORD, "pole", "atlantique", "Sortant")
        accounts.add_user(ADMIN, "lecteur", PASSWORD, "reader", name="Lecteur")
    return data_dir


@pytest.fixture(scope="module")
def local_server(data_dir, chromium) -> Iterator[str]:
    env = server_env(data_dir.parent / NO_SECRETS, "local")
    with serve_app(data_dir, **env) as url:
        yield url


@pytest.fixture
def page(browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1440, "height": 1400}, locale="fr-FR")
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def assert_alone(page) -> None:
    """Nothing but the page's own content: no menu, no filters, no English box. The
    elements of a previous run go when the run ends (waited for); a session signed out
    keeps the empty frame of its sidebar until the page is reloaded."""
    page.wait_for_function(SIDEBAR_EMPTY, timeout=TIMEOUT)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_role("link", name="Synthèse").count() == 0


def sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


# --- fail closed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "secrets_text", "expected"),
    [
        ("sans-mode", None, "Aucun mode de connexion n'est configuré"),
        ("secrets-casses", "[sppe]\nauth_mode = local\n", "ligne 2, colonne 13"),
    ],
)
def test_the_app_stays_closed(case, secrets_text, expected, data_dir, tmp_path, page):
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    if secrets_text is not None:
        secrets.parent.mkdir()
        secrets.write_text(secrets_text, encoding="utf-8")
    with serve_app(data_dir, **server_env(secrets, "")) as url:
        page.goto(f"{url}/indicateurs?annee=2025&pole=atlantique")
        page.get_by_text("Connexion impossible : configuration à corriger").wait_for(
            timeout=TIMEOUT
        )
        page.get_by_text(expected, exact=False).wait_for(timeout=TIMEOUT)
        page.wait_for_timeout(1000)  # anything else would have been drawn by now
        body = page.inner_text("body")
        assert "SPPE_AUTH_MODE" in body and "secrets.example.toml" in body
        if secrets_text is not None:
            assert f"Le fichier de secrets {secrets} est illisible" in body
        assert_alone(page)
        assert (
            "Explorateur" not in body
            and "Synthèse" not in body
            and "Mode démonstration" not in body
        )
        assert page.url.endswith("/indicateurs?annee=2025&pole=atlantique")  # the link is kept
        page.screenshot(path=str(SCREENSHOTS / f"connexion-fermee-{case}.png"), full_page=True)


# --- local sign-in, deep link ---------------------------------------------------------------


def test_a_deep_link_survives_sign_in(local_server, page):
    page.goto(f"{local_server}/indicateurs?annee=2025&pole=atlantique")
    page.get_by_role("button", name="Se connecter").wait_for(timeout=TIMEOUT)
    assert_alone(page)
    assert page.url.endswith("/indicateurs?annee=2025&pole=atlantique")
    sign_in(page, "agent.med", "mauvais mot de passe")
    page.get_by_text(accounts.SIGN_IN_REFUSED).wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(SCREENSHOTS / "connexion-refusee.png"), full_page=True)

    sign_in(page, "agent.med", PASSWORD)
    page.get_by_role("heading", name="Explorateur des indicateurs").wait_for(timeout=TIMEOUT)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Connecté : Agent Méd", exact=False).wait_for(timeout=TIMEOUT)
    # The filters of the link: on the page, in the sidebar, in the URL.
    page.get_by_text("Atlantique, année 2025").first.wait_for(timeout=TIMEOUT)
    boxes = sidebar.locator('[data-testid="stSelectbox"] input')
    assert [boxes.nth(i).input_value() for i in range(boxes.count())] == ["2025", "Atlantique"]
    assert "annee=2025" in page.url and "pole=atlantique" in page.url
    assert "/indicateurs" in page.url
    assert page.get_by_text("Page not found").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "connexion-lien-profond.png"), full_page=True)


def test_a_page_of_another_role_says_so(local_server, page):
    page.goto(f"{local_server}/comptes")
    page.get_by_role("button", name="Se connecter").wait_for(timeout=TIMEOUT)
    sign_in(page, "lecteur", PASSWORD)
    page.get_by_text("Cette page est réservée aux rôles : Administrateur").wait_for(timeout=TIMEOUT)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no account listed


# --- open sessions follow the account -------------------------------------------------------


def test_a_disabled_account_is_signed_out_at_its_next_click(local_server, data_dir, page):
    page.goto(local_server)
    page.get_by_role("button", name="Se connecter").wait_for(timeout=TIMEOUT)
    sign_in(page, "agent.sortant", PASSWORD)
    page.get_by_text("Synthèse des indicateurs").wait_for(timeout=TIMEOUT)
    with data_env(data_dir):  # an administrator, elsewhere (the CLI, another server)
        accounts.disable_user(ADMIN, "agent.sortant")
    page.get_by_role("link", name="Indicateurs").click()
    page.get_by_text("Votre session a été fermée").wait_for(timeout=TIMEOUT)
    assert_alone(page)
    assert page.get_by_text("Explorateur des indicateurs").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "connexion-compte-desactive.png"), full_page=True)
    sign_in(page, "agent.sortant", PASSWORD)  # and it cannot come back
    page.get_by_text(accounts.SIGN_IN_REFUSED).wait_for(timeout=TIMEOUT)


# --- oidc: the deep link survives the identity provider's round trip ------------------------


def test_a_deep_link_survives_the_identity_provider(oidc_app, oidc_context):
    """The provider sends the browser back to the app's root, in a new session: the page
    and filters asked for come back from a short-lived cookie, once."""
    url, issuer, _ = oidc_app
    page = oidc_context.new_page()
    page.goto(f"{url}/indicateurs?annee=2025&pole=atlantique")
    page.get_by_role("button", name=oidc.SIGN_IN).wait_for(timeout=TIMEOUT)
    assert_alone(page)
    oidc.provider_sign_in(page, url, issuer, "claire")
    page.get_by_role("heading", name="Explorateur des indicateurs").wait_for(timeout=TIMEOUT)
    page.get_by_text("Atlantique, année 2025").first.wait_for(timeout=TIMEOUT)
    assert "/indicateurs" in page.url and "annee=2025" in page.url and "pole=atlantique" in page.url
    assert page.get_by_text("Page not found").count() == 0
    page.wait_for_timeout(1500)  # the charts finish painting
    page.screenshot(path=str(SCREENSHOTS / "connexion-oidc-lien-profond.png"), full_page=True)
    # Used once: the cookie is gone, the root opens the Synthèse again.
    page.wait_for_function("() => !document.cookie.includes('sppe_lien=')", timeout=TIMEOUT)
    page.goto(url)
    page.get_by_text("Synthèse des indicateurs").wait_for(timeout=TIMEOUT)
