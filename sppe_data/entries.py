"""Validation of the entries the pôles log (activities and Caf requests), field by field,
with French messages. Pure functions: raw values in (form widgets or an imported file's
cells), a clean row with the extract's columns out, or a message per faulty field.

Coded fields accept the code or the French label (``vocabularies``: "Réalisée" or
"done"), compared without accents, case or extra spaces; a refused value's message lists
the allowed values. Numbers take a decimal comma, dates JJ/MM/AAAA or ISO.

Free text is kept as typed (stripped), never interpreted; every text field has a length
limit. Derived fields are computed here, never typed: the travel-cost contribution of an
activity (rules.toml and ``is_departmental``) and the routing and pôle of a request.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import polars as pl

from sppe_data import clock, reference
from sppe_data.settings import REFERENCE_DIR

# The mission's life: start of duty (letter: 05/2024) to the end of the COG 2023-2027.
MISSION_START = date(2024, 5, 1)
MISSION_END = date(2027, 12, 31)

COMMENT_MAX = 2000
PARTNER_MAX = 60
MAX_DAYS = 250.0
MAX_AMOUNT_EUR = 100_000_000.0
MAX_PLACES = 10_000

# Which optional fields each kind needs (the letter's activities; kept here, next to
# the rules that use them).
# Which kinds take which fields: columns of the activity-kinds reference.
CONTROL_KINDS = reference.kinds_with("is_control")
PARTNER_KINDS = reference.kinds_with("has_partner")
PLACES_KINDS = reference.kinds_with("has_places")
EQUIPMENT_KINDS = reference.kinds_with("has_equipment")

PRIORITY_LABELS = {"haute": "Haute", "normale": "Normale", "basse": "Basse"}
REQUEST_STATUS_LABELS = {
    "received": "Reçue",
    "in_progress": "Prise en charge",
    "done": "Traitée",
    "refused": "Refusée",
    "cancelled": "Annulée",
    "redirected": "Réorientée",
}
# A saisine with one of these statuses has left the backlog (its closed_on is that day).
REQUEST_ENDED_STATUSES = frozenset({"done", "refused", "cancelled", "redirected"})

BOOLEAN_LABELS = {"oui": "Oui", "non": "Non"}
TRUE_WORDS = frozenset({"oui", "o", "true", "vrai", "1"})
FALSE_WORDS = frozenset({"non", "n", "false", "faux", "0"})

ACTIVITY_FIELDS = {
    "activity_kind": "Type d'activité",
    "pole_code": "Pôle",
    "caf_code": "Caf bénéficiaire",
    "dep_code": "Département",
    "equipment_kind": "Type d'équipement",
    "partner_id": "Partenaire",
    "status": "Statut",
    "activity_on": "Date",
    "days_spent": "Jours passés",
    "has_findings": "Constats",
    "undue_amount_eur": "Indus (EUR)",
    "places_count": "Places concernées",
    "comment": "Commentaire",
}
# The columns an imported file must have (the others may be left out).
REQUIRED_ACTIVITY_FIELDS = ("activity_kind", "pole_code", "caf_code", "status", "activity_on",
                            "days_spent")  # fmt: skip
REQUEST_FIELDS = {
    "caf_code": "Caf demandeuse",
    "request_nature": "Nature de la demande",
    "priority": "Priorité",
    "status": "Statut",
    "received_on": "Date de réception",
    "taken_up_on": "Date de prise en charge",
    "closed_on": "Date de clôture",
}

# The steps of a saisine after its reception (``request_events``): what each one is
# called, which ones may follow which state (received -> taken up -> closed; cancelled or
# redirected from either; nothing after an end) and the status each one leads to.
REQUEST_STEP_LABELS = {
    "taken_up": "Prise en charge",
    "closed": "Clôture",
    "cancelled": "Annulation",
    "redirected": "Réorientation",
}
REQUEST_STEPS_FROM = {
    "received": ("taken_up", "cancelled", "redirected"),
    "in_progress": ("closed", "cancelled", "redirected"),
}
REQUEST_STEP_STATUS = {
    "taken_up": "in_progress",
    "closed": "done",
    "cancelled": "cancelled",
    "redirected": "redirected",
}
REQUEST_STEP_FIELDS = {
    "request_id": "Saisine",
    "event_kind": "Étape",
    "event_on": "Date de l'étape",
    "taken_up_by": "Prise en charge par",
    "outcome_code": "Issue",
    "redirected_to": "Réorientée vers",
    "comment": "Commentaire",
}
PERSON_MAX = 100
REDIRECT_MAX = 200
STEP_COMMENT_MAX = 1000


@dataclass
class Checked:
    """A clean row (extract columns) or, when ``errors`` is not empty, nothing to write."""

    row: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class ValidationError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k} : {v}" for k, v in errors.items()))
        self.errors = errors


@lru_cache(maxsize=8192)  # a file repeats its values; callers bound the text's length
def normalise(text: str) -> str:
    """How headers and labels are compared: without accents, case, apostrophe style,
    underscores, hyphens or repeated spaces ("Type d’activité " = "type d'activite")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    return re.sub(r"[\s_\-\u2010-\u2015]+", " ", text).strip().casefold()


