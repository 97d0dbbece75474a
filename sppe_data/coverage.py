"""Coverage rates of childcare per département (taux de couverture, data.caf.fr) and
their importer.

The real file (``txcouv_pe_dep.csv`` on data.caf.fr): ``;`` separator, UTF-8 with a
BOM, French headers, one row per year x département, rates in % with a decimal point.
``import_coverage`` reads and checks the WHOLE file before replacing anything: one
unreadable row and the coverage layer stays as it was; the report lists every row it
could not read, in French.

Saint-Barthélemy (977) and Saint-Martin (978) are collectivities served by the Caf de
la Guadeloupe, not départements of the reference table: their rows are reported as
set aside, not an error. Mayotte (976) is absent from the real file: no rate shown.

Children under 3 (for rates per 10,000 children): the extracts carry no such count,
so it is estimated as the département's municipal population x the share of children
aged 0-2 in it. Assumption: 3.1 % in metropolitan France (INSEE population estimates
at 1 January 2024: about 2.1 million children aged 0-2 for 68 million inhabitants),
higher overseas where births are more frequent (orders of magnitude from the same
estimates). A real count replaces it when an extract provides one.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from sppe_data import reference
from sppe_data.auth import IMPORT_ROLES, Principal, check_role
from sppe_data.extracts import EXTRACTS, polars_schema

UNDER3_SHARE = 0.031
UNDER3_SHARE_OVERSEAS = {"971": 0.032, "972": 0.027, "973": 0.065, "974": 0.042, "976": 0.09}
SET_ASIDE = {
    "977": "Saint-Barthélemy, collectivité servie par la Caf de la Guadeloupe",
    "978": "Saint-Martin, collectivité servie par la Caf de la Guadeloupe",
}
SET_ASIDE_NOTE = (
    "Saint-Barthélemy (977) et Saint-Martin (978), collectivités servies par la Caf de la "
    "Guadeloupe, sont signalés et mis de côté à l'import. Mayotte (976) n'est pas publiée "
    "dans le fichier data.caf.fr : pas de taux affiché."
)

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
MAX_CELL = 200
MAX_ERRORS_SHOWN = 50
RATE_MAX = 200.0  # a coverage rate above 200 % is a typing error

# Column of the extract -> its header in the data.caf.fr file.
FRENCH_HEADER = {
    "year": "Date référence",
    "dep_code": "Numéro Département",
    "coverage_eaje_psu_pct": "Taux de couv EAJE PSU",
    "coverage_eaje_other_pct": "Taux de couv hors EAJE PSU",
    "coverage_eaje_pct": "Taux de couv EAJE - ensemble",
    "coverage_preschool_pct": "Taux de couv préscolarisation",
    "coverage_childminder_pct": "Taux de couv assistante maternelle",
    "coverage_home_care_pct": "Taux de couv salariée à domicile",
    "coverage_individual_pct": "Taux de couv accueil individuel - ensemble",
    "coverage_global_pct": "Taux de couv global",
}
RATE_COLUMNS = [c for c in EXTRACTS["coverage"].columns if c.endswith("_pct")]
RATE_LABELS = {
    "coverage_global_pct": "Taux de couverture global",
    "coverage_eaje_pct": "Taux de couverture EAJE (ensemble)",
    "coverage_eaje_psu_pct": "Taux de couverture EAJE PSU",
    "coverage_eaje_other_pct": "Taux de couverture EAJE hors PSU",
    "coverage_preschool_pct": "Taux de couverture préscolarisation",
    "coverage_childminder_pct": "Taux de couverture assistants maternels",
    "coverage_home_care_pct": "Taux de couverture garde à domicile",
    "coverage_individual_pct": "Taux de couverture accueil individuel (ensemble)",
}


def children_under3() -> pl.DataFrame:
    """Grain: one row per département (101). Columns: dep_code,
    children_under3_count (estimate: population x share of 0-2 year-olds, see above)."""
    deps = reference.departements()
    share = pl.col("dep_code").replace_strict(
        UNDER3_SHARE_OVERSEAS, default=UNDER3_SHARE, return_dtype=pl.Float64
    )
    return deps.select(
        "dep_code",
        (pl.col("population_count") * share).round(0).cast(pl.Int64).alias("children_under3_count"),
    )


@dataclass
class CoverageReport:
    """What an import did. ``ok`` False: nothing was written."""

    ok: bool = False
    rows_read: int = 0
    rows_kept: int = 0
    years: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            years = ", ".join(str(y) for y in self.years)
            return (
                f"Import réussi : {self.rows_kept} lignes enregistrées (années {years}) "
                f"sur {self.rows_read} lues."
            )
        shown = self.errors[:MAX_ERRORS_SHOWN]
        more = len(self.errors) - len(shown)
        tail = f" (et {more} autres)" if more > 0 else ""
        return (
            f"Import refusé : {len(self.errors)} problème(s){tail}. "
            "Les taux de couverture en place n'ont pas été modifiés."
        )


def _normalise(header: str) -> str:
    """Headers compare without case, accents or repeated spaces."""
    text = unicodedata.normalize("NFKD", header.strip().lstrip("\ufeff"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


HEADERS = {_normalise(h): column for column, h in FRENCH_HEADER.items()}


def _shown(value: str) -> str:
    """A cell quoted in a message: trimmed, cut, control characters removed."""
    clean = "".join(ch if ch.isprintable() else " " for ch in value.strip())
    return clean if len(clean) <= 40 else clean[:40] + "…"


def _number(text: str) -> float | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    value = float(text.replace(",", "."))  # raises ValueError on text
    if not np.isfinite(value):
        raise ValueError(text)
    return value


def _read_bytes(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        return source
    return Path(source).read_bytes()


def parse_coverage(source: bytes | str | Path) -> tuple[pl.DataFrame | None, CoverageReport]:
    """Reads and checks a coverage file; returns the frame (None when any row is bad)
    and the report. Writes nothing."""
    report = CoverageReport()
    try:
        raw = _read_bytes(source)
    except OSError:
        report.errors.append("Le fichier est introuvable ou illisible.")
        return None, report
    if len(raw) > MAX_BYTES:
        report.errors.append(
            f"Le fichier est trop volumineux ({len(raw) // 1_000_000} Mo) : "
            f"{MAX_BYTES // 1_000_000} Mo au plus."
        )
        return None, report
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(
            "Le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)."
        )
        return None, report
    lines = text.splitlines()
    if not text.strip():
        report.errors.append("Le fichier est vide.")
        return None, report
    header_line = lines[0]
    if ";" not in header_line:
        found = next((s for s in (",", "\t", "|") if s in header_line), None)
        seen = {",": "la virgule", "\t": "la tabulation", "|": "la barre verticale"}
        report.errors.append(
            "Séparateur incorrect : les colonnes doivent être séparées par des "
            "points-virgules (;)" + (f", ce fichier utilise {seen[found]}." if found else ".")
        )
        return None, report
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = [_normalise(h) for h in rows[0]]
    positions = {HEADERS[h]: i for i, h in enumerate(header) if h in HEADERS}
    missing = [c for c in EXTRACTS["coverage"].columns if c not in positions]
    if missing:
        names = ", ".join(f"« {FRENCH_HEADER[c]} »" for c in missing)
        report.errors.append(f"Colonne(s) absente(s) de l'en-tête : {names}.")
        return None, report
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    if not body:
        report.errors.append("Le fichier ne contient aucune ligne de données.")
        return None, report
    if len(body) > MAX_ROWS:
        report.errors.append(f"Trop de lignes ({len(body)}) : {MAX_ROWS} au plus.")
        return None, report
    known = set(reference.departements()["dep_code"])
    out: dict[str, list] = {c: [] for c in EXTRACTS["coverage"].columns}
    seen_keys: dict[tuple[int, str], int] = {}
    line_no = 1
    for r in rows[1:]:
        line_no += 1
        if not any(cell.strip() for cell in r):
            continue
        report.rows_read += 1
        where = f"Ligne {line_no}"
        if len(r) != len(header):
            report.errors.append(
                f"{where} : {len(r)} colonnes au lieu de {len(header)} "
                "(séparateur ou guillemets incorrects)."
            )
            continue
        if any(len(cell) > MAX_CELL for cell in r):
            report.errors.append(f"{where} : une cellule dépasse {MAX_CELL} caractères.")
            continue
        row_errors = []
        year_text = r[positions["year"]].strip()
        year = int(year_text) if year_text.isdigit() else None
        if year is None or not 2000 <= year <= 2100:
            row_errors.append(f"année « {_shown(year_text)} » invalide (attendu : 2023)")
        code = r[positions["dep_code"]].strip().upper()
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        if code in SET_ASIDE:
            report.notes.append(f"{where} : {code} ({SET_ASIDE[code]}) mise de côté.")
            continue
        if code not in known:
            row_errors.append(f"code département « {_shown(code)} » inconnu")
        values = {}
        for column in RATE_COLUMNS:
            cell = r[positions[column]]
            try:
                value = _number(cell)
            except ValueError:
                row_errors.append(
                    f"« {FRENCH_HEADER[column]} » : « {_shown(cell)} » n'est pas un nombre"
                )
                continue
            if value is not None and not 0 <= value <= RATE_MAX:
                row_errors.append(
                    f"« {FRENCH_HEADER[column]} » : {_shown(cell)} hors de 0 à {RATE_MAX:g} %"
                )
            values[column] = value
        if year is not None and code in known:
            first = seen_keys.setdefault((year, code), line_no)
            if first != line_no:
                row_errors.append(f"doublon de la ligne {first} ({code}, {year})")
        if row_errors:
            report.errors.append(f"{where} : " + " ; ".join(row_errors) + ".")
            continue
        out["year"].append(year)
        out["dep_code"].append(code)
        for column in RATE_COLUMNS:
            out[column].append(values[column])
    if report.errors:
        return None, report
    frame = pl.DataFrame(out, schema=polars_schema("coverage")).sort("year", "dep_code")
    if frame.is_empty():
        report.errors.append("Aucune ligne ne concerne un département du référentiel.")
        return None, report
    report.rows_kept = frame.height
    report.years = sorted(set(frame["year"].to_list()))
    return frame, report


def write_coverage(frame: pl.DataFrame, extracts_dir: Path) -> None:
    """Replaces the coverage extract (written aside, then swapped in)."""
    folder = EXTRACTS["coverage"].folder(extracts_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "coverage.parquet"
    tmp = folder / ".coverage.parquet.tmp"
    frame.write_parquet(tmp)
    for old in folder.glob("*.parquet"):
        if old != target:
            old.unlink()
    os.replace(tmp, target)


def import_coverage(
    source: bytes | str | Path,
    extracts_dir: Path | None = None,
    *,
    principal: Principal,
) -> CoverageReport:
    """Checks the caller may import (cnaf role), then the whole file, and replaces the
    coverage layer only when every row is valid. ``extracts_dir`` defaults to the
    configured data directory."""
    check_role(principal, IMPORT_ROLES, "d'importer des taux de couverture")
    frame, report = parse_coverage(source)
    if frame is None:
        return report
    if extracts_dir is None:
        from sppe_data.settings import get_settings

        extracts_dir = get_settings().extracts_dir
    write_coverage(frame, extracts_dir)
    report.ok = True
    return report


def demo_coverage(rng: np.random.Generator, years: list[int]) -> pl.DataFrame:
    """Plausible coverage rates for the demo: each département gets a level around the
    national figures of data.caf.fr (global rate about 60 %, lower overseas, higher in
    the west where childminders are many), then small yearly moves."""
    deps = reference.departements()
    codes = deps["dep_code"].to_list()
    overseas = np.array([len(c) == 3 for c in codes])
    lon = deps["centre_lon"].to_numpy()
    n = len(codes)
    eaje_psu = np.where(overseas, rng.uniform(8, 28, n), rng.uniform(11, 26, n))
    eaje_other = np.where(overseas, rng.uniform(0, 7, n), rng.uniform(0.5, 5.5, n))
    preschool = rng.uniform(0.5, 9, n)
    childminder = np.where(overseas, rng.uniform(2, 15, n), 42 - 2.2 * lon + rng.normal(0, 6, n))
    childminder = np.clip(childminder, 4, 62)
    home = rng.uniform(0.5, 3, n)
    out: dict[str, list] = {c: [] for c in EXTRACTS["coverage"].columns}
    for k, year in enumerate(years):
        drift = 1 + 0.012 * k + rng.normal(0, 0.01, n)
        parts = {
            "coverage_eaje_psu_pct": eaje_psu * drift,
            "coverage_eaje_other_pct": eaje_other * drift,
            "coverage_preschool_pct": preschool,
            "coverage_childminder_pct": childminder * (1 - 0.01 * k),
            "coverage_home_care_pct": home,
        }
        parts = {c: np.round(v, 1) for c, v in parts.items()}
        parts["coverage_eaje_pct"] = np.round(
            parts["coverage_eaje_psu_pct"] + parts["coverage_eaje_other_pct"], 1
        )
        parts["coverage_individual_pct"] = np.round(
            parts["coverage_childminder_pct"] + parts["coverage_home_care_pct"], 1
        )
        parts["coverage_global_pct"] = np.round(
            parts["coverage_eaje_pct"]
            + parts["coverage_preschool_pct"]
            + parts["coverage_individual_pct"],
            1,
        )
        out["year"].extend([year] * n)
        out["dep_code"].extend(codes)
        for column in RATE_COLUMNS:
            out[column].extend(parts[column].tolist())
    return pl.DataFrame(out, schema=polars_schema("coverage"))
