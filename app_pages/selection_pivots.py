"""Sélection des Caf pivots: the candidates of a campaign, their indicators and their
weighted score on the letter's five criteria (``sppe_data.governance.selection``).

Everyone may try other weights: the ranking follows the weights on screen, never saved
unless a Cnaf user saves them for the campaign. Candidates are entered, or imported from a
CSV or Excel file (``governance.candidates_import``), by the Cnaf only (rights checked by
the data layer)."""

import polars as pl
import streamlit as st

from charts import selection as selection_charts
from sppe_data import governance as gov
from sppe_data import journal, reference, store
from sppe_data.auth import AccessDenied
from sppe_data.entries import ValidationError
from sppe_data.governance import candidates_import, model, selection
from ui import exports, signin, uploads
from ui.components import CHART_CONFIG
from ui.journal_forms import error, plain, reference_poles

NONE = ""  # the "not given" option of the pôle select box
FLASH = "selection_flash"
principal = signin.current()
st.title("Sélection des Caf pivots")
if principal is None:
    st.stop()
is_cnaf = principal.role == "cnaf"
today = journal.today_entry_default()
cafs = reference.departements().select("caf_code", "caf_name").unique().sort("caf_code")
caf_names = dict(cafs.iter_rows())
poles = reference_poles()
try:
    everyone = gov.records("candidate")
except store.StoreUnavailable as exc:
    error(str(exc))
    st.stop()

campaigns = sorted(set(everyone["campaign"].to_list()), reverse=True)
this_year = min(max(today.year, model.YEAR_MIN), model.YEAR_MAX)
options = sorted({*campaigns, this_year} if is_cnaf or not campaigns else set(campaigns))[::-1]
campaign = st.selectbox(
    "Campagne", options, index=options.index(campaigns[0] if campaigns else this_year),
    key="selection_campaign",
)  # fmt: skip
candidates = everyone.filter(pl.col("campaign") == campaign)
st.caption(
    "Chaque indicateur est ramené sur 100 points entre la moins bonne et la meilleure des "
    "Caf candidates de la campagne (100 pour toutes si elles sont à égalité ; délai de "
    "recrutement : le plus court est le meilleur ; locaux : oui = 100, non = 0). La note "
    "d'un critère est la moyenne de ses indicateurs ; le score total, sur 100, est la "
    "moyenne des critères pondérée par les pondérations ci-dessous."
)
if flash := st.session_state.pop(FLASH, None):
    st.success(plain(flash))

with st.expander("Les cinq critères de la lettre (section 3)"):
    for criterion in selection.CRITERIA:
        indicators = " ; ".join(i.label for i in criterion.indicators)
        st.markdown(
            f"**{criterion.label}** — {selection.LETTER_WORDING[criterion.code]}  \n"
            f"Indicateurs retenus : {indicators}."
        )

st.subheader("Pondération des critères")
saved = gov.weights(campaign)  # {} when none saved: weight 1 each
saved_weights = {c: float(saved.get(c, w)) for c, w in selection.default_weights().items()}
columns = st.columns(len(selection.CRITERIA))
weights = {  # whole numbers on screen: no decimal point to misread
    c.code: column.number_input(
        c.label,
        min_value=0,
        max_value=100,
        step=1,
        value=round(saved_weights[c.code]),
        key=f"weight_{campaign}_{c.code}",
    )
    for column, c in zip(columns, selection.CRITERIA, strict=True)
}
simulated = weights != saved_weights
st.caption(
    "Vous pouvez essayer d'autres pondérations : le classement suit aussitôt, sans rien "
    "enregistrer. "
    + ("Seules les pondérations enregistrées valent pour la campagne."
       if is_cnaf else "Seule la Cnaf enregistre les pondérations de la campagne.")
)  # fmt: skip
if simulated:
    st.info("Classement calculé avec des pondérations d'essai, non enregistrées.")
    left, right = st.columns(2)
    if left.button("Revenir aux pondérations enregistrées", key="weights_reset"):
        for c in selection.CRITERIA:
            del st.session_state[f"weight_{campaign}_{c.code}"]
        st.rerun()
    if is_cnaf and right.button("Enregistrer ces pondérations", type="primary"):
        try:
            gov.save_weights(principal, campaign, weights)
        except ValidationError as exc:
            for message in exc.errors.values():
                error(message)
        except (AccessDenied, store.StoreUnavailable) as exc:
            error(str(exc))
        else:
            st.session_state[FLASH] = f"Pondérations de la campagne {campaign} enregistrées."
            st.rerun()

st.subheader("Classement des candidatures")
if candidates.is_empty():
    st.info(f"Aucune candidature enregistrée pour la campagne {campaign}.")
