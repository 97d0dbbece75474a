"""Validation of a national extract before anything changes: headers, types, required
values, known codes, date and number ranges, duplicate ids; a French report by column
and kind of problem; when the whole file is valid, a typed Parquet ready to be swapped
in (``versions.py``).

Everything runs in DuckDB on a fresh in-memory connection with a memory limit
(``MEMORY_LIMIT``: with the Python process around it, a 3-million-row file peaks under
300 MB) and a database and temporary directory under the work folder, so that a file of
millions of rows is checked in bounded memory. The file is read and checked in one pass
into a table holding, per cell, its typed value and the kind of problem found (codes are
looked up in constant maps, not joined); that pass and the final write run on one
thread, so that rows are stored and written in file order and the row id gives the line
number (line 1 being the header; with two threads DuckDB may store chunks out of order).
The report is aggregated from that table (duplicates too) and, when it is empty, the
typed values are written out.

Rules (where the issue is silent, decided here):
- Headers: each header names a column by its own name (``activity_id``) or a French
  header of ``aliases.toml``, compared without case, accents, punctuation or repeated
  spaces. A header that names no column refuses the file (it is probably not the
  extract the user thinks), except the informative columns listed as ignored there (the
  names in the data.caf.fr file). Two headers naming the same column refuse the file. A
  column whose values are required must be present; an optional one may be absent (left
  empty, said in a note). Header problems stop the check: the rows are not read.
- Cells are trimmed (spaces, tabs, no-break spaces); an empty cell is a missing value.
- Dates: ``AAAA-MM-JJ`` (an ISO time part is accepted and dropped) or ``JJ/MM/AAAA``,
  from 01/01/2000 to 31/12/2100; a year of five digits or more is out of range.
- Numbers: decimal comma or point, optional exponent, groups of three digits separated
  by spaces or no-break spaces, what DuckDB reads as a number (``1_000``, ``.5``);
  |x| < 10^12 (``1e400`` or a 400-digit number: out of range; ``nan``: unreadable).
  Integers: a whole value within the 32-bit range. Counts, amounts, days and FTE are not
  negative; longitude -180 to 180, latitude -90 to 90; coverage rates 0 to 200 % (the
  coverage importer's rule).
- Booleans: oui/non, vrai/faux, o/n, 1/0, true/false (any case).
- Codes: pôle, département, Caf, activity kind (and a request's nature), status, equipment
  kind, routing and priority are checked against the reference data and accepted as a
  code or as their French label, without case or accents ("Réalisée" -> done, "Nord" ->
  59); a one-digit département or Caf code gets its leading zero back (Excel drops it).
  The project stage and kind, partner type, risk level, job and funding line have no
  reference list: free text.
- Required values (what the queries of ``queries/`` filter, join or group on): see
  ``RULES``. Ids are at most 100 characters. Duplicate ids (coverage: year x
  département) are refused; each repeat is counted, the first occurrence is not.
- Coverage: Saint-Barthélemy (977) and Saint-Martin (978) are set aside with a note, as
  the coverage importer does; they are not errors.
- A file with no data row is refused. Lines are numbered as in a spreadsheet: line 1 is
  the header, the first data row is line 2 (Parquet files too).
- Anything DuckDB cannot read, too much memory, or a check longer than ``TIMEOUT_S``:
  refused with a French message, nothing written; never an exception.

The report can be downloaded with ``exports.tables.table_to_csv`` (UTF-8 with BOM,
``;``, formula injection neutralised).
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
import tomllib
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sppe_data import entries, reference
from sppe_data.coverage import RATE_MAX, SET_ASIDE
from sppe_data.extracts import EXTRACTS

log = logging.getLogger(__name__)

ALIASES_FILE = Path(__file__).with_name("aliases.toml")

MEMORY_LIMIT = "64MB"  # DuckDB's own limit; the process stays under 300 MB (see tests)
THREADS = 2
MAX_TEMP_SIZE = "20GB"
TIMEOUT_S = 900.0
MAX_EXAMPLES = 5
SHOWN_CHARS = 40
ID_MAX_CHARS = 100
MAX_LINE_BYTES = 8 << 20  # DuckDB's CSV buffer: a longer line is refused (clear message)
NUMBER_BOUND = 1e12
INT_MAX = 2_147_483_647
DATE_MIN = "2000-01-01"
DATE_MAX = "2100-12-31"
SPACES = " \t\r\n\u00a0\u202f"  # trimmed around every cell
HEADER = "(en-tête)"
FILE = "(fichier)"

REPORT_SCHEMA = {"Colonne": pl.String, "Problème": pl.String, "Lignes": pl.Int64,
                 "Exemples": pl.String}  # fmt: skip


# --- the alias table -----------------------------------------------------------------


def normalise_header(text: str) -> str:
    """A header as compared: lower case, no accents, every run of characters other than
    letters and digits (spaces, underscores, dashes, apostrophes, brackets) one space.
    "€" reads as "eur"."""
    text = unicodedata.normalize("NFKD", text.replace("€", " eur "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isalnum() else " " for ch in text.casefold())
    return " ".join(text.split())


def _load_aliases() -> tuple[dict, dict, dict]:
    with ALIASES_FILE.open("rb") as fh:
        raw = tomllib.load(fh)
    aliases: dict[str, dict[str, str]] = {}
    labels: dict[str, dict[str, str]] = {}
    ignored: dict[str, frozenset[str]] = {}
    for name, extract in EXTRACTS.items():
        table = raw.get(name, {})
        unknown = set(table) - set(extract.columns)
        if unknown:
            raise ValueError(f"aliases.toml: unknown columns of {name}: {sorted(unknown)}")
        aliases[name], labels[name] = {}, {}
        for column in extract.columns:
            headers = table.get(column, [])
            labels[name][column] = headers[0] if headers else column
            for header in [column, *headers]:
                key = normalise_header(header)
                if aliases[name].get(key, column) != column:
                    raise ValueError(f"aliases.toml: {header!r} names two columns of {name}")
                aliases[name][key] = column
        ignored[name] = frozenset(normalise_header(h) for h in raw.get("ignored", {}).get(name, []))
        clash = ignored[name] & set(aliases[name])
        if clash:
            raise ValueError(f"aliases.toml: ignored headers of {name} name columns: {clash}")
    return aliases, labels, ignored


# Extract -> normalised header -> column (the column's own name included).
HEADER_ALIASES: dict[str, dict[str, str]]
# Extract -> column -> the French header shown in messages and templates.
HEADER_LABELS: dict[str, dict[str, str]]
# Extract -> normalised headers accepted and dropped.
IGNORED_HEADERS: dict[str, frozenset[str]]
HEADER_ALIASES, HEADER_LABELS, IGNORED_HEADERS = _load_aliases()


# --- the rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one column is checked. ``kind``: id, text, code, date, number, integer, bool
    or year; ``domain``: the code list of a code column; ``low``/``high``: bounds."""

    kind: str
    required: bool = False
    domain: str | None = None
    low: float | None = None
    high: float | None = None


