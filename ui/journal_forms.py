"""The forms of the Saisie page: an activity (per kind), a Caf request (saisine), a bulk
import, and the caller's recent entries (edit, cancel); on the Saisines page, one
saisine followed: its history, the activities it produced, and its next step.

Every write goes through ``sppe_data.journal`` with the signed-in principal: rights and
validation are checked there. Free text is only ever shown with ``st.dataframe`` or
``st.text`` (never markdown). Each form render carries a submission token kept until
the user starts a new entry, so a double click or a resubmission records once.
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
import streamlit as st

from charts import requests as request_tables
from sppe_data import auth, entries, fmt, journal, reference, templates
from sppe_data.auth import AccessDenied, Principal
from sppe_data.entries import ValidationError
from ui import cache, uploads
from ui.steering import DAY, PLACEHOLDER

NONE = ""  # the "not given" option of optional select boxes
# The fields of the activity forms: those of an imported file, and the saisine answered.
ACTIVITY_LABELS = {**entries.ACTIVITY_FIELDS, "request_id": "Saisine d'origine"}


_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~:$&")


def plain(text: str) -> str:
    """Escapes every markdown character: for messages that may quote user input and are
    shown by a markdown element (st.error, st.success)."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def error(message: str) -> None:
    st.error(plain(message))


def form_token(key: str) -> str:
    """The submission token of the form ``key``: kept until the form is reset, so a form
    sent twice writes once."""
    if not st.session_state.get(f"{key}_token"):
        st.session_state[f"{key}_token"] = journal.new_token()
    return st.session_state[f"{key}_token"]


def new_entry(key: str) -> None:
    """Resets the form ``key``: a new token, the saved notice gone."""
    st.session_state.pop(f"{key}_token", None)
    st.session_state.pop(f"{key}_saved", None)


def number_box(where, label: str, value: float | int | None, key: str, hint: str) -> str:
    """A number typed the French way, « 1,5 », in a text box: the data layer reads it
    (decimal comma or point) or refuses it with a message. A number box would read
    « 1,5 » as 15 without a word, and shows « 0.00 »."""
    shown = "" if value is None else fmt.smart(value).replace("\u00a0", " ")
    return where.text_input(label, value=shown, placeholder=hint, key=key)


def _caf_labels() -> dict[str, str]:
    deps = reference.departements()
    return dict(zip(deps["caf_code"], deps["caf_code"] + " – " + deps["caf_name"], strict=True))


def _dep_labels() -> dict[str, str]:
    deps = reference.departements()
    return dict(zip(deps["dep_code"], deps["dep_code"] + " – " + deps["dep_name"], strict=True))


def _kind_labels() -> dict[str, str]:
    kinds = reference.activity_kinds().sort("sort_order")
    return dict(zip(kinds["activity_kind"], kinds["activity_label"], strict=True))


def _show_errors(errors: dict[str, str], labels: dict[str, str]) -> None:
    st.error("Saisie non enregistrée : corrigez les champs signalés.", icon=":material/error:")
    for name, message in errors.items():
        error(f"{labels.get(name, name)} : {message}")


def _pole_choice(principal: Principal, key: str) -> str:
    poles = {k: v for k, v in reference_poles().items()}
    if principal.role == "pole":
        st.selectbox("Pôle", [principal.pole_code], format_func=poles.get, disabled=True,
                     key=f"{key}_pole_fixed")  # fmt: skip
        return principal.pole_code
    # The Cnaf also books the overseas Cafs' engineering to the national Cepaje scope.
    national = reference.overseas_engineering_scope()
    poles[national.code] = national.label
    return st.selectbox("Pôle", list(poles), format_func=poles.get, key=f"{key}_pole")


def reference_poles() -> dict[str, str]:
    df = reference.poles().sort("sort_order")
    return dict(zip(df["pole_code"], df["pole_label"], strict=True))