else:
    try:
        ranking = selection.ranking_table(selection.score(candidates, weights), caf_names, poles)
    except ValueError as exc:
        error(str(exc))
    else:
        points = st.column_config.NumberColumn(format="localized")
        st.dataframe(
            ranking, hide_index=True, key="selection_ranking",
            column_config={h: points for h in ranking.columns[3:]},
        )  # fmt: skip
        title = f"Classement des Caf candidates, campagne {campaign}"
        exports.table_downloads(ranking, "selection_ranking", title, today)
        scope = f"Campagne {campaign} · {candidates.height} candidature(s)"
        figure = selection_charts.contributions(ranking, scope)
        st.plotly_chart(
            figure, theme=None, key="selection_chart",
            config=CHART_CONFIG,
        )  # fmt: skip
        exports.chart_downloads(
            figure, "selection_chart", scope, "candidatures enregistrées", today
        )

    st.subheader("Indicateurs des candidatures")
    indicators = selection.indicators_table(candidates, caf_names, poles)
    formats = {"€": "euro", "jours": "%.0f jours"}
    st.dataframe(
        indicators, hide_index=True, key="selection_indicators",
        column_config={
            i.label: st.column_config.NumberColumn(format=formats.get(i.unit, "localized"))
            for c in selection.CRITERIA
            for i in c.indicators
            if not i.is_yes_no
        },
    )  # fmt: skip
    exports.table_downloads(
        indicators, "selection_indicators", f"Candidatures, campagne {campaign}", today
    )