def _rules() -> dict[str, dict[str, Rule]]:
    req = True
    amount = Rule("number", low=0)
    count = Rule("integer", low=0)
    rate = Rule("number", low=0, high=RATE_MAX)
    return {
        "activities": {
            "activity_id": Rule("id", req),
            "activity_kind": Rule("code", req, "activity_kind"),
            # A pôle, or the Cepaje's national scope (overseas Cafs' engineering).
            "pole_code": Rule("code", req, "activity_scope"),
            "caf_code": Rule("code", domain="caf"),
            "dep_code": Rule("code", domain="dep"),
            "equipment_kind": Rule("code", domain="equipment"),
            "partner_id": Rule("id"),
            "request_id": Rule("id"),
            "status": Rule("code", req, "activity_status"),
            "activity_on": Rule("date", req),
            "days_spent": amount,
            "has_findings": Rule("bool"),
            "undue_amount_eur": amount,
            "recovered_amount_eur": amount,
            "places_count": count,
            "travel_fee_eur": amount,
            "comment": Rule("text"),
        },
        "requests": {
            "request_id": Rule("id", req),
            "caf_code": Rule("code", req, "caf"),
            "pole_code": Rule("code", req, "pole"),
            "request_nature": Rule("code", req, "activity_kind"),
            "routing": Rule("code", domain="routing"),
            "priority": Rule("code", domain="priority"),
            "status": Rule("code", req, "request_status"),
            "received_on": Rule("date", req),
            "taken_up_on": Rule("date"),
            "closed_on": Rule("date"),
        },
        "projects": {
            "project_id": Rule("id", req),
            "project_name": Rule("text"),
            "pole_code": Rule("code", req, "pole"),
            "caf_code": Rule("code", domain="caf"),
            "dep_code": Rule("code", req, "dep"),
            "project_kind": Rule("text"),
            "specific_need": Rule("text"),
            "stage": Rule("text", req),
            "places_decided_count": count,
            "places_opened_count": count,
            "lon": Rule("number", low=-180, high=180),
            "lat": Rule("number", low=-90, high=90),
            "expert_name": Rule("text"),
            "started_on": Rule("date"),
            "expected_opening_on": Rule("date"),
            "is_at_risk": Rule("bool"),
        },
        "partners": {
            "partner_id": Rule("id", req),
            "partner_name": Rule("text", req),
            "partner_type": Rule("text"),
            "head_office_dep_code": Rule("code", domain="dep"),
            "caf_count": count,
            "facilities_count": count,
            "risk_level": Rule("text"),
        },
        "staff": {
            "staff_id": Rule("id", req),
            "pole_code": Rule("code", req, "pole"),
            "job": Rule("text"),
            "funding_line": Rule("text"),
            "fte": Rule("number", req, low=0),
            "start_on": Rule("date"),
            "is_vacant": Rule("bool"),
        },
        "coverage": {
            "year": Rule("year", req),
            "dep_code": Rule("code", req, "dep"),
            **{c: rate for c in EXTRACTS["coverage"].columns if c.endswith("_pct")},
        },
    }