def activity_fields(kind: str, pole: str, defaults: dict, key: str) -> dict:
    """The fields of one activity kind, inside a form; returns the raw values."""
    cafs = entries.cafs_of_pole(pole)
    caf_labels, dep_labels = _caf_labels(), _dep_labels()
    raw: dict = {"activity_kind": kind, "pole_code": pole}
    c1, c2, c3 = st.columns(3)
    raw["activity_on"] = c1.date_input(
        "Date", value=defaults.get("activity_on") or journal.today_entry_default(),
        format="DD/MM/YYYY", min_value=date(2000, 1, 1), max_value=date(2100, 12, 31),
        key=f"{key}_on",
    )  # fmt: skip
    caf_default = defaults.get("caf_code")
    raw["caf_code"] = c2.selectbox(
        "Caf bénéficiaire", cafs, format_func=caf_labels.get, key=f"{key}_caf",
        index=cafs.index(caf_default) if caf_default in cafs else 0,
    )  # fmt: skip
    deps = [NONE, *dep_labels]
    dep_default = defaults.get("dep_code")
    dep = c3.selectbox(
        "Département (si autre que celui de la Caf)", deps, key=f"{key}_dep",
        format_func=lambda d: dep_labels.get(d, "Celui de la Caf"),
        index=deps.index(dep_default) if dep_default and dep_default != caf_default else 0,
    )  # fmt: skip
    raw["dep_code"] = dep or raw["caf_code"]
    c1, c2, c3 = st.columns(3)
    statuses = list(reference.STATUS_LABELS)
    raw["status"] = c1.selectbox(
        "Statut", statuses, format_func=reference.STATUS_LABELS.get, key=f"{key}_status",
        index=statuses.index(defaults["status"]) if defaults.get("status") in statuses else 0,
    )  # fmt: skip
    raw["days_spent"] = number_box(
        c2, "Jours passés", defaults.get("days_spent"), f"{key}_days", "par exemple 1,5"
    )
    if kind in entries.EQUIPMENT_KINDS:
        equipments = [NONE, *reference.EQUIPMENT_LABELS]
        eq = defaults.get("equipment_kind")
        raw["equipment_kind"] = c3.selectbox(
            "Type d'équipement", equipments, key=f"{key}_equipment",
            format_func=lambda e: reference.EQUIPMENT_LABELS.get(e, "Non précisé"),
            index=equipments.index(eq) if eq in equipments else 0,
        ) or None  # fmt: skip
    if kind in entries.PARTNER_KINDS:
        raw["partner_id"] = st.text_input(
            "Partenaire (groupe ou gestionnaire multi-départemental)",
            value=defaults.get("partner_id") or "", max_chars=entries.PARTNER_MAX,
            key=f"{key}_partner",
        )  # fmt: skip
    if kind in entries.CONTROL_KINDS:
        c1, c2 = st.columns(2)
        outcomes = {NONE: "Non renseigné", "oui": "Oui, constats", "non": "Aucun constat"}
        found = defaults.get("has_findings")
        current = NONE if found is None else ("oui" if found else "non")
        raw["has_findings"] = c1.radio(
            "Résultat du contrôle", list(outcomes), format_func=outcomes.get, horizontal=True,
            index=list(outcomes).index(current), key=f"{key}_findings",
        ) or None  # fmt: skip
        raw["undue_amount_eur"] = number_box(
            c2, "Indus constatés (EUR)", defaults.get("undue_amount_eur"), f"{key}_undue",
            "0 si aucun",
        )  # fmt: skip
    if kind in entries.PLACES_KINDS:
        raw["places_count"] = number_box(
            st, "Places concernées", defaults.get("places_count"), f"{key}_places",
            "nombre de places",
        )  # fmt: skip
    raw["request_id"] = st.text_input(
        "Saisine d'origine (numéro, facultatif)", value=defaults.get("request_id") or "",
        max_chars=journal.REQUEST_ID_MAX, placeholder="numéro de la saisine", key=f"{key}_request",
    )  # fmt: skip
    # No max_chars: the browser would cut a pasted text, or drop it, without a word; the
    # data layer refuses a text over the limit with a message instead.
    raw["comment"] = st.text_area(
        f"Commentaire (texte libre, {entries.COMMENT_MAX} caractères au plus)",
        value=defaults.get("comment") or "", key=f"{key}_comment",
    )  # fmt: skip
    return raw


