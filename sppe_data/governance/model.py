"""What the committee's governance records are: codes and French labels, the fields of
each kind of record with their limits, and the validation of a record (one place: the
forms, the data layer and the tests read these).

A kind of record (``KINDS``) is one store table ``gov_*``; its fields are typed (text with
a length limit, date, whole or decimal number in bounds, yes/no, a code from a list, a
pôle, a Caf, a list of indicators or pôles, the id of another record). ``check(kind,
raw)`` returns the row to store or raises ``entries.ValidationError`` with one French
message per field in error, before anything is written.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sppe_data import entries, fmt, reference

COMMITTEES = {
    "copil": "COPIL stratégique",
    "controle": "Comité opérationnel maîtrise des risques",
    "ingenierie": "Comité opérationnel ingénierie",
}
# The Comité opérationnel page's domain -> the committee that meets for it.
DOMAIN_COMMITTEE = {"maitrise_risques": "controle", "ingenierie": "ingenierie"}
EXPERIMENT_STATUS = {
    "propose": "Proposée",
    "en_cours": "En cours",
    "evaluee": "Évaluée",
    "arretee": "Arrêtée",
}
MILESTONE_STATUS = {
    "a_faire": "À faire",
    "en_cours": "En cours",
    "fait": "Fait",
    "abandonne": "Abandonné",
}
ACTION_STATUS = {
    "ouverte": "Ouverte",
    "en_cours": "En cours",
    "faite": "Faite",
    "abandonnee": "Abandonnée",
}
OPEN_ACTION_STATUS = ("ouverte", "en_cours")
DONE_MILESTONE_STATUS = ("fait", "abandonne")
MISSION_LABEL = "Mission (national)"

# Dates a governance record may carry: the call for pivot-Caf candidates (January 2024)
# to well beyond the mission's present horizon.
DATE_MIN = date(2023, 1, 1)
DATE_MAX = date(2035, 12, 31)
YEAR_MIN, YEAR_MAX = 2024, 2035
TITLE_MAX = 200
LONG_TITLE_MAX = 300
OWNER_MAX = 200
TEXT_MAX = 2000
LONG_TEXT_MAX = 4000
SCORE_MAX = 5.0  # appreciations entered on a 0–5 scale
COUNT_MAX = 100_000
DELAY_MAX_DAYS = 3650.0
PRODUCTIVITY_MAX = 100_000.0
AMOUNT_MAX_EUR = 10_000_000_000.0
# Control characters other than tab and newline, and the bidirectional overrides that
# can disguise a text: refused in every field.
_FORBIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
}  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One field of a record. ``kind``: text, date, int, float, bool, choice (``choices``),
    pole, caf, indicators (comma-separated indicator codes), poles (comma-separated pôle
    codes), year, half."""

    name: str
    label: str
    kind: str
    required: bool = True
    limit: float | None = None  # text: characters; numbers: upper bound
    choices: dict[str, str] | None = None
    not_after_today: bool = False


@dataclass(frozen=True)
class Kind:
    """One kind of record: its store table, id, audit entity, fields, the field whose
    pôle gives a pôle user the right to write it (None: Cnaf only), and the checks that
    span several fields."""

    name: str
    label: str
    table: str
    id_column: str
    id_prefix: str
    entity: str
    fields: tuple[Field, ...]
    pole_field: str | None = None
    checks: tuple[Callable[[dict], dict[str, str]], ...] = field(default=())

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def labels(self) -> dict[str, str]:
        return {f.name: f.label for f in self.fields}


def _ordered(first: str, then: str, message: str) -> Callable[[dict], dict[str, str]]:
    def check(row: dict) -> dict[str, str]:
        if row.get(first) and row.get(then) and row[then] < row[first]:
            return {then: message}
        return {}

    return check


def _action_closing(row: dict) -> dict[str, str]:
    """A done or dropped action has its closing date; an open one has none."""
    if row.get("status") in OPEN_ACTION_STATUS and row.get("closed_on"):
        return {"closed_on": "Une action ouverte ou en cours n'a pas de date de clôture."}
    if row.get("status") not in OPEN_ACTION_STATUS and not row.get("closed_on"):
        return {"closed_on": "Date de clôture obligatoire pour une action faite ou abandonnée."}
    return {}