RULES: dict[str, dict[str, Rule]] = _rules()
# The column(s) whose value must be unique in the file.
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "activities": ("activity_id",),
    "requests": ("request_id",),
    "projects": ("project_id",),
    "partners": ("partner_id",),
    "staff": ("staff_id",),
    "coverage": ("year", "dep_code"),
}


def required_columns(name: str) -> list[str]:
    """The columns of an extract whose values are required (and so must be in the file)."""
    return [c for c, r in RULES[name].items() if r.required]


# --- code lists ----------------------------------------------------------------------

UNKNOWN_CODE = {
    "pole": "pôle inconnu",
    "activity_scope": "pôle inconnu",
    "dep": "département inconnu",
    "caf": "Caf inconnue",
    "activity_kind": "type d'activité inconnu",
    "activity_status": "statut inconnu",
    "request_status": "statut de saisine inconnu",
    "equipment": "type d'équipement inconnu",
    "routing": "circuit inconnu",
    "priority": "priorité inconnue",
}


def _code_entries() -> list[tuple[str, str, str, int]]:
    """(domain, accepted text, code, rank): rank 0 for the code itself, 1 for a label;
    a text read as two codes of the same rank is dropped (ambiguous)."""
    with reference.pinned():  # one read of the reference edits for the whole list
        return _code_entries_pinned()


def _code_entries_pinned() -> list[tuple[str, str, str, int]]:
    out: list[tuple[str, str, str, int]] = []

    def add(domain: str, code: str, *labels: str | None) -> None:
        out.append((domain, code, code, 0))
        out.extend((domain, label, code, 1) for label in labels if label)

    for row in reference.poles().iter_rows(named=True):
        add("pole", row["pole_code"], row["pole_label"], row["pole_short_label"])
        add("activity_scope", row["pole_code"], row["pole_label"], row["pole_short_label"])
    national = reference.overseas_engineering_scope()
    add("activity_scope", national.code, national.label, national.short_label)
    for row in reference.departements().iter_rows(named=True):
        add("dep", row["dep_code"], row["dep_name"])
        add("caf", row["caf_code"], row["caf_name"])
        for domain, code in (("dep", row["dep_code"]), ("caf", row["caf_code"])):
            if len(code) == 2 and code.startswith("0"):
                out.append((domain, code[1], code, 0))  # "1" -> "01"
    for row in reference.activity_kinds().iter_rows(named=True):
        add("activity_kind", row["activity_kind"], row["activity_label"])
    for domain, labels in (
        ("activity_status", reference.STATUS_LABELS),
        ("request_status", entries.REQUEST_STATUS_LABELS),
        ("equipment", reference.EQUIPMENT_LABELS),
        ("routing", reference.ROUTING_LABELS),
        ("priority", entries.PRIORITY_LABELS),
    ):
        for code, label in labels.items():
            add(domain, code, label)
    return out


def _allowed_text(domain: str) -> str:
    """The allowed values of a code list, for the report."""
    if domain in {"dep", "caf"}:
        return "un code du référentiel des départements (01 à 95, 2A, 2B, 971 à 976)"
    if domain == "pole":
        codes = reference.poles()["pole_code"].to_list()
    elif domain == "activity_scope":
        codes = [*reference.poles()["pole_code"], reference.overseas_engineering_scope().code]
    elif domain == "activity_kind":
        codes = reference.activity_kinds()["activity_kind"].to_list()
    else:
        codes = list(
            {
                "activity_status": reference.STATUS_LABELS,
                "request_status": entries.REQUEST_STATUS_LABELS,
                "equipment": reference.EQUIPMENT_LABELS,
                "routing": reference.ROUTING_LABELS,
                "priority": entries.PRIORITY_LABELS,
            }[domain].items()
        )
        return ", ".join(f"{c} ({label})" for c, label in codes)
    return ", ".join(codes) + " ou leur libellé"


# --- the result ----------------------------------------------------------------------


@dataclass
class Validation:
    """The outcome of ``validate_extract``. ``ok`` False: nothing was written.
    ``row_count``: data rows of the file; ``kept_count``: rows of ``staged`` (coverage:
    without the rows set aside); ``notes``: French remarks that are not errors."""

    ok: bool
    row_count: int
    report: pl.DataFrame
    staged: Path | None = None
    years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kept_count: int = 0


