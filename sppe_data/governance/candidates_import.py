"""Import of pivot-Caf candidates from a file (page « Sélection des Caf pivots »,
``sppe import-candidates``): the candidates' indicators entered in a spreadsheet.

Reading (``read_candidates``): a CSV (« ; » or « , », UTF-8 with or without BOM or
Windows-1252, as French Excel writes it) or an XLSX, through the bounded reader
(``imports.reading.read_rows``, ``import_limits()``: 1 MB, 500 rows). One row per
candidate Caf; the campaign is chosen at import, not given in the file. Headers: the
field codes or the French labels of ``model.KINDS["candidate"]`` (or those labels without
their bracketed precision), compared without accents, case or extra spaces; « Caf » and
« Pôle » are read too. Cells:
- Caf: its code (numéro du département: « 59 », « 2A », « 971 »; « 1 » or « 1.0 », as a
  spreadsheet turns « 01 », reads « 01 ») or its name (« Caf du Nord »);
- pôle: its code or its label, or empty (not given);
- numbers: French decimal comma or a point, spaces (also non-breaking) between groups of
  three digits (« 1 250 000,5 »), a euro sign after the amount of the financial impact;
- yes/no: oui/non, vrai/faux, o/n, 1/0 (true/false as a workbook stores a boolean);
- text: a cell that a spreadsheet would run as a formula (« =cmd|… ») is refused.
Empty rows are skipped (line numbers stay those of the file). The template's example
row, a Caf given twice, and every cell the model refuses (``model.check``: negative, too
large, not whole, missing…) are reported, each with its line (1 = the header) and its
column's French label: ``ImportRefused`` (a ValueError whose message lists them, one per
line; ``problems`` for a table).

Writing (``import_candidates``): Cnaf only; everything or nothing in one transaction
(``register.save_all``); each row's submission token is derived from the campaign, the
file's SHA-256 and the row's line, so the same file imported twice into a campaign writes
its rows once. A Caf already candidate for the campaign is refused there.

Templates (``candidates_template``): CSV and XLSX with the French headers and one example
row, refused by the import if left in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass, replace

import polars as pl

from sppe_data import auth, entries, fmt, reference, templates
from sppe_data.auth import Principal
from sppe_data.governance import model

KIND = "candidate"
IMPORT_MAX_BYTES = 1_000_000
IMPORT_MAX_ROWS = 500
TOKEN_PREFIX = "candidatures"
EXAMPLE_NOTE = "Exemple : ligne à remplacer par vos candidatures"
EXAMPLE_CAF = "59"

CSV_NAME = "modele_import_candidatures.csv"
XLSX_NAME = "modele_import_candidatures.xlsx"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_CANDIDATES = "Candidatures"
SHEET_ALLOWED = templates.SHEET_ALLOWED
DROP_DOWN_ROWS = 500

# The columns of a file, in the template's order: every field but the campaign.
COLUMNS = tuple(f.name for f in model.KINDS[KIND].fields if f.name != "campaign")
REQUIRED = tuple(f.name for f in model.KINDS[KIND].fields if f.required and f.name in COLUMNS)
# Short headers read as well as the codes and labels.
ALIASES = {"caf": "caf_code", "pole": "pole_code"}

_FIELDS = {f.name: f for f in model.KINDS[KIND].fields}
_SPACES = re.compile(r"[ \u00a0\u202f]")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d{1,3})?$")
_BRACKETS = re.compile(r"\s*\([^)]*\)\s*$")
_SHOWN_MAX = 40

log = logging.getLogger("sppe")


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One refusal: ``line`` of the file (1 = the header; None: the whole file),
    ``column`` (French label; "" for a whole row or file), French ``message``."""

    line: int | None
    column: str
    message: str

    def text(self) -> str:
        if self.line is None:
            return self.message
        if self.column:
            return f"Ligne {self.line}, colonne « {self.column} » : {self.message}"
        return f"Ligne {self.line} : {self.message}"


