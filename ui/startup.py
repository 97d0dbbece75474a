"""What the router checks before anything else: the store is reachable and at the
schema of this code. Otherwise one French page says what is wrong and what to run, and
the run stops: no sign-in, no menu, no figure."""

from __future__ import annotations

import streamlit as st

from sppe_data import store


def require_store() -> None:
    try:
        store.get_store()
    except store.StoreUnavailable as exc:
        st.title("Pilotage SPPE indisponible")
        st.error(str(exc))
        st.markdown(
            "L'équipe qui exploite l'application trouvera la marche à suivre dans la "
            "documentation de déploiement (`docs/deploiement.md` : base de données, "
            "`sppe migrate`, sauvegardes)."
        )
        st.stop()