def _milestone_half(row: dict) -> dict[str, str]:
    due, year = row.get("due_on"), row.get("year")
    if due and year and due.year != year:
        return {"due_on": f"L'échéance d'un jalon du plan {year} tombe en {year}."}
    return {}


def _experiment_poles(row: dict) -> dict[str, str]:
    lead = row.get("lead_pole_code")
    poles = [p for p in (row.get("pole_codes") or "").split(",") if p]
    if lead and lead not in poles:
        row["pole_codes"] = ",".join([lead, *poles])  # the lead pôle takes part, always
    return {}


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "orientation", "Orientation annuelle", "gov_orientations", "orientation_id", "OR",
            "orientation",
            (
                Field("year", "Année", "year"),
                Field("title", "Orientation", "text", limit=TITLE_MAX),
                Field("details", "Précisions", "text", required=False, limit=TEXT_MAX),
                Field("owner", "Responsable", "text", limit=OWNER_MAX),
                Field("indicator_codes", "Indicateurs suivis", "indicators", required=False),
            ),
        ),
        Kind(
            "experiment", "Expérimentation", "gov_experiments", "experiment_id", "EX",
            "experimentation",
            (
                Field("title", "Thème d'expérimentation", "text", limit=TITLE_MAX),
                Field("lead_pole_code", "Pôle pilote", "pole", required=False),
                Field("pole_codes", "Pôles associés", "poles", required=False),
                Field("started_on", "Début", "date", required=False),
                Field("ended_on", "Fin", "date", required=False),
                Field("status", "Statut", "choice", choices=EXPERIMENT_STATUS),
                Field("learnings", "Enseignements", "text", required=False, limit=LONG_TEXT_MAX),
                Field("owner", "Responsable", "text", limit=OWNER_MAX),
            ),
            pole_field="lead_pole_code",
            checks=(
                _ordered("started_on", "ended_on", "La fin précède le début."),
                _experiment_poles,
            ),
        ),
        Kind(
            "milestone", "Jalon du plan de travail", "gov_milestones", "milestone_id", "JL",
            "jalon",
            (
                Field("year", "Année du plan", "year"),
                Field("half", "Semestre", "half"),
                Field("pole_code", "Pôle", "pole", required=False),
                Field("title", "Jalon", "text", limit=LONG_TITLE_MAX),
                Field("due_on", "Échéance", "date"),
                Field("status", "Statut", "choice", choices=MILESTONE_STATUS),
                Field("evidence", "Justificatif", "text", required=False, limit=TEXT_MAX),
                Field("owner", "Responsable", "text", required=False, limit=OWNER_MAX),
            ),
            pole_field="pole_code",
            checks=(_milestone_half,),
        ),
        Kind(
            "meeting", "Réunion de comité", "gov_meetings", "meeting_id", "RE", "reunion",
            (
                Field("committee", "Comité", "choice", choices=COMMITTEES),
                Field("held_on", "Date de la réunion", "date", not_after_today=True),
                Field("title", "Intitulé", "text", required=False, limit=TITLE_MAX),
            ),
        ),
        Kind(
            "decision", "Décision", "gov_decisions", "decision_id", "DE", "decision",
            (
                Field("meeting_id", "Réunion", "meeting"),
                Field("text", "Décision", "text", limit=TEXT_MAX),
                Field("pole_code", "Pôle concerné", "pole", required=False),
            ),
        ),
        Kind(
            "action", "Action", "gov_actions", "action_id", "AC", "action",
            (
                Field("meeting_id", "Réunion", "meeting"),
                Field("pole_code", "Pôle", "pole", required=False),
                Field("title", "Action", "text", limit=LONG_TITLE_MAX),
                Field("owner", "Responsable", "text", limit=OWNER_MAX),
                Field("due_on", "Échéance", "date"),
                Field("status", "Statut", "choice", choices=ACTION_STATUS),
                Field("closed_on", "Date de clôture", "date", required=False,
                      not_after_today=True),
                Field("orientation_id", "Orientation", "orientation", required=False),
            ),
            pole_field="pole_code",
            checks=(_action_closing,),
        ),
        Kind(
            "contract", "Contrat de service", "gov_contracts", "contract_id", "CS",
            "contrat_service",
            (
                Field("caf_code", "Caf pivot", "caf"),
                Field("pole_code", "Pôle", "pole"),
                Field("signed_on", "Signé le", "date", not_after_today=True),
                Field("starts_on", "Début", "date"),
                Field("ends_on", "Fin", "date", required=False),
                Field("objectives", "Objet et engagements", "text", limit=LONG_TEXT_MAX),
            ),
            checks=(_ordered("starts_on", "ends_on", "La fin précède le début."),),
        ),
        Kind(
            "review", "Revue semestrielle", "gov_contract_reviews", "review_id", "RV",
            "revue_contrat",
            (
                Field("contract_id", "Contrat", "contract"),
                Field("reviewed_on", "Date de la revue", "date", not_after_today=True),
                Field("points_raised", "Points soulevés", "text", limit=LONG_TEXT_MAX),
                Field("follow_up", "Suites données", "text", required=False,
                      limit=LONG_TEXT_MAX),
            ),
        ),
        Kind(
            "candidate", "Candidature de Caf pivot", "gov_candidates", "candidate_id", "CA",
            "candidature",
            (
                Field("campaign", "Campagne", "year"),
                Field("caf_code", "Caf candidate", "caf"),
                Field("pole_code", "Pôle visé", "pole", required=False),
                Field("controller_hires_5y", "Recrutements de contrôleurs sur 5 ans", "int",
                      limit=COUNT_MAX),
                Field("ccd_hires_5y", "Recrutements de CCD sur 5 ans", "int", limit=COUNT_MAX),
                Field("hiring_delay_days", "Délai moyen de recrutement", "float",
                      limit=DELAY_MAX_DAYS),
                Field("control_productivity", "Productivité du contrôle AS (contrôles par ETP)",
                      "float", limit=PRODUCTIVITY_MAX),
                Field("financial_impact_eur", "Impact financier du contrôle AS", "float",
                      limit=AMOUNT_MAX_EUR),
                Field("places_financed_2018_2022", "Places financées entre 2018 et 2022", "int",
                      limit=COUNT_MAX * 10),
                Field("general_situation_score", "Situation générale (note sur 5)", "float",
                      limit=SCORE_MAX),
                Field("transport_score", "Moyens de transport (note sur 5)", "float",
                      limit=SCORE_MAX),
                Field("premises_ready", "Locaux disponibles sans travaux", "bool"),
                Field("note", "Observations", "text", required=False, limit=TEXT_MAX),
            ),
        ),
    )
}  # fmt: skip