LOOKUP_MAX = 200  # a longer text is no code nor label: not even normalised


@dataclass(frozen=True)
class Vocabulary:
    """The allowed values of a coded field: code -> French label. A value is accepted as
    its code or its label, compared normalised (``normalise``)."""

    labels: dict[str, str]
    list_codes: bool = False  # refusals list the codes (long lists of short codes)
    index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for code, label in self.labels.items():
            self.index.setdefault(normalise(label), code)
        for code in self.labels:  # a code wins over a label that reads the same
            self.index[normalise(code)] = code

    def lookup(self, text: str) -> str | None:
        if text in self.labels:
            return text
        if len(text) > LOOKUP_MAX:
            return None
        return self.index.get(normalise(text))

    def allowed(self) -> str:
        """The allowed values, for a message: the labels, or the codes of code lists."""
        if self.list_codes:
            return ", ".join(self.labels)
        return ", ".join(f"« {label} »" for label in self.labels.values())


@lru_cache(maxsize=1)
def _kinds() -> dict[str, dict]:
    return {r["activity_kind"]: r for r in reference.activity_kinds().iter_rows(named=True)}


def _dep_pole() -> dict[str, str]:
    # Not cached here: the Cnaf moves régions between pôles in the app (cached per edit
    # by ``reference``).
    return reference.departement_pole_map()


@lru_cache(maxsize=1)
def _departements() -> tuple[dict[str, str], dict[str, str]]:
    deps = reference.departements()
    return (
        dict(zip(deps["caf_code"], deps["caf_name"], strict=True)),
        dict(zip(deps["dep_code"], deps["dep_name"], strict=True)),
    )


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, Vocabulary]:
    """The allowed values of each coded activity field (codes and French labels), from
    the reference data: what the import accepts, its refusals list, and the template's
    sheet of allowed values shows."""
    kinds = sorted(_kinds().values(), key=lambda k: k["sort_order"])
    poles = reference.poles().sort("sort_order")
    national = reference.overseas_engineering_scope()
    cafs, deps = _departements()
    return {
        "activity_kind": Vocabulary({k["activity_kind"]: k["activity_label"] for k in kinds}),
        # The five pôles, then the Cepaje's national scope (the overseas Cafs' engineering).
        "pole_code": Vocabulary(
            dict(zip(poles["pole_code"], poles["pole_label"], strict=True))
            | {national.code: national.label}
        ),
        "caf_code": Vocabulary(cafs, list_codes=True),
        "dep_code": Vocabulary(deps, list_codes=True),
        "equipment_kind": Vocabulary(dict(reference.EQUIPMENT_LABELS)),
        "status": Vocabulary(dict(reference.STATUS_LABELS)),
        "has_findings": Vocabulary(dict(BOOLEAN_LABELS)),
    }


@lru_cache(maxsize=1)
def _request_vocabularies() -> dict[str, Vocabulary]:
    return {
        "priority": Vocabulary(dict(PRIORITY_LABELS)),
        "status": Vocabulary(dict(REQUEST_STATUS_LABELS)),
    }


@lru_cache(maxsize=1)
def request_outcomes() -> dict[str, str]:
    """The outcomes of a closed saisine, code -> French label, in their order: the one
    list (``reference/request_outcomes.csv``)."""
    with (REFERENCE_DIR / "request_outcomes.csv").open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["sort_order"]))
    return {r["outcome_code"]: r["outcome_label"] for r in rows}


def kind_label(kind: str) -> str:
    return _kinds()[kind]["activity_label"] if kind in _kinds() else kind