class ImportRefused(ValueError):
    """The file is refused and nothing was written: ``problems`` lists every refusal;
    the message (French) says so on its first line, then one refusal per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"Import refusé : {count} erreur(s), rien n'a été enregistré."
        super().__init__("\n".join([heading, *(p.text() for p in self.problems)]))

    @property
    def heading(self) -> str:
        return str(self).split("\n", 1)[0]

    @property
    def rows_refused(self) -> bool:
        """Some data rows are refused (rather than the file itself or its header)."""
        return any(p.line is not None and p.line > 1 for p in self.problems)

    def frame(self) -> pl.DataFrame:
        """The refusals of lines (Ligne, Colonne, Message), in the file's order."""
        rows = [(p.line, p.column, p.message) for p in self.problems if p.line is not None]
        return pl.DataFrame(
            rows,
            schema={"Ligne": pl.Int64, "Colonne": pl.String, "Message": pl.String},
            orient="row",
        )


@dataclass(frozen=True)
class Imported:
    campaign: int
    created: int  # candidates written
    skipped: int  # rows of this file already imported into this campaign


# --- reading -----------------------------------------------------------------------------


def import_limits():
    """The bounds of an import file: at most 1 MB and 500 rows (a campaign has at most
    one candidate per Caf, about a hundred), twice the columns it can have (so that extra
    columns get the list of the expected ones), cells a little longer than a note."""
    from sppe_data.imports import reading

    return replace(
        reading.UPLOAD_LIMITS,
        max_bytes=IMPORT_MAX_BYTES,
        max_rows=IMPORT_MAX_ROWS,
        max_columns=2 * len(COLUMNS),
        max_cell_chars=2 * model.TEXT_MAX,
    )


def labels() -> dict[str, str]:
    """Column (field code) -> French label, in the template's order."""
    every = model.KINDS[KIND].labels()
    return {name: every[name] for name in COLUMNS}


def headers() -> list[str]:
    return list(labels().values())


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, label in model.KINDS[KIND].labels().items():
        index[entries.normalise(name)] = name
        index[entries.normalise(label)] = name
        index.setdefault(entries.normalise(_BRACKETS.sub("", label)), name)
    for alias, name in ALIASES.items():
        index.setdefault(alias, name)
    return index


def _columns(header: list[str], campaign: int) -> list[str]:
    """The field of each header cell, or ImportRefused (line 1) naming the unknown,
    doubled or missing columns."""
    index = _header_index()
    names = labels()
    expected = ", ".join(names.values())
    found = [index.get(entries.normalise(h[: entries.LOOKUP_MAX])) for h in header]
    problems: list[Problem] = []
    unknown = [h for h, f in zip(header, found, strict=True) if f is None]
    if unknown:
        shown = ", ".join(f"« {_shown(h) or '(sans titre)'} »" for h in unknown[:5])
        more = f" (et {len(unknown) - 5} autre(s))" if len(unknown) > 5 else ""
        problems.append(
            Problem(1, "", f"Colonnes inconnues : {shown}{more}. Colonnes attendues : {expected}.")
        )
    if "campaign" in found:
        problems.append(
            Problem(
                1,
                model.KINDS[KIND].labels()["campaign"],
                f"La campagne se choisit au moment de l'import (ici {campaign}), pas dans le "
                "fichier : retirez cette colonne.",
            )
        )
    seen: dict[str, str] = {}
    for h, f in zip(header, found, strict=True):
        if f is None or f == "campaign":
            continue
        if f in seen:
            problems.append(
                Problem(1, "", f"Colonne en double : « {_shown(seen[f])} » et « {_shown(h)} » "
                               f"({names[f]}).")
            )  # fmt: skip
        seen.setdefault(f, h)
    missing = [names[f] for f in REQUIRED if f not in seen]
    if missing:
        problems.append(Problem(1, "", f"Colonnes obligatoires absentes : {', '.join(missing)}."))
    if problems:
        raise ImportRefused(problems)
    return [f or "" for f in found]


