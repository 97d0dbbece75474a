"""The forms and tables of the « Orientations et plan de travail » page: create, edit and
delete (after a confirmation) annual orientations, work-plan milestones, experiments,
service contracts and their semester reviews.

The fields come from ``sppe_data.governance.model.KINDS`` (French label, kind, length
limit, required or not): one widget per field, ``max_chars`` equal to the data layer's
limit, dates in the French format. Rights and validation are checked by the data layer
on every write; the forms are only drawn for who may write (the Cnaf: every record; a
pôle: the milestones of its pôle and the experiments it leads, its pôle fixed). Free text
is shown with ``st.dataframe`` or escaped. Each creation form carries a submission token
kept until the user asks for a new entry, so a double click records once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from charts.governance import HALF_LABELS
from sppe_data import clock, entries, reference, store
from sppe_data import governance as gov
from sppe_data.auth import AccessDenied, Principal
from sppe_data.entries import ValidationError
from sppe_data.governance import model
from ui.exports import table_downloads
from ui.journal_forms import error, form_token, plain
from ui.steering import PLACEHOLDER

MISSION = ""  # the "mission (national)" option of a pôle select box
LONG_TEXT_FROM = model.LONG_TITLE_MAX  # longer limits get a text area


@dataclass(frozen=True)
class Noun:
    """How the messages name a kind of record (French grammar: gender, elision)."""

    noun: str  # « orientation »
    feminine: bool
    definite: str  # « l'orientation », « le jalon »

    @property
    def indefinite(self) -> str:
        return f"{'une' if self.feminine else 'un'} {self.noun}"

    @property
    def another(self) -> str:
        return f"{'une' if self.feminine else 'un'} autre {self.noun}"

    @property
    def capital(self) -> str:
        return self.noun[0].upper() + self.noun[1:]

    @property
    def e(self) -> str:  # agreement of a past participle
        return "e" if self.feminine else ""


NOUNS = {
    "orientation": Noun("orientation", True, "l'orientation"),
    "milestone": Noun("jalon", False, "le jalon"),
    "experiment": Noun("expérimentation", True, "l'expérimentation"),
    "contract": Noun("contrat de service", False, "le contrat de service"),
    "review": Noun("revue semestrielle", True, "la revue semestrielle"),
}


# --- rights -------------------------------------------------------------------------------


def may_write(principal: Principal | None, kind: str, record: dict | None = None) -> bool:
    """Whether to draw the forms of ``kind`` (``record``: an existing one) for this
    user. The data layer checks again on every write."""
    if principal is None or principal.role not in ("cnaf", "pole"):
        return False
    if principal.role == "cnaf":
        return True
    field = model.KINDS[kind].pole_field
    if field is None:
        return False
    return record is None or record.get(field) == principal.pole_code


# --- labels -------------------------------------------------------------------------------


def pole_labels() -> dict[str, str]:
    df = reference.poles().sort("sort_order")
    return dict(zip(df["pole_code"], df["pole_label"], strict=True))


def indicator_labels() -> dict[str, str]:
    df = reference.indicators().sort("sort_order")
    return dict(zip(df["indicator_code"], df["indicator_label"], strict=True))


def caf_labels() -> dict[str, str]:
    """Caf code -> « 21 – Caf de la Côte-d'Or », the pivot Cafs first."""
    deps = reference.departements().drop_nulls("caf_code").unique("caf_code").sort("caf_code")
    labels = dict(zip(deps["caf_code"], deps["caf_code"] + " – " + deps["caf_name"], strict=True))
    pivots = [c for c in reference.pivot_cafs()["caf_code"] if c in labels]
    return {
        **{c: f"{labels[c]} (Caf pivot)" for c in pivots},
        **{c: v for c, v in labels.items() if c not in pivots},
    }


def contract_labels() -> dict[str, str]:
    contracts = gov.records("contract")
    cafs = caf_labels()
    return {
        r["contract_id"]: f"{cafs.get(r['caf_code'], r['caf_code'])}, signé le "
        f"{r['signed_on']:%d/%m/%Y} (n° {r['contract_id']})"
        for r in contracts.iter_rows(named=True)
    }