def cafs_of_pole(pole_code: str) -> list[str]:
    """The caf codes (= département codes) in a pôle's zone, sorted; for the Cepaje's
    national scope, the overseas Cafs."""
    if pole_code == reference.overseas_engineering_scope().code:
        deps = reference.departement_poles()
        return sorted(deps.filter(pl.col("engineering_scope_code") == pole_code)["dep_code"])
    return sorted(d for d, p in _dep_pole().items() if p == pole_code)


def _pole_label(code: str) -> str:
    national = reference.overseas_engineering_scope()
    if code == national.code:
        return national.label
    labels = dict(reference.poles().select("pole_code", "pole_label").iter_rows())
    return labels.get(code, code)


def booking_error(activity_kind: str, pole_code: str, caf_code: str) -> tuple[str, str] | None:
    """(field, French message) when an activity of this kind for this Caf may not be
    booked to ``pole_code``, else None. The rule (letter, section 4 and Annexe 1): an
    activity is booked to the pôle of its Caf, except the engineering of an overseas Caf,
    booked to the Cepaje's national scope (not a pôle: in no pôle's target); their
    on-site control support stays with the pôle of the Caf (Centre-Est)."""
    kind = _kinds().get(activity_kind)
    national = reference.overseas_engineering_scope()
    if kind is None:  # an unknown kind (refused on its own): the zone only
        expected = _dep_pole().get(caf_code)
        if pole_code == national.code:
            return None if caf_code in cafs_of_pole(pole_code) else ("caf_code", _zone(pole_code))
        return None if expected == pole_code else ("caf_code", _zone(pole_code, caf_code))
    expected = reference.booking_scope(caf_code, kind["domain"])
    if expected is None or expected == pole_code:
        return None
    if expected == national.code:
        return (
            "pole_code",
            f"L'ingénierie des Caf ultramarines (Caf {caf_code}) est assurée par le "
            f"{national.label}, pas par un pôle : imputez cette activité au "
            f"{national.short_label} (le pôle {_pole_label(pole_code)} n'y assure que "
            "l'appui au contrôle sur place).",
        )
    if pole_code == national.code:
        domain = reference.DOMAIN_LABELS.get(kind["domain"], kind["domain"]).lower()
        return (
            "pole_code",
            f"Le {national.label} ne reçoit que l'ingénierie des Caf ultramarines ("
            + ", ".join(cafs_of_pole(national.code))
            + f") ; cette activité ({domain}, Caf {caf_code}) relève du pôle "
            f"{_pole_label(expected)}.",
        )
    return "caf_code", _zone(pole_code, caf_code)


def _zone(pole_code: str, caf_code: str | None = None) -> str:
    cafs = ", ".join(cafs_of_pole(pole_code))
    if caf_code is None:
        return f"Caf hors du champ du {_pole_label(pole_code)}. Cafs concernées : {cafs}."
    return f"La Caf {caf_code} n'est pas dans la zone du pôle {pole_code}. Cafs du pôle : {cafs}."


def travel_fee_eur(activity_kind: str, status: str, pole_code: str | None = None) -> float:
    """Flat contribution charged to the Caf when a pôle works on a departmental activity,
    unless cancelled; none for the Cepaje's national scope (not a pôle)."""
    kind = _kinds().get(activity_kind)
    if kind is None or not kind["is_departmental"] or status == "cancelled":
        return 0.0
    if pole_code == reference.overseas_engineering_scope().code:
        return 0.0
    return reference.travel_fee_eur()


def routing_of(nature: str) -> str | None:
    kind = _kinds().get(nature)
    return kind["routing"] if kind else None


def latest_day() -> date:
    """No "done" entry after this day: the later of the calendar and the data date."""
    return max(date.today(), clock.today())


FORMULA_STARTS = ("=", "+", "-", "@")  # what a spreadsheet runs as a formula
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def formula_like(text: str) -> bool:
    """A text that a spreadsheet would run as a formula (``=cmd|' /C calc'!A0``), once
    its surrounding blanks are removed; a plain number such as ``-1,5`` is not one."""
    text = text.strip()
    if not text.startswith(FORMULA_STARTS):
        return False
    return not _PLAIN_NUMBER.match(re.sub(r"[\s\u202f]", "", text))


# --- field parsers: (value, error message or None) ---------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object, limit: int, required: bool = False) -> tuple[str | None, str | None]:
    if _blank(value):
        return None, ("Champ obligatoire." if required else None)
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if "\x00" in value:
        return None, "Caractère invalide (NUL) dans le texte."
    if len(value) > limit:
        return None, f"Texte trop long : {len(value)} caractères (au plus {limit})."
    return value, None