def _number(text: str, integer: bool, euros: bool) -> tuple[float | int | None, str | None]:
    """A number written the French way (or as a workbook stores it), or an error."""
    raw = text.strip().replace("\u2212", "-")
    if euros:
        raw = re.sub(r"\s*(?:€|eur|euros?)$", "", raw, flags=re.IGNORECASE)
    spaced = _SPACES.sub(" ", raw).strip()
    if " " in spaced:
        if not _GROUPED.match(spaced):
            return None, (
                f"Nombre illisible « {_shown(text)} » : les espaces ne séparent que les "
                "milliers (par exemple 1 250 000)."
            )
        spaced = spaced.replace(" ", "")
    if not _NUMBER.match(spaced):
        example = "1 200" if integer else "1 234,5"
        return None, f"Nombre illisible « {_shown(text)} » : écrivez par exemple {example}."
    value = float(spaced.replace(",", "."))
    if integer:
        if not value.is_integer():
            return None, f"Nombre entier attendu (reçu « {_shown(text)} »)."
        if abs(value) < 1e15:
            return int(value), None
    return value, None


def _yes_no(text: str) -> tuple[bool | None, str | None]:
    key = entries.normalise(text.strip()[: entries.LOOKUP_MAX])
    if key in entries.TRUE_WORDS:
        return True, None
    if key in entries.FALSE_WORDS:
        return False, None
    return None, f"Répondez oui ou non (reçu « {_shown(text)} »)."


@dataclass(frozen=True)
class _Vocabularies:
    cafs: entries.Vocabulary
    poles: entries.Vocabulary


def _vocabularies() -> _Vocabularies:
    deps = reference.departements().select("caf_code", "caf_name").drop_nulls("caf_code")
    poles = reference.poles().sort("sort_order")
    return _Vocabularies(
        entries.Vocabulary(dict(deps.unique("caf_code", maintain_order=True).iter_rows()),
                           list_codes=True),
        entries.Vocabulary(dict(poles.select("pole_code", "pole_label").iter_rows())),
    )  # fmt: skip


def _cell(name: str, text: str, vocab: _Vocabularies) -> tuple[object, str | None]:
    """The value of one non-empty cell for ``model.check``, or a French error."""
    f = _FIELDS[name]
    if entries.formula_like(text):
        return None, (
            f"Le texte commence par « {text.strip()[:1]} », lu comme une formule par un "
            "tableur ; commencez-le par une lettre."
        )
    if f.kind == "caf":
        found = vocab.cafs.lookup(entries._code_form(text.strip()))
        if found is None:
            return None, (
                f"Caf inconnue « {_shown(text)} » : donnez son code (numéro du département, "
                "par exemple 59, 2A ou 971) ou son nom (Caf du Nord)."
            )
        return found, None
    if f.kind == "pole":
        found = vocab.poles.lookup(text.strip())
        if found is None:
            return None, (
                f"Pôle inconnu « {_shown(text)} ». Valeurs autorisées : "
                f"{vocab.poles.allowed()}, ou vide."
            )
        return found, None
    if f.kind in ("int", "float"):
        value, error = _number(text, f.kind == "int", name == "financial_impact_eur")
        if error or value is None:
            return None, error
        if value < 0:
            return None, f"Nombre positif ou nul attendu (reçu « {_shown(text)} »)."
        if f.limit is not None and value > f.limit:
            return None, (
                f"Valeur trop grande : au plus {fmt.number(f.limit)} (reçu « {_shown(text)} »)."
            )
        return value, None
    if f.kind == "bool":
        return _yes_no(text)
    return text, None  # text: cleaned and bounded by model.check