def _report(rows: list[tuple[str, str, int, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=REPORT_SCHEMA, orient="row")


def _refused(row_count: int, rows: list[tuple[str, str, int, str]], notes=None) -> Validation:
    return Validation(False, row_count, _report(rows), notes=list(notes or []))


def _shown(value: object) -> str:
    """A cell quoted in the report: control characters removed, cut."""
    text = "" if value is None else str(value)
    clean = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return clean if len(clean) <= SHOWN_CHARS else clean[:SHOWN_CHARS] + "…"


def _quoted(header: str) -> str:
    return f"« {_shown(header)} »"


# --- SQL -----------------------------------------------------------------------------


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


MACROS = [
    # A code or label as compared.
    r"""create macro norm_key(x) as
        lower(strip_accents(regexp_replace(replace(x, '’', ''''), '\s+', ' ', 'g')))""",
    # A number as text DuckDB casts, or NULL when it does not read as a number.
    r"""create macro num_text(x) as case
        when regexp_full_match(replace(x, '−', '-'),
                '[+-]?\d{1,3}([ \x{00A0}\x{202F}]\d{3})+([.,]\d+)?')
            then replace(
                regexp_replace(replace(x, '−', '-'), '[ \x{00A0}\x{202F}]', '', 'g'), ',', '.')
        when regexp_full_match(replace(x, '−', '-'), '[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?')
            then replace(replace(x, '−', '-'), ',', '.')
        end""",
    r"""create macro date_val(x) as case
        when regexp_full_match(x, '\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?')
            then try_strptime(regexp_extract(x, '^[0-9-]+'), '%Y-%m-%d')::date
        when regexp_full_match(x, '\d{1,2}/\d{1,2}/\d{4}')
            then try_strptime(x, '%d/%m/%Y')::date
        end""",
    r"""create macro date_big_year(x) as
        regexp_full_match(x, '\d{1,2}/\d{1,2}/\d{5,}|\d{5,}-\d{1,2}-\d{1,2}([ T].*)?')""",
    """create macro bool_val(x) as case
        when lower(x) in ('oui', 'o', 'vrai', 'true', '1') then true
        when lower(x) in ('non', 'n', 'faux', 'false', '0') then false
        end""",
]

# Kinds of problem, in report order; the checked table stores their index + 1.
ERRORS = ["required", "code", "too_long", "date_format", "date_range", "number_format",
          "number_range", "integer", "year", "bounds", "bool", "duplicate"]  # fmt: skip
ERROR_CODE = {kind: i + 1 for i, kind in enumerate(ERRORS)}
NUMERIC_KINDS = {"number", "integer", "year"}
TEXT_KINDS = {"id", "text"}  # the checked table keeps the file's text


@dataclass
class _ColumnSql:
    """The SQL of one column at each level of the check (see ``_checked_sql``)."""

    level2: list[str]  # intermediates computed once from the cell text
    level3: list[str]  # intermediates computed from level 2
    value: str  # the typed value (code columns: the code)
    error: str  # the kind of problem, as its code (null: fine)


def _column_sql(
    column: str, rule: Rule, duck_type: str, maps: dict[str, str], exempt: tuple[str, ...] = ()
) -> _ColumnSql:
    """``maps``: domain -> SQL MAP literal (accepted text -> code); ``exempt``: values
    of a code column that are no error (the set-aside départements of coverage)."""
    raw = _ident(column)
    text, number, day, flag, code = (
        _ident(column + s) for s in ("__t", "__v", "__d", "__b", "__c")
    )

    def when(condition: str, kind: str) -> str:
        return f"when {condition} then {ERROR_CODE[kind]}"

    checks = [f"when {raw} is null then {ERROR_CODE['required'] if rule.required else 'null'}"]
    level2: list[str] = []
    level3: list[str] = []
    if rule.kind in TEXT_KINDS:
        value = raw
        if rule.kind == "id":
            checks.append(when(f"length({raw}) > {ID_MAX_CHARS}", "too_long"))
    elif rule.kind == "code":
        # A lookup in a constant map: no join, so the rows keep their order.
        # The text as written first (codes and labels are keys too), normalised if not.
        found = maps[rule.domain]
        level2.append(
            f"case when map_contains({found}, {raw}) then map_extract_value({found}, {raw}) "
            f"else map_extract_value({found}, norm_key({raw})) end as {code}"
        )
        value = code
        if exempt:
            listed = ", ".join(_lit(v) for v in exempt)
            checks.append(f"when {raw} in ({listed}) then null")
        checks.append(when(f"{code} is null", "code"))
    elif rule.kind == "date":
        level2.append(f"date_val({raw}) as {day}")
        value = day
        checks += [
            when(f"date_big_year({raw})", "date_range"),
            when(f"{day} is null", "date_format"),
            when(f"{day} not between date '{DATE_MIN}' and date '{DATE_MAX}'", "date_range"),
        ]
    elif rule.kind == "bool":
        level2.append(f"bool_val({raw}) as {flag}")
        value = flag
        checks.append(when(f"{flag} is null", "bool"))
    elif rule.kind in NUMERIC_KINDS:
        # DuckDB's own reading first (decimal comma turned into a point), then the
        # forms it does not read (spaces between groups of digits, a typographic minus).
        level2.append(f"try_cast(replace({raw}, ',', '.') as double) as {text}")
        level3.append(
            f"case when {text} is not null then {text} "
            f"else try_cast(num_text({raw}) as double) end as {number}"
        )
        value = f"try_cast({number} as {duck_type})"
        checks += [
            when(f"{number} is null or isnan({number})", "number_format"),
            when(f"not isfinite({number}) or abs({number}) >= {NUMBER_BOUND:.0f}", "number_range"),
        ]
        if rule.kind in {"integer", "year"}:
            checks += [
                when(f"{number} <> round({number})", "integer"),
                when(f"abs({number}) > {INT_MAX}", "number_range"),
            ]
        if rule.kind == "year":
            checks.append(when(f"{number} not between 2000 and 2100", "year"))
        if rule.low is not None:
            checks.append(when(f"{number} < {rule.low}", "bounds"))
        if rule.high is not None:
            checks.append(when(f"{number} > {rule.high}", "bounds"))
    else:  # pragma: no cover - RULES are checked by the tests
        raise ValueError(rule.kind)
    error = "cast(case " + " ".join(checks) + " end as utinyint)"
    return _ColumnSql(level2, level3, value, error)


def _problem(rule: Rule | None, kind: str) -> str:
    """The French text of one kind of problem for one column (``rule`` None: a key of
    several columns)."""
    if kind == "duplicate":
        if rule is None:
            return "couple année et département en double (chaque répétition est comptée)"
        return "identifiant en double (chaque répétition est comptée, pas la première)"
    if kind == "bounds":
        if rule.low == 0 and rule.high is None:
            return "nombre négatif"
        low = "-∞" if rule.low is None else f"{rule.low:g}"
        high = "+∞" if rule.high is None else f"{rule.high:g}"
        return f"valeur hors de l'intervalle admis ({low} à {high})".replace(".", ",")
    texts = {
        "required": "valeur obligatoire manquante",
        "too_long": f"identifiant trop long (plus de {ID_MAX_CHARS} caractères)",
        "date_format": "date illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ)",
        "date_range": "date hors de la période admise (du 01/01/2000 au 31/12/2100)",
        "number_format": "nombre illisible (attendu par exemple 1234,5 ou 1 234,5)",
        "number_range": "nombre hors limites (trop grand en valeur absolue)",
        "integer": "nombre entier attendu",
        "year": "année invalide (attendu AAAA, de 2000 à 2100)",
        "bool": "oui ou non attendu (oui, non, vrai, faux, o, n, 1, 0)",
    }
    if kind == "code":
        return f"{UNKNOWN_CODE[rule.domain]} : attendu {_allowed_text(rule.domain)}"
    return texts[kind]


# --- header --------------------------------------------------------------------------


def _map_header(
    name: str, header: list[str]
) -> tuple[dict[str, int], list[tuple[str, str, int, str]], list[str]]:
    """Column -> position in the file; header problems (report rows); notes."""
    aliases, ignored = HEADER_ALIASES[name], IGNORED_HEADERS[name]
    labels = HEADER_LABELS[name]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for i, text in enumerate(header):
        key = normalise_header(text)
        if key in ignored:
            continue
        column = aliases.get(key)
        if column is None:
            unknown.append(text)
        elif column in positions:
            twice.append(
                f"{_quoted(header[positions[column]])} et {_quoted(text)} désignent la même "
                f"colonne ({labels[column]})"
            )
        else:
            positions[column] = i
    problems: list[tuple[str, str, int, str]] = []
    found = ", ".join(_quoted(h) for h in header) or "aucune"
    missing = [c for c in required_columns(name) if c not in positions]
    if missing:
        names = ", ".join(_quoted(labels[c]) for c in missing)
        problems.append(
            (HEADER, f"colonne(s) obligatoire(s) absente(s) : {names}. "
             f"Colonnes trouvées : {found}.", 1, "ligne 1")
        )  # fmt: skip
    if unknown:
        expected = ", ".join(_quoted(labels[c]) for c in EXTRACTS[name].columns)
        problems.append(
            (HEADER, f"colonne(s) non reconnue(s) : {', '.join(_quoted(h) for h in unknown)}. "
             f"Ce fichier n'est peut-être pas l'extraction « {EXTRACTS[name].label} ». "
             f"Colonnes attendues : {expected}.", 1, "ligne 1")
        )  # fmt: skip
    for text in twice:
        problems.append((HEADER, f"colonne en double : {text}.", 1, "ligne 1"))
    notes = []
    absent = [c for c in EXTRACTS[name].columns if c not in positions and c not in missing]
    if absent and not problems:
        names = ", ".join(_quoted(labels[c]) for c in absent)
        notes.append(f"Colonne(s) absente(s) du fichier, laissée(s) vide(s) : {names}.")
    return positions, problems, notes


# --- the check -----------------------------------------------------------------------


@contextmanager
def _phase(label: str):
    """Logs how long a step took (debug level)."""
    started = time.perf_counter()
    yield
    log.debug("validation step %s: %.1f s", label, time.perf_counter() - started)


def _connect(tmp: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"set memory_limit = {_lit(MEMORY_LIMIT)}")
    con.execute(f"set threads = {THREADS}")
    con.execute(f"set temp_directory = {_lit(str(tmp))}")
    con.execute(f"set max_temp_directory_size = {_lit(MAX_TEMP_SIZE)}")
    con.execute("set preserve_insertion_order = true")
    con.execute("set enable_progress_bar = false")
    con.execute(f"attach {_lit(str(tmp / 'work.duckdb'))} as work")
    con.execute("use work")
    for macro in MACROS:
        con.execute(macro)
    return con


def _source_sql(con, prepared, width: int) -> tuple[str, list[str]]:
    """The file as a relation of text cells ``c0``..``cN`` in file order."""
    path = _lit(str(prepared.path))
    if prepared.format == "parquet":
        source = f"read_parquet({path})"
        described = con.execute(f"describe select * from {source}").fetchall()
        cells = []
        for i, (col, duck_type, *_rest) in enumerate(described):
            ref = _ident(col)
            if duck_type.startswith("TIMESTAMP"):
                ref = f"cast({ref} as date)"
            cells.append(f"cast({ref} as varchar) as c{i}")
        return f"select {', '.join(cells)} from {source}", [d[0] for d in described]
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    source = (
        f"read_csv({path}, header = true, auto_detect = false, columns = {columns}, "
        "delim = ',', quote = '\"', escape = '\"', new_line = '\\n', strict_mode = true, "
        f"all_varchar = true, max_line_size = {MAX_LINE_BYTES}, buffer_size = {MAX_LINE_BYTES})"
    )
    return f"select * from {source}", list(prepared.header)


def validate_extract(name: str, prepared, workdir: Path) -> Validation:
    """Checks a prepared file (``reading.prepare``) against the extract ``name`` and,
    when every row is valid, writes the typed Parquet (the extract's columns, in order,
    labels turned into codes) into ``workdir``. Never raises on the file's content."""
    if name not in EXTRACTS:
        return _refused(0, [(FILE, f"extraction inconnue : {_shown(name)}.", 0, "")])
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="validate-", dir=workdir))
    staged = workdir / f"{name}.parquet"
    con = None
    timer = None
    try:
        con = _connect(tmp)
        timer = threading.Timer(TIMEOUT_S, con.interrupt)
        timer.daemon = True
        timer.start()
        result = _validate(con, name, prepared, staged)
        if not result.ok:
            staged.unlink(missing_ok=True)
        return result
    except duckdb.InterruptException:
        staged.unlink(missing_ok=True)
        minutes = f"{TIMEOUT_S / 60:g}"
        return _refused(
            getattr(prepared, "row_count", 0),
            [(FILE, f"la vérification a dépassé {minutes} minutes : fichier trop lourd.",
              0, "")],
        )  # fmt: skip
    except duckdb.OutOfMemoryException:
        log.warning("validation of %s: out of memory", name, exc_info=True)
        staged.unlink(missing_ok=True)
        return _refused(
            getattr(prepared, "row_count", 0),
            [(FILE, "mémoire ou espace temporaire insuffisant pour vérifier ce fichier.", 0,
              "")],
        )  # fmt: skip
    except (duckdb.Error, OSError) as exc:
        log.warning("validation of %s: file not readable", name, exc_info=True)
        staged.unlink(missing_ok=True)
        text = "le fichier n'a pas pu être lu jusqu'au bout (format incorrect)."
        if "Maximum line size" in str(exc):
            line = re.search(r"on Line: (\d+)", str(exc))
            where = f"la ligne {line.group(1)}" if line else "une ligne"
            text = (
                f"{where} dépasse {MAX_LINE_BYTES >> 20} Mo : le fichier ne peut pas être vérifié."
            )
        return _refused(getattr(prepared, "row_count", 0), [(FILE, text, 0, "")])
    finally:
        if timer is not None:
            timer.cancel()
        if con is not None:
            con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _validate(con, name: str, prepared, staged: Path) -> Validation:
    extract, rules = EXTRACTS[name], RULES[name]
    select, header = _source_sql(con, prepared, len(prepared.header))
    positions, problems, notes = _map_header(name, header)
    if problems:
        return _refused(prepared.row_count, problems)
    if prepared.row_count == 0:
        return _refused(0, [(FILE, "le fichier ne contient aucune ligne de données.", 0, "")])
    set_aside = _set_aside(name)
    with _phase("check"):
        # One thread, no join, no sort: the rows are stored in file order, so that the
        # row id gives the line number (with two threads DuckDB may store chunks out of
        # order).
        con.execute("set threads = 1")
        sql = _checked_sql(name, header, positions, select, _code_maps(con), set_aside)
        con.execute(sql)
        con.execute(f"set threads = {THREADS}")
    row_count = con.execute("select count(*) from checked where not blank").fetchone()[0]
    if row_count == 0:
        return _refused(0, [(FILE, "le fichier ne contient aucune ligne de données.", 0, "")])
    with _phase("report"):
        report = _errors(con, name) + _duplicates(con, name)
    if set_aside:
        notes += _set_aside_notes(con, set_aside)
    if report:
        order = {c: i for i, c in enumerate(extract.columns)}
        report.sort(key=lambda r: (order.get(r[0], len(order)), ERRORS.index(r[1])))
        labelled = [
            (_column_title(header, positions, c), _problem(rules.get(c), kind), n, examples)
            for c, kind, n, examples in report
        ]
        return _refused(row_count, labelled, notes)

    keep = "where not blank" + (" and set_aside is null" if set_aside else "")
    columns = ", ".join(
        f"cast({_ident(c)} as {t}) as {_ident(c)}" for c, t in extract.columns.items()
    )
    part = staged.with_name(staged.name + ".part")
    with _phase("write"):
        con.execute("set threads = 1")  # a scan in row id order: the file's order
        con.execute(
            f"copy (select {columns} from checked {keep}) to {_lit(str(part))} "
            "(format parquet, compression zstd)"
        )
        con.execute(f"set threads = {THREADS}")
    part.replace(staged)
    kept = con.execute(f"select count(*) from checked {keep}").fetchone()[0]
    years = []
    if name == "coverage":
        found = con.execute(f"select distinct year from checked {keep} order by 1")
        years = [int(r[0]) for r in found.fetchall()]
    return Validation(True, row_count, _report([]), staged, years, notes, kept)


