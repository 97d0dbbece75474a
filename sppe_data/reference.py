"""Reference data: départements, pôles, activity kinds, indicators, targets, rules.

Two sources:

- the files shipped with the code under ``sppe_data/reference/`` (read once per process:
  they only change with a new version of the code);
- the edits the Cnaf makes in the app (page Référentiels, ``sppe_data.reference_edits``),
  kept in the store's table ``reference_edits``, one JSON document per group:
  ``cibles`` (targets per year and indicator), ``poles`` (target shares, pivot Cafs and
  their note), ``regions`` (région -> pôle), ``correspondance`` (activity kind ->
  indicator) and ``forfait`` (travel fee). An edited group replaces the shipped values
  of that group entirely; a group never edited (or set back) uses the shipped files.
  Everything else (départements, indicators, labels, routing, the departmental flag)
  comes from the files only.

Edits are effective at once, in every process: each loader reads the store's counter
``reference_edits`` (one small query) and reloads the edited documents when it moved;
what is derived from them is cached per counter value. ``pinned()`` reads the counter
once for a block (a loop validating many rows). A store that is absent or not at this
code's schema (a fresh checkout, data generated before ``sppe migrate``) holds no edit:
the shipped files apply. A store that cannot be reached raises ``StoreUnavailable``, as
every figure does.

Each loader returns a fresh polars DataFrame.
"""

from __future__ import annotations

import csv
import json
import threading
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache

import polars as pl
import sqlalchemy as sa

from sppe_data import fmt, store
from sppe_data.settings import REFERENCE_DIR
from sppe_data.store import schema

DOMAIN_LABELS = {"maitrise_risques": "Maîtrise des risques", "ingenierie": "Ingénierie"}
STATUS_LABELS = {
    "planned": "Planifiée",
    "in_progress": "En cours",
    "done": "Réalisée",
    "cancelled": "Annulée",
}
ROUTING_LABELS = {
    "direct": "Saisine directe de la Caf pivot",
    "cnaf": "Saisine par la Cnaf",
    "cnaf_only": "Initiée par la Cnaf uniquement",
}
EQUIPMENT_LABELS = {
    "eaje_psu": "EAJE (PSU)",
    "micro_creche_paje": "Micro-crèche (Paje)",
    "halte_garderie": "Halte-garderie",
    "rpe": "Relais petite enfance (RPE)",
    "mam": "Maison d'assistants maternels (MAM)",
}

# The store counter bumped by every edit of the reference data.
COUNTER = "reference_edits"
# The groups edited in the app, in the order of the page; label and shipped file.
GROUPS = ("cibles", "poles", "regions", "correspondance", "forfait")
GROUP_LABELS = {
    "cibles": "Cibles annuelles",
    "poles": "Parts des cibles et Caf pivots",
    "regions": "Régions des pôles",
    "correspondance": "Natures d'activité et indicateurs",
    "forfait": "Forfait de déplacement",
}
GROUP_FILES = {
    "cibles": "targets.csv",
    "poles": "poles.toml",
    "regions": "poles.toml",
    "correspondance": "activity_kinds.csv",
    "forfait": "rules.toml",
}


class ReferenceError(ValueError):
    """A reference file is inconsistent; the message is in French for the user."""


# --- the shipped files (static) -------------------------------------------------------


@lru_cache(maxsize=1)
def _departements_file() -> pl.DataFrame:
    return pl.read_csv(
        REFERENCE_DIR / "departements.csv",
        schema_overrides={"dep_code": pl.String, "region_code": pl.String, "caf_code": pl.String},
    )


def departements() -> pl.DataFrame:
    """Grain: one row per département (101). Columns: dep_code, dep_name, region_code,
    region_name, population_count, centre_lon, centre_lat, caf_code, caf_name."""
    return _departements_file().clone()