def _rows(filename: str, content: bytes, campaign: int) -> list[tuple[int, dict]]:
    """(line of the file, checked row) of every candidate of the file, or ImportRefused."""
    from sppe_data.imports import reading

    if (
        isinstance(campaign, bool)
        or not isinstance(campaign, int)
        or not (model.YEAR_MIN <= campaign <= model.YEAR_MAX)
    ):
        raise ImportRefused(
            [Problem(None, "", f"Campagne invalide : une année de {model.YEAR_MIN} à "
                               f"{model.YEAR_MAX} est attendue.")]
        )  # fmt: skip
    name = str(filename or "")
    try:
        header, cells = reading.read_rows(name, content, import_limits())
    except reading.FileRefused as exc:
        raise ImportRefused([Problem(None, "", str(exc))]) from exc
    except Exception as exc:  # a reader fault on a hostile file: refused, never a trace
        log.exception("candidates import: reader fault on %r", name[:80])
        raise ImportRefused([Problem(None, "", "Fichier illisible.")]) from exc
    header = [(h or "").strip() for h in header]
    if not header or not any(header):
        raise ImportRefused([Problem(None, "", "Le fichier est vide.")])
    columns = _columns(header, campaign)
    names = labels()
    vocab = _vocabularies()
    example = entries.normalise(EXAMPLE_NOTE)
    problems: list[Problem] = []
    out: list[tuple[int, dict]] = []
    first_line: dict[str, int] = {}
    for line, row in enumerate(cells, start=2):
        if all(c is None or not c.strip() for c in row):
            continue  # an empty row between candidates
        raw: dict = {"campaign": campaign}
        texts: dict[str, str] = {}
        failed: set[str] = set()
        for column, text in zip(columns, row, strict=False):
            if text is None or not text.strip():
                continue
            texts[column] = text
            value, error = _cell(column, text, vocab)
            if error:
                problems.append(Problem(line, names[column], error))
                failed.add(column)
            else:
                raw[column] = value
        note = texts.get("note")
        if note is not None and entries.normalise(note[:200]) == example:
            problems.append(
                Problem(line, "", "C'est la ligne d'exemple du modèle ; remplacez-la par vos "
                                  "candidatures ou supprimez-la.")
            )  # fmt: skip
        try:
            checked = model.check(KIND, raw)
        except entries.ValidationError as exc:
            for field, message in exc.errors.items():
                if field in failed:
                    continue  # already said, with the cell's text
                shown = f" Valeur lue : « {_shown(texts[field])} »." if field in texts else ""
                problems.append(Problem(line, names.get(field, ""), message + shown))
            checked = None
        caf = raw.get("caf_code")
        if caf is not None:
            if caf in first_line:
                caf_name = vocab.cafs.labels.get(caf, "")
                problems.append(
                    Problem(line, names["caf_code"],
                            f"La Caf {caf} ({caf_name}) figure déjà ligne {first_line[caf]} : "
                            "une seule candidature par Caf et par campagne.")
                )  # fmt: skip
            else:
                first_line[caf] = line
        if checked is not None:
            out.append((line, checked))
    if problems:
        raise ImportRefused(problems)
    if not out:
        raise ImportRefused([Problem(None, "", "Aucune candidature sous l'en-tête.")])
    return out


def read_candidates(filename: str, content: bytes, campaign: int) -> list[dict]:
    """The candidates of an uploaded CSV or XLSX file for ``campaign``: one checked row
    (``model.check``) per candidate, in the file's order. Raises ``ImportRefused`` (a
    ValueError, French) listing every refusal with its line and column."""
    with reference.pinned():
        return [row for _, row in _rows(filename, content, campaign)]


def file_token(content: bytes, campaign: int) -> str:
    """The prefix of the submission tokens of a file's rows for ``campaign``."""
    return f"{TOKEN_PREFIX}:{campaign}:{hashlib.sha256(content).hexdigest()}"


def import_candidates(
    principal: Principal | None, filename: str, content: bytes, campaign: int
) -> Imported:
    """Reads the file (``read_candidates``) and writes its candidates for ``campaign``
    in one transaction (Cnaf only; ``AccessDenied`` otherwise, before the file is read).
    Any refused row: ``ImportRefused`` and nothing written. The same file imported again
    into the same campaign writes nothing new (``skipped``)."""
    from sppe_data import governance as gov

    auth.check_role(principal, frozenset({"cnaf"}), "d'importer des candidatures de Caf pivot")
    with reference.pinned():
        rows = _rows(filename, content, campaign)
        prefix = file_token(content, campaign)
        lines = [line for line, _ in rows]
        try:
            saved = gov.save_all(
                principal, KIND, [row for _, row in rows], [f"{prefix}:{n}" for n in lines]
            )
        except entries.ValidationError as exc:
            raise ImportRefused(_store_problems(exc.errors, lines)) from exc
    created = sum(1 for s in saved if s.created)
    return Imported(campaign, created, len(saved) - created)


def _store_problems(errors: dict[str, str], lines: list[int]) -> list[Problem]:
    """``save_all``'s errors (``"<row>:<field>"``, 1 = first row written) as problems on
    the lines of the file, in its order."""
    names = model.KINDS[KIND].labels()
    problems = []
    for key, message in errors.items():
        row, _, field = key.partition(":")
        line = lines[int(row) - 1] if row.isdigit() and 0 < int(row) <= len(lines) else None
        problems.append(Problem(line, names.get(field, ""), message))
    return sorted(problems, key=lambda p: p.line or 0)


