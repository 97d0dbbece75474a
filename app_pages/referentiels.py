"""Référentiels: the reference data the Cnaf edits in the app (targets, pôles' shares
and pivot Cafs, régions of the pôles, activity kinds ↔ indicators, travel fee), with
the history of the changes. Cnaf role (checked by the data layer on every write).

Each group is one form: nothing is saved until "Enregistrer", nothing at all when one
value is refused (every problem listed, in French). A save is refused when someone
else saved the same group since the form was drawn. Saved values apply at once to every
page and every user; the files shipped with the code remain the initial values.
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from sppe_data import fmt, journal, reference, store
from sppe_data import reference_edits as edits
from sppe_data.auth import AccessDenied
from ui import signin

NOTICE_KEY = "referentiels_notice"
NOT_TARGETED = "Non ciblée"
_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$&")


def plain(text: str) -> str:
    """Text shown as is by a markdown element (messages quote what the user typed)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def show_refusal(errors: list[str]) -> None:
    lines = "\n".join(f"- {plain(e)}" for e in errors)
    st.error(f"Rien n'a été enregistré :\n\n{lines}", icon=":material/error:")


def base_key(group: str) -> str:
    return f"referentiels_base_{group}"


def base_version(group: str, states: dict) -> int:
    """The version the form of ``group`` started from (kept until a save or a reload)."""
    key = base_key(group)
    if key not in st.session_state:
        st.session_state[key] = states[group].version
    return st.session_state[key]


def submit(group: str, work) -> None:
    """Runs a save; on success, remembers the new version and reruns with a notice."""
    try:
        saved = work()
    except edits.EditRefused as exc:
        show_refusal(exc.errors)
        return
    except (AccessDenied, store.StoreUnavailable) as exc:
        show_refusal([str(exc)])
        return
    st.session_state[base_key(group)] = saved.version
    st.session_state[NOTICE_KEY] = (
        f"{reference.GROUP_LABELS[group]} : modifications enregistrées, appliquées dès "
        "maintenant à toutes les pages."
        if saved.changed
        else f"{reference.GROUP_LABELS[group]} : aucune valeur modifiée, rien à enregistrer."
    )
    st.rerun()


def status_line(group: str, states: dict, base: int) -> None:
    state = states[group]
    if state.problem:
        st.error(plain(state.problem))
    if state.edited:
        when = f"{state.updated_at:%d/%m/%Y à %H:%M}" if state.updated_at else "?"
        who = plain(state.updated_by or "?")
        st.caption(
            f"Valeurs modifiées dans l'application le {when} (UTC) par {who} "
            f"(version {state.version}). Fichier livré correspondant : "
            f"{reference.GROUP_FILES[group]}, qui ne s'applique plus à ce référentiel."
        )
    else:
        st.caption(
            f"Valeurs livrées avec l'application (fichier {reference.GROUP_FILES[group]}) : "
            "elles s'appliquent tant qu'elles ne sont pas modifiées ici."
        )
    if state.version != base:
        st.warning(
            f"Ce référentiel a été modifié par {plain(state.updated_by or '?')} depuis "
            "l'ouverture de la page : vos modifications ne pourront pas être enregistrées "
            "telles quelles. Rechargez les valeurs actuelles."
        )
        if st.button("Recharger les valeurs actuelles", key=f"reload_{group}"):
            st.session_state.pop(base_key(group), None)
            st.rerun()


def reset_button(group: str, states: dict, base: int) -> None:
    if not states[group].edited:
        return
    with st.expander("Revenir aux valeurs livrées"):
        st.write(
            f"Les valeurs du fichier {reference.GROUP_FILES[group]} s'appliqueront de "
            "nouveau ; le changement est inscrit à l'historique."
        )
        if st.button("Revenir aux valeurs livrées", key=f"reset_{group}"):
            submit(group, lambda: edits.reset(principal, group, expected_version=base))


def records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


# --- the page -------------------------------------------------------------------------

