"""The « Décisions et actions » section of the committee pages (COPIL stratégique,
comités opérationnels): the actions still open from the committee's earlier meetings,
the meetings held in the chosen period with their decisions and actions, and, for the
writers, the forms to record them and to update an action's status.

Every write goes through ``sppe_data.governance`` with the signed-in principal: rights
and validation are checked there (the Cnaf records decisions and actions; a pôle user
records and updates the actions of its own pôle only; readers see the tables only).
Free text is only shown in tables or with ``st.text`` (never markdown). Each creation
form carries a submission token kept until the user starts a new entry (a double click
records once).
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from charts import governance_meetings as tables
from sppe_data import clock, fmt, store
from sppe_data import governance as gov
from sppe_data.auth import WRITER_ROLES, AccessDenied, Principal
from sppe_data.entries import ValidationError
from sppe_data.governance import model
from ui.exports import table_downloads
from ui.journal_forms import error, form_token, new_entry, reference_poles
from ui.steering import PLACEHOLDER
from ui.steering import table as empty_or_table

NONE = ""  # the "not given" option of the optional select boxes
CLOSED_STATUS = tuple(s for s in model.ACTION_STATUS if s not in model.OPEN_ACTION_STATUS)
DAY = "DD/MM/YYYY"
COLUMNS = {
    "Décision": st.column_config.TextColumn("Décision", width="large"),
    "Échéance": st.column_config.DateColumn("Échéance", format=DAY),
    "Décidée le": st.column_config.DateColumn("Décidée le", format=DAY),
    "Clôturée le": st.column_config.DateColumn("Clôturée le", format=DAY),
    "En retard": st.column_config.TextColumn(
        "En retard", help="Oui : échéance dépassée et action non close à la date indiquée."
    ),
}
FIELD_LABELS = {
    **model.KINDS["meeting"].labels(),
    **model.KINDS["decision"].labels(),
    **model.KINDS["action"].labels(),
}


def _show_errors(errors: dict[str, str]) -> None:
    st.error("Enregistrement refusé : corrigez les champs signalés.", icon=":material/error:")
    for name, message in errors.items():
        error(f"{FIELD_LABELS.get(name, name)} : {message}" if name else message)


def _show(frame: pl.DataFrame, key: str, empty: str, title: str, on: date) -> None:
    """A typed table with its column formats and downloads, or a French sentence."""
    if frame.is_empty():
        empty_or_table(frame, key, empty)
        return
    config = {name: COLUMNS[name] for name in frame.columns if name in COLUMNS}
    # A missing date reads « – » (Streamlit would write "None").
    st.dataframe(frame, hide_index=True, column_config=config, placeholder=PLACEHOLDER, key=key)
    table_downloads(frame, key, title, on)


def _write(work) -> bool:
    """Runs a write; shows the refusal in French. True when it went through."""
    try:
        work()
    except ValidationError as exc:
        _show_errors(exc.errors)
    except (AccessDenied, LookupError, store.StoreUnavailable) as exc:
        error(str(exc))
    else:
        return True
    return False


def meeting_section(
    principal: Principal | None,
    committee: str,
    period_start: date,
    period_end: date,
    default_held_on: date,
) -> None:
    """The section, for ``committee`` and the period the page shows. The meeting date
    (default ``default_held_on``, within the period and not after today) decides which
    actions are carried over and which meeting the forms record into."""
    name = model.COMMITTEES[committee]
    key = f"gov_{committee}_{period_start:%Y%m%d}"
    today = clock.today()
    last_day = min(today, period_end)
    st.subheader("Décisions et actions")
    if last_day < period_start:
        held_on = today
        st.info(
            "La période n'a pas commencé : aucune réunion ne peut encore s'y tenir. "
            f"Les actions ouvertes ci-dessous sont celles du {fmt.day(today)}.",
            icon=":material/info:",
        )
    else:
        held_on = st.date_input(
            "Date de la réunion", value=min(max(default_held_on, period_start), last_day),
            min_value=period_start, max_value=last_day, format=DAY, key=f"{key}_held_on",
            help="Les actions ouvertes des réunions précédentes sont celles de cette date ; "
            "les décisions et actions saisies sont rattachées à la réunion de ce jour.",
        )  # fmt: skip
    poles = reference_poles()
    try:
        carried = gov.carried_actions(committee, held_on)
        meetings = tables.meetings_between(
            gov.records("meeting", committee=committee), period_start, period_end
        )
        held = [
            (m, gov.records("decision", meeting_id=m["meeting_id"]),
             gov.records("action", meeting_id=m["meeting_id"]))
            for m in meetings.iter_rows(named=True)
        ]  # fmt: skip
    except store.StoreUnavailable as exc:
        error(str(exc))
        return

    st.markdown("##### Actions ouvertes des réunions précédentes")
    _show(
        tables.carried_table(carried, poles),
        f"{key}_carried",
        f"Aucune action des réunions précédentes n'est ouverte au {fmt.day(held_on)}.",
        f"Actions ouvertes {name}",
        held_on,
    )
    st.caption(
        f"Actions décidées aux réunions du {name} tenues avant le {fmt.day(held_on)} et non "
        f"closes à cette date, les plus en retard d'abord (échéance antérieure au "
        f"{fmt.day(held_on)})."
    )

    st.markdown(f"##### Réunions du {fmt.day(period_start)} au {fmt.day(period_end)}")
    if not held:
        st.info("Aucune réunion de ce comité enregistrée sur la période.", icon=":material/info:")
    for meeting, decisions, actions in held:
        mkey = f"{key}_{meeting['meeting_id']}"
        with st.container(border=True):
            st.markdown(f"**Réunion du {fmt.long_day(meeting['held_on'])}**")
            if meeting["title"]:
                st.text(meeting["title"])
            st.markdown("**Décisions**")
            _show(
                tables.decisions_table(decisions, poles),
                f"{mkey}_decisions",
                "Aucune décision enregistrée pour cette réunion.",
                f"Décisions {name} {fmt.day(meeting['held_on'])}",
                meeting["held_on"],
            )
            st.markdown("**Actions**")
            _show(
                tables.actions_table(actions, poles, today),
                f"{mkey}_actions",
                "Aucune action enregistrée pour cette réunion.",
                f"Actions {name} {fmt.day(meeting['held_on'])}",
                meeting["held_on"],
            )
    if held:
        st.caption(f"Statuts à ce jour ; en retard : situation au {fmt.day(today)}.")

    if principal is None or principal.role not in WRITER_ROLES or last_day < period_start:
        return
    st.markdown(f"##### Saisir pour la réunion du {fmt.day(held_on)}")
    if principal.role == "cnaf":
        _decision_form(principal, committee, held_on, poles, key)
    else:
        st.caption(
            "Les décisions sont enregistrées par la Cnaf ; vous enregistrez les actions "
            "de votre pôle."
        )
    _action_form(principal, committee, held_on, poles, key)
    _status_form(principal, held_on, carried, held, key)


def _decision_form(
    principal: Principal, committee: str, held_on: date, poles: dict[str, str], key: str
) -> None:
    key = f"{key}_decision"
    with st.container(border=True):
        st.markdown("**Ajouter une décision**")
        saved = st.session_state.get(f"{key}_saved")
        if saved:
            st.success(f"Décision enregistrée (n° {saved}).")
            st.button("Nouvelle décision", on_click=new_entry, args=(key,), key=f"{key}_new")
            return
        token = form_token(key)
        with st.form(f"{key}_form"):
            text = st.text_area(
                f"Texte de la décision ({fmt.number(model.TEXT_MAX)} caractères au plus)",
                max_chars=model.TEXT_MAX, key=f"{key}_text",
            )  # fmt: skip
            pole = st.selectbox(
                "Pôle concerné", [NONE, *poles], key=f"{key}_pole",
                format_func=lambda c: tables.pole_name(c or None, poles),
            )  # fmt: skip
            submitted = st.form_submit_button("Enregistrer la décision", type="primary")
        if submitted:
            result: dict = {}

            def work() -> None:
                raw = {"text": text, "pole_code": pole or None}
                saved = gov.save_at_meeting(
                    principal, "decision", committee, held_on, raw, token=token
                )
                result["id"] = saved.entity_id

            if _write(work):
                st.session_state[f"{key}_saved"] = result["id"]
                st.rerun()


def _action_form(
    principal: Principal, committee: str, held_on: date, poles: dict[str, str], key: str
) -> None:
    key = f"{key}_action"
    with st.container(border=True):
        st.markdown("**Ajouter une action**")
        saved = st.session_state.get(f"{key}_saved")
        if saved:
            st.success(f"Action enregistrée (n° {saved}).")
            st.button("Nouvelle action", on_click=new_entry, args=(key,), key=f"{key}_new")
            return
        token = form_token(key)
        try:
            orientations = gov.records("orientation", year=held_on.year)
        except store.StoreUnavailable as exc:
            error(str(exc))
            return
        orientation_titles = dict(orientations.select("orientation_id", "title").iter_rows())
        with st.form(f"{key}_form"):
            title = st.text_input(
                "Intitulé de l'action", max_chars=model.LONG_TITLE_MAX, key=f"{key}_title"
            )
            c1, c2 = st.columns(2)
            owner = c1.text_input("Responsable", max_chars=model.OWNER_MAX, key=f"{key}_owner")
            due_on = c2.date_input(
                "Échéance", value=held_on + timedelta(days=30), format=DAY,
                min_value=model.DATE_MIN, max_value=model.DATE_MAX, key=f"{key}_due",
            )  # fmt: skip
            c1, c2 = st.columns(2)
            with c1:
                if principal.role == "pole":
                    pole = st.selectbox(
                        "Pôle de l'action", [principal.pole_code], disabled=True,
                        format_func=lambda c: tables.pole_name(c, poles), key=f"{key}_pole_fixed",
                    )  # fmt: skip
                else:
                    pole = st.selectbox(
                        "Pôle de l'action", [NONE, *poles], key=f"{key}_pole",
                        format_func=lambda c: tables.pole_name(c or None, poles),
                    )  # fmt: skip
            status = c2.selectbox(
                "Statut", list(model.ACTION_STATUS), format_func=model.ACTION_STATUS.get,
                key=f"{key}_status",
            )  # fmt: skip
            c1, c2 = st.columns(2)
            closed_on = c1.date_input(
                "Date de clôture (action faite ou abandonnée)", value=None, format=DAY,
                min_value=model.DATE_MIN, max_value=clock.today(), key=f"{key}_closed",
            )  # fmt: skip
            orientation = c2.selectbox(
                f"Orientation {held_on.year} liée", [NONE, *orientation_titles],
                format_func=lambda o: orientation_titles.get(o, "Aucune"),
                key=f"{key}_orientation",
            )  # fmt: skip
            submitted = st.form_submit_button("Enregistrer l'action", type="primary")
        if submitted:
            result: dict = {}

            def work() -> None:
                raw = {
                    "pole_code": pole or None,
                    "title": title,
                    "owner": owner,
                    "due_on": due_on,
                    "status": status,
                    "closed_on": closed_on,
                    "orientation_id": orientation or None,
                }
                saved = gov.save_at_meeting(
                    principal, "action", committee, held_on, raw, token=token
                )
                result["id"] = saved.entity_id

            if _write(work):
                st.session_state[f"{key}_saved"] = result["id"]
                st.rerun()


def _status_form(
    principal: Principal,
    held_on: date,
    carried: pl.DataFrame,
    held: list[tuple[dict, pl.DataFrame, pl.DataFrame]],
    key: str,
) -> None:
    """Updates the status of an action carried over or recorded in the period."""
    key = f"{key}_status"
    columns = ["action_id", "title", "due_on", "pole_code", "meeting_held_on"]
    parts = [carried.select(columns)] + [
        actions.with_columns(pl.lit(meeting["held_on"]).alias("meeting_held_on")).select(columns)
        for meeting, _, actions in held
    ]
    choices = tables.editable(
        pl.concat(parts).unique("action_id", keep="first", maintain_order=True),
        principal.role,
        principal.pole_code,
    )
    with st.container(border=True):
        st.markdown("**Mettre à jour une action**")
        done = st.session_state.pop(f"{key}_saved", None)
        if done:
            st.success(done)
        if choices.is_empty():
            st.info(
                "Aucune action à mettre à jour : ni action ouverte des réunions précédentes, "
                "ni action enregistrée sur la période"
                + (" pour votre pôle." if principal.role == "pole" else "."),
                icon=":material/info:",
            )
            return
        options = {
            r["action_id"]: tables.action_option(r["title"], r["due_on"], r["meeting_held_on"])
            for r in choices.iter_rows(named=True)
        }
        with st.form(f"{key}_form"):
            action_id = st.selectbox(
                "Action à mettre à jour", list(options), format_func=options.get,
                key=f"{key}_action",
            )  # fmt: skip
            c1, c2 = st.columns(2)
            status = c1.selectbox(
                "Nouveau statut", list(model.ACTION_STATUS), index=2,
                format_func=model.ACTION_STATUS.get, key=f"{key}_new_status",
            )  # fmt: skip
            closed_on = c2.date_input(
                "Clôturée le (action faite ou abandonnée)", value=held_on, format=DAY,
                min_value=model.DATE_MIN, max_value=clock.today(), key=f"{key}_closed",
            )  # fmt: skip
            submitted = st.form_submit_button("Mettre à jour l'action", type="primary")
        if submitted:

            def work() -> None:
                current = gov.records("action", action_id=action_id)
                if current.is_empty():
                    raise LookupError("Action introuvable (ou supprimée).")
                raw = {f: current[f][0] for f in model.KINDS["action"].field_names}
                raw["status"] = status
                raw["closed_on"] = closed_on if status in CLOSED_STATUS else None
                gov.save(principal, "action", raw, record_id=action_id)

            if _write(work):
                st.session_state[f"{key}_saved"] = (
                    f"Action mise à jour : {model.ACTION_STATUS[status].lower()}"
                    + (f" le {fmt.day(closed_on)}." if status in CLOSED_STATUS else ".")
                )
                st.rerun()
