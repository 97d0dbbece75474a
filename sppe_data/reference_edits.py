"""Reference data edited in the app by the Cnaf: validation, writes, history, checks.

Five groups (``reference.GROUPS``), each stored as one JSON document in the store's
table ``reference_edits`` (``reference`` reads them back):

- ``cibles``: ``{"targets": [{"year", "indicator_code", "target_count", "counted_from",
  "counted_to"}]}``: every year listed has a target for each of the six indicators; a
  target is a whole number >= 0; the operating window lies in its year.
- ``poles``: ``{"poles": [{"pole_code", "target_share", "pivot_cafs", "pivot_note"}]}``:
  the five pôles, shares (fractions) adding up to 1, pivot Cafs that exist (a Caf is the
  pivot of one pôle at most), a note of at most 200 characters.
- ``regions``: ``{"regions": {region_code: pole_code}}``: every région in exactly one
  pôle (overseas régions: the pôle supporting their controls); every pôle keeps at
  least one région of metropolitan France.
- ``correspondance``: ``{"kinds": {activity_kind: indicator_code or null}}``: every
  activity kind, known indicators, each indicator fed by at least one kind.
- ``forfait``: ``{"travel_fee_eur": amount}``: >= 0, at most 2 decimals.

A write (``save``, ``reset``) checks the role (cnaf) then the values, and refuses with
every problem in French before anything is written; then, in one store transaction, it
stores the document, adds an audit row (entity ``referentiel``, before and after) and
bumps the counter ``reference_edits``: the next page run of every process uses the new
values (the DuckDB catalog is rebuilt, the loaders of ``reference`` reload).
``expected_version`` refuses a save when someone else saved the group since the form
was drawn. ``validate_all()`` checks the shipped files and the stored edits
(``sppe check``).

The validators only read the shipped files (codes of indicators, pôles, régions,
départements, activity kinds), never the edited values.
"""

from __future__ import annotations

import json
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import polars as pl
import sqlalchemy as sa

from sppe_data import auth, fmt, journal, reference, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.reference import GROUP_FILES, GROUP_LABELS, GROUPS
from sppe_data.store import schema

__all__ = [
    "GROUPS",
    "AccessDenied",
    "EditConflict",
    "EditRefused",
    "Saved",
    "check",
    "current_document",
    "describe_changes",
    "history",
    "reset",
    "save",
    "shipped_document",
    "validate_all",
]

ENTITY = "referentiel"
EDIT_ROLES = auth.IMPORT_ROLES  # cnaf: "targets and reference" (design brief)
HISTORY_ROLES = auth.AUDIT_ROLES

TARGET_YEAR_MIN = 2024  # start of duty of the mission
TARGET_YEAR_MAX = 2050
TARGET_MAX = 1_000_000
MAX_TARGET_ROWS = 400  # 27 years x 6 indicators, with room
MAX_ITEMS = 200  # entries of a pôle, région or kind list: far more than there can be
MAX_PIVOTS = 10
NOTE_MAX = 200
TRAVEL_FEE_MAX = 10_000
SHARE_TOLERANCE = 1e-9
MAX_ERRORS = 30  # messages listed; the rest counted
HISTORY_MAX = 1000

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_WHOLE = re.compile(r"\d{1,15}")
_DECIMAL = re.compile(r"\d{1,15}(?:[.,]\d{1,15})?")
_SPLIT = re.compile(r"[,;\s]+")


class EditRefused(ValueError):
    """The values are refused; ``errors`` lists every problem in French."""

    def __init__(self, errors: list[str]):
        super().__init__(" ; ".join(errors))
        self.errors = errors


class EditConflict(EditRefused):
    """The group was saved by someone else since the form was drawn."""


@dataclass(frozen=True)
class Saved:
    group: str
    version: int
    changed: bool  # False: the values were already those (nothing written)


# --- what the validators know (shipped files only) ------------------------------------