def _code_maps(con) -> dict[str, str]:
    """Domain -> a SQL MAP literal from every accepted text (normalised by ``norm_key``,
    the function that reads the cells) to its code."""
    con.execute("create table code_entries (domain varchar, label varchar, code varchar, rank int)")
    con.executemany("insert into code_entries values (?, ?, ?, ?)", _code_entries())
    # The normalised texts (a text read as two codes of the same rank is dropped), then
    # each text as written, with the code of its normalised form (so that both lookups
    # of a cell agree).
    found = con.execute(
        """with keyed as (
            select domain, norm_key(label) as key, code, rank from code_entries
        ), best as (
            select domain, key, min(rank) as rank from keyed group by all
        ), resolved as (
            select k.domain, k.key, any_value(k.code) as code
            from keyed as k inner join best as b using (domain, key, rank)
            group by all
            having count(distinct k.code) = 1
        )
        select domain, key, code from resolved
        union
        select e.domain, e.label, r.code
        from code_entries as e inner join resolved as r
            on r.domain = e.domain and r.key = norm_key(e.label)
        order by 1, 2"""
    ).fetchall()
    entries: dict[str, list[str]] = {domain: [] for domain in UNKNOWN_CODE}
    for domain, key, code in found:
        entries[domain].append(f"{_lit(key)}: {_lit(code)}")
    return {
        domain: ("map {" + ", ".join(items) + "}") if items else "map([]::varchar[], [])"
        for domain, items in entries.items()
    }