def descriptions(kind: str, rows: list[dict]) -> dict[str, str]:
    """id -> the record in one line, for the select boxes (plain text)."""
    id_column = model.KINDS[kind].id_column
    if kind == "contract":
        contracts = contract_labels()
        return {r[id_column]: contracts.get(r[id_column], r[id_column]) for r in rows}
    if kind == "review":
        contracts = contract_labels()
        return {
            r[id_column]: f"Revue du {r['reviewed_on']:%d/%m/%Y} (n° {r[id_column]}), "
            f"{contracts.get(r['contract_id'], r['contract_id'])}"
            for r in rows
        }
    out = {}
    for r in rows:
        title = r["title"] if len(r["title"]) <= 80 else r["title"][:79] + "…"
        out[r[id_column]] = f"{title} (n° {r[id_column]})"
    return out


# --- tables -------------------------------------------------------------------------------


# The columns holding a record's title or a free text: drawn wide.
WIDE_COLUMNS = frozenset({
    "Orientation", "Précisions", "Action", "Jalon", "Justificatif", "Thème d'expérimentation",
    "Enseignements", "Objet et engagements", "Points soulevés", "Suites données",
})  # fmt: skip
ROWS_SHOWN_MAX = 25  # longer tables scroll


def column_config(frame: pl.DataFrame) -> dict:
    """Formats by type: dates « JJ/MM/AAAA », whole numbers as such, flags as check
    boxes; titles and free texts wide."""
    config = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            config[name] = st.column_config.DateColumn(format="DD/MM/YYYY")
        elif dtype == pl.Boolean:
            config[name] = st.column_config.CheckboxColumn()
        elif dtype.is_integer():
            config[name] = st.column_config.NumberColumn(format="%d")
        elif dtype.is_float():
            config[name] = st.column_config.NumberColumn(format="localized")
        elif name in WIDE_COLUMNS:
            config[name] = st.column_config.TextColumn(width="large")
    return config


def show_table(
    frame: pl.DataFrame,
    key: str,
    empty_message: str,
    title: str | None = None,
    width: str = "stretch",
) -> None:
    """A table (every row shown up to ``ROWS_SHOWN_MAX``, empty cells « – »), its
    downloads for the export roles, or a French sentence when it has no row."""
    with st.container(key=key):  # the key names the table for tests and styles
        if frame.is_empty():
            st.info(empty_message, icon=":material/info:")
            return
        st.dataframe(
            frame, hide_index=True, column_config=column_config(frame), placeholder=PLACEHOLDER,
            width=width, height="content" if frame.height <= ROWS_SHOWN_MAX else "auto",
        )  # fmt: skip
        if title:
            table_downloads(frame, key, title, clock.today())


# --- submission tokens and notices ----------------------------------------------------------


def _new_entry(key: str) -> None:
    """A fresh form: new token, fields back to their defaults."""
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(key)]:
        del st.session_state[name]


def _notice_key(kind: str) -> str:
    return f"gov_{kind}_notice"


def _show_errors(kind: str, errors: dict[str, str]) -> None:
    """One French message per refused field (the data layer's), in one box."""
    labels = model.KINDS[kind].labels()
    lines = "\n".join(
        f"- {plain(f'{labels[name]} : {message}' if name in labels else message)}"
        for name, message in errors.items()
    )
    st.error(f"Rien n'a été enregistré :\n\n{lines}", icon=":material/error:")


def _run(kind: str, work: Callable[[], object]) -> tuple[bool, object]:
    """Runs a write; (True, its result), or (False, None) with the French errors shown."""
    try:
        return True, work()
    except ValidationError as exc:
        _show_errors(kind, exc.errors)
    except (AccessDenied, LookupError, store.StoreUnavailable) as exc:
        error(str(exc))
    return False, None


# --- fields -------------------------------------------------------------------------------


def _is_wide(f: model.Field) -> bool:
    """Lists, records' titles and long texts take the form's width."""
    return f.kind in ("indicators", "poles", "contract") or (
        f.kind == "text" and (f.name == "title" or (f.limit or model.TEXT_MAX) > LONG_TEXT_FROM)
    )


def _today() -> date:
    return min(max(clock.today(), model.DATE_MIN), model.DATE_MAX)


def _index(options: list, value: object) -> int:
    return options.index(value) if value in options else 0


def _codes(value: str | None) -> list[str]:
    return [c for c in (value or "").split(",") if c]