st.title("Référentiels")
principal = signin.current()
if principal is None or principal.role not in edits.EDIT_ROLES:
    st.error("Votre rôle ne permet pas de modifier les référentiels (rôle Cnaf).")
    st.stop()
try:
    states = reference.group_states()
except store.StoreUnavailable as exc:
    st.error(str(exc))
    st.stop()

st.caption(
    "Cibles, composition des pôles, correspondance entre natures d'activité et "
    "indicateurs, forfait de déplacement : une modification enregistrée s'applique "
    "aussitôt à toutes les pages et à tous les utilisateurs, et reste inscrite à "
    "l'historique (avant, après, auteur, date). Rien n'est enregistré tant qu'une valeur "
    "est refusée."
)
if st.session_state.get(NOTICE_KEY):
    st.success(plain(st.session_state.pop(NOTICE_KEY)), icon=":material/check_circle:")

tab_targets, tab_poles, tab_regions, tab_kinds, tab_fee, tab_history = st.tabs(
    [*(reference.GROUP_LABELS[g] for g in reference.GROUPS), "Historique des modifications"]
)
indicator_labels = dict(
    reference.indicators().sort("sort_order").select("indicator_code", "indicator_label").rows()
)
label_indicator = {v: k for k, v in indicator_labels.items()}
poles_conf = reference.shipped_poles_config()["poles"]
pole_labels = {p["code"]: p["label"] for p in poles_conf}
label_pole = {v: k for k, v in pole_labels.items()}

# -- targets ------------------------------------------------------------------------------
with tab_targets:
    group = "cibles"
    base = base_version(group, states)
    status_line(group, states, base)
    st.markdown(
        "Une ligne par année et par indicateur : cible de la mission (nombre entier, "
        "répartie entre les pôles selon leur part) et période d'activité sur laquelle "
        "l'attendu à date est calculé. Chaque année listée a une cible pour les six "
        "indicateurs ; ajoutez ou retirez des lignes pour ajouter ou retirer une année."
    )
    current = edits.current_document(group)["targets"]
    frame = pd.DataFrame(
        {
            "Année": [t["year"] for t in current],
            "Indicateur": [
                indicator_labels.get(t["indicator_code"], t["indicator_code"]) for t in current
            ],
            "Cible (mission)": [t["target_count"] for t in current],
            "Période du": [pd.Timestamp(t["counted_from"]).date() for t in current],
            "au": [pd.Timestamp(t["counted_to"]).date() for t in current],
        }
    )
    with st.form(f"form_{group}"):
        edited = st.data_editor(
            frame,
            key=f"editor_{group}_{base}",
            hide_index=True,
            num_rows="dynamic",
            column_config={
                "Année": st.column_config.NumberColumn(
                    min_value=edits.TARGET_YEAR_MIN, max_value=edits.TARGET_YEAR_MAX,
                    step=1, format="%d", required=True,
                ),
                "Indicateur": st.column_config.SelectboxColumn(
                    options=list(indicator_labels.values()), required=True, width="large"
                ),
                "Cible (mission)": st.column_config.NumberColumn(
                    min_value=0, max_value=edits.TARGET_MAX, step=1, format="%d",
                    required=True,
                ),
                "Période du": st.column_config.DateColumn(format="DD/MM/YYYY", required=True),
                "au": st.column_config.DateColumn(format="DD/MM/YYYY", required=True),
            },
        )  # fmt: skip
        saved = st.form_submit_button("Enregistrer les cibles", type="primary")
    if saved:
        rows = [
            {
                "year": r["Année"],
                "indicator_code": label_indicator.get(r["Indicateur"], r["Indicateur"]),
                "target_count": r["Cible (mission)"],
                "counted_from": r["Période du"],
                "counted_to": r["au"],
            }
            for r in records(edited)
        ]
        submit(group, lambda: edits.save_targets(principal, rows, expected_version=base))
    reset_button(group, states, base)