def _indicator_labels() -> dict[str, str]:
    inds = reference.indicators().sort("sort_order")
    return dict(inds.select("indicator_code", "short_label").iter_rows())


def _pole_labels() -> dict[str, str]:
    return {p["code"]: p["short_label"] for p in reference.shipped_poles_config()["poles"]}


def _region_names() -> dict[str, str]:
    return dict(reference.regions().select("region_code", "region_name").iter_rows())


def _overseas_regions() -> set[str]:
    return set(reference.shipped_poles_config()["overseas"]["region_codes"])


def _kind_labels() -> dict[str, str]:
    kinds = reference.shipped_activity_kinds().sort("sort_order")
    return dict(kinds.select("activity_kind", "activity_label").iter_rows())


def _caf_codes() -> set[str]:
    return set(reference.departements()["caf_code"])


# --- value parsers: the value or None ---------------------------------------------------


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return type(value).__name__ in {"NaTType", "NAType"}


def _shown(value: object) -> str:
    if _missing(value):
        return "vide"
    text = value if isinstance(value, str) else repr(value) if isinstance(value, float) else value
    return str(text).strip()[:20]


def as_whole(value: object) -> int | None:
    """A whole number: an int, a float without decimals, or digits (spaces allowed)."""
    if _missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return int(number) if math.isfinite(number) and number.is_integer() else None
    if isinstance(value, str):
        text = _SPACES.sub("", value)
        return int(text) if _WHOLE.fullmatch(text) else None
    return None


def as_decimal(value: object) -> Decimal | None:
    """A non-negative decimal: a number, or digits with a decimal comma or point."""
    if _missing(value) or isinstance(value, bool):
        return None
    try:
        if isinstance(value, numbers.Integral):
            return Decimal(int(value)) if value >= 0 else None
        if isinstance(value, numbers.Real):
            number = float(value)
            return Decimal(repr(number)) if math.isfinite(number) and number >= 0 else None
    except (InvalidOperation, OverflowError, ValueError):
        return None
    if isinstance(value, str):
        text = _SPACES.sub("", value)
        if not _DECIMAL.fullmatch(text):
            return None
        return Decimal(text.replace(",", "."))
    return None


def _decimals(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 99


def as_date(value: object) -> date | None:
    """A date: a date, a datetime, ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``."""
    if _missing(value):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value.strip()) > 20:
        return None
    text = value.strip()
    try:
        if "/" in text:
            d, m, y = text.split("/")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text)
    except (ValueError, OverflowError):
        return None


def _bad_char(text: str) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in text)


def as_text(value: object, limit: int) -> tuple[str, str | None]:
    """(stripped text, French problem or None)."""
    if _missing(value):
        return "", None
    if not isinstance(value, str):
        return "", "texte attendu"
    text = value.strip()
    if len(text) > limit:
        return "", f"{limit} caractères au plus (reçu {len(text)})"
    if _bad_char(text):
        return "", "caractères de contrôle ou de mise en forme refusés"
    return text, None


def parse_percent(value: object) -> float | None:
    """``"22,5"`` (per cent, at most 4 decimals) -> ``0.225``; None when unreadable."""
    if isinstance(value, str):
        value = value.replace("%", "")
    number = as_decimal(value)
    if number is None or _decimals(number) > 4 or number > 100:
        return None
    return float(number / 100)


def format_percent(share: float) -> str:
    """``0.225`` -> ``"22,50"`` (per cent, French, for an input field)."""
    text = f"{Decimal(repr(float(share))) * 100:.4f}".rstrip("0")
    if text.endswith("."):
        text += "00"
    elif len(text.split(".")[1]) < 2:
        text += "0"
    return text.replace(".", ",")


def format_euros(value: float) -> str:
    """``300.5`` -> ``"300,50"``."""
    return fmt.number(value, 2)


def _capped(errors: list[str]) -> list[str]:
    if len(errors) <= MAX_ERRORS:
        return errors
    return [*errors[:MAX_ERRORS], f"… et {len(errors) - MAX_ERRORS} autre(s) problème(s)."]