def _checked_sql(
    name: str,
    header: list[str],
    positions: dict[str, int],
    select: str,
    maps: dict[str, str],
    set_aside: dict[str, str],
) -> str:
    """The table ``checked``, in file order (row id + 2 = line): per column its typed
    value (code columns: the text), ``<column>__e`` the kind of problem (null: fine)
    and, for columns not kept as text, ``<column>__raw`` the text when there is a
    problem. Built in levels so that each parse runs once per cell."""
    extract, rules = EXTRACTS[name], RULES[name]
    width = len(header)
    trimmed = [f"nullif(trim(c{i}, {_lit(SPACES)}), '') as c{i}" for i in range(width)]
    cells = [
        f"c{positions[c]} as {_ident(c)}"
        if c in positions
        else f"cast(null as varchar) as {_ident(c)}"
        for c in extract.columns
    ]
    # A row whose every cell is empty is no data (the reader keeps such rows between
    # data rows so that line numbers stay those of the file): skipped, not an error.
    everything = ", ".join(f"c{i}" for i in range(width))
    cells.append(f"coalesce({everything}, null) is null as blank")
    sql = {
        c: _column_sql(c, rules[c], t, maps, tuple(set_aside) if c == "dep_code" else ())
        for c, t in extract.columns.items()
    }
    level2 = [x for c in sql.values() for x in c.level2]
    level3 = [x for c in sql.values() for x in c.level3]
    level4 = [
        f"case when blank then null else {c.error} end as {_ident(column + '__e')}"
        for column, c in sql.items()
    ]
    final = []
    for column, c in sql.items():
        error = _ident(column + "__e")
        final += [f"{c.value} as {_ident(column)}", error]
        if rules[column].kind not in TEXT_KINDS:
            final.append(f"case when {error} is not null then {_ident(column)} end "
                         f"as {_ident(column + '__raw')}")  # fmt: skip
    final.append("blank")
    if set_aside:
        listed = ", ".join(_lit(code) for code in set_aside)
        # The département code when the row is set aside, else null.
        final.append(f"case when dep_code in ({listed}) then dep_code end as set_aside")
    query = f"select {', '.join(cells)} from (select {', '.join(trimmed)} from ({select}))"
    for level in (level2, level3, level4):
        if level:
            query = f"select *, {', '.join(level)} from ({query})"
    return f"create table checked as select {', '.join(final)} from ({query})"


