"""Writes and reads of the governance records, in the store.

Every write checks the caller's rights, validates (``model.check``), then runs in one
store transaction that also adds an audit row (who, when, before, after) and bumps the
store counter ``governance``. A creation carries a submission token: the same form sent
twice writes one record, whichever process receives it. Deletion is soft (the record
stays in the store and in the audit log, out of the reads).

Rights: the Cnaf writes everything; a pôle user writes the records of a kind that has a
``pole_field`` (milestones, experiments it leads, actions) when that field holds its own
pôle, before and after the change, and may open a meeting (``meeting_for``) to record its
actions; readers and administrators write nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sppe_data import auth, entries, journal, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.governance import model
from sppe_data.governance.model import KINDS
from sppe_data.store import schema

COUNTER = "governance"
WRITE_ROLES = frozenset({"cnaf", "pole"})
META_SCHEMA = {
    "created_by": pl.String,
    "created_at": pl.Datetime("us"),
    "updated_by": pl.String,
    "updated_at": pl.Datetime("us"),
}
_DTYPES = {"date": pl.Date, "int": pl.Int64, "year": pl.Int64, "half": pl.Int64,
           "float": pl.Float64, "bool": pl.Boolean}  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _table(kind: str) -> sa.Table:
    return schema.metadata.tables[KINDS[kind].table]


def frame_schema(kind: str) -> dict[str, pl.DataType]:
    """The typed columns of ``records(kind)``: id, fields, who and when."""
    spec = KINDS[kind]
    return {
        spec.id_column: pl.String,
        **{f.name: _DTYPES.get(f.kind, pl.String) for f in spec.fields},
        **META_SCHEMA,
    }


def _check_rights(principal: Principal | None, kind: str, pole_code: str | None) -> None:
    spec = KINDS[kind]
    if principal is None:
        raise AccessDenied("Connectez-vous pour enregistrer.")
    if principal.role == "cnaf":
        return
    if principal.role == "pole" and spec.pole_field is not None:
        if pole_code == principal.pole_code:
            return
        whose = "de la mission (national)" if pole_code is None else f"du pôle « {pole_code} »"
        raise AccessDenied(
            f"Vous ne pouvez enregistrer que pour votre pôle ({principal.pole_code}) : "
            f"{spec.label.lower()} {whose} refusé(e)."
        )
    if principal.role == "pole":
        raise AccessDenied(f"Seule la Cnaf enregistre : {spec.label.lower()}.")
    raise AccessDenied(
        f"Le rôle « {auth.ROLE_LABELS[principal.role]} » ne permet pas d'enregistrer."
    )


def _pole_of(kind: str, row: dict) -> str | None:
    field = KINDS[kind].pole_field
    return row.get(field) if field else None


def _check_references(conn, kind: str, row: dict) -> None:
    """The ids a record points to exist (and are not deleted)."""
    errors = {}
    for f in KINDS[kind].fields:
        target = model.REFERENCES.get(f.kind)
        if target is None or row.get(f.name) is None:
            continue
        table, id_col = _table(target), KINDS[target].id_column
        found = conn.execute(
            sa.select(table.c[id_col]).where(
                table.c[id_col] == row[f.name], table.c.is_deleted.is_(False)
            )
        ).first()
        if found is None:
            errors[f.name] = f"{KINDS[target].label} introuvable."
    if kind == "action" and row.get("closed_on"):
        held = conn.execute(
            sa.select(schema.gov_meetings.c.held_on).where(
                schema.gov_meetings.c.meeting_id == row["meeting_id"]
            )
        ).scalar_one_or_none()
        if held is not None and row["closed_on"] < held:
            errors["closed_on"] = "La clôture précède la réunion où l'action a été décidée."
    if kind == "candidate":
        table = schema.gov_candidates
        clash = conn.execute(
            sa.select(table.c.candidate_id).where(
                table.c.campaign == row["campaign"], table.c.caf_code == row["caf_code"],
                table.c.is_deleted.is_(False), table.c.candidate_id != row.get("_id", ""),
            )
        ).first()  # fmt: skip
        if clash is not None:
            errors["caf_code"] = "Cette Caf est déjà candidate pour cette campagne."
    if errors:
        raise entries.ValidationError(errors)


def _current(conn, kind: str, record_id: str) -> dict:
    spec, table = KINDS[kind], _table(kind)
    cols = [spec.id_column, *spec.field_names]
    query = sa.select(*(table.c[c] for c in cols)).where(
        table.c[spec.id_column] == record_id, table.c.is_deleted.is_(False)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # SQLite's BEGIN IMMEDIATE already serialises
    found = conn.execute(query).first()
    if found is None:
        raise LookupError(f"{spec.label} introuvable (ou supprimé(e)).")
    return dict(zip(cols, found, strict=True))


def _sent_before(conn, kind: str, token: str) -> str | None:
    """The id of the record a form with ``token`` already created, if any."""
    table, spec = _table(kind), KINDS[kind]
    return conn.execute(
        sa.select(table.c[spec.id_column]).where(table.c.submission_token == token)
    ).scalar_one_or_none()


def _insert(conn, kind: str, row: dict, token: str, who: Principal) -> journal.Saved:
    spec, table = KINDS[kind], _table(kind)
    record_id = f"{spec.id_prefix}{uuid.uuid4().hex[:12].upper()}"
    full = {spec.id_column: record_id, **row}
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    inserted = conn.execute(
        insert.values(**full, submission_token=token, created_by=who.user_id, created_at=_now())
        .on_conflict_do_nothing(index_elements=["submission_token"])
        .returning(table.c[spec.id_column])
    ).scalar_one_or_none()
    if inserted is None:  # the same form sent twice: the first one stands
        found = conn.execute(
            sa.select(table.c[spec.id_column]).where(table.c.submission_token == token)
        ).scalar_one()
        return journal.Saved(found, created=False)
    journal.audit(conn, spec.entity, record_id, "creation", who, None, full)
    store.Store.bump(conn, COUNTER)
    return journal.Saved(record_id, created=True)


def save(
    principal: Principal | None,
    kind: str,
    raw: dict,
    *,
    record_id: str | None = None,
    token: str | None = None,
) -> journal.Saved:
    """Creates (``record_id`` None; ``token`` required) or updates a record of ``kind``.
    Raises ``entries.ValidationError`` (French message per field), ``AccessDenied``,
    ``LookupError`` (unknown id); nothing is written then."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind: {kind!r}")
    if principal is None or principal.role != "pole" or KINDS[kind].pole_field is None:
        _check_rights(principal, kind, None)  # refused before reading the values
    row = model.check(kind, raw)
    _check_rights(principal, kind, _pole_of(kind, row))
    spec, table = KINDS[kind], _table(kind)

    if record_id is None:
        token = journal._check_token(token)

        def create(conn):
            done = _sent_before(conn, kind, token)
            if done is not None:  # the same form sent again: the first one stands
                return journal.Saved(done, created=False)
            _check_references(conn, kind, row)
            return _insert(conn, kind, row, token, principal)

        return journal._write(create)

    def update(conn):
        before = _current(conn, kind, record_id)
        _check_rights(principal, kind, _pole_of(kind, before))
        _check_references(conn, kind, {**row, "_id": record_id})
        after = {**before, **row}
        conn.execute(
            table.update()
            .where(table.c[spec.id_column] == record_id)
            .values(**row, updated_by=principal.user_id, updated_at=_now())
        )
        journal.audit(conn, spec.entity, record_id, "modification", principal, before, after)
        store.Store.bump(conn, COUNTER)
        return journal.Saved(record_id, created=False)

    return journal._write(update)