# --- the validators -------------------------------------------------------------------


def _check_targets(values: dict) -> tuple[dict, list[str]]:
    rows = values.get("targets")
    if not isinstance(rows, list | tuple):
        return {}, ["Cibles : liste de lignes attendue."]
    if len(rows) > MAX_TARGET_ROWS:
        return {}, [f"Cibles : {len(rows)} lignes, {MAX_TARGET_ROWS} au plus."]
    if not rows:
        return {}, ["Cibles : au moins une année de cibles est nécessaire."]
    labels = _indicator_labels()
    errors: list[str] = []
    clean: dict[tuple[int, str], dict] = {}
    for i, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Ligne {i} : ligne illisible.")
            continue
        year = as_whole(raw.get("year"))
        code = raw.get("indicator_code")
        code = code.strip() if isinstance(code, str) else code
        where = f"Ligne {i}"
        ok = True
        if year is None or not TARGET_YEAR_MIN <= year <= TARGET_YEAR_MAX:
            errors.append(
                f"{where} : année invalide « {_shown(raw.get('year'))} » (de "
                f"{TARGET_YEAR_MIN} à {TARGET_YEAR_MAX})."
            )
            ok = False
        if code not in labels:
            errors.append(
                f"{where} : indicateur inconnu « {_shown(code)} » (indicateurs : "
                + ", ".join(labels.values()) + ")."
            )  # fmt: skip
            ok = False
        if ok:
            where = f"{where} ({year}, {labels[code]})"
        count = as_whole(raw.get("target_count"))
        if count is None or not 0 <= count <= TARGET_MAX:
            errors.append(
                f"{where} : la cible doit être un nombre entier positif ou nul (reçu "
                f"« {_shown(raw.get('target_count'))} »)."
            )
            ok = False
        start, end = as_date(raw.get("counted_from")), as_date(raw.get("counted_to"))
        for name, value, raw_value in (
            ("début", start, raw.get("counted_from")),
            ("fin", end, raw.get("counted_to")),
        ):
            if value is None:
                errors.append(
                    f"{where} : date de {name} de la période d'activité invalide (reçu "
                    f"« {_shown(raw_value)} », attendu JJ/MM/AAAA)."
                )
                ok = False
            elif year is not None and value.year != year:
                errors.append(
                    f"{where} : la date de {name} de la période d'activité "
                    f"({fmt.day(value)}) doit être dans l'année {year}."
                )
                ok = False
        if start and end and start > end:
            errors.append(
                f"{where} : la période d'activité commence ({fmt.day(start)}) après sa fin "
                f"({fmt.day(end)})."
            )
            ok = False
        if year is not None and code in labels:
            if (year, code) in clean:
                errors.append(f"{where} : cible en double pour cette année et cet indicateur.")
                continue
            clean[(year, code)] = {
                "year": year,
                "indicator_code": code,
                "target_count": count if ok else None,
                "counted_from": start.isoformat() if ok else None,
                "counted_to": end.isoformat() if ok else None,
            }
    for year in sorted({y for y, _ in clean}):
        missing = [label for code, label in labels.items() if (year, code) not in clean]
        if missing:
            errors.append(f"Année {year} : cible manquante pour " + ", ".join(missing) + ".")
    if errors:
        return {}, _capped(errors)
    order = {code: i for i, code in enumerate(labels)}
    targets = sorted(clean.values(), key=lambda t: (t["year"], order[t["indicator_code"]]))
    return {"targets": targets}, []


def _pivot_list(value: object) -> list | None:
    if _missing(value):
        return []
    if isinstance(value, str):
        if len(value) > 200:
            return None
        return [c for c in _SPLIT.split(value.strip()) if c]
    if isinstance(value, list | tuple):
        return list(value)
    return None


