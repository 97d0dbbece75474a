"""The page registry: every page of the app, its menu section and who may open it.

The router (app.py) builds ``st.navigation`` from this list. Roles: ``reader``
(committee), ``pole`` (manager or agent of one pôle), ``cnaf`` (central staff),
``admin``. ``roles=None`` means every signed-in role.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the project root
    title: str
    icon: str  # a Material icon (":material/name:"), bundled with Streamlit
    section: str
    url_path: str | None = None  # None: derived from the file name
    roles: frozenset[str] | None = None
    default: bool = False


SECTIONS = ["Pilotage", "Comités", "Activité", "Territoires", "Saisie", "Données", "Aide"]

PAGES: list[PageSpec] = [
    PageSpec("app_pages/synthese.py", "Synthèse", ":material/dashboard:", "Pilotage", default=True),
    PageSpec("app_pages/carte_poles.py", "Carte des pôles", ":material/map:", "Territoires"),
    PageSpec(
        "app_pages/projets.py",
        "Projets de création de places",
        ":material/foundation:",
        "Territoires",
        url_path="projets",
    ),
    PageSpec(
        "app_pages/dossier_copil.py",
        "Dossier COPIL",
        ":material/slideshow:",
        "Pilotage",
        url_path="dossier-copil",
        roles=frozenset({"cnaf", "admin"}),
    ),
    PageSpec(
        "app_pages/indicateurs.py",
        "Indicateurs",
        ":material/query_stats:",
        "Pilotage",
        url_path="indicateurs",
    ),
    PageSpec(
        "app_pages/controles.py",
        "Contrôles",
        ":material/fact_check:",
        "Pilotage",
        url_path="controles",
    ),
    PageSpec(
        "app_pages/ressources.py",
        "Ressources",
        ":material/groups:",
        "Pilotage",
        url_path="ressources",
    ),
    PageSpec(
        "app_pages/copil.py", "COPIL stratégique", ":material/flag:", "Comités", url_path="copil"
    ),
    PageSpec(
        "app_pages/comite_operationnel.py",
        "Comité opérationnel",
        ":material/event_note:",
        "Comités",
        url_path="comite-operationnel",
    ),
    PageSpec(
        "app_pages/gouvernance.py",
        "Orientations et plan de travail",
        ":material/account_tree:",
        "Comités",
        url_path="gouvernance",
    ),
    PageSpec(
        "app_pages/selection_pivots.py",
        "Sélection des Caf pivots",
        ":material/how_to_vote:",
        "Comités",
        url_path="selection-caf-pivots",
    ),
    PageSpec(
        "app_pages/saisines.py", "Saisines", ":material/inbox:", "Activité", url_path="saisines"
    ),
    PageSpec(
        "app_pages/glossaire.py", "Glossaire", ":material/menu_book:", "Aide", url_path="glossaire"
    ),
    PageSpec(
        "app_pages/donnees.py",
        "Données et référentiels",
        ":material/database:",
        "Données",
        url_path="donnees",
    ),
    PageSpec(
        "app_pages/saisie.py",
        "Saisie de l'activité",
        ":material/edit_note:",
        "Saisie",
        url_path="saisie",
        roles=frozenset({"pole", "cnaf"}),
    ),
    PageSpec(
        "app_pages/referentiels.py",
        "Référentiels",
        ":material/tune:",
        "Données",
        url_path="referentiels",
        roles=frozenset({"cnaf"}),
    ),
    PageSpec(
        "app_pages/audit.py",
        "Journal d'audit",
        ":material/history:",
        "Données",
        url_path="audit",
        roles=frozenset({"cnaf", "admin"}),
    ),
    PageSpec(
        "app_pages/imports.py",
        "Imports des extractions",
        ":material/upload_file:",
        "Données",
        url_path="imports",
        roles=frozenset({"cnaf"}),
    ),
    PageSpec(
        "app_pages/comptes.py",
        "Comptes utilisateurs",
        ":material/manage_accounts:",
        "Données",
        url_path="comptes",
        roles=frozenset({"admin"}),
    ),
]


def pages_for(role: str | None) -> list[PageSpec]:
    """The pages a role may open (all of them when roles are not in use)."""
    return [p for p in PAGES if p.roles is None or role is None or role in p.roles]


NOT_FOUND_TITLE = "Page introuvable"


def unknown_page(pages: list):
    """A hidden page at an address that matches no page of the app (a mistyped or old
    link), saying so in French, or None when the address is a known page. Without it,
    Streamlit opens the home page under an English « Page not found » dialog."""
    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    asked = (getattr(ctx.pages_manager, "intended_page_name", None) or "") if ctx else ""
    asked = asked.strip().strip("/")
    if not asked or "/" in asked or asked in {page.url_path for page in pages}:
        return None

    def draw() -> None:
        st.title(NOT_FOUND_TITLE)
        st.warning(
            "L'adresse demandée ne correspond à aucune page de l'application ; "
            "choisissez une page dans le menu.",
            icon=":material/search_off:",
        )

    return st.Page(draw, title=NOT_FOUND_TITLE, url_path=asked, visibility="hidden")
