"""Dossier COPIL: the committee deck (PowerPoint 16:9 and PDF) for a period and a scope."""

import streamlit as st

from exports.deck import build_deck
from exports.images import ImageExportError
from sppe_data import api, fmt
from sppe_data.period import Period
from ui import availability, cache
from ui.filters import current

KINDS = {"month": "Mois", "semester": "Semestre", "year": "Année"}
DECK_KEY = "copil_deck"

filters = current()
info = api.data_info()
st.title("Dossier COPIL")
st.markdown(
    "Un dossier prêt pour la séance : une diapositive de titre, une par indicateur ciblé "
    "(graphique, chiffres et phrase de synthèse), le tableau pôle par pôle, "
    f"puis les vues ajoutées au dossier. Données au **{fmt.day(info.data_date)}**, "
    f"situation au **{fmt.long_day(info.today)}**."
)
# Every indicator slide comes from the activities: no deck of zeros and red badges.
availability.stop_if_unavailable(
    cache.indicator_period, cache.indicator_progress, cache.indicator_monthly,
    cache.copil_semester,
)  # fmt: skip

with st.container(border=True):
    col_kind, col_year, col_number, col_pole = st.columns([2, 1, 2, 3])
    with col_kind:
        kind = st.segmented_control(
            "Période", list(KINDS), format_func=KINDS.__getitem__, default="semester",
            key="copil_kind", required=True,
        )  # fmt: skip
    with col_year:
        years = api.target_years()
        year = st.selectbox("Année", years, index=years.index(filters.year), key="copil_year")
    with col_number:
        this_year = year == info.today.year
        if kind == "month":
            number = st.selectbox(
                "Mois", range(1, 13), index=(info.today.month if this_year else 12) - 1,
                format_func=lambda m: fmt.MONTHS[m - 1], key="copil_month",
            )  # fmt: skip
        elif kind == "semester":
            number = st.selectbox(
                "Semestre", [1, 2],
                index=Period.containing("semester", info.today).number - 1 if this_year else 1,
                format_func=lambda s: "1er semestre" if s == 1 else "2e semestre",
                key="copil_semester",
            )  # fmt: skip
        else:
            number = 1
    with col_pole:
        poles = api.pole_options()
        pole_code = st.selectbox(
            "Périmètre", list(poles), index=list(poles).index(filters.pole_code),
            format_func=poles.__getitem__, key="copil_pole",
        )  # fmt: skip
    period = Period(kind, year, number)
    build = st.button(
        f"Construire le dossier — {poles[pole_code]}, {period.label}",
        type="primary", icon=":material/slideshow:", key="copil_build",
    )  # fmt: skip

if build:
    bar = st.progress(0.0, text="Préparation…")
    try:
        deck = build_deck(period, pole_code, progress=lambda f, text: bar.progress(f, text=text))
    except ImageExportError as exc:
        bar.empty()
        st.error(str(exc))
    else:
        st.session_state[DECK_KEY] = (period.code, pole_code, deck)

built = st.session_state.get(DECK_KEY)
if built and built[:2] == (period.code, pole_code):
    deck = built[2]
    stem = f"dossier-copil_{period.code}_{pole_code}"
    st.success(
        f"Dossier prêt : {deck.slide_count} diapositives en "
        f"{fmt.number(deck.timings_s['total'], 1)} s."
    )
    col_pptx, col_pdf, _ = st.columns([1, 1, 2])
    with col_pptx:
        st.download_button(
            "PowerPoint (.pptx)", deck.pptx, file_name=f"{stem}.pptx",
            mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
            on_click="ignore", icon=":material/download:", key="copil_dl_pptx",
        )  # fmt: skip
    with col_pdf:
        st.download_button(
            "PDF", deck.pdf, file_name=f"{stem}.pdf", mime="application/pdf",
            on_click="ignore", icon=":material/download:", key="copil_dl_pdf",
        )  # fmt: skip
    st.caption("Contenu : " + " · ".join(deck.titles))
elif built:
    st.info("Le dossier affiché plus tôt portait sur une autre sélection : reconstruisez-le.")