def _check_poles(values: dict) -> tuple[dict, list[str]]:
    items = values.get("poles")
    if not isinstance(items, list | tuple):
        return {}, ["Pôles : liste des pôles attendue."]
    if len(items) > MAX_ITEMS:
        return {}, [f"Pôles : {len(items)} lignes, {MAX_ITEMS} au plus."]
    labels = _pole_labels()
    cafs = _caf_codes()
    errors: list[str] = []
    clean: dict[str, dict] = {}
    pivot_of: dict[str, str] = {}
    for i, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Pôles, ligne {i} : ligne illisible.")
            continue
        code = raw.get("pole_code")
        if code not in labels:
            errors.append(f"Pôles, ligne {i} : pôle inconnu « {_shown(code)} ».")
            continue
        if code in clean:
            errors.append(f"Pôle {labels[code]} : en double.")
            continue
        name = labels[code]
        share = as_decimal(raw.get("target_share"))
        if share is None or share > 1:
            errors.append(
                f"Pôle {name} : part des cibles invalide « {_shown(raw.get('target_share'))} » "
                "(de 0 à 100 %)."
            )
        pivots = _pivot_list(raw.get("pivot_cafs"))
        if pivots is None or len(pivots) > MAX_PIVOTS:
            errors.append(f"Pôle {name} : Caf pivots illisibles ({MAX_PIVOTS} au plus).")
            pivots = []
        seen: list[str] = []
        for caf in pivots:
            caf_code = caf.strip() if isinstance(caf, str) else caf
            if caf_code not in cafs:
                errors.append(
                    f"Pôle {name} : Caf pivot inconnue « {_shown(caf)} » (code de la Caf, "
                    "celui de son département : 01 à 95, 2A, 2B, 971 à 976)."
                )
            elif caf_code in seen:
                errors.append(f"Pôle {name} : Caf pivot {caf_code} en double.")
            elif caf_code in pivot_of:
                errors.append(
                    f"La Caf {caf_code} ne peut être Caf pivot de deux pôles "
                    f"({labels[pivot_of[caf_code]]} et {name})."
                )
            else:
                seen.append(caf_code)
                pivot_of[caf_code] = code
        note, problem = as_text(raw.get("pivot_note"), NOTE_MAX)
        if problem:
            errors.append(f"Pôle {name} : note sur la Caf pivot : {problem}.")
        elif not note:
            errors.append(
                f"Pôle {name} : note sur la Caf pivot obligatoire (par exemple « Caf pivot "
                "à désigner »)."
            )
        clean[code] = {
            "pole_code": code,
            "target_share": float(share) if share is not None else None,
            "pivot_cafs": seen,
            "pivot_note": note,
        }
    for code, name in labels.items():
        if code not in clean:
            errors.append(f"Pôle {name} : absent (les cinq pôles sont attendus).")
    shares = [p["target_share"] for p in clean.values()]
    if not errors and abs(math.fsum(shares) - 1.0) > SHARE_TOLERANCE:
        total = math.fsum(shares) * 100
        shown = fmt.number(total, 2)
        if shown == "100,00":
            shown = fmt.number(total, 8)
        errors.append(f"Les parts des cibles des pôles totalisent {shown} % au lieu de 100 %.")
    if errors:
        return {}, _capped(errors)
    return {"poles": [clean[code] for code in labels]}, []


def _mapping(values: dict, key: str, first: str, second: str) -> dict | None:
    raw = values.get(key)
    if isinstance(raw, list | tuple) and len(raw) <= MAX_ITEMS:
        if not all(isinstance(r, dict) for r in raw):
            return None
        return {r.get(first): r.get(second) for r in raw}
    return raw if isinstance(raw, dict) else None