def _widget(
    f: model.Field, default: object, key: str, principal: Principal, year: int, in_year: bool
):
    """One field's widget (inside a form); returns the value for ``governance.save``.
    ``year``: the default of a year field; ``in_year``: a new date defaults to a day of
    that year (the record has a year)."""
    label = f.label if f.required else f"{f.label} (facultatif)"
    k = f"{key}_{f.name}"
    if f.kind == "text":
        limit = int(f.limit or model.TEXT_MAX)
        widget = st.text_area if limit > LONG_TEXT_FROM else st.text_input
        return widget(label, value=default or "", max_chars=limit, key=k)
    if f.kind == "date":
        latest = entries.latest_day() if f.not_after_today else model.DATE_MAX
        value = default if default is not None else (_today() if f.required else None)
        if default is None and value is not None and in_year:  # a day of the record's year
            value = min(max(value, date(year, 1, 1)), date(year, 12, 31))
        if value is not None:
            value = min(max(value, model.DATE_MIN), latest)
        return st.date_input(
            label, value=value, min_value=model.DATE_MIN, max_value=latest, format="DD/MM/YYYY",
            key=k,
        )  # fmt: skip
    if f.kind == "year":
        value = default if default is not None else year
        value = min(max(int(value), model.YEAR_MIN), model.YEAR_MAX)
        return int(
            st.number_input(
                label, min_value=model.YEAR_MIN, max_value=model.YEAR_MAX, value=value, step=1,
                format="%d", key=k,
            )
        )  # fmt: skip
    if f.kind == "half":
        halves = list(HALF_LABELS)
        return st.selectbox(
            label, halves, index=_index(halves, default), format_func=HALF_LABELS.get, key=k
        )
    if f.kind == "choice":
        codes = list(f.choices)
        return st.selectbox(
            label, codes, index=_index(codes, default), format_func=f.choices.get, key=k
        )
    if f.kind == "pole":
        poles = pole_labels()
        if principal.role == "pole":  # a pôle writes for itself only
            st.selectbox(
                label, [principal.pole_code], format_func=poles.get, disabled=True,
                key=f"{k}_fixed",
            )  # fmt: skip
            return principal.pole_code
        options = list(poles) if f.required else [MISSION, *poles]
        labels = {MISSION: model.MISSION_LABEL, **poles}
        chosen = st.selectbox(
            label, options, index=_index(options, default or MISSION), format_func=labels.get,
            key=k,
        )  # fmt: skip
        return chosen or None
    if f.kind == "poles":
        poles = pole_labels()
        return ",".join(
            st.multiselect(
                label, list(poles), default=[c for c in _codes(default) if c in poles],
                format_func=poles.get, key=k, placeholder="Choisir un ou plusieurs pôles",
            )
        )  # fmt: skip
    if f.kind == "indicators":
        indicators = indicator_labels()
        return ",".join(
            st.multiselect(
                label, list(indicators),
                default=[c for c in _codes(default) if c in indicators],
                format_func=indicators.get, key=k,
                placeholder="Choisir un ou plusieurs indicateurs",
            )
        )  # fmt: skip
    if f.kind == "caf":
        cafs = caf_labels()
        options = list(cafs)
        return st.selectbox(
            label, options, index=_index(options, default), format_func=cafs.get, key=k
        )
    if f.kind == "contract":
        contracts = contract_labels()
        options = list(contracts)
        return st.selectbox(
            label, options, index=_index(options, default), format_func=contracts.get, key=k,
            placeholder="Aucun contrat de service enregistré",
        )  # fmt: skip
    raise AssertionError(f"no widget for the field kind {f.kind}")


def fields(kind: str, defaults: dict, key: str, principal: Principal, year: int) -> dict:
    """Every field of ``kind`` (inside a form), short ones three by row; the raw values."""
    raw: dict = {}
    row: list[model.Field] = []
    in_year = "year" in model.KINDS[kind].field_names

    def flush() -> None:
        if row:
            for column, f in zip(st.columns(3), row, strict=False):
                with column:
                    raw[f.name] = _widget(f, defaults.get(f.name), key, principal, year, in_year)
            row.clear()

    for f in model.KINDS[kind].fields:
        if _is_wide(f):
            flush()
            raw[f.name] = _widget(f, defaults.get(f.name), key, principal, year, in_year)
        else:
            row.append(f)
            if len(row) == 3:
                flush()
    flush()
    return raw


# --- the forms ----------------------------------------------------------------------------