def _column_title(header: list[str], positions: dict[str, int], column: str) -> str:
    """How a column is named in the report: its header in the file (columns joined by
    « + » for a key of several columns)."""
    return " + ".join(
        _shown(header[positions[c]]) if c in positions else c for c in column.split(" + ")
    )


def _examples(found: list[dict]) -> str:
    parts = []
    for item in sorted(found, key=lambda x: x["l"])[:MAX_EXAMPLES]:
        value = item.get("v")
        extra = f" (déjà en ligne {item['f']})" if item.get("f") else ""
        parts.append(f"ligne {item['l']}" + (f" : « {_shown(value)} »" if value else "") + extra)
    return " ; ".join(parts)


def _errors(con, name: str) -> list[tuple[str, str, int, str]]:
    """(column, kind, rows, examples) for each column x kind of problem (duplicates
    apart)."""
    parts = []
    for column in EXTRACTS[name].columns:
        error = _ident(column + "__e")
        shown = _ident(column if RULES[name][column].kind in TEXT_KINDS else column + "__raw")
        parts.append(
            f"select {_lit(column)} as col, {error} as kind, count(*) as n, "
            f"min_by(struct_pack(l := rowid + 2, v := {shown}), rowid, {MAX_EXAMPLES}) as ex "
            f"from checked where {error} is not null group by all"
        )
    found = con.execute(" union all ".join(parts)).fetchall()
    return [(column, ERRORS[kind - 1], int(n), _examples(ex)) for column, kind, n, ex in found]


