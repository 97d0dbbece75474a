"""The journal: activities and Caf requests logged in the app, with an audit log of
every change, in the store (``sppe_data.store``: SQLite or PostgreSQL).

Writes go through the functions below only. Each one checks the caller's rights
(``auth``), validates (``entries``), then runs in one store transaction; every change
adds an audit row (who, when, before, after) and bumps the revision of the tables it
wrote, which the read caches and the DuckDB views are keyed by. A submission token,
unique in the store, makes a resubmitted form a no-op, whichever process received it.

DuckDB stays the read engine: ``live_frames()`` gives the live entries (the extract's
columns) that the catalog loads next to the national extracts whenever the store's
revision of the entries changes (``sppe_data.db``).
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sppe_data import auth, entries, reference, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.extracts import EXTRACTS, POLARS_TYPES, polars_schema
from sppe_data.settings import get_settings
from sppe_data.store import schema

TABLES = {"activities": "activity_entries", "requests": "request_entries"}
ID_COLUMNS = {"activities": "activity_id", "requests": "request_id"}
ID_PREFIX = {"activities": "JA", "requests": "JS"}
ENTITY = {"activities": "activite", "requests": "saisine"}
ENTITY_LABELS = {
    "activite": "Activité",
    "saisine": "Saisine",
    "compte": "Compte",
    "extraction": "Extraction nationale",
    "referentiel": "Référentiel",
    "orientation": "Orientation annuelle",
    "experimentation": "Expérimentation",
    "jalon": "Jalon du plan de travail",
    "reunion": "Réunion de comité",
    "decision": "Décision de comité",
    "action": "Action de comité",
    "contrat_service": "Contrat de service",
    "revue_contrat": "Revue de contrat de service",
    "candidature": "Candidature de Caf pivot",
    "ponderation": "Pondération des critères de sélection",
}
ACTION_LABELS = {
    "creation": "Création",
    "modification": "Modification",
    "suppression": "Suppression",
    "import": "Import",
    "retour_arriere": "Retour à une version précédente",
    "desactivation": "Désactivation",
    "reactivation": "Réactivation",
    "changement_role": "Changement de rôle",
    "changement_mot_de_passe": "Changement de mot de passe",
    "reinitialisation": "Retour aux valeurs livrées",
    "etape": "Étape de saisine",
}
TOKEN_MAX = 100
IMPORT_MAX_ROWS = 5000
IMPORT_MAX_BYTES = 5_000_000

# A store that cannot be read or written: the French message says why.
JournalUnavailable = store.StoreUnavailable


def _table(name: str) -> sa.Table:
    return schema.metadata.tables[TABLES[name]]


def national_view(name: str) -> str:
    """The view name of the extract part of a journalled table (the catalog builds it)."""
    return f"{name}_national" if name in TABLES else name


# The steps of the saisines (``request_events``) as the catalog copies them: the columns
# the ``requests`` view and the history read.
EVENT_COLUMNS = {
    "event_id": "VARCHAR",
    "request_id": "VARCHAR",
    "step_no": "INTEGER",
    "event_kind": "VARCHAR",
    "event_on": "DATE",
    "taken_up_by": "VARCHAR",
    "outcome_code": "VARCHAR",
    "redirected_to": "VARCHAR",
    "comment": "VARCHAR",
    "created_by": "VARCHAR",
    "created_at": "TIMESTAMP",
}
EVENTS = "request_events"


def journal_table(name: str) -> str:
    """The DuckDB table holding the live journal rows of ``name`` (the catalog's copy):
    ``activities``, ``requests`` or ``request_events``."""
    return f"journal_{EVENTS if name == EVENTS else TABLES[name]}"


# The saisines as every query reads them: the received row (extract or journal) with
# its recorded steps applied. ``closed_on`` is the day a saisine left the backlog,
# whatever the end (done, refused, cancelled, redirected: ``status``).
_REQUESTS_VIEW = f"""
create or replace view requests as
with steps as (
    select
        request_id,
        max(event_on) filter (where event_kind = 'taken_up') as taken_up_on,
        max(taken_up_by) filter (where event_kind = 'taken_up') as taken_up_by,
        max(event_on) filter (where event_kind <> 'taken_up') as ended_on,
        max(event_kind) filter (where event_kind <> 'taken_up') as end_kind,
        max(outcome_code) filter (where event_kind = 'closed') as outcome_code,
        max(redirected_to) filter (where event_kind = 'redirected') as redirected_to
    from {journal_table(EVENTS)}
    group by request_id
)
select
    r.* replace (
        case
            when s.end_kind = 'closed' then 'done'
            when s.end_kind is not null then s.end_kind
            when s.taken_up_on is not null and r.status = 'received' then 'in_progress'
            else r.status
        end as status,
        coalesce(r.taken_up_on, s.taken_up_on) as taken_up_on,
        coalesce(r.closed_on, s.ended_on) as closed_on
    ),
    s.taken_up_by,
    s.outcome_code,
    s.redirected_to
from requests_received as r
left join steps as s on s.request_id = r.request_id
"""

# The one definition of where a saisine stands at a date, from its dates only (a step
# dated after ``as_of`` does not count): not received yet (null), 'received' (waiting,
# not taken up), 'in_progress' (waiting, taken up), or its end status once closed.
# « En attente » = 'received' or 'in_progress' (``request_is_waiting``).
_REQUEST_MACROS = """
create or replace macro request_status_on(received_on, taken_up_on, closed_on, status, as_of) as
    case
        when received_on > as_of then null
        when closed_on <= as_of then
            case when status in ('received', 'in_progress') then 'done' else status end
        when taken_up_on <= as_of then 'in_progress'
        else 'received'
    end;
create or replace macro request_is_waiting(received_on, closed_on, as_of) as
    received_on <= as_of and (closed_on is null or closed_on > as_of);
"""


def create_views(con) -> None:
    """Catalog hook: ``activities`` = the extract's rows + the journal's live rows (same
    columns); ``requests_received`` likewise for the saisines, and ``requests`` = those
    with their recorded steps applied (``_REQUESTS_VIEW``); the saisine macros. The
    journal tables are loaded by ``db`` from ``live_frames``."""
    for name in TABLES:
        cols = ", ".join(f"cast(null as {t}) as {c}" for c, t in EXTRACTS[name].columns.items())
        con.execute(
            f"create table if not exists {journal_table(name)} as select {cols} where false"
        )
        view = "requests_received" if name == "requests" else name
        con.execute(
            f"create or replace view {view} as select * from {national_view(name)} "
            f"union all by name select * from {journal_table(name)}"
        )
    cols = ", ".join(f"cast(null as {t}) as {c}" for c, t in EVENT_COLUMNS.items())
    con.execute(f"create table if not exists {journal_table(EVENTS)} as select {cols} where false")
    # The realised activities (macro is_done of queries/_macros.sql): what every figure of
    # done work reads.
    con.execute(
        "create or replace view activities_done as select * from activities where is_done(status)"
    )
    con.execute(_REQUESTS_VIEW)
    con.execute(_REQUEST_MACROS)


def revision_key(revisions: dict[str, int]) -> tuple[int, ...]:
    """What the catalog's copy of the live rows depends on (the steps of the saisines
    bump ``request_entries`` too)."""
    return (
        revisions.get(schema.GENERATION, 0),
        *(revisions.get(t, 0) for t in TABLES.values()),
    )


_EVENT_TYPES = {**POLARS_TYPES, "TIMESTAMP": pl.Datetime("us")}


def live_frames() -> dict[str, pl.DataFrame]:
    """Grain: one live (not cancelled) journal entry, or one step of a saisine;
    columns: the extract's columns (``EVENT_COLUMNS`` for the steps). All read in one
    snapshot."""
    out = {}
    with store.get_store().reading() as conn:
        for name in TABLES:
            table = _table(name)
            cols = [table.c[c] for c in EXTRACTS[name].columns]
            result = conn.execute(sa.select(*cols).where(table.c.is_deleted.is_(False)))
            out[name] = pl.DataFrame(
                [tuple(r) for r in result], schema=polars_schema(name), orient="row"
            )
        events = schema.request_events
        result = conn.execute(sa.select(*(events.c[c] for c in EVENT_COLUMNS)))
        out[EVENTS] = pl.DataFrame(
            [tuple(r) for r in result],
            schema={c: _EVENT_TYPES[t] for c, t in EVENT_COLUMNS.items()},
            orient="row",
        )
    return out


# --- writes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    entity_id: str
    created: bool  # False: the submission token was already used (nothing written)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _json(row: dict | None) -> str | None:
    if row is None:
        return None
    return json.dumps(row, ensure_ascii=False, default=str, sort_keys=True)


def audit(conn, entity: str, entity_id: str, action: str, who: Principal, before, after) -> None:
    """One audit row, inside the caller's store transaction (``Store.write()``)."""
    conn.execute(
        schema.audit_log.insert().values(
            entity=entity, entity_id=entity_id, action=action, actor=who.user_id,
            actor_role=who.role, changed_at=_now(), before_json=_json(before),
            after_json=_json(after),
        )
    )  # fmt: skip
    store.Store.bump(conn, "audit_log")