if is_cnaf:
    st.subheader("Saisir ou modifier une candidature")
    with st.expander("Importer des candidatures (CSV ou Excel)"):
        st.caption(
            f"Campagne {campaign}. Une ligne par Caf candidate, en-têtes en français comme "
            "dans le modèle (ou en codes) ; Caf donnée par son code (59, 2A) ou son nom ; "
            "nombres à virgule décimale (1 250 000 ou 3,5) ; locaux : oui ou non. Fichier "
            "CSV (« ; » ou « , », UTF-8 ou Windows-1252) ou Excel (.xlsx), au plus "
            f"{candidates_import.IMPORT_MAX_ROWS} lignes et "
            f"{candidates_import.IMPORT_MAX_BYTES // 1_000_000} Mo. Tout ou rien : une "
            "seule cellule refusée et rien n'est enregistré ; le même fichier importé deux "
            "fois dans la campagne n'ajoute rien."
        )
        left, right = st.columns(2)
        left.download_button(
            "Modèle Excel (.xlsx), avec les valeurs autorisées",
            data=lambda: candidates_import.candidates_template("xlsx"),
            file_name=candidates_import.XLSX_NAME, mime=candidates_import.XLSX_MIME,
            on_click="ignore", icon=":material/download:", key="candidates_template_xlsx",
        )  # fmt: skip
        right.download_button(
            "Modèle CSV (« ; », UTF-8)",
            data=lambda: candidates_import.candidates_template("csv"),
            file_name=candidates_import.CSV_NAME, mime=candidates_import.CSV_MIME,
            on_click="ignore", icon=":material/download:", key="candidates_template_csv",
        )  # fmt: skip
        upload_mb = candidates_import.IMPORT_MAX_BYTES // 1_000_000
        uploads.french_uploader(upload_mb, "CSV, XLSX")
        upload_generation = st.session_state.setdefault("candidates_import_generation", 0)
        upload = st.file_uploader(
            "Fichier de candidatures", type=["csv", "xlsx"], max_upload_size=upload_mb,
            key=f"candidates_import_file_{upload_generation}",
        )  # fmt: skip
        if upload is not None:
            content = upload.getvalue()  # the bounded reader checks the size first
            try:
                read = candidates_import.read_candidates(upload.name, content, campaign)
            except candidates_import.ImportRefused as exc:
                refused = exc
            else:
                refused = None
                st.write(f"{len(read)} candidature(s) lue(s) pour la campagne {campaign}.")
                if st.button(
                    f"Importer dans la campagne {campaign}", type="primary",
                    key="candidates_import_go",
                ):  # fmt: skip
                    try:
                        done = candidates_import.import_candidates(
                            principal, upload.name, content, campaign
                        )
                    except candidates_import.ImportRefused as exc:
                        refused = exc
                    except (AccessDenied, store.StoreUnavailable) as exc:
                        error(str(exc))
                    else:
                        skipped = f", {done.skipped} déjà importée(s)" if done.skipped else ""
                        st.session_state[FLASH] = (
                            f"{done.created} candidature(s) importée(s){skipped} pour la "
                            f"campagne {campaign}."
                        )
                        st.session_state["candidates_import_generation"] = upload_generation + 1
                        st.rerun()
            if refused is not None:
                st.error(refused.heading, icon=":material/error:")
                table = refused.frame()
                for problem in refused.problems:
                    if problem.line is None:
                        error(problem.message)
                if table.height:
                    st.dataframe(
                        table, hide_index=True, key="candidates_import_errors",
                        column_config={"Message": st.column_config.TextColumn(width="large")},
                    )  # fmt: skip
    labels = model.KINDS["candidate"].labels()
    names = dict(
        (cid, caf_names.get(code, code))
        for cid, code in candidates.select("candidate_id", "caf_code").iter_rows()
    )
    pick_key = f"candidate_pick_{campaign}"
    chosen = st.selectbox(
        "Candidature", [NONE, *names], key=pick_key,
        format_func=lambda i: names.get(i, "Nouvelle candidature"),
    )  # fmt: skip
    row = candidates.filter(pl.col("candidate_id") == chosen).row(0, named=True) if chosen else {}
    generation = st.session_state.setdefault("candidate_form_generation", 0)
    form_key = f"candidate_{campaign}_{chosen or 'nouvelle'}_{generation}"
    caf_list = list(caf_names)
    with st.form(form_key):
        left, right = st.columns(2)
        raw: dict = {"campaign": campaign}
        raw["caf_code"] = left.selectbox(
            labels["caf_code"], caf_list, format_func=lambda c: f"{c} – {caf_names[c]}",
            index=caf_list.index(row["caf_code"]) if row else None,
            placeholder="Choisir une Caf", key=f"{form_key}_caf",
        )  # fmt: skip
        pole_list = [NONE, *poles]
        raw["pole_code"] = right.selectbox(
            labels["pole_code"], pole_list, format_func=lambda p: poles.get(p, "Non précisé"),
            index=pole_list.index(row.get("pole_code") or NONE), key=f"{form_key}_pole",
        ) or None  # fmt: skip
        grid = st.columns(3)
        every = [i for c in selection.CRITERIA for i in c.indicators]
        for n, ind in enumerate(every):
            where, label, current = grid[n % 3], labels[ind.column], row.get(ind.column)
            key = f"{form_key}_{ind.column}"
            if ind.is_yes_no:
                raw[ind.column] = where.checkbox(label, value=bool(current), key=key)
            elif ind.unit in ("recrutements", "places"):
                raw[ind.column] = where.number_input(
                    label, min_value=0, step=1, value=current, placeholder="nombre", key=key
                )
            else:
                top = model.SCORE_MAX if ind.unit == "note sur 5" else None
                raw[ind.column] = where.number_input(
                    label, min_value=0.0, max_value=top, step=0.5 if top else 1.0,
                    value=current, placeholder="valeur", key=key,
                )  # fmt: skip
        raw["note"] = st.text_area(
            f"{labels['note']} (texte libre, {model.TEXT_MAX} caractères au plus)",
            value=row.get("note") or "", max_chars=model.TEXT_MAX, key=f"{form_key}_note",
        ) or None  # fmt: skip
        submitted = st.form_submit_button("Enregistrer la candidature", type="primary")
    if submitted:
        others = candidates.filter(pl.col("candidate_id") != (chosen or ""))
        name = caf_names.get(raw["caf_code"], "")
        if raw["caf_code"] in others["caf_code"].to_list():
            error(
                f"{name} a déjà une candidature pour la campagne {campaign} : choisissez-la "
                "dans la liste « Candidature » pour la modifier."
            )
        else:
            token_key = f"candidate_token_{campaign}"
            token = st.session_state.setdefault(token_key, journal.new_token())
            try:
                gov.save(
                    principal, "candidate", raw, record_id=chosen or None,
                    token=None if chosen else token,
                )  # fmt: skip
            except ValidationError as exc:
                st.error("Candidature non enregistrée : corrigez les champs signalés.")
                for field, message in exc.errors.items():
                    error(f"{labels[field]} : {message}" if field in labels else message)
            except (AccessDenied, LookupError, store.StoreUnavailable) as exc:
                error(str(exc))
            else:
                st.session_state.pop(token_key, None)
                st.session_state["candidate_form_generation"] = generation + 1
                st.session_state[FLASH] = f"Candidature enregistrée : {name}, campagne {campaign}."
                st.rerun()
    if chosen:
        confirm_key = f"candidate_confirm_{chosen}"
        if not st.session_state.get(confirm_key):
            if st.button("Supprimer cette candidature", key="candidate_delete"):
                st.session_state[confirm_key] = True
                st.rerun()
        else:
            st.warning(
                plain(
                    f"Supprimer la candidature de {names[chosen]} (campagne {campaign}) ? Elle "
                    "sort du classement ; la suppression reste tracée dans le journal d'audit."
                )
            )
            left, right = st.columns(2)
            if left.button("Confirmer la suppression", type="primary", key="candidate_delete_ok"):
                try:
                    gov.delete(principal, "candidate", chosen)
                except (AccessDenied, LookupError, store.StoreUnavailable) as exc:
                    error(str(exc))
                else:
                    del st.session_state[confirm_key], st.session_state[pick_key]
                    st.session_state[FLASH] = f"Candidature supprimée : {names[chosen]}."
                    st.rerun()
            if right.button("Annuler", key="candidate_delete_cancel"):
                del st.session_state[confirm_key]
                st.rerun()