def _duplicates(con, name: str) -> list[tuple[str, str, int, str]]:
    """Rows repeating the key of an earlier row (the first occurrence is not counted);
    keys compare as typed values (codes: "1" and "01" are the same département)."""
    keys = [_ident(k) for k in UNIQUE_KEYS[name]]
    present = [f"{k} is not null" for k in keys] + ["not blank"]
    if _set_aside(name):
        present.append("set_aside is null")
    cols = ", ".join(keys)
    shown = " || ' / ' || ".join(f"cast(k.{k} as varchar)" for k in keys)
    n, examples = con.execute(
        f"""with keyed as (
            select rowid + 2 as line, {cols} from checked where {" and ".join(present)}
        ), firsts as (
            select {cols}, min(line) as first_line from keyed group by all having count(*) > 1
        )
        select count(*), min_by(struct_pack(l := k.line, v := {shown}, f := f.first_line),
                                k.line, {MAX_EXAMPLES})
        from keyed as k inner join firsts as f using ({cols})
        where k.line > f.first_line"""
    ).fetchone()
    if not n:
        return []
    return [(" + ".join(UNIQUE_KEYS[name]), "duplicate", int(n), _examples(examples))]


def _set_aside(name: str) -> dict[str, str]:
    """Département codes of the coverage file set aside (not errors)."""
    return SET_ASIDE if name == "coverage" else {}


def _set_aside_notes(con, set_aside: dict[str, str]) -> list[str]:
    notes = []
    found = con.execute(
        "select set_aside, count(*), list(rowid + 2 order by rowid) from checked "
        "where set_aside is not null group by all order by 1"
    ).fetchall()
    for code, n, lines in found:
        listed = ", ".join(str(x) for x in lines[:10]) + (" …" if len(lines) > 10 else "")
        notes.append(
            f"{n} ligne(s) du département {code} ({set_aside[code]}) mise(s) de côté "
            f"(lignes {listed})."
        )
    return notes