def save_all(
    principal: Principal | None, kind: str, raws: list[dict], tokens: list[str]
) -> list[journal.Saved]:
    """Creates several records of ``kind`` in ONE transaction (a bulk import): every row
    is validated first; any refused row raises ``entries.ValidationError`` whose keys
    are ``"<row number>:<field>"`` (1 = first row) and nothing is written. A token
    already used skips its row (``created`` False)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind: {kind!r}")
    if len(raws) != len(tokens):
        raise ValueError("one token per row")
    if principal is None or principal.role != "pole" or KINDS[kind].pole_field is None:
        _check_rights(principal, kind, None)
    rows, errors = [], {}
    for n, raw in enumerate(raws, start=1):
        try:
            rows.append(model.check(kind, raw))
        except entries.ValidationError as exc:
            errors.update({f"{n}:{field}": message for field, message in exc.errors.items()})
    if errors:
        raise entries.ValidationError(errors)
    for row in rows:
        _check_rights(principal, kind, _pole_of(kind, row))
    checked_tokens = [journal._check_token(t) for t in tokens]

    def work(conn):
        saved, refused = [], {}
        for n, (row, token) in enumerate(zip(rows, checked_tokens, strict=True), start=1):
            done = _sent_before(conn, kind, token)
            if done is not None:
                saved.append(journal.Saved(done, created=False))
                continue
            try:
                _check_references(conn, kind, row)
            except entries.ValidationError as exc:
                refused.update({f"{n}:{f}": m for f, m in exc.errors.items()})
                continue
            saved.append(_insert(conn, kind, row, token, principal))
        if refused:  # raised inside the transaction: everything is rolled back
            raise entries.ValidationError(refused)
        return saved

    return journal._write(work)


def delete(principal: Principal | None, kind: str, record_id: str) -> None:
    """Soft delete, audited. A meeting or contract still holding live records, or an
    orientation that actions point to, is refused (delete those first)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind: {kind!r}")
    if principal is None or principal.role not in WRITE_ROLES:
        _check_rights(principal, kind, None)
    spec, table = KINDS[kind], _table(kind)

    def work(conn):
        before = _current(conn, kind, record_id)
        _check_rights(principal, kind, _pole_of(kind, before))
        for child, f in _children(kind):
            child_table = _table(child)
            if conn.execute(
                sa.select(child_table.c[f]).where(
                    child_table.c[f] == record_id, child_table.c.is_deleted.is_(False)
                )
            ).first():
                raise entries.ValidationError(
                    {"": f"Supprimez d'abord les enregistrements rattachés "
                         f"({KINDS[child].label.lower()})."}
                )  # fmt: skip
        conn.execute(
            table.update()
            .where(table.c[spec.id_column] == record_id)
            .values(is_deleted=True, updated_by=principal.user_id, updated_at=_now())
        )
        journal.audit(conn, spec.entity, record_id, "suppression", principal, before, None)
        store.Store.bump(conn, COUNTER)

    journal._write(work)