_DEP_NUMBER = re.compile(r"^\d{1,3}(?:\.0+)?$")


def _code_form(text: str) -> str:
    """A département or Caf code as a spreadsheet may have turned it into a number:
    "1" or "1.0" for "01", "59.0" for "59"."""
    if _DEP_NUMBER.match(text):
        text = text.split(".")[0]
        return text.zfill(2)
    return text


def _choice(
    value: object, vocabulary: Vocabulary, required: bool = True, codes: bool = False
) -> tuple[str | None, str | None]:
    if _blank(value):
        return None, ("Champ obligatoire." if required else None)
    text = str(value).strip()
    found = vocabulary.lookup(_code_form(text) if codes else text)
    if found is None:
        return (
            None,
            f"Valeur inconnue « {text[:40]} ». Valeurs autorisées : {vocabulary.allowed()}.",
        )
    return found, None


def _date(value: object, required: bool = True) -> tuple[date | None, str | None]:
    if _blank(value):
        return None, ("Date obligatoire." if required else None)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) > 30:
                raise ValueError(text)
            if "/" in text:
                d, m, y = text.split()[0].split("/")
                parsed = date(int(y), int(m), int(d))
            else:
                parsed = date.fromisoformat(text[:10])
        except (ValueError, OverflowError):
            return None, f"Date invalide « {text[:20]} » (attendu JJ/MM/AAAA)."
    else:
        return None, "Date invalide (attendu JJ/MM/AAAA)."
    if not MISSION_START <= parsed <= MISSION_END:
        return None, (
            f"Date hors de la vie de la mission (du {MISSION_START:%d/%m/%Y} "
            f"au {MISSION_END:%d/%m/%Y})."
        )
    return parsed, None


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


def _number(
    value: object, maximum: float, required: bool = False, integer: bool = False
) -> tuple[float | int | None, str | None]:
    if _blank(value):
        return None, ("Champ obligatoire." if required else None)
    if isinstance(value, bool):
        return None, "Saisissez un nombre."
    if isinstance(value, str):
        text = re.sub(r"[\s\u202f]", "", value).replace("\u2212", "-").replace(",", ".")
        if not _NUMBER.match(text):
            return None, f"Saisissez un nombre, par exemple 1,5 (reçu « {value.strip()[:20]} »)."
        value = float(text)
    if not isinstance(value, int | float) or math.isnan(value):
        return None, "Saisissez un nombre."
    if value < 0:
        return None, "Le nombre ne peut pas être négatif."
    if value > maximum:
        return None, f"Nombre trop grand (au plus {maximum:,.0f}).".replace(",", " ")
    if integer:
        if value != int(value):
            return None, "Saisissez un nombre entier."
        return int(value), None
    return float(value), None


def _bool(value: object) -> tuple[bool | None, str | None]:
    if _blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    text = str(value).strip()
    key = normalise(text[:LOOKUP_MAX])
    if key in TRUE_WORDS:
        return True, None
    if key in FALSE_WORDS:
        return False, None
    return None, f"Répondez oui ou non (reçu « {text[:20]} »)."


# --- activities and requests --------------------------------------------------------