def _check_regions(values: dict) -> tuple[dict, list[str]]:
    mapping = _mapping(values, "regions", "region_code", "pole_code")
    if mapping is None:
        return {}, ["Régions : correspondance région → pôle attendue."]
    if len(mapping) > MAX_ITEMS:
        return {}, [f"Régions : {len(mapping)} lignes, {MAX_ITEMS} au plus."]
    names, labels, overseas = _region_names(), _pole_labels(), _overseas_regions()
    errors: list[str] = []
    for region in mapping:
        if region not in names:
            errors.append(f"Région inconnue « {_shown(region)} ».")
    for region, name in names.items():
        if region not in mapping or _missing(mapping[region]):
            errors.append(f"Région {name} ({region}) : aucun pôle.")
        elif mapping[region] not in labels:
            errors.append(f"Région {name} ({region}) : pôle inconnu « {_shown(mapping[region])} ».")
    if not errors:
        for code, label in labels.items():
            if not any(p == code and r not in overseas for r, p in mapping.items()):
                errors.append(f"Le pôle {label} n'a plus aucune région de métropole.")
    if errors:
        return {}, _capped(errors)
    return {"regions": {r: mapping[r] for r in names}}, []


def _check_kinds(values: dict) -> tuple[dict, list[str]]:
    mapping = _mapping(values, "kinds", "activity_kind", "indicator_code")
    if mapping is None:
        return {}, ["Natures d'activité : correspondance nature → indicateur attendue."]
    if len(mapping) > MAX_ITEMS:
        return {}, [f"Natures d'activité : {len(mapping)} lignes, {MAX_ITEMS} au plus."]
    kinds, indicators = _kind_labels(), _indicator_labels()
    errors: list[str] = []
    clean: dict[str, str | None] = {}
    for kind in mapping:
        if kind not in kinds:
            errors.append(f"Nature d'activité inconnue « {_shown(kind)} ».")
    for kind, label in kinds.items():
        if kind not in mapping:
            errors.append(f"Nature « {label} » : absente.")
            continue
        code = mapping[kind]
        if _missing(code):
            clean[kind] = None
        elif code in indicators:
            clean[kind] = code
        else:
            errors.append(f"Nature « {label} » : indicateur inconnu « {_shown(code)} ».")
    if not errors:
        for code, label in indicators.items():
            if code not in clean.values():
                errors.append(
                    f"L'indicateur « {label} » n'est alimenté par aucune nature d'activité : "
                    "son réalisé resterait à 0."
                )
    if errors:
        return {}, _capped(errors)
    return {"kinds": clean}, []


def _check_fee(values: dict) -> tuple[dict, list[str]]:
    raw = values.get("travel_fee_eur")
    fee = as_decimal(raw)
    if fee is None or fee > TRAVEL_FEE_MAX or _decimals(fee) > 2:
        return {}, [
            f"Forfait de déplacement invalide « {_shown(raw)} » : un montant en euros positif "
            f"ou nul, au plus {fmt.number(TRAVEL_FEE_MAX)} €, avec 2 décimales au plus "
            "(par exemple 300,00)."
        ]
    return {"travel_fee_eur": float(fee)}, []


_CHECKS = {
    "cibles": _check_targets,
    "poles": _check_poles,
    "regions": _check_regions,
    "correspondance": _check_kinds,
    "forfait": _check_fee,
}


def check(group: str, values: object) -> tuple[dict, list[str]]:
    """(the normalised document, []) or ({}, French problems): nothing else raised."""
    if group not in _CHECKS:
        return {}, [f"Référentiel inconnu « {_shown(group)} »."]
    if not isinstance(values, dict):
        return {}, [f"{GROUP_LABELS[group]} : valeurs illisibles."]
    return _CHECKS[group](values)


# --- documents ------------------------------------------------------------------------