def regions() -> pl.DataFrame:
    """Grain: one row per région (18). Columns: region_code, region_name, is_overseas."""
    overseas = set(shipped_poles_config()["overseas"]["region_codes"])
    frame = departements().select("region_code", "region_name").unique().sort("region_code")
    return frame.with_columns(pl.col("region_code").is_in(sorted(overseas)).alias("is_overseas"))


@lru_cache(maxsize=1)
def shipped_poles_config() -> dict:
    """The parsed ``poles.toml`` (read-only: never mutate it)."""
    with (REFERENCE_DIR / "poles.toml").open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def _activity_kinds_file() -> pl.DataFrame:
    return pl.read_csv(
        REFERENCE_DIR / "activity_kinds.csv",
        schema_overrides={"indicator_code": pl.String, **dict.fromkeys(KIND_FLAGS, pl.Boolean)},
    )


#: The yes/no attributes of an activity kind, columns of ``activity_kinds.csv``: the one
#: place that says which kinds are controls (findings, undue amounts), name a partner,
#: an equipment kind or a number of places, and carry the departmental travel fee.
KIND_FLAGS = ("is_departmental", "is_control", "has_partner", "has_equipment", "has_places")


@lru_cache(maxsize=len(KIND_FLAGS))
def kinds_with(flag: str) -> frozenset[str]:
    """The activity kinds whose ``flag`` (one of ``KIND_FLAGS``) is true, as shipped:
    these attributes are not edited in the app. Read with the standard ``csv`` module:
    modules call it at import, and a process that forks its writers must not have started
    polars' thread pool by then (a forked child would wait on its dead threads)."""
    if flag not in KIND_FLAGS:
        raise ValueError(f"unknown activity-kind attribute: {flag!r}")
    with (REFERENCE_DIR / "activity_kinds.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return frozenset(r["activity_kind"] for r in rows if r[flag].strip().lower() == "true")


def shipped_activity_kinds() -> pl.DataFrame:
    """``activity_kinds.csv`` as shipped (the indicator of each kind before any edit)."""
    return _activity_kinds_file().clone()


@lru_cache(maxsize=1)
def _indicators_file() -> pl.DataFrame:
    return pl.read_csv(REFERENCE_DIR / "indicators.csv")


def indicators() -> pl.DataFrame:
    """Grain: one row per targeted indicator (6). Columns: indicator_code,
    indicator_label, short_label, domain, unit, sort_order, definition."""
    return _indicators_file().clone()


TARGET_SCHEMA = {
    "year": pl.Int64,
    "indicator_code": pl.String,
    "target_count": pl.Int64,
    "counted_from": pl.Date,
    "counted_to": pl.Date,
}


@lru_cache(maxsize=1)
def _targets_file() -> pl.DataFrame:
    frame = pl.read_csv(REFERENCE_DIR / "targets.csv", try_parse_dates=True)
    return frame.select(pl.col(c).cast(t) for c, t in TARGET_SCHEMA.items())


def shipped_targets() -> pl.DataFrame:
    """``targets.csv`` as shipped."""
    return _targets_file().clone()


@lru_cache(maxsize=1)
def _rules() -> dict:
    with (REFERENCE_DIR / "rules.toml").open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class PaceThresholds:
    on_track_from: float  # realised ÷ expected from which an indicator is on track
    watch_from: float  # from which it is to watch (behind below)


def pace_thresholds() -> PaceThresholds:
    """The pace statuses' thresholds (``rules.toml [pace]``), the one copy of them."""
    pace = _rules()["pace"]
    on_track, watch = float(pace["on_track_from"]), float(pace["watch_from"])
    if not 0 < watch < on_track <= 1:
        raise ValueError(
            "rules.toml [pace] : les seuils doivent vérifier 0 < watch_from < on_track_from ≤ 1."
        )
    return PaceThresholds(on_track, watch)


def shipped_travel_fee_eur() -> float:
    return float(_rules()["travel_fee_eur"])


def shipped_region_poles() -> dict[str, str]:
    """région -> pôle as shipped (overseas régions: the pôle supporting their controls)."""
    conf = shipped_poles_config()
    mapping = {r: p["code"] for p in conf["poles"] for r in p["region_codes"]}
    for region in conf["overseas"]["region_codes"]:
        mapping.setdefault(region, conf["overseas"]["control_pole"])
    return mapping


# --- the edits kept in the store ------------------------------------------------------


@dataclass(frozen=True)
class GroupState:
    """One group as the store holds it. ``document``: the edited values (validated),
    None when the shipped files apply (never edited, set back, or unreadable: see
    ``problem``)."""

    group: str
    version: int = 0
    document: dict | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    problem: str | None = None

    @property
    def edited(self) -> bool:
        return self.document is not None


@dataclass
class _Snapshot:
    key: tuple | None  # (store url, generation, counter); None: no store, shipped files
    groups: dict[str, GroupState]
    derived: dict[str, object] = field(default_factory=dict)

    def cached(self, name: str, build: Callable[[], object]):
        if name not in self.derived:
            self.derived[name] = build()
        return self.derived[name]


_lock = threading.RLock()
_state: _Snapshot | None = None
_pinned: ContextVar[_Snapshot | None] = ContextVar("sppe_reference_pinned", default=None)


def _open_store() -> store.Store | None:
    try:
        return store.get_store()
    except store.SchemaMismatch:
        return None  # no store yet, or not this code's schema: no edit can apply


@lru_cache(maxsize=1)
def _counter_query() -> sa.Select:
    table = schema.store_revision
    return sa.select(table.c.table_name, table.c.revision).where(
        table.c.table_name.in_((schema.GENERATION, COUNTER))
    )


def _key_of(url: str, rows) -> tuple:
    found = {r.table_name: int(r.revision) for r in rows}
    return (url, found.get(schema.GENERATION, 0), found.get(COUNTER, 0))


def _parse(row) -> GroupState:
    from sppe_data import reference_edits  # the validators (imports this module)

    state = GroupState(
        group=row.ref_group,
        version=int(row.version),
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )
    if row.document is None:
        return state
    label = GROUP_LABELS[row.ref_group]
    try:
        raw = json.loads(row.document)
    except ValueError:
        raw = None
    if not isinstance(raw, dict):
        problem = f"Référentiel « {label} » modifié dans l'application : valeurs illisibles"
    else:
        document, errors = reference_edits.check(row.ref_group, raw)
        if not errors:
            return replace(state, document=document)
        problem = f"Référentiel « {label} » modifié dans l'application : {errors[0]}"
    return replace(
        state,
        problem=problem + f" ; les valeurs livrées ({GROUP_FILES[row.ref_group]}) "
        "s'appliquent en attendant une correction sur la page Référentiels.",
    )


def _load(found: store.Store) -> _Snapshot:
    """The counter and every group, read in one snapshot of the store."""
    with found.reading() as conn:
        key = _key_of(found.url, conn.execute(_counter_query()))
        rows = list(conn.execute(sa.select(schema.reference_edits)))
    groups = {g: GroupState(group=g) for g in GROUPS}
    for row in rows:
        if row.ref_group in groups:
            groups[row.ref_group] = _parse(row)
    return _Snapshot(key=key, groups=groups)


def _snapshot() -> _Snapshot:
    """The edits as of now (the pinned ones inside ``pinned()``)."""
    global _state
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    found = _open_store()
    key = None if found is None else _key_of(found.url, found.rows(_counter_query()))
    current = _state
    if current is not None and current.key == key:
        return current
    with _lock:
        current = _state
        if current is not None and current.key == key:
            return current
        if found is None:
            current = _Snapshot(key=None, groups={g: GroupState(group=g) for g in GROUPS})
        else:
            current = _load(found)  # its key is never older than ``key``
        _state = current
        return current


@contextmanager
def pinned() -> Iterator[None]:
    """Inside the block, every loader uses the edits read at its start (one counter
    read for the whole block instead of one per call). For loops over many rows; never
    around a catalog build or anything that must see a later edit."""
    if _pinned.get() is not None:
        yield
        return
    token = _pinned.set(_snapshot())
    try:
        yield
    finally:
        _pinned.reset(token)


def version() -> tuple | None:
    """A token that changes whenever the edits change (for caches built on reference
    data outside this module); None when no store holds edits."""
    key = _snapshot().key
    return None if key is None else (hash(key[0]), *key[1:])


def group_states() -> dict[str, GroupState]:
    """Group -> its state in the store (version, who and when, edited or not)."""
    return dict(_snapshot().groups)


def reset_cache() -> None:
    """Forget the edits read by this process (tests)."""
    global _state
    with _lock:
        _state = None


def _edited(snap: _Snapshot, group: str) -> dict | None:
    return snap.groups[group].document


# --- the loaders (shipped files + edits) ----------------------------------------------


def _build_poles(snap: _Snapshot) -> pl.DataFrame:
    edited = _edited(snap, "poles")
    by_code = {p["pole_code"]: p for p in edited["poles"]} if edited else {}
    rows = []
    for i, p in enumerate(shipped_poles_config()["poles"]):
        edit = by_code.get(p["code"])
        rows.append(
            {
                "pole_code": p["code"],
                "pole_label": p["label"],
                "pole_short_label": p["short_label"],
                "pivot_note": edit["pivot_note"] if edit else p["pivot_note"],
                "target_share": float(edit["target_share"] if edit else p["target_share"]),
                "sort_order": i + 1,
            }
        )
    return pl.DataFrame(rows)


def poles() -> pl.DataFrame:
    """Grain: one row per pôle (5). Columns: pole_code, pole_label, pole_short_label,
    pivot_note, target_share, sort_order."""
    snap = _snapshot()
    return snap.cached("poles", lambda: _build_poles(snap)).clone()


def _build_pivot_cafs(snap: _Snapshot) -> pl.DataFrame:
    edited = _edited(snap, "poles")
    if edited:
        pairs = [(p["pole_code"], c) for p in edited["poles"] for c in p["pivot_cafs"]]
    else:
        pairs = [(p["code"], c) for p in shipped_poles_config()["poles"] for c in p["pivot_cafs"]]
    return pl.DataFrame(pairs, schema={"pole_code": pl.String, "caf_code": pl.String}, orient="row")


def pivot_cafs() -> pl.DataFrame:
    """Grain: one row per pivot Caf. Columns: pole_code, caf_code."""
    snap = _snapshot()
    return snap.cached("pivot_cafs", lambda: _build_pivot_cafs(snap)).clone()


def region_poles() -> dict[str, str]:
    """région -> pôle (overseas régions: the pôle supporting their controls)."""
    snap = _snapshot()
    edited = _edited(snap, "regions")
    return dict(edited["regions"]) if edited else shipped_region_poles()


def _build_departement_poles(snap: _Snapshot) -> pl.DataFrame:
    edited = _edited(snap, "regions")
    region_pole = edited["regions"] if edited else shipped_region_poles()
    national = overseas_engineering_scope()
    short = {p["code"]: p["short_label"] for p in shipped_poles_config()["poles"]}
    rows = []
    for dep_code, region_code in departements().select("dep_code", "region_code").iter_rows():
        if region_code not in region_pole:
            raise ReferenceError(
                f"La région {region_code} du département {dep_code} n'est rattachée à aucun pôle "
                "(fichier poles.toml)."
            )
        pole = region_pole[region_code]
        overseas = region_code in national.region_codes
        scope = national.code if overseas else pole
        label = national.label if overseas else short.get(pole, pole)
        rows.append((dep_code, pole, overseas, scope, label))
    return pl.DataFrame(
        rows,
        schema={
            "dep_code": pl.String,
            "pole_code": pl.String,
            "is_overseas": pl.Boolean,
            "engineering_scope_code": pl.String,
            "engineering_scope_label": pl.String,
        },
        orient="row",
    )


def departement_poles() -> pl.DataFrame:
    """Grain: one row per département. Columns: dep_code, pole_code, is_overseas,
    engineering_scope_code, engineering_scope_label. ``pole_code``: the pôle of the
    département (overseas: the pôle that supports their controls), its pôle on every map
    and list; ``engineering_scope_code``: where its engineering activities are booked,
    the same pôle, or for an overseas département the national scope of the Cepaje
    (``overseas_engineering_scope``), which is not a pôle."""
    snap = _snapshot()
    return snap.cached("departement_poles", lambda: _build_departement_poles(snap)).clone()


def booking_scope(caf_code: str, domain: str) -> str | None:
    """The scope an activity of ``domain`` for the Caf ``caf_code`` (= its département)
    is booked to: the Caf's pôle, or, for the engineering of an overseas Caf, the
    national scope of the Cepaje. None for an unknown Caf."""
    snap = _snapshot()
    scopes = snap.cached(
        "booking_scopes",
        lambda: {
            r[0]: (r[1], r[2])
            for r in _build_departement_poles(snap)
            .select("dep_code", "pole_code", "engineering_scope_code")
            .iter_rows()
        },
    )
    found = scopes.get(caf_code)
    if found is None:
        return None
    return found[1] if domain == overseas_engineering_scope().domain else found[0]


def departement_pole_map() -> dict[str, str]:
    """dep_code (= caf_code) -> pole_code (a copy)."""
    snap = _snapshot()
    mapping = snap.cached(
        "departement_pole_map",
        lambda: dict(_build_departement_poles(snap).select("dep_code", "pole_code").iter_rows()),
    )
    return dict(mapping)


def overseas_note() -> str:
    conf = shipped_poles_config()["overseas"]
    labels = {p["code"]: p["label"] for p in shipped_poles_config()["poles"]}
    mapping = region_poles()
    control = sorted({mapping.get(r, conf["control_pole"]) for r in conf["region_codes"]})
    names = " et ".join(labels.get(p, p) for p in control)
    return (
        f"Caf ultramarines : ingénierie par {conf['engineering_by']}, appui au contrôle "
        f"sur place par le pôle {names}."
    )


@dataclass(frozen=True)
class NationalScope:
    """A scope activities are booked to that is not a pôle: the national Cepaje team,
    for the engineering of the overseas Cafs (letter, section 4 and Annexe 1). It has no
    target share (the pôles' shares add up to 1) and is in no pôle's figures, lists or
    maps; the mission total counts its activities and says so."""

    code: str
    label: str
    short_label: str
    domain: str  # the activity domain it takes on (activity_kinds.csv)
    region_codes: frozenset[str]  # the overseas régions whose Cafs it serves


@lru_cache(maxsize=1)
def overseas_engineering_scope() -> NationalScope:
    """The national scope of the Cepaje, from ``poles.toml`` (section ``overseas``)."""
    conf = shipped_poles_config()["overseas"]
    return NationalScope(
        code=conf["engineering_scope"],
        label=conf["engineering_by"],
        short_label=conf["engineering_scope_short_label"],
        domain=conf["engineering_domain"],
        region_codes=frozenset(conf["region_codes"]),
    )


def engineering_scope_note(activity_count: int | None = None) -> str:
    """What the mission total includes besides the five pôles, in French, for the
    captions next to it: the overseas Cafs' engineering by the Cepaje, counted in the
    mission total and in no pôle's target; with ``activity_count`` (the Cepaje's
    realised activities of the figure shown) when it is known."""
    scope = overseas_engineering_scope()
    count = ""
    if activity_count:
        noun = "activité réalisée" if activity_count == 1 else "activités réalisées"
        count = f", soit {fmt.number(activity_count)} {noun}"
    return (
        f"La mission compte aussi l'ingénierie des Caf ultramarines assurée par le "
        f"{scope.label}{count} : elle entre dans le total de la mission, pas dans la "
        "cible d'un pôle."
    )


def engineering_scope_count_note(activity_count: int) -> str:
    """« dont N du Cepaje (ingénierie outre-mer) », under a mission figure; "" when 0."""
    if not activity_count:
        return ""
    return (
        f"dont {fmt.number(activity_count)} du {overseas_engineering_scope().short_label} "
        "(ingénierie outre-mer)"
    )


def _build_activity_kinds(snap: _Snapshot) -> pl.DataFrame:
    frame = _activity_kinds_file()
    edited = _edited(snap, "correspondance")
    if not edited:
        return frame
    mapping = edited["kinds"]
    codes = [mapping.get(k, i) for k, i in frame.select("activity_kind", "indicator_code").rows()]
    return frame.with_columns(pl.Series("indicator_code", codes, dtype=pl.String))


def activity_kinds() -> pl.DataFrame:
    """Grain: one row per activity kind (16). Columns: activity_kind, activity_label,
    domain, indicator_code (null when not targeted), routing, the ``KIND_FLAGS``
    (is_departmental, is_control, has_partner, has_equipment, has_places), sort_order."""
    snap = _snapshot()
    return snap.cached("activity_kinds", lambda: _build_activity_kinds(snap)).clone()


def _build_targets(snap: _Snapshot) -> pl.DataFrame:
    edited = _edited(snap, "cibles")
    if not edited:
        return _targets_file()
    rows = [
        (
            t["year"],
            t["indicator_code"],
            t["target_count"],
            date.fromisoformat(t["counted_from"]),
            date.fromisoformat(t["counted_to"]),
        )
        for t in edited["targets"]
    ]
    return pl.DataFrame(rows, schema=TARGET_SCHEMA, orient="row")


def targets() -> pl.DataFrame:
    """Grain: one row per year × indicator. Columns: year, indicator_code,
    target_count (mission-wide, full year or partial year), counted_from, counted_to
    (the operating window over which the target is expected to be reached)."""
    snap = _snapshot()
    return snap.cached("targets", lambda: _build_targets(snap)).clone()


def travel_fee_eur() -> float:
    """The flat travel-cost contribution per departmental intervention (EUR)."""
    edited = _edited(_snapshot(), "forfait")
    return float(edited["travel_fee_eur"]) if edited else shipped_travel_fee_eur()


def check_consistency() -> list[str]:
    """Checks the reference data in use (shipped files and edits) agree with each other;
    returns French messages."""
    problems: list[str] = []
    with pinned():
        share = poles()["target_share"].sum()
        if abs(share - 1.0) > 1e-6:
            problems.append(f"Les parts de cible des pôles totalisent {share:.2f} au lieu de 1.")
        known = set(indicators()["indicator_code"])
        mapped = set(activity_kinds()["indicator_code"].drop_nulls())
        for code in sorted(mapped - known):
            problems.append(f"Indicateur inconnu dans activity_kinds.csv : {code}.")
        for code in sorted(set(targets()["indicator_code"]) - known):
            problems.append(f"Indicateur inconnu dans targets.csv : {code}.")
        try:
            departement_poles()
        except ReferenceError as exc:
            problems.append(str(exc))
        national = overseas_engineering_scope()
        if national.code in set(poles()["pole_code"]):
            problems.append(
                f"Le code « {national.code} » de l'ingénierie ultramarine (poles.toml) est "
                "celui d'un pôle."
            )
        if national.domain not in DOMAIN_LABELS:
            problems.append(f"Domaine inconnu dans poles.toml : {national.domain}.")
    return problems


def validate() -> list[str]:
    """``check_consistency()``, preceded by the edits found unreadable in the store
    (the shipped values of their group apply meanwhile): what every page warns about."""
    with pinned():
        problems = [s.problem for s in _snapshot().groups.values() if s.problem]
        return problems + check_consistency()