def check_activity(raw: dict, latest: date | None = None) -> Checked:
    """Grain: one activity. Returns the activities-extract columns except
    ``activity_id`` and ``request_id`` (set by the journal), or French errors.
    ``latest``: ``latest_day()`` computed once by a caller checking many rows."""
    out, errors = Checked(), {}

    def put(name, parsed):
        value, error = parsed
        if error:
            errors[name] = error
        out.row[name] = value

    vocab = vocabularies()
    put("activity_kind", _choice(raw.get("activity_kind"), vocab["activity_kind"]))
    put("pole_code", _choice(raw.get("pole_code"), vocab["pole_code"]))
    put("caf_code", _choice(raw.get("caf_code"), vocab["caf_code"], codes=True))
    if _blank(raw.get("dep_code")):  # the Caf's own département (refused with the Caf)
        out.row["dep_code"] = out.row["caf_code"]
    else:
        put("dep_code", _choice(raw.get("dep_code"), vocab["dep_code"], codes=True))
    put("status", _choice(raw.get("status"), vocab["status"]))
    put("activity_on", _date(raw.get("activity_on")))
    put("days_spent", _number(raw.get("days_spent"), MAX_DAYS, required=True))
    put("equipment_kind", _choice(raw.get("equipment_kind"), vocab["equipment_kind"], False))
    put("partner_id", _text(raw.get("partner_id"), PARTNER_MAX))
    put("has_findings", _bool(raw.get("has_findings")))
    put("undue_amount_eur", _number(raw.get("undue_amount_eur"), MAX_AMOUNT_EUR))
    put("places_count", _number(raw.get("places_count"), MAX_PLACES, integer=True))
    put("comment", _text(raw.get("comment"), COMMENT_MAX))
    row, kind, status = out.row, out.row["activity_kind"], out.row["status"]

    pole, caf = row["pole_code"], row["caf_code"]
    wrong = booking_error(kind, pole, caf) if pole and caf else None
    if wrong:
        errors[wrong[0]] = wrong[1]
    elif pole and "caf_code" in errors and not _blank(raw.get("caf_code")):
        text = str(raw.get("caf_code")).strip()[:40]
        errors["caf_code"] = (
            f"Valeur inconnue « {text} ». Cafs du pôle : " + ", ".join(cafs_of_pole(pole)) + "."
        )
    if status == "done" and row["activity_on"] and row["activity_on"] > (latest or latest_day()):
        errors["activity_on"] = "Une activité réalisée ne peut pas être datée dans le futur."
    if kind in PARTNER_KINDS and not row["partner_id"] and "partner_id" not in errors:
        errors["partner_id"] = "Indiquez le groupe ou gestionnaire contrôlé."
    if kind in CONTROL_KINDS and status == "done" and row["has_findings"] is None:
        errors.setdefault(
            "has_findings", "Un contrôle réalisé doit indiquer son résultat (constats ou non)."
        )
    if row["has_findings"] and row["undue_amount_eur"] is None and status == "done":
        errors.setdefault("undue_amount_eur", "Indiquez le montant des indus (0 si aucun).")
    if kind and kind not in CONTROL_KINDS:
        for name in ("has_findings", "undue_amount_eur"):
            if row[name] is not None:
                errors.setdefault(name, "Sans objet pour ce type d'activité (contrôles seulement).")
    if kind and kind not in PLACES_KINDS and row["places_count"] is not None:
        errors.setdefault("places_count", "Sans objet pour ce type d'activité.")
    row["recovered_amount_eur"] = None
    row["travel_fee_eur"] = travel_fee_eur(kind, status, pole) if kind and status else 0.0
    out.errors = {k: errors[k] for k in ACTIVITY_FIELDS if k in errors}
    return out


def check_request(raw: dict) -> Checked:
    """Grain: one Caf request (saisine). Returns the requests-extract columns except
    ``request_id``; ``routing`` and ``pole_code`` are derived, never typed."""
    out, errors = Checked(), {}

    def put(name, parsed):
        value, error = parsed
        if error:
            errors[name] = error
        out.row[name] = value

    vocab, own = vocabularies(), _request_vocabularies()
    put("caf_code", _choice(raw.get("caf_code"), vocab["caf_code"], codes=True))
    put("request_nature", _choice(raw.get("request_nature"), vocab["activity_kind"]))
    put("priority", _choice(raw.get("priority"), own["priority"]))
    put("status", _choice(raw.get("status"), own["status"]))
    put("received_on", _date(raw.get("received_on")))
    put("taken_up_on", _date(raw.get("taken_up_on"), required=False))
    put("closed_on", _date(raw.get("closed_on"), required=False))
    row = out.row
    row["routing"] = routing_of(row["request_nature"]) if row["request_nature"] else None
    row["pole_code"] = _dep_pole().get(row["caf_code"]) if row["caf_code"] else None
    received, taken, closed = row["received_on"], row["taken_up_on"], row["closed_on"]
    latest = latest_day()
    if received and received > latest:
        errors["received_on"] = "Une saisine ne peut pas être reçue dans le futur."
    if taken and taken > latest:
        errors["taken_up_on"] = "Une prise en charge ne peut pas être datée dans le futur."
    if closed and closed > latest:
        errors["closed_on"] = "Une clôture ne peut pas être datée dans le futur."
    if received and taken and taken < received:
        errors["taken_up_on"] = "La prise en charge précède la réception."
    if closed and (taken or received) and closed < (taken or received):
        errors.setdefault("closed_on", "La clôture précède la prise en charge ou la réception.")
    if row["status"] in REQUEST_ENDED_STATUSES and not closed and "closed_on" not in errors:
        errors["closed_on"] = (
            "Une saisine traitée, refusée, annulée ou réorientée doit avoir une date de clôture."
        )
    if row["status"] == "in_progress" and not taken and "taken_up_on" not in errors:
        errors["taken_up_on"] = (
            "Une saisine prise en charge doit avoir une date de prise en charge."
        )
    out.errors = {k: errors[k] for k in REQUEST_FIELDS if k in errors}
    return out