def _children(kind: str) -> list[tuple[str, str]]:
    """(kind, field) of the records that point to a record of ``kind``."""
    return [
        (other.name, f.name)
        for other in KINDS.values()
        for f in other.fields
        if model.REFERENCES.get(f.kind) == kind
    ]


def records(kind: str, **equals) -> pl.DataFrame:
    """Grain: one live record of ``kind``. Columns: ``frame_schema(kind)``. ``equals``:
    column = value filters (None: is null). Ordered by creation."""
    spec, table = KINDS[kind], _table(kind)
    columns = frame_schema(kind)
    query = sa.select(*(table.c[c] for c in columns)).where(table.c.is_deleted.is_(False))
    for column, value in equals.items():
        if column not in columns:
            raise ValueError(f"unknown column: {column!r}")
        column_ = table.c[column]
        query = query.where(column_.is_(None) if value is None else column_ == value)
    query = query.order_by(table.c.created_at, table.c[spec.id_column])
    return store.get_store().read(query, schema=columns)


def _meeting_in(conn, principal: Principal, row: dict) -> str:
    """Inside a write transaction: the id of the meeting of ``row`` (committee, held_on),
    created, or restored if it was deleted."""
    table = schema.gov_meetings
    found = conn.execute(
        sa.select(table.c.meeting_id, table.c.is_deleted).where(
            table.c.committee == row["committee"], table.c.held_on == row["held_on"]
        )
    ).first()
    if found is None:
        token = f"reunion-{row['committee']}-{row['held_on'].isoformat()}"
        return _insert(conn, "meeting", row, token, principal).entity_id
    if found.is_deleted:  # a meeting deleted then held again on that day
        conn.execute(
            table.update().where(table.c.meeting_id == found.meeting_id)
            .values(is_deleted=False, updated_by=principal.user_id, updated_at=_now())
        )  # fmt: skip
        journal.audit(conn, "reunion", found.meeting_id, "reactivation", principal, None, row)
        store.Store.bump(conn, COUNTER)
    return found.meeting_id