def activity_form(principal: Principal) -> None:
    key = "activity"
    kinds = _kind_labels()
    c1, c2 = st.columns([2, 1])
    with c1:
        kind = st.selectbox("Type d'activité", list(kinds), format_func=kinds.get, key="kind")
    with c2:
        pole = _pole_choice(principal, key)
    fee = entries.travel_fee_eur(kind, "done")
    st.info(
        f"Participation forfaitaire aux frais de déplacement : **{fmt.euros(fee)}** "
        + ("facturés à la Caf (activité départementale ; aucune si annulée)."
           if fee else "(activité non départementale : gratuite pour la Caf)."),
        icon=":material/euro:",
    )  # fmt: skip
    saved = st.session_state.get(f"{key}_saved")
    if saved:
        st.success(f"Activité enregistrée (n° {saved}). Les indicateurs en tiennent compte.")
        st.button("Nouvelle saisie", on_click=new_entry, args=(key,), key="activity_new")
        return
    token = form_token(key)
    with st.form("activity_form"):
        raw = activity_fields(kind, pole, {}, key)
        submitted = st.form_submit_button("Enregistrer l'activité", type="primary")
    if submitted:
        try:
            result = journal.save_activity(principal, raw, token)
        except ValidationError as exc:
            _show_errors(exc.errors, ACTIVITY_LABELS)
        except (AccessDenied, journal.JournalUnavailable) as exc:
            error(str(exc))
        else:
            st.session_state[f"{key}_saved"] = result.entity_id
            st.rerun()


def request_form(principal: Principal) -> None:
    key = "request"
    kinds = _kind_labels()
    nature = st.selectbox(
        "Nature de la demande", list(kinds), format_func=kinds.get, key="request_nature"
    )
    routing = entries.routing_of(nature)
    st.info(
        f"Circuit de saisine (règles de la lettre) : **{reference.ROUTING_LABELS[routing]}**.",
        icon=":material/alt_route:",
    )
    saved = st.session_state.get(f"{key}_saved")
    if saved:
        st.success(f"Saisine enregistrée (n° {saved}).")
        st.button("Nouvelle saisine", on_click=new_entry, args=(key,), key="request_new")
        return
    token = form_token(key)
    caf_labels = _caf_labels()
    cafs = (
        entries.cafs_of_pole(principal.pole_code) if principal.role == "pole" else list(caf_labels)
    )
    with st.form("request_form"):
        c1, c2, c3 = st.columns(3)
        raw = {"request_nature": nature}
        raw["caf_code"] = c1.selectbox(
            "Caf demandeuse", cafs, format_func=caf_labels.get, key="request_caf"
        )
        raw["priority"] = c2.selectbox(
            "Priorité", list(entries.PRIORITY_LABELS), index=1,
            format_func=entries.PRIORITY_LABELS.get, key="request_priority",
        )  # fmt: skip
        raw["status"] = c3.selectbox(
            "Statut", list(entries.REQUEST_STATUS_LABELS),
            format_func=entries.REQUEST_STATUS_LABELS.get, key="request_status",
        )  # fmt: skip
        c1, c2, c3 = st.columns(3)
        raw["received_on"] = c1.date_input(
            "Reçue le", value=journal.today_entry_default(), format="DD/MM/YYYY",
            key="request_received",
        )  # fmt: skip
        raw["taken_up_on"] = c2.date_input(
            "Prise en charge le", value=None, format="DD/MM/YYYY", key="request_taken"
        )
        raw["closed_on"] = c3.date_input(
            "Clôturée le", value=None, format="DD/MM/YYYY", key="request_closed"
        )
        submitted = st.form_submit_button("Enregistrer la saisine", type="primary")
    if submitted:
        try:
            result = journal.save_request(principal, raw, token)
        except ValidationError as exc:
            _show_errors(exc.errors, entries.REQUEST_FIELDS)
        except (AccessDenied, journal.JournalUnavailable) as exc:
            error(str(exc))
        else:
            st.session_state[f"{key}_saved"] = result.entity_id
            st.rerun()