def _check_token(token: object) -> str:
    if not isinstance(token, str) or not token.strip() or len(token) > TOKEN_MAX:
        raise ValueError("invalid submission token")
    return token


def _insert(conn, name: str, row: dict, token: str, who: Principal, action: str) -> Saved:
    table, id_col = _table(name), ID_COLUMNS[name]
    entity_id = f"{ID_PREFIX[name]}{uuid.uuid4().hex[:12].upper()}"
    full = {id_col: entity_id, **row}
    full = {c: full.get(c) for c in EXTRACTS[name].columns}
    meta = {"submission_token": token, "created_by": who.user_id, "created_at": _now()}
    # Insert-or-nothing on the token: two processes submitting the same form at once
    # write it once; the loser finds the winner's row.
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    inserted = conn.execute(
        insert.values(**full, **meta)
        .on_conflict_do_nothing(index_elements=["submission_token"])
        .returning(table.c[id_col])
    ).scalar_one_or_none()
    if inserted is None:
        found = conn.execute(
            sa.select(table.c[id_col]).where(table.c.submission_token == token)
        ).scalar_one()
        return Saved(found, created=False)
    audit(conn, ENTITY[name], entity_id, action, who, None, full)
    store.Store.bump(conn, TABLES[name])
    return Saved(entity_id, created=True)