def meeting_for(principal: Principal | None, committee: str, held_on: date) -> str:
    """The id of the meeting of ``committee`` held on ``held_on``, created if absent
    (writers only; the date may not be in the future)."""
    if principal is None or principal.role not in WRITE_ROLES:
        _check_rights(principal, "meeting", None)
    row = model.check("meeting", {"committee": committee, "held_on": held_on})
    return journal._write(lambda conn: _meeting_in(conn, principal, row))


def save_at_meeting(
    principal: Principal | None,
    kind: str,
    committee: str,
    held_on: date,
    raw: dict,
    *,
    token: str | None,
) -> journal.Saved:
    """Records a decision or an action (``raw`` without ``meeting_id``) at the meeting
    of ``committee`` held on ``held_on``, opening that meeting in the same transaction:
    a refused record leaves no empty meeting behind."""
    if kind not in ("decision", "action"):
        raise ValueError(f"not a meeting record: {kind!r}")
    if principal is None or principal.role != "pole" or KINDS[kind].pole_field is None:
        _check_rights(principal, kind, None)
    meeting = model.check("meeting", {"committee": committee, "held_on": held_on})
    # The meeting's id is not known yet: a placeholder stands for it in the check.
    row = model.check(kind, {**raw, "meeting_id": "RE"})
    _check_rights(principal, kind, _pole_of(kind, row))
    token = journal._check_token(token)

    def work(conn):
        done = _sent_before(conn, kind, token)
        if done is not None:  # the same form sent again: the first one stands
            return journal.Saved(done, created=False)
        row["meeting_id"] = _meeting_in(conn, principal, meeting)
        _check_references(conn, kind, row)
        return _insert(conn, kind, row, token, principal)

    return journal._write(work)


ACTION_COLUMNS = {
    "action_id": pl.String,
    "meeting_id": pl.String,
    "committee": pl.String,
    "meeting_held_on": pl.Date,
    "pole_code": pl.String,
    "title": pl.String,
    "owner": pl.String,
    "due_on": pl.Date,
    "status": pl.String,
    "closed_on": pl.Date,
    "orientation_id": pl.String,
}


def _actions_open_at(as_of: date) -> sa.Select:
    a, m = schema.gov_actions, schema.gov_meetings
    return (
        sa.select(
            a.c.action_id,
            a.c.meeting_id,
            m.c.committee,
            m.c.held_on.label("meeting_held_on"),
            a.c.pole_code,
            a.c.title,
            a.c.owner,
            a.c.due_on,
            a.c.status,
            a.c.closed_on,
            a.c.orientation_id,
        )
        .join(m, m.c.meeting_id == a.c.meeting_id)
        .where(
            a.c.is_deleted.is_(False),
            m.c.is_deleted.is_(False),
            m.c.held_on <= as_of,
            sa.or_(
                a.c.status.in_(model.OPEN_ACTION_STATUS),
                sa.and_(a.c.closed_on.is_not(None), a.c.closed_on > as_of),
            ),
        )
        .order_by(a.c.due_on, m.c.held_on, a.c.action_id)
    )