def import_templates(principal: Principal) -> None:
    """The two template downloads (built on click): French headers, an example row, and
    in the Excel one a sheet of the allowed values."""
    pole = principal.pole_code if principal.role == "pole" else None
    on = journal.today_entry_default()
    c1, c2 = st.columns(2)
    c1.download_button(
        "Modèle Excel (.xlsx), avec les valeurs autorisées",
        data=lambda: templates.xlsx_bytes(pole, on), file_name=templates.XLSX_NAME,
        mime=templates.XLSX_MIME, on_click="ignore", icon=":material/download:",
        key="import_template_xlsx",
    )  # fmt: skip
    c2.download_button(
        "Modèle CSV (« ; », UTF-8)",
        data=lambda: templates.csv_bytes(pole, on), file_name=templates.CSV_NAME,
        mime=templates.CSV_MIME, on_click="ignore", icon=":material/download:",
        key="import_template_csv",
    )  # fmt: skip


def import_form(principal: Principal) -> None:
    st.caption(
        "Une ligne par activité. En-têtes et valeurs en français, comme dans le modèle "
        "(« Réalisée », « Contrôle sensible », « oui », 20/01/2026, 1,5), ou en codes. "
        "Fichier CSV (« ; » ou « , », UTF-8 ou Windows-1252) ou Excel (.xlsx), au plus "
        f"{fmt.number(journal.IMPORT_MAX_ROWS)} lignes et "
        f"{journal.IMPORT_MAX_BYTES // 1_000_000} Mo. Tout ou rien : une seule ligne en "
        "erreur et rien n'est enregistré."
    )
    import_templates(principal)
    max_mb = journal.IMPORT_MAX_BYTES // 1_000_000
    uploads.french_uploader(max_mb, "CSV, XLSX")
    upload = st.file_uploader(
        "Fichier d'activités", type=["csv", "xlsx"], max_upload_size=max_mb, key="import_file"
    )
    if upload is None:
        return
    content = upload.getvalue()  # read_table: the bounded reader (size checked first)
    try:
        rows = journal.read_table(upload.name, content)
    except ValueError as exc:
        st.error("Fichier refusé : rien n'a été enregistré.", icon=":material/error:")
        error(str(exc))
        return
    st.write(f"{len(rows)} ligne(s) lue(s).")
    if not st.button("Importer", type="primary", key="import_go"):
        return
    file_token = "import:" + hashlib.sha256(content).hexdigest()
    try:
        report = journal.import_activities(principal, rows, file_token)
    except (AccessDenied, journal.JournalUnavailable) as exc:
        error(str(exc))
        return
    if report.errors.height:
        st.error(f"Import refusé : {report.errors.height} erreur(s), rien n'a été enregistré.")
        st.dataframe(
            report.errors, hide_index=True, key="import_errors",
            column_config={"Message": st.column_config.TextColumn(width="large")},
        )  # fmt: skip
    else:
        st.success(
            f"{report.saved_count} activité(s) importée(s)"
            + (f", {report.skipped_count} déjà importée(s)." if report.skipped_count else ".")
        )


#: Display formats of ``recent_table`` (typed columns).
RECENT_COLUMNS = {
    "Date": st.column_config.DateColumn(format=DAY),
    "Jours": st.column_config.NumberColumn(format="localized"),
    "Frais (EUR)": st.column_config.NumberColumn(format="euro"),
}
CANCEL_KEY = "recent_cancel"  # the entry whose cancellation waits for a confirmation
NOTICE_KEY = "recent_notice"  # the message of the last change, shown after the rerun


def recent_table(recent: pl.DataFrame) -> pl.DataFrame:
    """The caller's recent entries: typed date, days and euros (``RECENT_COLUMNS``)."""
    kinds = _kind_labels()
    return recent.select(
        pl.col("activity_id").alias("N°"),
        pl.col("activity_on").alias("Date"),
        pl.col("activity_kind").replace_strict(kinds, default="?").alias("Activité"),
        pl.col("pole_code").replace_strict(reference_poles(), default="?").alias("Pôle"),
        pl.col("caf_code").alias("Caf"),
        pl.col("status").replace_strict(reference.STATUS_LABELS, default="?").alias("Statut"),
        pl.col("days_spent").alias("Jours"),
        pl.col("travel_fee_eur").alias("Frais (EUR)"),
        pl.col("comment").alias("Commentaire"),
    )