def _write(work):
    with store.get_store().write() as conn:
        return work(conn)


def _checked_activity(principal: Principal, raw: dict) -> dict:
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    checked = entries.check_activity(raw)
    if not checked.ok:
        raise entries.ValidationError(checked.errors)
    auth.check_write(principal, checked.row["pole_code"])
    return {**checked.row, "request_id": _linked_request(raw, checked.row["pole_code"])}


def _linked_request(raw: dict, pole_code: str) -> str | None:
    """The saisine an activity answers (optional): a known saisine of the same pôle."""
    value = raw.get("request_id")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise entries.ValidationError({"request_id": "Numéro de saisine invalide."})
    base = _received_request(value)
    if base["pole_code"] != pole_code:
        raise entries.ValidationError(
            {"request_id": f"La saisine {base['request_id']} relève d'un autre pôle "
                           f"({base['pole_code']})."}
        )  # fmt: skip
    return base["request_id"]


def save_activity(principal: Principal, raw: dict, token: str) -> Saved:
    """Records one activity; the same token twice records it once."""
    token = _check_token(token)
    row = _checked_activity(principal, raw)
    return _write(lambda conn: _insert(conn, "activities", row, token, principal, "creation"))


def save_request(principal: Principal, raw: dict, token: str) -> Saved:
    """Records one Caf request (saisine); routing and pôle are derived from the rules."""
    token = _check_token(token)
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    checked = entries.check_request(raw)
    if not checked.ok:
        raise entries.ValidationError(checked.errors)
    row = checked.row
    auth.check_write(principal, row["pole_code"])
    if row["routing"] == "cnaf_only" and principal.role != "cnaf":
        raise AccessDenied("Cette nature de demande est initiée par la Cnaf uniquement.")
    return _write(lambda conn: _insert(conn, "requests", row, token, principal, "creation"))