def _with_late(frame: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Adds ``is_late``: ``model.is_late`` for each row (the rows are few: at most the
    open actions of the mission)."""
    late = [
        model.is_late(s, d, c, as_of)
        for s, d, c in frame.select("status", "due_on", "closed_on").iter_rows()
    ]
    return frame.with_columns(pl.Series("is_late", late, dtype=pl.Boolean))


def open_actions(
    as_of: date, committee: str | None = None, pole_code: str | None = None
) -> pl.DataFrame:
    """Grain: one action open at ``as_of`` (recorded at a meeting held on or before it,
    not closed by then). Columns: ``ACTION_COLUMNS`` + is_late. ``pole_code``: that
    pôle's actions and the mission's."""
    query = _actions_open_at(as_of)
    if committee is not None:
        query = query.where(schema.gov_meetings.c.committee == committee)
    if pole_code is not None:
        a = schema.gov_actions
        query = query.where(sa.or_(a.c.pole_code == pole_code, a.c.pole_code.is_(None)))
    return _with_late(store.get_store().read(query, schema=ACTION_COLUMNS), as_of)


def carried_actions(committee: str, held_on: date) -> pl.DataFrame:
    """Grain: one action of an EARLIER meeting of ``committee`` still open on
    ``held_on``: what the next meeting of the same committee reviews. Columns:
    ``ACTION_COLUMNS`` + is_late (due before ``held_on``)."""
    query = _actions_open_at(held_on).where(
        schema.gov_meetings.c.committee == committee, schema.gov_meetings.c.held_on < held_on
    )
    return _with_late(store.get_store().read(query, schema=ACTION_COLUMNS), held_on)


def milestones(year: int, as_of: date) -> pl.DataFrame:
    """Grain: one live milestone of the work plan of ``year``. Columns:
    ``frame_schema("milestone")`` + is_late (not done nor dropped, due before ``as_of``)."""
    frame = records("milestone", year=year).sort("half", "due_on", "milestone_id")
    return frame.with_columns(
        (~pl.col("status").is_in(model.DONE_MILESTONE_STATUS) & (pl.col("due_on") < as_of)).alias(
            "is_late"
        )
    )


def weights(campaign: int) -> dict[str, float]:
    """The saved weights of the selection criteria for ``campaign`` (criterion code ->
    weight), or ``{}`` when none were saved (the selection's defaults apply)."""
    table = schema.gov_selection_weights
    rows = store.get_store().rows(
        sa.select(table.c.criterion, table.c.weight).where(table.c.campaign == campaign)
    )
    return {r.criterion: r.weight for r in rows}


def save_weights(principal: Principal | None, campaign: int, weights: dict[str, float]) -> None:
    """Replaces the weights of ``campaign`` (Cnaf only), audited."""
    from sppe_data.governance import selection

    auth.check_role(principal, frozenset({"cnaf"}), "de modifier les pondérations")
    if (
        isinstance(campaign, bool)
        or not isinstance(campaign, int)
        or not (model.YEAR_MIN <= campaign <= model.YEAR_MAX)
    ):
        raise entries.ValidationError({"campaign": "Campagne invalide."})
    try:
        checked = selection.check_weights(weights)
    except ValueError as exc:
        raise entries.ValidationError({"weights": str(exc)}) from exc
    table = schema.gov_selection_weights

    def work(conn):
        before = {
            r.criterion: r.weight
            for r in conn.execute(
                sa.select(table.c.criterion, table.c.weight).where(table.c.campaign == campaign)
            )
        }
        conn.execute(table.delete().where(table.c.campaign == campaign))
        now = _now()
        conn.execute(
            table.insert(),
            [
                {"campaign": campaign, "criterion": c, "weight": w,
                 "updated_by": principal.user_id, "updated_at": now}
                for c, w in checked.items()
            ],
        )  # fmt: skip
        journal.audit(conn, "ponderation", str(campaign), "modification", principal,
                      before or None, checked)  # fmt: skip
        store.Store.bump(conn, COUNTER)

    journal._write(work)