# -- pôles: shares, pivot Cafs --------------------------------------------------------
with tab_poles:
    group = "poles"
    base = base_version(group, states)
    status_line(group, states, base)
    st.markdown(
        "Part des cibles de la mission confiée à chaque pôle, en pourcentage (la somme "
        "des cinq parts fait 100 %) ; Caf pivots par leur code (celui de leur "
        "département, séparés par des virgules, vide tant qu'elle est à désigner) ; "
        "note affichée sur les pages (200 caractères au plus)."
    )
    current = edits.current_document(group)["poles"]
    shown_shares = {p["pole_code"]: edits.format_percent(p["target_share"]) for p in current}
    frame = pd.DataFrame(
        {
            "Pôle": [pole_labels[p["pole_code"]] for p in current],
            "Part des cibles (%)": [shown_shares[p["pole_code"]] for p in current],
            "Caf pivots": [", ".join(p["pivot_cafs"]) for p in current],
            "Note sur la Caf pivot": [p["pivot_note"] for p in current],
        }
    )
    st.caption(
        "Somme des parts en vigueur : "
        + fmt.number(sum(p["target_share"] for p in current) * 100, 2)
        + " %."
    )
    with st.form(f"form_{group}"):
        edited = st.data_editor(
            frame,
            key=f"editor_{group}_{base}",
            hide_index=True,
            num_rows="fixed",
            disabled=["Pôle"],
            column_config={
                "Part des cibles (%)": st.column_config.TextColumn(
                    help="Pourcentage, par exemple 22 ou 22,5.", max_chars=12
                ),
                "Caf pivots": st.column_config.TextColumn(
                    help="Codes des Caf pivots, par exemple « 21, 52 ».", max_chars=60
                ),
                "Note sur la Caf pivot": st.column_config.TextColumn(
                    max_chars=edits.NOTE_MAX, width="large"
                ),
            },
        )
        saved = st.form_submit_button("Enregistrer les pôles", type="primary")
    if saved:
        poles = []
        for r, original in zip(records(edited), current, strict=True):
            code = original["pole_code"]
            text = r["Part des cibles (%)"]
            if text == shown_shares[code]:
                share = original["target_share"]  # untouched: kept exactly
            else:
                share = edits.parse_percent(text)
                share = text if share is None else share  # the data layer says why
            poles.append(
                {"pole_code": code, "target_share": share, "pivot_cafs": r["Caf pivots"],
                 "pivot_note": r["Note sur la Caf pivot"]}
            )  # fmt: skip
        submit(group, lambda: edits.save_poles(principal, poles, expected_version=base))
    reset_button(group, states, base)

# -- régions -> pôle ----------------------------------------------------------------------
with tab_regions:
    group = "regions"
    base = base_version(group, states)
    status_line(group, states, base)
    st.markdown(
        "Chaque région appartient à un seul pôle ; ses départements (et leurs Caf) "
        "suivent. Régions d'outre-mer : le pôle qui apporte l'appui au contrôle sur place. "
        "Chaque pôle garde au moins une région de métropole."
    )
    mapping = edits.current_document(group)["regions"]
    regions = reference.regions()
    region_rows = regions.select("region_code", "region_name").rows()
    frame = pd.DataFrame(
        {
            "Région": [f"{name} ({code})" for code, name in region_rows],
            "Outre-mer": ["oui" if o else "non" for o in regions["is_overseas"]],
            "Pôle": [pole_labels.get(mapping.get(c), mapping.get(c)) for c, _ in region_rows],
        }
    )
    with st.form(f"form_{group}"):
        edited = st.data_editor(
            frame,
            key=f"editor_{group}_{base}",
            hide_index=True,
            num_rows="fixed",
            disabled=["Région", "Outre-mer"],
            column_config={
                "Pôle": st.column_config.SelectboxColumn(
                    options=list(pole_labels.values()), required=True, width="large"
                )
            },
        )
        saved = st.form_submit_button("Enregistrer les régions", type="primary")
    if saved:
        new = {
            code: label_pole.get(r["Pôle"], r["Pôle"])
            for code, r in zip(regions["region_code"], records(edited), strict=True)
        }
        submit(group, lambda: edits.save_regions(principal, new, expected_version=base))
    reset_button(group, states, base)