REQUEST_ID_MAX = 40
STEP_CONFLICT = (
    "La saisine a changé entre-temps (une autre étape vient d'être enregistrée) : "
    "rechargez la page et recommencez."
)


def _received_request(request_id: object) -> dict:
    """The saisine as received (extract or journal), or a French refusal."""
    from sppe_data import db  # the read engine imports this module

    if not isinstance(request_id, str) or not request_id.strip():
        raise entries.ValidationError({"request_id": "Choisissez une saisine."})
    if len(request_id) > REQUEST_ID_MAX or "\x00" in request_id:
        raise entries.ValidationError({"request_id": "Saisine introuvable."})
    found = db.run_sql("request_row", request_id=request_id.strip())
    if found.is_empty():
        raise entries.ValidationError(
            {"request_id": f"Saisine « {request_id.strip()} » introuvable."}
        )
    return found.row(0, named=True)


def record_request_step(principal: Principal, request_id: str, raw: dict, token: str) -> Saved:
    """Records one step of a saisine (taken up, closed, cancelled, redirected) in
    ``request_events``, for any saisine (extract or journal): the caller must write for
    its pôle; the step must follow the saisine's state, dated neither in the future nor
    before the previous step (``entries.check_request_step``). Nothing is written on a
    refusal; the same token twice records once."""
    token = _check_token(token)
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    base = _received_request(request_id)
    auth.check_write(principal, base["pole_code"])
    latest = entries.latest_day()
    events = schema.request_events

    def work(conn):
        done = conn.execute(
            sa.select(events.c.event_id).where(events.c.submission_token == token)
        ).scalar_one_or_none()
        if done is not None:
            return Saved(done, created=False)
        steps = [
            {"event_kind": r.event_kind, "event_on": r.event_on}
            for r in conn.execute(
                sa.select(events.c.event_kind, events.c.event_on)
                .where(events.c.request_id == base["request_id"])
                .order_by(events.c.step_no)
            )
        ]
        state = entries.request_state(base, steps)
        checked = entries.check_request_step(raw, state, latest)
        if not checked.ok:
            raise entries.ValidationError(checked.errors)
        row = {
            "event_id": f"JE{uuid.uuid4().hex[:12].upper()}",
            "request_id": base["request_id"],
            "step_no": state.steps_count + 1,
            **checked.row,
        }
        conn.execute(
            events.insert().values(
                **row, submission_token=token, created_by=principal.user_id, created_at=_now()
            )
        )
        audit(conn, "saisine", base["request_id"], "etape", principal, None, row)
        store.Store.bump(conn, TABLES["requests"])
        return Saved(row["event_id"], created=True)

    try:
        return _write(work)
    except sa.exc.IntegrityError as exc:  # a step recorded at the same time won
        raise entries.ValidationError({"event_kind": STEP_CONFLICT}) from exc


def _current(conn, name: str, entity_id: str) -> dict:
    table, id_col = _table(name), ID_COLUMNS[name]
    cols = list(EXTRACTS[name].columns)
    query = sa.select(*(table.c[c] for c in cols)).where(
        table.c[id_col] == entity_id, table.c.is_deleted.is_(False)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # SQLite's BEGIN IMMEDIATE already serialises
    found = conn.execute(query).first()
    if found is None:
        raise LookupError(f"Saisie {entity_id} introuvable (ou déjà annulée).")
    return dict(zip(cols, found, strict=True))


def update_activity(principal: Principal, activity_id: str, raw: dict) -> None:
    """Edits a journal activity: the caller must have the rights on its pôle before and
    after the change."""
    row = _checked_activity(principal, raw)

    def work(conn):
        before = _current(conn, "activities", activity_id)
        auth.check_write(principal, before["pole_code"])
        after = {**before, **row, "activity_id": activity_id}
        table = _table("activities")
        conn.execute(
            table.update()
            .where(table.c.activity_id == activity_id)
            .values(**{c: after[c] for c in after if c != "activity_id"},
                    updated_by=principal.user_id, updated_at=_now())
        )  # fmt: skip
        audit(conn, "activite", activity_id, "modification", principal, before, after)
        store.Store.bump(conn, TABLES["activities"])

    _write(work)


def cancel_activity(principal: Principal, activity_id: str) -> None:
    """Soft delete: the row stays in the journal (and in the audit log), out of the views."""
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)

    def work(conn):
        before = _current(conn, "activities", activity_id)
        auth.check_write(principal, before["pole_code"])
        table = _table("activities")
        conn.execute(
            table.update()
            .where(table.c.activity_id == activity_id)
            .values(is_deleted=True, updated_by=principal.user_id, updated_at=_now())
        )
        audit(conn, "activite", activity_id, "suppression", principal, before, None)
        store.Store.bump(conn, TABLES["activities"])

    _write(work)


