"""Pilotage SPPE: the router. Page config, sign-in, sidebar filters, navigation; nothing else."""

import logging

import streamlit as st

from sppe_data.store import StoreUnavailable
from ui import components, filters, signin, startup
from ui import navigation as navigation_pages
from ui.navigation import PAGES, SECTIONS, pages_for

# An emoji tab icon: a Material one would be fetched from a font CDN (missing offline).
st.set_page_config(page_title="Pilotage SPPE", page_icon="📊", layout="wide")
components.french_chrome()

startup.require_store()
principal = signin.require()
allowed = set(pages_for(role=principal.role))
sections: dict[str, list] = {}
for spec in PAGES:
    if spec in allowed:
        page = st.Page(
            spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path,
            default=spec.default,
        )  # fmt: skip
        sections.setdefault(spec.section, []).append(page)
    else:  # a link to a page of another role: a French refusal, not "Page not found"
        sections.setdefault("", []).append(signin.refused_page(spec))
# An address that is no page: a French « Page introuvable », not "Page not found".
missing = navigation_pages.unknown_page([p for pages in sections.values() for p in pages])
if missing is not None:
    sections.setdefault("", []).append(missing)
# Every page listed: the collapsed menu would say "View N more", in English.
navigation = st.navigation(
    {s: sections[s] for s in [*SECTIONS, ""] if s in sections}, expanded=True
)
signin.restore_link([page for pages in sections.values() for page in pages])
st.sidebar.markdown("**Pilotage SPPE** · mission service public de la petite enfance")
filters.sidebar(home_pole=principal.pole_code)

try:
    navigation.run()
except StoreUnavailable as exc:  # fail closed: no figure without the store's entries
    st.error(str(exc))
except Exception:  # never a stack trace in front of a user; the log keeps it
    logging.getLogger("sppe").exception("page failed")
    st.error(
        "Cette page n'a pas pu s'afficher à cause d'une erreur inattendue. "
        "Réessayez ; si l'erreur persiste, signalez-la à l'équipe Pilotage SPPE "
        "en indiquant la page et l'heure."
    )