def create_form(principal: Principal | None, kind: str, year: int, defaults=None) -> None:
    """The form adding one record of ``kind`` (nothing for who may not write it)."""
    if not may_write(principal, kind):
        return
    if kind == "review" and gov.records("contract").is_empty():
        return
    name = NOUNS[kind]
    key = f"gov_{kind}_new"
    with st.expander(
        f"Ajouter {name.indefinite}",
        icon=":material/add:",
        key=f"gov_{kind}_open_new",
        on_change="rerun",
    ) as box:
        if not box.open:  # the form is built when opened: a closed one costs nothing
            return
        saved = st.session_state.get(f"{key}_saved")
        if saved:
            st.success(
                f"{name.capital} enregistré{name.e} (n° {saved}) : les tableaux en tiennent "
                "compte.",
                icon=":material/check_circle:",
            )
            st.button(f"Ajouter {name.another}", on_click=_new_entry, args=(key,),
                      key=f"{key}_again")  # fmt: skip
            return
        token = form_token(key)
        with st.form(f"{key}_form"):
            raw = fields(kind, defaults or {}, key, principal, year)
            submitted = st.form_submit_button("Enregistrer", type="primary", key=f"{key}_submit")
        if submitted:
            ok, result = _run(kind, lambda: gov.save(principal, kind, raw, token=token))
            if ok:
                st.session_state[f"{key}_saved"] = result.entity_id
                st.rerun()


def edit_form(principal: Principal | None, kind: str, rows: pl.DataFrame, year: int) -> None:
    """Choose a record of ``rows`` this user may write, then edit or delete it."""
    id_column = model.KINDS[kind].id_column
    editable = {
        r[id_column]: r for r in rows.iter_rows(named=True) if may_write(principal, kind, r)
    }
    if not editable:
        return
    name = NOUNS[kind]
    labels = descriptions(kind, list(editable.values()))
    pick_key = f"gov_{kind}_pick"
    if st.session_state.get(pick_key) not in editable:
        st.session_state.pop(pick_key, None)
    with st.expander(
        f"Modifier ou supprimer {name.indefinite}", icon=":material/edit:",
        key=f"gov_{kind}_open_edit", on_change="rerun",
    ) as box:  # fmt: skip
        if not box.open:
            return
        notice = st.session_state.pop(_notice_key(kind), None)
        if notice:
            st.success(notice, icon=":material/check_circle:")
        chosen = st.selectbox(
            f"{name.capital} à modifier", list(editable), format_func=labels.get, key=pick_key
        )
        row = editable[chosen]
        with st.form(f"gov_{kind}_edit_form"):
            raw = fields(kind, row, f"gov_{kind}_edit_{chosen}", principal, year)
            save = st.form_submit_button(
                "Enregistrer les modifications", type="primary", key=f"gov_{kind}_edit_submit"
            )
        if save:
            ok, _ = _run(kind, lambda: gov.save(principal, kind, raw, record_id=chosen))
            if ok:
                st.session_state[_notice_key(kind)] = f"{name.capital} n° {chosen} modifié{name.e}."
                st.rerun()
        _delete_step(principal, kind, chosen, labels[chosen])


def _delete_step(principal: Principal, kind: str, record_id: str, label: str) -> None:
    name = NOUNS[kind]
    confirm_key = f"gov_{kind}_confirm"
    if st.session_state.get(confirm_key) != record_id:
        st.button(
            f"Supprimer {name.definite} n° {record_id}", key=f"gov_{kind}_delete",
            on_click=st.session_state.__setitem__, args=(confirm_key, record_id),
            icon=":material/delete:",
        )  # fmt: skip
        return
    st.warning(
        f"Supprimer {name.definite} : {plain(label)} ? {'Elle' if name.feminine else 'Il'} "
        "disparaîtra des tableaux ; la suppression reste inscrite au journal d'audit.",
        icon=":material/warning:",
    )
    left, right = st.columns(2)
    if left.button("Confirmer la suppression", type="primary", key=f"gov_{kind}_delete_yes"):
        ok, _ = _run(kind, lambda: gov.delete(principal, kind, record_id))
        if ok:
            st.session_state.pop(confirm_key, None)
            st.session_state.pop(f"gov_{kind}_pick", None)
            st.session_state[_notice_key(kind)] = f"{name.capital} n° {record_id} supprimé{name.e}."
            st.rerun()
    right.button(
        "Annuler", key=f"gov_{kind}_delete_no", on_click=st.session_state.pop,
        args=(confirm_key, None),
    )  # fmt: skip


def record_forms(principal: Principal | None, kind: str, rows: pl.DataFrame, year: int) -> None:
    """The add form, then the edit/delete one, of ``kind`` (for who may write)."""
    create_form(principal, kind, year)
    edit_form(principal, kind, rows, year)