def shipped_document(group: str) -> dict:
    """The values of a group as the shipped files give them (the initial values)."""
    if group == "cibles":
        frame = reference.shipped_targets()
        rows = [
            {**r, "counted_from": r["counted_from"].isoformat(),
             "counted_to": r["counted_to"].isoformat()}
            for r in frame.iter_rows(named=True)
        ]  # fmt: skip
        return {"targets": rows}
    if group == "poles":
        return {
            "poles": [
                {
                    "pole_code": p["code"],
                    "target_share": float(p["target_share"]),
                    "pivot_cafs": list(p["pivot_cafs"]),
                    "pivot_note": p["pivot_note"],
                }
                for p in reference.shipped_poles_config()["poles"]
            ]
        }
    if group == "regions":
        return {"regions": dict(sorted(reference.shipped_region_poles().items()))}
    if group == "correspondance":
        kinds = reference.shipped_activity_kinds().sort("sort_order")
        return {"kinds": dict(kinds.select("activity_kind", "indicator_code").iter_rows())}
    if group == "forfait":
        return {"travel_fee_eur": reference.shipped_travel_fee_eur()}
    raise ValueError(f"unknown reference group: {group!r}")


def _normalised_shipped(group: str) -> dict:
    document = shipped_document(group)
    clean, errors = check(group, document)
    return document if errors else clean


def current_document(group: str) -> dict:
    """The values in use: the edited ones, else the shipped ones."""
    state = reference.group_states()[group]
    return state.document if state.edited else _normalised_shipped(group)


# --- writes ---------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _locked_row(conn, group: str):
    table = schema.reference_edits
    query = sa.select(table).where(table.c.ref_group == group)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # SQLite's BEGIN IMMEDIATE already serialises
    return conn.execute(query).first()


def _stored(row) -> dict | None:
    if row is None or row.document is None:
        return None
    try:
        found = json.loads(row.document)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _conflict(row, expected: int) -> EditConflict:
    who = row.updated_by or "un autre utilisateur"
    when = f" le {row.updated_at:%d/%m/%Y à %H:%M} (UTC)" if row.updated_at else ""
    return EditConflict(
        [
            f"{GROUP_LABELS[row.ref_group]} : modifié par {who}{when} depuis l'ouverture de "
            "la page (version "
            f"{row.version}, vous partiez de la version {expected}). Rien n'a été enregistré : "
            "rechargez les valeurs actuelles puis refaites votre modification."
        ]
    )


def _write(principal: Principal, group: str, document: dict | None, action: str,
           expected_version: int | None) -> Saved:  # fmt: skip
    """Stores ``document`` (None: back to the shipped files) in one transaction."""
    table = schema.reference_edits
    shipped = _normalised_shipped(group)

    def work(conn) -> Saved:
        row = _locked_row(conn, group)
        version = int(row.version) if row is not None else 0
        if expected_version is not None and row is not None and expected_version != version:
            raise _conflict(row, expected_version)
        stored = _stored(row)
        before = stored if stored is not None else shipped
        after = document if document is not None else shipped
        if (stored is None) == (document is None) and before == after:
            return Saved(group, version, changed=False)
        values = {
            "version": version + 1,
            "document": None if document is None else json.dumps(document, ensure_ascii=False),
            "updated_by": principal.user_id,
            "updated_at": _now(),
        }
        if row is None:
            conn.execute(table.insert().values(ref_group=group, **values))
        else:
            conn.execute(table.update().where(table.c.ref_group == group).values(**values))
        journal.audit(conn, ENTITY, group, action, principal, before, after)
        store.Store.bump(conn, reference.COUNTER)
        return Saved(group, version + 1, changed=True)

    with store.get_store().write() as conn:
        return work(conn)


def _check_group(group: str) -> None:
    if group not in GROUPS:
        raise EditRefused([f"Référentiel inconnu « {_shown(group)} »."])


def save(principal: Principal | None, group: str, values: dict,
         expected_version: int | None = None) -> Saved:  # fmt: skip
    """Stores the new values of a group (cnaf only): validated, audited, effective at
    once. Raises AccessDenied, EditRefused (every problem), EditConflict (someone saved
    the group since ``expected_version``), StoreUnavailable; nothing written then."""
    auth.check_role(principal, EDIT_ROLES, "de modifier les référentiels")
    _check_group(group)
    document, errors = check(group, values)
    if errors:
        raise EditRefused(errors)
    return _write(principal, group, document, "modification", expected_version)