def _cancel_confirmed(entry_id: str) -> bool:
    """Asks before cancelling ``entry_id``; True once the user said yes."""
    st.warning(
        f"Annuler la saisie {entry_id} ? Elle ne comptera plus dans les indicateurs ; "
        "l'annulation reste inscrite au journal d'audit.",
        icon=":material/warning:",
    )
    yes, no = st.columns(2)
    if no.button("Non, la garder", key="recent_cancel_no"):
        st.session_state.pop(CANCEL_KEY, None)
        st.rerun()
    if yes.button("Oui, annuler la saisie", type="primary", key="recent_cancel_yes"):
        st.session_state.pop(CANCEL_KEY, None)
        return True
    return False


def recent_entries(principal: Principal) -> None:
    try:
        recent = journal.recent_activities(principal)
    except journal.JournalUnavailable as exc:
        error(str(exc))
        return
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:  # the change of the previous run, the list below already shows it
        st.success(notice, icon=":material/check_circle:")
    if recent.is_empty():
        st.info("Aucune saisie récente à votre nom.")
        return
    st.dataframe(
        recent_table(recent), hide_index=True, column_config=RECENT_COLUMNS,
        placeholder=PLACEHOLDER, key="recent_table",
    )  # fmt: skip
    ids = recent["activity_id"].to_list()
    chosen = st.selectbox("Saisie à modifier ou annuler", ids, key="recent_pick")
    row = recent.filter(pl.col("activity_id") == chosen).row(0, named=True)
    with st.form("edit_form"):
        raw = activity_fields(row["activity_kind"], row["pole_code"], row, f"edit_{chosen}")
        c1, c2 = st.columns(2)
        save = c1.form_submit_button("Enregistrer les modifications", type="primary")
        cancel = c2.form_submit_button("Annuler cette saisie (suppression)")
    if cancel:
        st.session_state[CANCEL_KEY] = chosen
    try:
        if save:
            journal.update_activity(principal, chosen, raw)
            st.session_state[NOTICE_KEY] = f"Saisie {chosen} modifiée."
            st.rerun()
        if st.session_state.get(CANCEL_KEY) == chosen and _cancel_confirmed(chosen):
            journal.cancel_activity(principal, chosen)
            st.session_state[NOTICE_KEY] = (
                f"Saisie {chosen} annulée : elle ne compte plus dans les indicateurs."
            )
            st.rerun()
    except ValidationError as exc:
        _show_errors(exc.errors, ACTIVITY_LABELS)
    except (AccessDenied, LookupError, journal.JournalUnavailable) as exc:
        error(str(exc))


# --- one saisine followed (Saisines page) -------------------------------------------------

STEP_KEY = "request_step"
HISTORY_COLUMNS = {"Date": st.column_config.DateColumn(format=DAY)}
ACTIVITY_COLUMNS = {
    "Date": st.column_config.DateColumn(format=DAY),
    "Jours passés": st.column_config.NumberColumn(format="localized"),
}


def _step_saved(request_id: str, kind: str) -> None:
    """After a step: a new token, the notice for the next run."""
    st.session_state.pop(f"{STEP_KEY}_token", None)
    st.session_state[f"{STEP_KEY}_notice"] = (
        f"{entries.REQUEST_STEP_LABELS[kind]} de la saisine n° {request_id} enregistrée : "
        "les listes et les délais en tiennent compte."
    )