# -- activity kinds -> indicator ----------------------------------------------------------
with tab_kinds:
    group = "correspondance"
    base = base_version(group, states)
    status_line(group, states, base)
    st.markdown(
        "L'indicateur ciblé que chaque nature d'activité alimente (son réalisé compte les "
        "activités réalisées de ces natures) ; « Non ciblée » : la nature ne compte dans "
        "aucun indicateur. Chaque indicateur est alimenté par au moins une nature."
    )
    mapping = edits.current_document(group)["kinds"]
    kinds = reference.shipped_activity_kinds().sort("sort_order")
    frame = pd.DataFrame(
        {
            "Nature d'activité": kinds["activity_label"].to_list(),
            "Domaine": [reference.DOMAIN_LABELS.get(d, d) for d in kinds["domain"]],
            "Indicateur": [
                indicator_labels.get(mapping.get(k) or "", NOT_TARGETED)
                for k in kinds["activity_kind"]
            ],
        }
    )
    with st.form(f"form_{group}"):
        edited = st.data_editor(
            frame,
            key=f"editor_{group}_{base}",
            hide_index=True,
            num_rows="fixed",
            disabled=["Nature d'activité", "Domaine"],
            column_config={
                "Indicateur": st.column_config.SelectboxColumn(
                    options=[NOT_TARGETED, *indicator_labels.values()], required=True,
                    width="large",
                )
            },
        )  # fmt: skip
        saved = st.form_submit_button("Enregistrer la correspondance", type="primary")
    if saved:
        new = {}
        for kind, r in zip(kinds["activity_kind"], records(edited), strict=True):
            label = r["Indicateur"]
            new[kind] = None if label in (None, NOT_TARGETED) else label_indicator.get(label, label)
        submit(group, lambda: edits.save_kind_indicators(principal, new, expected_version=base))
    reset_button(group, states, base)

# -- travel fee ---------------------------------------------------------------------------
with tab_fee:
    group = "forfait"
    base = base_version(group, states)
    status_line(group, states, base)
    fee = edits.current_document(group)["travel_fee_eur"]
    st.markdown(
        "Contribution forfaitaire aux frais de déplacement facturée à la Caf pour chaque "
        "intervention départementale d'un pôle. Un changement s'applique aux activités "
        "enregistrées après lui ; les activités déjà enregistrées gardent leur forfait."
    )
    with st.form(f"form_{group}"):
        text = st.text_input(
            "Forfait par intervention départementale (€)",
            value=edits.format_euros(fee),
            max_chars=20,
            key=f"input_{group}_{base}",
            help="Montant en euros, 2 décimales au plus, par exemple 300 ou 312,50.",
        )
        saved = st.form_submit_button("Enregistrer le forfait", type="primary")
    if saved:
        submit(group, lambda: edits.save_travel_fee(principal, text, expected_version=base))
    reset_button(group, states, base)

# -- history ------------------------------------------------------------------------------
with tab_history:
    try:
        log = edits.history(principal, limit=200)
    except (AccessDenied, store.StoreUnavailable) as exc:
        st.error(plain(str(exc)))
        log = None
    if log is not None and log.height:
        st.caption(
            "Les 200 dernières modifications des référentiels, les plus récentes d'abord "
            "(valeurs complètes avant et après dans le journal d'audit)."
        )
        st.dataframe(
            log.select(
                pl.col("changed_at").dt.strftime("%d/%m/%Y %H:%M").alias("Date (UTC)"),
                pl.col("ref_group").replace_strict(reference.GROUP_LABELS, default="?")
                .alias("Référentiel"),
                pl.col("action").replace_strict(journal.ACTION_LABELS, default="?")
                .alias("Action"),
                pl.col("actor").alias("Auteur"),
                pl.col("changes").alias("Changements"),
            ),
            hide_index=True,
            key="referentiels_history",
        )  # fmt: skip
    elif log is not None:
        st.info("Aucune modification des référentiels depuis l'installation : les valeurs "
                "livrées s'appliquent.")  # fmt: skip