# --- bulk import ----------------------------------------------------------------------

IMPORT_COLUMNS = list(entries.ACTIVITY_FIELDS)  # the codes; the French labels are read too


@dataclass
class ImportReport:
    saved_count: int
    skipped_count: int  # rows of a file already imported (same token)
    errors: pl.DataFrame  # Ligne, Champ, Message; empty when the import went through


def _error_frame(rows: list[tuple[int, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"Ligne": pl.Int64, "Champ": pl.String, "Message": pl.String}, orient="row"
    )


def import_limits():
    """The bounds of a bulk import file: the upload limits of the bounded reader,
    tightened to what one all-or-nothing import writes and to the columns it can have
    (twice as many, so that extra columns get the list of the expected ones)."""
    from dataclasses import replace

    from sppe_data.imports import reading

    base = reading.UPLOAD_LIMITS
    return replace(
        base,
        max_bytes=min(base.max_bytes, IMPORT_MAX_BYTES),
        max_rows=min(base.max_rows, IMPORT_MAX_ROWS),
        max_columns=min(base.max_columns, 2 * len(entries.ACTIVITY_FIELDS)),
    )


def _import_columns(header: list[str]) -> list[str]:
    """The field of each header cell: its code or its French label (``entries.
    ACTIVITY_FIELDS``), compared without case, accents or extra spaces."""
    index: dict[str, str] = {}
    for name, label in entries.ACTIVITY_FIELDS.items():
        index[entries.normalise(name)] = name
        index[entries.normalise(label)] = name
    expected = ", ".join(entries.ACTIVITY_FIELDS.values())
    found = [index.get(entries.normalise((h or "")[: entries.LOOKUP_MAX])) for h in header]
    unknown = [h for h, f in zip(header, found, strict=True) if f is None]
    if unknown:
        shown = ", ".join(f"« {(h or '(sans titre)')[:40]} »" for h in unknown[:5])
        raise ValueError(f"Colonnes inconnues : {shown}. Colonnes attendues : {expected}.")
    seen: dict[str, str] = {}
    for h, f in zip(header, found, strict=True):
        if f in seen:
            raise ValueError(
                f"Colonne en double : « {seen[f][:40]} » et « {h[:40]} » "
                f"({entries.ACTIVITY_FIELDS[f]})."
            )
        seen[f] = h
    missing = [
        entries.ACTIVITY_FIELDS[f] for f in entries.REQUIRED_ACTIVITY_FIELDS if f not in seen
    ]
    if missing:
        raise ValueError(
            f"Colonnes obligatoires absentes : {', '.join(missing)}. Colonnes attendues : "
            f"{expected}."
        )
    return found


def read_table(filename: str, content: bytes) -> list[dict]:
    """Rows of an uploaded CSV or XLSX file of activities: field -> cell text (None when
    empty), read by the bounded reader (``imports.reading``). Headers are the codes or
    the French labels of ``entries.ACTIVITY_FIELDS``. Raises ValueError with a French
    message naming the row (1 = header) and the column when the file cannot be taken:
    unreadable or hostile, unknown, duplicate or missing columns, a cell a spreadsheet
    would run as a formula, the template's example row left in."""
    import logging

    from sppe_data import templates
    from sppe_data.imports import reading

    if not filename.lower().endswith((".csv", ".xlsx")):
        raise ValueError("Format non pris en charge : déposez un fichier .csv ou .xlsx.")
    try:
        header, rows = reading.read_rows(filename, content, import_limits())
    except ValueError:
        raise
    except Exception as exc:  # a reader fault on a hostile file: refused, never a trace
        logging.getLogger("sppe").exception("bulk import: reader fault on %r", filename[:80])
        raise ValueError("Fichier illisible.") from exc
    if not header or all(h in (None, "") for h in header):
        raise ValueError("Le fichier est vide.")
    columns = _import_columns([str(h).strip() if h is not None else "" for h in header])
    while rows and all(c is None or not str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ValueError("Le fichier est vide : aucune activité sous l'en-tête.")
    example = entries.normalise(templates.EXAMPLE_COMMENT)
    out = []
    for line, cells in enumerate(rows, start=2):
        row = dict(zip(columns, cells, strict=False))
        for name, value in row.items():
            if isinstance(value, str) and entries.formula_like(value):
                raise ValueError(
                    f"Ligne {line}, colonne « {entries.ACTIVITY_FIELDS[name]} » : le texte "
                    f"commence par « {value.strip()[:1]} », lu comme une formule par un "
                    "tableur ; commencez-le par une lettre."
                )
        comment = row.get("comment")
        if isinstance(comment, str) and entries.normalise(comment[:200]) == example:
            raise ValueError(
                f"Ligne {line} : c'est la ligne d'exemple du modèle ; remplacez-la par vos "
                "activités ou supprimez-la."
            )
        out.append(row)
    return out


@reference.pinned()  # the reference edits read once for the whole file, not per row
def import_activities(principal: Principal, rows: list[dict], file_token: str) -> ImportReport:
    """All or nothing: every row is validated and checked against the caller's rights;
    one faulty row and nothing is written (the report lists every fault by line, the
    header being line 1). Re-importing the same file writes nothing new."""
    _check_token(file_token)
    if principal is None or principal.role not in auth.WRITER_ROLES:
        auth.check_write(principal, None)
    problems: list[tuple[int, str, str]] = []
    clean: list[dict] = []
    if not rows:
        problems.append((1, "", "Aucune ligne à importer."))
    latest = entries.latest_day()  # reads the data date: once, not once per row
    for i, raw in enumerate(rows, start=2):
        checked = entries.check_activity(raw, latest)
        for name, message in checked.errors.items():
            problems.append((i, entries.ACTIVITY_FIELDS[name], message))
        pole = checked.row.get("pole_code")
        if pole and not auth.can_write(principal, pole):
            problems.append((i, entries.ACTIVITY_FIELDS["pole_code"],
                             f"Vous ne pouvez pas saisir pour le pôle {pole}."))  # fmt: skip
        clean.append({**checked.row, "request_id": None})
    if problems:
        return ImportReport(0, 0, _error_frame(problems))

    def work(conn):
        tokens = [f"{file_token}:{i}" for i in range(len(clean))]
        created = _insert_many(conn, "activities", clean, tokens, principal, "import")
        return ImportReport(created, len(clean) - created, _error_frame([]))

    return _write(work)


def _insert_many(conn, name: str, rows: list[dict], tokens: list[str], who, action) -> int:
    """``_insert`` for many rows in three statements (entries, audit rows, counters),
    inside the caller's transaction; returns how many were new (a token already used
    writes nothing, as one by one)."""
    if not rows:
        return 0
    table, id_col = _table(name), ID_COLUMNS[name]
    now = _now()
    records = []
    for row, token in zip(rows, tokens, strict=True):
        full = {id_col: f"{ID_PREFIX[name]}{uuid.uuid4().hex[:12].upper()}", **row}
        full = {c: full.get(c) for c in EXTRACTS[name].columns}
        records.append({**full, "submission_token": token, "created_by": who.user_id,
                        "created_at": now})  # fmt: skip
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    done = conn.execute(
        insert.on_conflict_do_nothing(index_elements=["submission_token"]).returning(
            table.c.submission_token
        ),
        records,
    )
    new_tokens = set(done.scalars())
    fresh = [r for r in records if r["submission_token"] in new_tokens]
    if not fresh:
        return 0
    columns = list(EXTRACTS[name].columns)
    conn.execute(
        schema.audit_log.insert(),
        [
            {"entity": ENTITY[name], "entity_id": r[id_col], "action": action,
             "actor": who.user_id, "actor_role": who.role, "changed_at": now,
             "before_json": None, "after_json": _json({c: r[c] for c in columns})}
            for r in fresh
        ],
    )  # fmt: skip
    store.Store.bump(conn, TABLES[name], "audit_log")
    return len(fresh)


# --- reads and export -----------------------------------------------------------------


def _entries_schema(name: str) -> dict[str, pl.DataType]:
    return {
        **polars_schema(name),
        "submission_token": pl.String,
        "created_by": pl.String,
        "created_at": pl.Datetime("us"),
        "updated_by": pl.String,
        "updated_at": pl.Datetime("us"),
        "is_deleted": pl.Boolean,
    }


AUDIT_SCHEMA = {
    "audit_id": pl.Int64,
    "entity": pl.String,
    "entity_id": pl.String,
    "action": pl.String,
    "actor": pl.String,
    "actor_role": pl.String,
    "changed_at": pl.Datetime("us"),
    "before_json": pl.String,
    "after_json": pl.String,
}


def recent_activities(principal: Principal, limit: int = 50) -> pl.DataFrame:
    """Grain: one live journal activity created by the caller, newest first.
    Columns: the activities columns + created_at, updated_at."""
    table = _table("activities")
    cols = [table.c[c] for c in EXTRACTS["activities"].columns]
    query = (
        sa.select(*cols, table.c.created_at, table.c.updated_at)
        .where(table.c.created_by == principal.user_id, table.c.is_deleted.is_(False))
        .order_by(table.c.created_at.desc())
        .limit(limit)
    )
    return store.get_store().read(query, schema=_entries_schema("activities"))


def audit_entries(principal: Principal, limit: int = 500) -> pl.DataFrame:
    """Grain: one change, newest first (cnaf and admin only). Columns: audit_id, entity,
    entity_id, action, actor, actor_role, changed_at, before_json, after_json."""
    auth.check_role(principal, auth.AUDIT_ROLES, "de consulter le journal d'audit")
    query = sa.select(schema.audit_log).order_by(schema.audit_log.c.audit_id.desc()).limit(limit)
    return store.get_store().read(query, schema=AUDIT_SCHEMA)


def export_tables(principal: Principal) -> dict[str, pl.DataFrame]:
    """The journal as three tables, with the extracts' columns first (so they join the
    national extracts) then the entry metadata; read in one snapshot."""
    auth.check_role(principal, auth.EXPORT_ROLES, "d'exporter le journal")
    out = {}
    with store.get_store().reading() as conn:
        for key, name in (("journal_activities", "activities"), ("journal_requests", "requests")):
            table = _table(name)
            result = conn.execute(sa.select(table).order_by(table.c.created_at))
            out[key] = pl.DataFrame(
                [tuple(r) for r in result], schema=_entries_schema(name), orient="row"
            )
        result = conn.execute(sa.select(schema.audit_log).order_by(schema.audit_log.c.audit_id))
        out["journal_audit"] = pl.DataFrame(
            [tuple(r) for r in result], schema=AUDIT_SCHEMA, orient="row"
        )
    return out


def export_parquet(principal: Principal, out_dir: Path) -> list[Path]:
    tables = export_tables(principal)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables.items():
        path = out_dir / f"{name}.parquet"
        frame.write_parquet(path)
        paths.append(path)
    return paths


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def new_token() -> str:
    """A submission token, generated when a form is drawn."""
    return uuid.uuid4().hex


def today_entry_default() -> date:
    """The date a new form starts with: the pinned "today" when there is one (demos,
    tests), else the calendar's."""
    return min(get_settings().pinned_today or date.today(), entries.MISSION_END)