def request_step_form(principal: Principal, request_id: str, state: str | None) -> None:
    """The next step of one saisine: only the steps its state allows are offered, with
    the fields each one needs; the data layer checks everything again."""
    allowed = entries.REQUEST_STEPS_FROM.get(state or "", ())
    if not allowed:
        st.info("Saisine close : aucune étape ne peut plus être enregistrée.")
        return
    kind = st.selectbox(
        "Étape à enregistrer", list(allowed), format_func=entries.REQUEST_STEP_LABELS.get,
        key=f"{STEP_KEY}_kind",
    )  # fmt: skip
    token = form_token(STEP_KEY)
    outcomes = entries.request_outcomes()
    with st.form(f"{STEP_KEY}_form"):
        raw = {"event_kind": kind}
        c1, c2 = st.columns(2)
        raw["event_on"] = c1.date_input(
            "Date de l'étape", value=journal.today_entry_default(), format="DD/MM/YYYY",
            key=f"{STEP_KEY}_on",
        )  # fmt: skip
        if kind == "taken_up":
            raw["taken_up_by"] = c2.text_input(
                "Prise en charge par", max_chars=entries.PERSON_MAX, key=f"{STEP_KEY}_by",
                placeholder="Prénom Nom",
            )  # fmt: skip
        elif kind == "closed":
            raw["outcome_code"] = c2.selectbox(
                "Issue", list(outcomes), format_func=outcomes.get, index=None,
                placeholder="Choisissez l'issue", key=f"{STEP_KEY}_outcome",
            )  # fmt: skip
        elif kind == "redirected":
            raw["redirected_to"] = c2.text_input(
                "Réorientée vers", max_chars=entries.REDIRECT_MAX, key=f"{STEP_KEY}_to",
                placeholder="Service ou organisme",
            )  # fmt: skip
        raw["comment"] = st.text_area(
            "Commentaire (facultatif)", max_chars=entries.STEP_COMMENT_MAX,
            key=f"{STEP_KEY}_comment",
        )  # fmt: skip
        submitted = st.form_submit_button("Enregistrer l'étape", type="primary")
    if submitted:
        try:
            journal.record_request_step(principal, request_id, raw, token)
        except ValidationError as exc:
            _show_errors(exc.errors, entries.REQUEST_STEP_FIELDS)
        except (AccessDenied, journal.JournalUnavailable) as exc:
            error(str(exc))
        else:
            _step_saved(request_id, kind)
            st.rerun()


def request_follow(principal: Principal | None, waiting: pl.DataFrame) -> None:
    """One saisine followed, in an expander built only when opened: chosen among the
    waiting ones (``waiting``: rows of ``steering.requests_open``) or by its number;
    its history and the activities it produced; its next step for who may write."""
    with st.expander(
        "Suivre une saisine : historique, activités produites, étapes",
        icon=":material/timeline:", key=f"{STEP_KEY}_open", on_change="rerun",
    ) as box:  # fmt: skip
        if not box.open:  # built when opened: a closed one costs nothing
            return
        notice = st.session_state.pop(f"{STEP_KEY}_notice", None)
        if notice:
            st.success(plain(notice), icon=":material/check_circle:")
        choices = request_tables.waiting_choices(waiting)
        c1, c2 = st.columns([3, 1])
        picked = c1.selectbox(
            "Saisine en attente", list(choices), format_func=choices.get, index=None,
            placeholder="Choisissez une saisine", key=f"{STEP_KEY}_pick",
        )  # fmt: skip
        typed = c2.text_input(
            "Ou son numéro", max_chars=journal.REQUEST_ID_MAX, key=f"{STEP_KEY}_id",
            placeholder="numéro de la saisine",
        )  # fmt: skip
        request_id = (typed or "").strip() or picked
        if not request_id:
            st.caption("Choisissez une saisine pour voir son historique.")
            return
        steps = cache.request_steps(request_id)
        if steps.is_empty():
            error(f"Saisine « {request_id} » introuvable.")
            return
        st.markdown(f"**Historique de la saisine n° {plain(request_id)}**")
        st.dataframe(
            request_tables.step_history(steps), hide_index=True, column_config=HISTORY_COLUMNS,
            key=f"{STEP_KEY}_history",
        )  # fmt: skip
        produced = cache.request_activities(request_id)
        if produced.is_empty():
            st.caption("Aucune activité rattachée à cette saisine.")
        else:
            st.markdown(f"**Activités produites ({fmt.number(produced.height)})**")
            st.dataframe(
                request_tables.produced_activities(produced), hide_index=True,
                column_config=ACTIVITY_COLUMNS, key=f"{STEP_KEY}_activities",
            )  # fmt: skip
        if principal is not None and principal.role in auth.WRITER_ROLES:
            request_step_form(principal, request_id, request_tables.state_after(steps))