def reset(principal: Principal | None, group: str, expected_version: int | None = None) -> Saved:
    """Back to the shipped files for a group (cnaf only), audited."""
    auth.check_role(principal, EDIT_ROLES, "de modifier les référentiels")
    _check_group(group)
    return _write(principal, group, None, "reinitialisation", expected_version)


def save_targets(principal, rows: list[dict], expected_version: int | None = None) -> Saved:
    return save(principal, "cibles", {"targets": rows}, expected_version)


def save_poles(principal, poles: list[dict], expected_version: int | None = None) -> Saved:
    return save(principal, "poles", {"poles": poles}, expected_version)


def save_regions(principal, mapping: dict[str, str], expected_version: int | None = None) -> Saved:
    return save(principal, "regions", {"regions": mapping}, expected_version)


def save_kind_indicators(principal, mapping: dict[str, str | None],
                         expected_version: int | None = None) -> Saved:  # fmt: skip
    return save(principal, "correspondance", {"kinds": mapping}, expected_version)


def save_travel_fee(principal, fee: object, expected_version: int | None = None) -> Saved:
    return save(principal, "forfait", {"travel_fee_eur": fee}, expected_version)


# --- history --------------------------------------------------------------------------


def _target_text(t: dict) -> str:
    start, end = date.fromisoformat(t["counted_from"]), date.fromisoformat(t["counted_to"])
    return f"{fmt.number(t['target_count'])} (du {fmt.day(start)} au {fmt.day(end)})"


def describe_changes(group: str, before: dict | None, after: dict | None) -> list[str]:
    """What changed, in French, one line per changed value (for the history)."""
    before, after = before or {}, after or {}
    out: list[str] = []
    try:
        if group == "cibles":
            labels = _indicator_labels()
            old = {(t["year"], t["indicator_code"]): t for t in before.get("targets", [])}
            new = {(t["year"], t["indicator_code"]): t for t in after.get("targets", [])}
            for key in sorted(old.keys() | new.keys()):
                name = f"{key[0]} · {labels.get(key[1], key[1])}"
                a, b = old.get(key), new.get(key)
                if a is None:
                    out.append(f"Cible {name} ajoutée : {_target_text(b)}")
                elif b is None:
                    out.append(f"Cible {name} retirée (était {_target_text(a)})")
                elif _target_text(a) != _target_text(b):
                    out.append(f"Cible {name} : {_target_text(a)} → {_target_text(b)}")
        elif group == "poles":
            labels = _pole_labels()
            old = {p["pole_code"]: p for p in before.get("poles", [])}
            for p in after.get("poles", []):
                a, name = old.get(p["pole_code"], {}), labels.get(p["pole_code"], p["pole_code"])
                if a.get("target_share") != p["target_share"]:
                    out.append(
                        f"Part {name} : {fmt.percent(a.get('target_share'), 2)} → "
                        f"{fmt.percent(p['target_share'], 2)}"
                    )
                if a.get("pivot_cafs") != p["pivot_cafs"]:
                    out.append(
                        f"Caf pivots {name} : {', '.join(a.get('pivot_cafs') or []) or 'aucune'}"
                        f" → {', '.join(p['pivot_cafs']) or 'aucune'}"
                    )
                if a.get("pivot_note") != p["pivot_note"]:
                    out.append(f"Note {name} : « {a.get('pivot_note')} » → « {p['pivot_note']} »")
        elif group == "regions":
            labels, names = _pole_labels(), _region_names()
            old, new = before.get("regions", {}), after.get("regions", {})
            for region in sorted(old.keys() | new.keys()):
                if old.get(region) != new.get(region):
                    out.append(
                        f"Région {names.get(region, region)} : "
                        f"{labels.get(old.get(region), old.get(region))} → "
                        f"{labels.get(new.get(region), new.get(region))}"
                    )
        elif group == "correspondance":
            kinds, inds = _kind_labels(), _indicator_labels()
            old, new = before.get("kinds", {}), after.get("kinds", {})
            for kind in sorted(old.keys() | new.keys()):
                if old.get(kind) != new.get(kind):
                    a = inds.get(old.get(kind), "non ciblée") if old.get(kind) else "non ciblée"
                    b = inds.get(new.get(kind), "non ciblée") if new.get(kind) else "non ciblée"
                    out.append(f"{kinds.get(kind, kind)} : {a} → {b}")
        elif group == "forfait":
            a, b = before.get("travel_fee_eur"), after.get("travel_fee_eur")
            if a != b:
                a_text = "–" if a is None else format_euros(a)
                out.append(f"Forfait : {a_text} € → {format_euros(b)} €")
    except (AttributeError, KeyError, TypeError, ValueError):
        out.append("Changement illisible (voir les valeurs avant et après).")
    return out