@dataclass(frozen=True)
class RequestState:
    """Where a saisine stands: its pôle, reception, current status (``received``,
    ``in_progress`` or an ended one) and the date of its last step."""

    request_id: str
    pole_code: str | None
    received_on: date
    status: str
    last_on: date
    steps_count: int  # the steps recorded in the app (request_events)


def request_state(base: dict, steps: list[dict]) -> RequestState:
    """The state of a saisine from its row (extract or journal: status, received_on,
    taken_up_on, closed_on) and its recorded steps in order. The same rule as the
    ``requests`` view (``journal.create_views``): a row with a closing date or an ended
    status has ended; one with a take-up date is in progress."""
    dates = [d for d in (base["received_on"], base["taken_up_on"], base["closed_on"]) if d]
    if base["closed_on"] is not None or base["status"] in REQUEST_ENDED_STATUSES:
        status = base["status"] if base["status"] in REQUEST_ENDED_STATUSES else "done"
    elif base["taken_up_on"] is not None or base["status"] == "in_progress":
        status = "in_progress"
    else:
        status = "received"
    for step in steps:
        status = REQUEST_STEP_STATUS[step["event_kind"]]
        dates.append(step["event_on"])
    return RequestState(
        base["request_id"], base["pole_code"], base["received_on"], status, max(dates),
        len(steps),
    )  # fmt: skip


def check_request_step(raw: dict, state: RequestState, latest: date | None = None) -> Checked:
    """Grain: one step of one saisine. Returns event_kind, event_on, taken_up_by,
    outcome_code, redirected_to, comment, or French errors: a step allowed from the
    state only, dated neither in the future nor before the previous step, a closing with
    its outcome, a take-up with who, a redirection with where to; texts bounded."""
    out, errors = Checked(), {}

    def put(name, parsed):
        value, error = parsed
        if error:
            errors[name] = error
        out.row[name] = value

    put("event_kind", _choice(raw.get("event_kind"), Vocabulary(dict(REQUEST_STEP_LABELS))))
    put("event_on", _date(raw.get("event_on")))
    kind, on, row = out.row["event_kind"], out.row["event_on"], out.row
    wanted = {"taken_up": "taken_up_by", "closed": "outcome_code", "redirected": "redirected_to"}
    for name, limit in (("taken_up_by", PERSON_MAX), ("redirected_to", REDIRECT_MAX)):
        put(name, _text(raw.get(name), limit, required=wanted.get(kind) == name))
    put("outcome_code", _choice(raw.get("outcome_code"), Vocabulary(request_outcomes()),
                                required=kind == "closed"))  # fmt: skip
    put("comment", _text(raw.get("comment"), STEP_COMMENT_MAX))
    for name in ("taken_up_by", "outcome_code", "redirected_to"):
        if kind and wanted.get(kind) != name and row[name] is not None:
            errors.setdefault(name, "Sans objet pour cette étape.")
    allowed = REQUEST_STEPS_FROM.get(state.status, ())
    status_label = REQUEST_STATUS_LABELS.get(state.status, state.status).lower()
    if kind and kind not in allowed:
        if not allowed:
            errors["event_kind"] = (
                f"Cette saisine est close ({status_label}) : aucune étape ne peut plus suivre."
            )
        else:
            errors["event_kind"] = (
                f"Étape impossible pour une saisine {status_label}. Étapes possibles : "
                + ", ".join(f"« {REQUEST_STEP_LABELS[k]} »" for k in allowed) + "."
            )  # fmt: skip
    if on and on > (latest or latest_day()):
        errors["event_on"] = "Une étape ne peut pas être datée dans le futur."
    elif on and on < state.last_on:
        errors["event_on"] = (
            "L'étape ne peut pas précéder la réception ni l'étape précédente "
            f"(le {state.last_on:%d/%m/%Y})."
        )
    out.errors = {k: errors[k] for k in REQUEST_STEP_FIELDS if k in errors}
    return out