# Reference fields: the kind of record their id points to.
REFERENCES = {"meeting": "meeting", "orientation": "orientation", "contract": "contract"}


def _clean_text(value: object, limit: int, required: bool) -> tuple[str | None, str | None]:
    if value is not None and not isinstance(value, str):
        return None, "Texte attendu."
    text, error = entries._text(value, int(limit), required)
    if error or text is None:
        return None, error
    if any(ch in _FORBIDDEN for ch in text):
        return None, "Caractère de contrôle ou d'inversion de sens refusé dans le texte."
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n"), None


def _clean_date(value: object, required: bool, not_after_today: bool) -> tuple:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, ("Date obligatoire." if required else None)
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return None, "Date attendue (JJ/MM/AAAA)."
    if not DATE_MIN <= value <= DATE_MAX:
        return None, f"Date hors des bornes (du {DATE_MIN:%d/%m/%Y} au {DATE_MAX:%d/%m/%Y})."
    if not_after_today and value > entries.latest_day():
        return None, "Date dans le futur : elle ne peut pas dépasser aujourd'hui."
    return value, None


def _clean_number(value: object, kind: str, limit: float | None, required: bool) -> tuple:
    if value is None:
        return None, ("Champ obligatoire." if required else None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "Nombre attendu."
    if isinstance(value, float) and not math.isfinite(value):
        return None, "Nombre invalide."
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            return None, "Nombre entier attendu."
        value = int(value)
    if value < 0:
        return None, "Nombre positif ou nul attendu."
    if limit is not None and value > limit:
        return None, f"Valeur trop grande (au plus {fmt.number(limit)})."
    return (float(value) if kind == "float" else value), None


def _codes(value: object, known: set[str], what: str, required: bool) -> tuple:
    if value is None or value == "" or value == [] or value == ():
        return ("", "Champ obligatoire.") if required else ("", None)
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None, f"Liste de {what} attendue."
    if len(items) > len(known):
        return None, f"Trop de {what}."
    unknown = [str(i)[:40] for i in items if not isinstance(i, str) or i not in known]
    if unknown:
        return None, f"{what.capitalize()} inconnu(s) : {', '.join(unknown[:5])}."
    return ",".join(dict.fromkeys(items)), None


def pole_codes() -> set[str]:
    return set(reference.poles()["pole_code"].to_list())


def caf_codes() -> set[str]:
    return set(reference.departements()["caf_code"].drop_nulls().to_list())


def indicator_codes() -> set[str]:
    return set(reference.indicators()["indicator_code"].to_list())


def _clean(f: Field, value: object) -> tuple[object, str | None]:
    if f.kind == "text":
        return _clean_text(value, f.limit or TEXT_MAX, f.required)
    if f.kind == "date":
        return _clean_date(value, f.required, f.not_after_today)
    if f.kind in ("int", "float"):
        return _clean_number(value, f.kind, f.limit, f.required)
    if f.kind in ("year", "half"):
        low, high = (YEAR_MIN, YEAR_MAX) if f.kind == "year" else (1, 2)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None, f"Valeur attendue : un nombre entier de {low} à {high}."
        return value, None
    if f.kind == "bool":
        if not isinstance(value, bool):
            return None, "Oui ou non attendu."
        return value, None
    if f.kind == "choice":
        if value in (f.choices or {}):
            return value, None
        if value is None or value == "":
            return None, "Champ obligatoire."
        return None, f"Valeur inconnue. Valeurs autorisées : {', '.join(f.choices.values())}."
    if f.kind in ("pole", "caf"):
        if value is None or value == "":
            return None, ("Champ obligatoire." if f.required else None)
        known = pole_codes() if f.kind == "pole" else caf_codes()
        if not isinstance(value, str) or value not in known:
            return None, f"{'Pôle' if f.kind == 'pole' else 'Caf'} inconnu(e)."
        return value, None
    if f.kind == "indicators":
        return _codes(value, indicator_codes(), "indicateurs", f.required)
    if f.kind == "poles":
        return _codes(value, pole_codes(), "pôles", f.required)
    if f.kind in REFERENCES:  # an id; its existence is checked in the write transaction
        if value is None or value == "":
            return None, ("Champ obligatoire." if f.required else None)
        if not isinstance(value, str) or len(value) > 40:
            return None, "Identifiant invalide."
        return value, None
    raise AssertionError(f"unknown field kind {f.kind}")


def check(kind: str, raw: dict) -> dict:
    """The row to store for a record of ``kind`` (every field, cleaned), or
    ``entries.ValidationError`` with one French message per field in error. Fields
    absent from ``raw`` count as empty; keys that are no field are refused."""
    spec = KINDS[kind]
    if not isinstance(raw, dict):
        raise entries.ValidationError({"": "Enregistrement invalide."})
    errors: dict[str, str] = {}
    extra = sorted(str(k)[:40] for k in raw if k not in spec.field_names)
    if extra:
        errors[""] = f"Champ(s) inconnu(s) : {', '.join(extra[:5])}."
    row: dict = {}
    for f in spec.fields:
        value, error = _clean(f, raw.get(f.name))
        if error:
            errors[f.name] = error
        row[f.name] = value
    if not errors:
        for rule in spec.checks:
            errors.update(rule(row))
    if errors:
        raise entries.ValidationError(errors)
    return row


def is_late(status: str, due_on: date, closed_on: date | None, as_of: date) -> bool:
    """The one "late action" rule: open at ``as_of`` (not closed, or closed after it)
    and due before it."""
    is_open = status in OPEN_ACTION_STATUS or (closed_on is not None and closed_on > as_of)
    return is_open and due_on < as_of
