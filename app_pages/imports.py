"""Imports des extractions (cnaf role): a national extract imported from a file, checked
whole before anything changes, then put in service at once; the history of each
extract's versions and the rollback to the previous one. Rights are checked by the data
layer (``sppe_data.imports.versions``); free text is only shown in tables or escaped."""

from datetime import date

import streamlit as st

from sppe_data import auth, db, fmt, store
from sppe_data.extracts import EXTRACTS
from sppe_data.imports import versions
from ui import exports, signin, uploads
from ui import journal_forms as forms

PAGE_MAX_MB = 100  # larger files: the command line (sppe import-extract), up to 2 GB
FORMATS = ["parquet", "csv", "xlsx"]

st.title("Imports des extractions")
principal = signin.current()
if principal is None or principal.role not in auth.IMPORT_ROLES:
    forms.error("Votre rôle ne permet pas d'importer des extractions nationales.")
    st.stop()

st.caption(
    "Le fichier est lu et vérifié en entier (colonnes, types, valeurs obligatoires, codes "
    "connus, dates, doublons) avant toute modification : refusé, rien ne change et le "
    "rapport dit pourquoi ; accepté, il remplace l'extraction en service d'un coup et "
    "toutes les pages en tiennent compte aussitôt. Les versions précédentes sont gardées "
    f"({versions.DEFAULT_KEPT} par défaut) pour un retour arrière. Fichiers Parquet, CSV "
    "(« ; » ou « , », UTF-8 ou Windows-1252, virgule décimale) ou Excel (.xlsx), "
    f"{PAGE_MAX_MB} Mo au plus ici ; au-delà, la commande « sppe import-extract »."
)
labels = {n: e.label for n, e in EXTRACTS.items()}
name = st.selectbox("Extraction", list(EXTRACTS), format_func=labels.get, key="imports_extract")
if name == versions.COVERAGE:
    st.caption(
        "Taux de couverture : le fichier remplace seulement les années qu'il contient ; "
        "les autres années déjà importées sont conservées."
    )


def _show_result(result: versions.ImportResult) -> None:
    if result.ok:
        st.success(forms.plain(result.message), icon=":material/check_circle:")
        if result.adopted_version:
            st.info(
                f"Les fichiers qui étaient en place sont gardés dans l'historique comme "
                f"version {result.adopted_version}."
            )
        return
    st.error(forms.plain(result.message), icon=":material/error:")
    st.dataframe(result.report, hide_index=True, key="imports_report")
    exports.table_downloads(
        result.report, "imports_report", f"Rapport d'import {result.extract}", date.today()
    )


with st.form("imports_form", border=True):
    uploads.french_uploader(PAGE_MAX_MB, "Parquet, CSV, XLSX")
    upload = st.file_uploader(
        f"Fichier « {labels[name]} »",
        type=FORMATS,
        max_upload_size=PAGE_MAX_MB,
        key="imports_file",
    )
    col_date, col_source = st.columns(2)
    data_date = col_date.date_input(
        "Date des données", value=date.today(), format="DD/MM/YYYY", key="imports_date"
    )
    source = col_source.text_input(
        "Source",
        max_chars=versions.SOURCE_MAX,
        placeholder="par défaut : le nom du fichier",
        key="imports_source",
    )
    submitted = st.form_submit_button("Importer", type="primary")

if submitted:
    if upload is None:
        st.warning("Choisissez d'abord un fichier.")
    else:
        with st.spinner("Lecture et vérification du fichier…"):
            try:
                result = versions.import_extract(
                    principal,
                    name,
                    upload.name,
                    upload.getvalue(),
                    data_date=data_date,
                    source_label=source,
                    limits=versions.page_limits(PAGE_MAX_MB),
                )
            except (auth.AccessDenied, store.StoreUnavailable) as exc:
                forms.error(str(exc))
                result = None
        if result is not None:
            st.session_state["imports_result"] = result
            st.session_state.pop("imports_confirm", None)

kept = st.session_state.get("imports_result")
if kept is not None and kept.extract == name:
    _show_result(kept)

flash = st.session_state.pop("imports_flash", None)
if flash:
    st.success(forms.plain(flash), icon=":material/check_circle:")

st.subheader("Historique des versions")
unavailable = db.unavailable_extracts().get(name)
if unavailable:
    st.warning(forms.plain(unavailable), icon=":material/warning:")
try:
    frame = versions.history(principal, name)
except (auth.AccessDenied, store.StoreUnavailable) as exc:
    forms.error(str(exc))
    st.stop()
if frame.is_empty():
    st.info(
        "Aucune version importée : les pages lisent les fichiers déposés dans le dossier "
        f"extracts/{name}/ du répertoire de données, s'il y en a. Le premier import les "
        "garde comme version 1."
    )
    st.stop()
table = versions.history_table(frame)
shown = table.drop("Extraction")
if name != versions.COVERAGE:
    shown = shown.drop("Années du fichier")
st.dataframe(shown, hide_index=True, key="imports_history")
exports.table_downloads(table, "imports_history", f"Historique {name}", date.today())

target = versions.previous_version(frame.to_dicts())
if target is None:
    st.caption("Pas de version importée avant celle en service : pas de retour arrière.")
    st.stop()


def _ask() -> None:
    st.session_state["imports_confirm"] = name


def _cancel() -> None:
    st.session_state.pop("imports_confirm", None)


st.button(
    "Revenir à la version précédente",
    icon=":material/undo:",
    on_click=_ask,
    key="imports_rollback",
)
if st.session_state.get("imports_confirm") == name:
    when = target["imported_at"].strftime("%d/%m/%Y à %H:%M")
    st.warning(
        f"Remettre en service la version {target['version']} ({fmt.number(target['row_count'])}"
        f" ligne(s), importée le {when} UTC) ? La version en service reste dans "
        "l'historique : un nouvel import ou un retour arrière la rétablit.",
        icon=":material/help:",
    )
    col_yes, col_no = st.columns(2)
    if col_yes.button("Confirmer le retour arrière", type="primary", key="imports_confirm_go"):
        try:
            done = versions.rollback(principal, name, target["version"])
        except (auth.AccessDenied, store.StoreUnavailable, versions.VersionRefused) as exc:
            forms.error(str(exc))
        else:
            st.session_state.pop("imports_confirm", None)
            st.session_state.pop("imports_result", None)
            st.session_state["imports_flash"] = done.message
            st.rerun()
    col_no.button("Annuler", on_click=_cancel, key="imports_confirm_cancel")