# --- templates ---------------------------------------------------------------------------


def _form(name: str) -> str:
    """The expected form of a column, for the template's help."""
    f = _FIELDS[name]
    limit = f"{f.limit:,.0f}".replace(",", " ") if f.limit is not None else ""
    if f.kind == "caf":
        return "code de la Caf (numéro du département : 59, 2A, 971) ou son nom"
    if f.kind == "pole":
        return "code ou libellé du pôle visé (feuille « Valeurs autorisées »), ou vide"
    if f.kind == "int":
        return f"nombre entier, de 0 à {limit} (1 200)"
    if f.kind == "float" and f.limit == model.SCORE_MAX:
        return "note de 0 à 5, virgule décimale (3,5)"
    if name == "hiring_delay_days":
        return f"nombre de jours, de 0 à {limit}, virgule décimale (45 ou 37,5)"
    if name == "financial_impact_eur":
        return "montant en euros (1 250 000), sans centimes ou avec une virgule"
    if f.kind == "float":
        return f"nombre, de 0 à {limit}, virgule décimale (310,5)"
    if f.kind == "bool":
        return "oui ou non"
    return f"texte libre, {model.TEXT_MAX} caractères au plus"


def column_help() -> list[list[str]]:
    """Rows Colonne, Obligatoire, Saisie attendue: one per column of the template."""
    return [
        [label, "oui" if name in REQUIRED else "non", _form(name)]
        for name, label in labels().items()
    ]


def allowed_values() -> list[list[str]]:
    """Rows Colonne, Code, Libellé: the pôles, then the Cafs."""
    vocab = _vocabularies()
    names = labels()
    return [
        *([names["pole_code"], code, label] for code, label in vocab.poles.labels.items()),
        *([names["caf_code"], code, label] for code, label in vocab.cafs.labels.items()),
    ]


def example_row() -> dict[str, str]:
    """One filled-in candidate, field -> text, written the French way."""
    vocab = _vocabularies()
    caf = EXAMPLE_CAF if EXAMPLE_CAF in vocab.cafs.labels else next(iter(vocab.cafs.labels))
    pole = reference.departement_pole_map().get(caf)
    return {
        "caf_code": caf,
        "pole_code": vocab.poles.labels.get(pole, "") if pole else "",
        "controller_hires_5y": "12",
        "ccd_hires_5y": "8",
        "hiring_delay_days": "45",
        "control_productivity": "310,5",
        "financial_impact_eur": "1 250 000",
        "places_financed_2018_2022": "2 400",
        "general_situation_score": "4",
        "transport_score": "3,5",
        "premises_ready": "oui",
        "note": EXAMPLE_NOTE,
    }


def candidates_template(fmt: str) -> bytes:
    """The import template: ``"csv"`` (UTF-8 with BOM, « ; », CRLF, as French Excel
    opens it) or ``"xlsx"`` (sheet « Candidatures »: the headers and the example row,
    every cell text; sheet « Valeurs autorisées »: the pôles and the Cafs, and the
    expected form of every column)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers())
        writer.writerow(example_row().values())
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx_template()
    raise ValueError(f"Format de modèle inconnu : {str(fmt)[:20]!r} (csv ou xlsx).")


def _xlsx_template() -> bytes:
    rows = allowed_values()
    # Drop-downs: the pôles' labels and oui/non; a code typed instead is accepted too.
    poles = [i for i, row in enumerate(rows, start=1) if row[0] == labels()["pole_code"]]
    columns = list(COLUMNS)
    drop_downs = {
        columns.index("pole_code"): f"='{SHEET_ALLOWED}'!$C${poles[0] + 1}:$C${poles[-1] + 1}",
        columns.index("premises_ready"): ["oui", "non"],
    }
    return templates.template_workbook(
        SHEET_CANDIDATES, headers(), list(example_row().values()), rows, column_help(),
        ((18, 14, 45), (40, 12, 70)), drop_downs, DROP_DOWN_ROWS,
    )  # fmt: skip