HISTORY_SCHEMA = {
    "changed_at": pl.Datetime("us"),
    "ref_group": pl.String,
    "action": pl.String,
    "actor": pl.String,
    "actor_role": pl.String,
    "changes": pl.String,
    "before_json": pl.String,
    "after_json": pl.String,
}


def _loaded(text: str | None) -> dict | None:
    try:
        found = json.loads(text) if text else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def history(principal: Principal | None, limit: int = 200) -> pl.DataFrame:
    """Grain: one change of the reference data, newest first (cnaf and admin). Columns:
    changed_at (UTC), ref_group, action, actor, actor_role, changes (French, one line
    per changed value), before_json, after_json."""
    auth.check_role(principal, HISTORY_ROLES, "de consulter l'historique des référentiels")
    limit = max(1, min(int(limit), HISTORY_MAX))
    log = schema.audit_log
    query = (
        sa.select(log).where(log.c.entity == ENTITY).order_by(log.c.audit_id.desc()).limit(limit)
    )
    rows = []
    for r in store.get_store().rows(query):
        changes = describe_changes(r.entity_id, _loaded(r.before_json), _loaded(r.after_json))
        rows.append(
            (r.changed_at, r.entity_id, r.action, r.actor, r.actor_role,
             "\n".join(changes) or "Aucun changement", r.before_json, r.after_json)
        )  # fmt: skip
    return pl.DataFrame(rows, schema=HISTORY_SCHEMA, orient="row")


# --- checks (``sppe check``) ------------------------------------------------------------


def validate_all() -> list[str]:
    """French problems of the shipped files, of the edits kept in the store, and of the
    reference data in use; empty when all is consistent."""
    problems: list[str] = []
    for group in GROUPS:
        name = GROUP_FILES[group]
        try:
            document = shipped_document(group)
        except (KeyError, TypeError, ValueError, OSError, pl.exceptions.PolarsError) as exc:
            problems.append(f"Fichier livré {name} illisible ({type(exc).__name__}).")
            continue
        _, errors = check(group, document)
        problems += [f"Fichier livré {name} : {e}" for e in errors]
    try:
        found = store.get_store()
    except store.SchemaMismatch:
        found = None  # no store yet: no edit (the store's own check says what to run)
    except store.StoreUnavailable as exc:
        found = None
        problems.append(f"Référentiels modifiés dans l'application non vérifiés : {exc}")
    rows = []
    if found is not None:
        try:
            rows = found.rows(sa.select(schema.reference_edits))
        except store.StoreUnavailable as exc:
            problems.append(f"Référentiels modifiés dans l'application non vérifiés : {exc}")
    for row in rows:
        if row.document is None or row.ref_group not in GROUPS:
            continue
        label = GROUP_LABELS[row.ref_group]
        document = _stored(row)
        if document is None:
            problems.append(f"Valeurs modifiées dans l'application ({label}) : illisibles.")
            continue
        _, errors = check(row.ref_group, document)
        problems += [f"Valeurs modifiées dans l'application ({label}) : {e}" for e in errors]
    try:
        problems += [p for p in reference.check_consistency() if p not in problems]
    except store.StoreUnavailable as exc:
        problems.append(str(exc))
    return problems
