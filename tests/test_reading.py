"""The bounded reader of uploaded and imported files (``sppe_data.imports.reading``):
encodings, separators, line endings, header, row and cell rules, XLSX rendering, Parquet
metadata checks, the hostile files of the issue (peak memory measured in a subprocess),
and property-based tests over every entry point (any bytes in, a result or a
``FileRefused`` out, nothing left behind)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sppe_data.imports import reading
from sppe_data.imports.reading import (
    EXTRACT_LIMITS,
    UPLOAD_LIMITS,
    FileRefused,
    Limits,
    prepare,
    read_rows,
)
from tests import hostile

ROOT = Path(__file__).resolve().parent.parent


def refusal(filename: str, data, limits: Limits = UPLOAD_LIMITS) -> str:
    with pytest.raises(FileRefused) as caught:
        read_rows(filename, data, limits)
    return str(caught.value)


def normalised(prepared: reading.Prepared) -> list[list[str]]:
    """The rows of a prepared CSV, header first, read back with the csv module."""
    with open(prepared.path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def csv_bytes(rows, delimiter=";", eol="\n", encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=eol).writerows(rows)
    return out.getvalue().encode(encoding)


# --- CSV -------------------------------------------------------------------------------

TABLE = [
    ["nom", "prénom", "montant", "note"],
    ["Dupont", "Élise", "1,5", 'dit "la grande"'],
    ["Müller", "Zoé", "2", ""],
    ["O'Hara", "Ærøskøbing €", "-3,25", "a;b,c"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_encodings_separators_and_line_endings(tmp_path, encoding, eol, delimiter):
    data = csv_bytes(TABLE, delimiter, eol, encoding)
    with prepare("extrait.csv", data, EXTRACT_LIMITS, workdir=tmp_path) as prepared:
        assert (prepared.format, prepared.header, prepared.row_count) == ("csv", TABLE[0], 3)
        assert normalised(prepared) == TABLE
        assert prepared.path.parent == tmp_path
        raw = prepared.path.read_bytes()
        assert b"\r" not in raw and raw.endswith(b"\n")
    assert list(tmp_path.iterdir()) == []
    assert read_rows("x.csv", data, UPLOAD_LIMITS) == (
        TABLE[0],
        [[c or None for c in row] for row in TABLE[1:]],
    )


def test_windows_1252_found_late_and_mixed_encodings_refused():
    ascii_part = "a;b\n" + "x;y\n" * 400_000  # 1.6 MB of ASCII before the first accent
    _, rows = read_rows("x.csv", (ascii_part + "é;€\n").encode("cp1252"), EXTRACT_LIMITS)
    assert rows[-1] == ["é", "€"] and len(rows) == 400_001
    mixed = ("a;b\né;x\n" + "x;y\n" * 10).encode() + "ç;z\n".encode("cp1252")
    assert refusal("x.csv", mixed) == (
        "Ligne 13 : encodage incohérent (le début du fichier est en UTF-8, cette ligne ne "
        "l'est pas)."
    )
    bom = b"\xef\xbb\xbfa;b\nx;\xe9\n"
    assert refusal("x.csv", bom).startswith("Ligne 2 : encodage incohérent")
    undefined = b"a;b\nx;\x81\n"  # not a Windows-1252 character
    assert refusal("x.csv", undefined).startswith("Ligne 2 : caractères illisibles")
    assert "UTF-16" in refusal("x.csv", "a;b\n1;2\n".encode("utf-16"))


def test_separator_and_quotes():
    assert read_rows("x.csv", b"a,b\n1,2\n", UPLOAD_LIMITS) == (["a", "b"], [["1", "2"]])
    assert read_rows("x.csv", b"seul\n1,5\n", UPLOAD_LIMITS) == (["seul"], [["1,5"]])
    assert read_rows("x.csv", b'a;b\n1;"x;""y"""\n', UPLOAD_LIMITS)[1] == [["1", 'x;"y"']]
    assert read_rows("x.csv", b'a;b\n1;12"\n', UPLOAD_LIMITS)[1] == [["1", '12"']]
    assert "tabulation" in refusal("x.csv", b"a\tb\n1\t2\n")
    for bad in (b'a;b\n1;"xy\n2;3\n', b'a;b\n1;"xy"z\n', b'a;b\n1;"xy'):
        assert refusal("x.csv", bad) == (
            "Ligne 2 : CSV mal formé (guillemet non fermé ou mal placé)."
        )
    assert refusal("x.csv", b'a;b\n1;"x\ny"\n') == (
        "Ligne 2, colonne « b » : saut de ligne dans la cellule, interdit (guillemet non fermé ?)."
    )


def test_header_rules():
    assert refusal("x.csv", b"a;;b\n1;2;3\n") == "Ligne 1, colonne n° 2 : nom de colonne vide."
    assert refusal("x.csv", b"Nom;code; nom \n1;2;3\n") == (
        "Ligne 1 : les colonnes n° 1 et n° 3 portent le même nom « nom »."
    )
    wide = ";".join(f"c{i}" for i in range(201)).encode() + b"\n"
    assert refusal("x.csv", wide) == "Ligne 1 : 201 colonnes, au plus 200 sont acceptées."
    assert read_rows("x.csv", b" a ;b;;\n1;2;;\n", UPLOAD_LIMITS) == (["a", "b"], [["1", "2"]])
    assert refusal("x.csv", b"\n\n") == "Le fichier est vide."
    assert refusal("x.csv", b"") == "Le fichier est vide."
    assert refusal("x.csv", b";;\n1;2\n") == (
        "Ligne 1 vide : la première ligne doit contenir les noms des colonnes."
    )


def test_row_rules_and_line_numbers():
    assert refusal("x.csv", b"a;b\n1;2\n3;4;5\n") == (
        "Ligne 3, colonne n° 3 (sans nom de colonne) : valeur hors des 2 colonnes de l'en-tête."
    )
    data = b"a;b;c\n1;2;3;;\n4\n\n;;\n5;6\n;\n\n"
    _, rows = read_rows("x.csv", data, UPLOAD_LIMITS)
    # rows[i] is line i + 2: the empty lines 4 and 5 stay, those at the end go.
    assert rows == [
        ["1", "2", "3"],
        ["4", None, None],
        [None, None, None],
        [None, None, None],
        ["5", "6", None],
    ]
    limits = Limits(max_bytes=1_000_000, max_rows=5)
    five = b"a\n" + b"1\n" * 5
    assert len(read_rows("x.csv", five + b"\n" * 5, limits)[1]) == 5
    assert refusal("x.csv", five + b"1\n", limits) == (
        "Ligne 7 : le fichier dépasse la limite de 5 lignes de données."
    )
    assert refusal("x.csv", five + b"\n" * 6, limits) == (
        "Ligne 12 : plus de 5 lignes vides à la suite."
    )


def test_cell_rules():
    exact = b"a;b\n1;" + b"x" * 32_768 + b"\n"
    assert len(read_rows("x.csv", exact, UPLOAD_LIMITS)[1][0][1]) == 32_768
    assert refusal("x.csv", b"a;b\n1;" + b"x" * 32_769 + b"\n") == (
        "Ligne 2, colonne « b » : cellule de 32\u202f769 caractères (au plus 32\u202f768)."
    )
    assert refusal("x.csv", hostile.big_cell_csv()) == (
        "Ligne 2, colonne « b » : cellule de 131\u202f072 caractères (au plus 32\u202f768)."
    )
    quoted = b'a;b\n1;"' + b"x" * 200_000 + b'"\n'  # beyond the csv module's field limit
    assert refusal("x.csv", quoted) == (
        "Ligne 2, colonne « b » : cellule de plus de 32\u202f768 caractères."
    )


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\x00", "caractère nul (U+0000)"),
        ("\t", "tabulation (U+0009)"),
        ("\x1b", "échappement (U+001B)"),
        ("\x7f", "suppression (U+007F)"),
        ("\x85", "caractère de contrôle (U+0085)"),
        ("\u2028", "séparateur de ligne (U+2028)"),
        ("\ufeff", "marque d'ordre des octets (U+FEFF)"),
    ],
)
def test_control_characters_refused_and_named(char, named):
    data = f"nom;note\nA;ab{char}c\n".encode()
    assert refusal("x.csv", data) == (
        f"Ligne 2, colonne « note » : caractère interdit : {named} en position 3."
    )


@pytest.mark.parametrize("code", [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                  *range(0x2066, 0x206A)])  # fmt: skip
def test_bidirectional_characters_refused(code):
    data = f"nom;note\nA;facture{chr(code)}txt.exe\n".encode()
    assert refusal("x.csv", data) == (
        f"Ligne 2, colonne « note » : caractère invisible de sens d'écriture interdit "
        f"(U+{code:04X}) en position 8."
    )
    header = f"n{chr(code)}om;note\n1;2\n".encode()
    assert refusal("x.csv", header).startswith("Ligne 1, colonne n° 1 : caractère invisible")


def test_overflowing_dates_and_numbers_are_text_for_the_reader():
    expected = (["date", "nombre"], [["01/01/99999999999999999999", "9" * 400]])
    assert read_rows("x.csv", hostile.overflowing_csv(), UPLOAD_LIMITS) == expected
    assert read_rows("x.xlsx", hostile.overflowing_xlsx(), UPLOAD_LIMITS) == expected


def test_size_checked_before_reading(tmp_path):
    assert refusal("x.csv", b"a" * 20_000_000) == (
        "Fichier trop volumineux : 20,0 Mo (au plus 10,0 Mo)."
    )
    assert refusal("x.csv", b"a" * 10_000_001) == (
        "Fichier trop volumineux : 10\u202f000\u202f001 octets (au plus 10\u202f000\u202f000 "
        "octets)."
    )
    sparse = tmp_path / "enorme.csv"
    with open(sparse, "wb") as handle:
        handle.truncate(3_000_000_000)  # 3 GB announced, nothing on disk
    started = time.perf_counter()
    with pytest.raises(FileRefused, match="trop volumineux : 3000,0 Mo"):
        prepare("enorme.csv", sparse, EXTRACT_LIMITS, workdir=tmp_path)
    assert time.perf_counter() - started < 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enorme.csv"]
    with pytest.raises(FileRefused, match="introuvable"):
        prepare("absent.csv", tmp_path / "absent.csv", UPLOAD_LIMITS)
    with pytest.raises(FileRefused, match="pas un fichier"):
        prepare("dossier.csv", tmp_path, UPLOAD_LIMITS)


def test_read_rows_bounds_what_it_returns(monkeypatch):
    data = b"a;b\n" + b"xxxx;yyyy\n" * 1000
    assert len(read_rows("x.csv", data, UPLOAD_LIMITS)[1]) == 1000
    monkeypatch.setattr(reading, "ROWS_MAX_MEMORY", 50_000)
    assert refusal("x.csv", data) == (
        "Fichier trop volumineux pour être lu ici : déposez-le en plusieurs parties."
    )
    with prepare("x.csv", data, UPLOAD_LIMITS) as prepared:  # prepare streams: no bound
        assert prepared.row_count == 1000
        assert Path(prepared.path).parent == Path(tempfile.gettempdir())
    assert not prepared.path.exists()


def test_formats_and_disguised_files():
    assert refusal("x.xls", b"x") == (
        "Format .xls non pris en charge : enregistrez le classeur au format .xlsx (ou .csv)."
    )
    assert refusal("x.txt", b"x") == "Format non pris en charge : déposez un fichier .csv ou .xlsx."
    assert refusal("csv", b"x").startswith("Format non pris en charge")
    assert refusal("x.parquet", b"PAR1") == (
        "Format non pris en charge : déposez un fichier .csv ou .xlsx."
    )
    with pytest.raises(FileRefused, match=r"\.csv, \.xlsx ou \.parquet"):
        prepare("x.json", b"{}", UPLOAD_LIMITS)
    assert "classeur Excel" in refusal("x.csv", hostile.table_xlsx([["a"]]))
    assert "Parquet" in refusal("x.csv", b"PAR1xxxx")
    assert "ancien (.xls)" in refusal("x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "archive zip attendue" in refusal("x.xlsx", b"nom;valeur\n")


# --- XLSX ------------------------------------------------------------------------------


def test_xlsx_written_by_openpyxl_rendered_as_text(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Données"
    ws.append(["nom", "jour", "moment", "heure", "n", "x", "oui", "formule"])
    ws.append(["Élise", date(2026, 1, 20), datetime(2026, 1, 20, 10, 30), clock(8, 15), 2.0,
               0.1 + 0.2, True, "=1+1"])  # fmt: skip
    ws.append(["Zoé", date(1904, 3, 1), datetime(2026, 1, 20), None, 12345678, 1e20, False])
    ws["A5"] = "après un trou"
    ws["D5"] = -1.5
    other = wb.create_sheet("Valeurs")
    other.append(["autre feuille"])
    path = tmp_path / "classeur.xlsx"
    wb.save(path)
    header, rows = read_rows("classeur.xlsx", path, UPLOAD_LIMITS)
    assert header == ["nom", "jour", "moment", "heure", "n", "x", "oui", "formule"]
    assert rows == [
        ["Élise", "2026-01-20", "2026-01-20 10:30:00", "08:15:00", "2", "0.3", "true", None],
        ["Zoé", "1904-03-01", "2026-01-20", None, "12345678", "1e+20", "false", None],
        [None] * 8,
        ["après un trou", None, None, "-1.5", None, None, None, None],
    ]
    with prepare("classeur.xlsx", path.read_bytes(), UPLOAD_LIMITS, workdir=tmp_path) as p:
        assert (p.format, p.row_count) == ("xlsx", 4)
        assert normalised(p)[1] == [*rows[0][:-1], ""]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("2", "2"), ("2.0", "2"), ("-0", "0"), ("007", "7"), ("1.5", "1.5"),
        ("0.30000000000000004", "0.3"), ("1E+20", "1e+20"), ("1.5E-7", "1.5e-07"),
        ("123456789012345678", "1.23456789012346e+17"), ("999999999999999", "999999999999999"),
        ("9" * 400, "9" * 400), ("abc", "abc"), ("nan", "nan"), ("1e999", "1e999"),
    ],
)  # fmt: skip
def test_number_rendering(raw, text):
    rows = hostile.inline_row(["n"], 1) + f'<row r="2"><c r="A2"><v>{raw}</v></c></row>'.encode()
    assert read_rows("x.xlsx", hostile.xlsx(hostile.sheet(rows)), UPLOAD_LIMITS)[1] == [[text]]


STYLES = (
    b'<?xml version="1.0"?><styleSheet xmlns="' + hostile.MAIN.encode() + b'">'
    b'<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/>'
    b'<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
    b'<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="20"/>'
    b'<xf numFmtId="46"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>'
)


def styled(cells: list[tuple[str, int]], date1904: bool = False) -> bytes:
    row = "".join(f'<c r="{chr(65 + i)}2" s="{s}"><v>{v}</v></c>' for i, (v, s) in enumerate(cells))
    names = [f"c{i}" for i in range(len(cells))]
    data = hostile.xlsx(
        hostile.sheet(hostile.inline_row(names, 1) + f'<row r="2">{row}</row>'.encode()),
        styles=STYLES,
    )
    if date1904:
        # The workbook is stored deflated: rebuild it rather than patch compressed bytes.
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                body = src.read(info)
                if info.filename == "xl/workbook.xml":
                    body = body.replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
                dst.writestr(info.filename, body)
        data = buf.getvalue()
    return data


def test_dates_times_and_durations():
    cells = [("46042", 1), ("46042.5", 1), ("0.25", 2), ("1.75", 3), ("46042.75", 4),
             ("60", 1), ("59", 1), ("61", 1), ("2958465", 1), ("2958466", 1), ("-1", 1),
             ("1.5", 5), ("0", 1)]  # fmt: skip
    expected = [
        "2026-01-20", "2026-01-20 12:00:00", "06:00:00", "1.75", "2026-01-20 18:00:00",
        "60", "1900-02-28", "1900-03-01", "9999-12-31", "2958466", "-1", "1.5", "0",
    ]  # fmt: skip
    assert read_rows("x.xlsx", styled(cells), UPLOAD_LIMITS)[1] == [expected]
    assert read_rows("x.xlsx", styled([("0", 1), ("1", 1), ("2958000", 1)], True),
                     UPLOAD_LIMITS)[1] == [["1904-01-01", "1904-01-02", "2958000"]]  # fmt: skip


SST = (
    b'<?xml version="1.0"?><sst xmlns="' + hostile.MAIN.encode() + b'">'
    b"<si><t>simple</t></si>"
    b'<si><r><t>ri</t></r><r><rPr/><t xml:space="preserve">che </t></r>'
    b"<rPh><t>PHONETIQUE</t></rPh><phoneticPr/></si>"
    b"<si><t>A_x0041__x005F_x000D_</t></si>"
    b"<si><t>retour_x000D_chariot</t></si>"
    b"<si/></sst>"
)


def shared_cells(*indexes: str) -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}2" t="s"><v>{v}</v></c>' for i, v in enumerate(indexes))
    names = [f"c{i}" for i in range(len(indexes))]
    rows = hostile.inline_row(names, 1) + f'<row r="2">{cells}</row>'.encode()
    return hostile.xlsx(hostile.sheet(rows), shared=SST)


def test_shared_and_inline_strings():
    assert read_rows("x.xlsx", shared_cells("0", "1", "2", "4"), UPLOAD_LIMITS)[1] == [
        ["simple", "riche ", "AA_x000D_", None]
    ]
    assert refusal("x.xlsx", shared_cells("3")) == (
        "Ligne 2, colonne « c0 » : caractère interdit : retour chariot (U+000D) en position 7."
    )
    assert "texte inexistant" in refusal("x.xlsx", shared_cells("5"))
    assert "texte inexistant" in refusal("x.xlsx", shared_cells("-1"))
    rich = (
        '<row r="1"><c r="A1" t="inlineStr"><is><r><t>en</t></r><r><t>-tête</t></r>'
        "<rPh><t>x</t></rPh></is></c></row>"
    ).encode()
    assert read_rows("x.xlsx", hostile.xlsx(hostile.sheet(rich)), UPLOAD_LIMITS)[0] == ["en-tête"]


def test_xlsx_prefixed_names_hidden_sheets_and_first_visible_sheet():
    prefixed = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="' + hostile.MAIN.encode() + b'">'
        b'<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>nom</x:t></x:is>'
        b'</x:c></x:row><x:row r="2"><x:c r="A2"><x:v>3</x:v></x:c></x:row></x:sheetData>'
        b"</x:worksheet>"
    )
    assert read_rows("x.xlsx", hostile.xlsx(prefixed), UPLOAD_LIMITS) == (["nom"], [["3"]])
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["cachée"])
    wb.active.sheet_state = "hidden"
    wb.create_sheet("Visible").append(["visible"])
    wb.create_sheet("Autre").append(["autre"])
    wb.active = 2
    buf = io.BytesIO()
    wb.save(buf)
    assert read_rows("x.xlsx", buf.getvalue(), UPLOAD_LIMITS) == (["visible"], [])


def test_xlsx_structure_refusals():
    good = hostile.table_xlsx([["a"], ["1"]])
    assert read_rows("x.xlsx", good, UPLOAD_LIMITS) == (["a"], [["1"]])
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><worksheet xmlns="'
        + hostile.MAIN.encode() + b'"><sheetData><row><c t="inlineStr"><is><t>&lol2;</t>'
        b"</is></c></row></sheetData></worksheet>"
    )  # fmt: skip
    assert "DTD refusée" in refusal("x.xlsx", hostile.xlsx(laughs))
    assert "XML invalide" in refusal("x.xlsx", hostile.xlsx(b"<worksheet><sheetData>"))
    out_of_order = b"".join(hostile.inline_row([v], r) for v, r in (("a", 1), ("b", 3), ("c", 2)))
    assert "hors d'ordre" in refusal("x.xlsx", hostile.xlsx(hostile.sheet(out_of_order)))
    bad_ref = b'<row r="1"><c r="A1B" t="inlineStr"><is><t>a</t></is></c></row>'
    assert "référence de cellule invalide" in refusal(
        "x.xlsx", hostile.xlsx(hostile.sheet(bad_ref))
    )
    assert "archive zip corrompue" in refusal("x.xlsx", good[: len(good) // 2] + good[-22:])
    assert "démesurée" in refusal("x.xlsx", hostile.many_zip_entries())
    assert "corrompue" in refusal("x.xlsx", hostile.lying_sizes(good))
    encrypted = bytearray(good)
    at = encrypted.find(b"PK\x01\x02")
    while at >= 0:  # set the "encrypted" flag of every directory entry
        encrypted[at + 8] |= 1
        at = encrypted.find(b"PK\x01\x02", at + 1)
    assert "mot de passe" in refusal("x.xlsx", bytes(encrypted))
    bz = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(bz, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info), compress_type=zipfile.ZIP_BZIP2)
    assert "compression non prise en charge" in refusal("x.xlsx", bz.getvalue())
    no_types = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(no_types, "w") as dst:
        for info in src.infolist():
            if info.filename != "[Content_Types].xml":
                dst.writestr(info.filename, src.read(info))
    assert "types de contenu absents" in refusal("x.xlsx", no_types.getvalue())


def test_xlsx_declared_dimension_and_values_beyond_columns():
    bomb = hostile.dimension_bomb()
    assert len(bomb) < 2_000
    assert read_rows("x.xlsx", bomb, UPLOAD_LIMITS) == (["nom", "valeur"], [["a", "1"]])
    assert refusal("x.xlsx", hostile.dimension_bomb_with_value()) == (
        "Ligne 1048576, colonne XFD (sans nom de colonne) : valeur au-delà de la colonne 200."
    )
    extra = hostile.table_xlsx([["a", "b"], ["1", "2", "3"]])
    assert refusal("x.xlsx", extra) == (
        "Ligne 2, colonne C (sans nom de colonne) : valeur hors des 2 colonnes de l'en-tête."
    )
    dup = hostile.table_xlsx([["Code", "code"]])
    assert refusal("x.xlsx", dup) == "Ligne 1 : les colonnes A et B portent le même nom « code »."


# --- Parquet ---------------------------------------------------------------------------


def parquet_bytes(table: pa.Table, **options) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, **options)
    return buf.getvalue()


def test_parquet_checked_from_metadata(tmp_path):
    table = pa.table({"pole_code": ["idf"] * 1000, "n": list(range(1000))})
    data = parquet_bytes(table, row_group_size=300)
    with prepare("e.parquet", data, EXTRACT_LIMITS, workdir=tmp_path) as prepared:
        assert (prepared.format, prepared.header, prepared.row_count) == (
            "parquet", ["pole_code", "n"], 1000)  # fmt: skip
        assert pq.read_table(prepared.path).equals(table)
        assert prepared.path.parent == tmp_path and prepared.temporary
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "e.parquet"
    path.write_bytes(data)
    with prepare("e.parquet", path, EXTRACT_LIMITS, workdir=tmp_path) as prepared:
        assert prepared.path == path and not prepared.temporary
    assert path.exists()
    small = Limits(max_bytes=10_000_000, max_rows=999, max_columns=1)
    with pytest.raises(FileRefused, match="1\u202f000 lignes de données, au plus 999"):
        prepare("e.parquet", path, small)
    with pytest.raises(FileRefused, match="2 colonnes, au plus 1"):
        prepare("e.parquet", path, Limits(max_bytes=10_000_000, max_rows=1000, max_columns=1))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({"a": [1], "A": [2]}), "les colonnes n° 1 et n° 2 portent le même nom « A »"),
        (pa.table({" a": [1]}), "commence ou finit par des espaces"),
        (pa.table({"": [1]}), "nom de colonne vide"),
        (pa.table({"a\u202e": [1]}), "sens d'écriture interdit (U+202E)"),
        (pa.table({"s": [{"x": 1}]}), "type imbriqué"),
        (pa.table({"l": [[1, 2]]}), "type imbriqué"),
    ],
)
def test_parquet_column_names_and_types(tmp_path, table, message):
    with pytest.raises(FileRefused, match=re.escape(message)):
        prepare("e.parquet", parquet_bytes(table), EXTRACT_LIMITS, workdir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_parquet_corrupt_files(tmp_path):
    data = parquet_bytes(pa.table({"a": [1, 2, 3]}))
    cases = {
        b"PAR1": "trop court",
        b"x" * 100: "ce n'est pas un fichier Parquet",
        data[:-4] + b"PARE": "chiffré",
        data[:-8] + (10**9).to_bytes(4, "little") + b"PAR1": "pied de fichier corrompu",
        data[:4] + b"\0" * (len(data) - 12) + data[-8:]: "métadonnées illisibles",
    }
    for bad, message in cases.items():
        with pytest.raises(FileRefused, match=re.escape(message)):
            prepare("e.parquet", bad, EXTRACT_LIMITS, workdir=tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- the worst files: peak memory and time, each in its own process --------------------

MEASURE = """
import json, sys, time
from pathlib import Path
from sppe_data.imports import reading

def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024

filename, path, workdir, limits = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
limits = reading.Limits(**json.loads(limits))
started = time.perf_counter()
try:
    with reading.prepare(filename, path, limits, workdir=workdir) as prepared:
        outcome = f"accepté : {prepared.row_count} lignes"
except reading.FileRefused as exc:
    outcome = f"refusé : {exc}"
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                  "peak_mb": peak_mb()}))
"""

CSV_LIMITS_10M = Limits(max_bytes=EXTRACT_LIMITS.max_bytes, max_rows=UPLOAD_LIMITS.max_rows)


def legit_xlsx() -> bytes:
    """20,000 rows of 8 cells: texts (inline), numbers and dates."""
    names = ["id", "pole", "caf", "kind", "status", "jour", "jours", "montant"]
    rows = [hostile.inline_row(names, 1)]
    for r in range(2, 20_002):
        rows.append(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>AB-{r:06d}</t></is></c>'
            f'<c r="B{r}" t="inlineStr"><is><t>idf_hdf</t></is></c><c r="C{r}"><v>59</v></c>'
            f'<c r="D{r}" t="inlineStr"><is><t>controle_sensible</t></is></c>'
            f'<c r="E{r}" t="inlineStr"><is><t>done</t></is></c>'
            f'<c r="F{r}" s="1"><v>{46000 + r % 700}</v></c><c r="G{r}"><v>1.5</v></c>'
            f'<c r="H{r}"><v>{r * 1.25}</v></c></row>'.encode()
        )
    return hostile.xlsx(hostile.sheet(b"".join(rows)), styles=STYLES)


def legit_csv() -> bytes:
    header = ";".join(f"colonne_{i}" for i in range(10)) + "\n"
    row = "AB-123456;idf_hdf;59;controle_sensible;done;20/01/2026;1,5;non;1234,56;texte\n"
    return (header + row * 100_000).encode()


WORST = [
    # name, builder, limits, expected outcome (start)
    ("dimension 1048576 x 16384.xlsx", hostile.dimension_bomb, UPLOAD_LIMITS,
     "accepté : 1 lignes"),
    ("dimension + valeur en XFD1048576.xlsx", hostile.dimension_bomb_with_value, UPLOAD_LIMITS,
     "refusé : Ligne 1048576, colonne XFD"),
    ("bombe zip : 200 Mo de lignes.xlsx", hostile.zip_bomb_rows, UPLOAD_LIMITS,
     "refusé : Ligne 100002 : le fichier dépasse"),
    ("bombe zip : 100 Mo de cellules vides.xlsx", hostile.zip_bomb_empty_cells, UPLOAD_LIMITS,
     "refusé : Fichier Excel illisible : trop d'éléments vides"),
    ("bombe zip : 400 Mo d'espaces.xlsx", lambda: hostile.zip_bomb_whitespace(400),
     UPLOAD_LIMITS, "refusé : Fichier Excel illisible : contenu démesuré"),
    ("bombe zip : un texte partagé de 100 Mo.xlsx", lambda: hostile.zip_bomb_shared_string(100),
     UPLOAD_LIMITS, "refusé : Ligne 2, colonne « a » : cellule de plus de 32"),
    ("balise XML de 300 Mo.xlsx", hostile.huge_attribute, UPLOAD_LIMITS,
     "refusé : Fichier Excel illisible : élément XML démesuré"),
    ("zip de 20 000 fichiers.xlsx", hostile.many_zip_entries, UPLOAD_LIMITS,
     "refusé : Fichier Excel illisible : archive zip démesurée"),
    ("tailles zip mensongères.xlsx",
     lambda: hostile.lying_sizes(hostile.table_xlsx([["a"], ["b"]])), UPLOAD_LIMITS,
     "refusé : Fichier Excel illisible : archive zip corrompue"),
    ("date et nombre démesurés.xlsx", hostile.overflowing_xlsx, UPLOAD_LIMITS,
     "accepté : 1 lignes"),
    ("cellule de 128 Ko.csv", hostile.big_cell_csv, UPLOAD_LIMITS,
     "refusé : Ligne 2, colonne « b » : cellule de 131"),
    ("10 millions de lignes.csv", None, CSV_LIMITS_10M,
     "refusé : Ligne 100002 : le fichier dépasse"),
    ("fins de ligne CR.csv", hostile.cr_only_csv, UPLOAD_LIMITS, "accepté : 2 lignes"),
    ("date et nombre démesurés.csv", hostile.overflowing_csv, UPLOAD_LIMITS,
     "accepté : 1 lignes"),
    ("caractère de contrôle.csv", hostile.control_csv, UPLOAD_LIMITS,
     "refusé : Ligne 2, colonne « note » : caractère interdit : échappement"),
    ("caractère bidirectionnel.csv", hostile.bidi_csv, UPLOAD_LIMITS,
     "refusé : Ligne 2, colonne « note » : caractère invisible"),
    ("en-têtes en double.csv", hostile.duplicate_headers_csv, UPLOAD_LIMITS,
     "refusé : Ligne 1 : les colonnes n° 1 et n° 2"),
    ("cellules en trop.csv", hostile.extra_cells_csv, UPLOAD_LIMITS,
     "refusé : Ligne 2, colonne n° 3"),
    ("100 000 lignes valides (7,7 Mo).csv", legit_csv, UPLOAD_LIMITS,
     "accepté : 100000 lignes"),
    ("20 000 lignes valides.xlsx", legit_xlsx, UPLOAD_LIMITS, "accepté : 20000 lignes"),
]  # fmt: skip


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="mesure Linux (VmHWM)")
def test_worst_files_memory_and_time(tmp_path, capsys):
    workdir = tmp_path / "work"
    workdir.mkdir()
    lines = []
    for name, build, limits, expected in WORST:
        path = tmp_path / name
        if build is None:
            hostile.tiny_rows_csv(path)
        else:
            path.write_bytes(build())
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, name, str(path), str(workdir),
             json.dumps(limits.__dict__)],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout)
        lines.append(
            f"{name[:44]:<44} {path.stat().st_size:>12_} o {result['seconds']:>7.2f} s "
            f"{result['peak_mb']:>6.0f} Mo  {result['outcome'][:90]}".replace("_", " ")
        )
        assert result["outcome"].startswith(expected), (name, result["outcome"])
        assert result["peak_mb"] < 300, (name, result)
        assert list(workdir.iterdir()) == []
        path.unlink()
    with capsys.disabled():
        print("\nfichier / taille / temps / pic de mémoire (processus entier) / résultat")
        print("\n".join(lines))


# --- property-based: any bytes in, a result or a refusal out, nothing left behind ------

PROPERTY = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SMALL = Limits(max_bytes=200_000, max_rows=50, max_columns=8, max_cell_chars=64)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("lecture")


def outcome(filename: str, data: bytes, limits: Limits, workdir: Path):
    """Runs both entry points; returns the prepared rows (or None when refused) and
    checks the refusals agree and nothing is left in ``workdir``."""
    try:
        prepared = prepare(filename, data, limits, workdir=workdir)
    except FileRefused as exc:
        assert str(exc) and "Traceback" not in str(exc)
        assert list(workdir.iterdir()) == []
        if not filename.endswith(".parquet"):
            with pytest.raises(FileRefused):
                read_rows(filename, data, limits)
        return None
    try:
        assert prepared.row_count <= limits.max_rows
        assert 0 < len(prepared.header) <= limits.max_columns
        if prepared.format == "parquet":
            return prepared.header
        rows = normalised(prepared)
        assert rows[0] == prepared.header
        assert len(rows) == prepared.row_count + 1
        assert all(len(r) == len(prepared.header) for r in rows)
        for row in rows:
            for cell in row:
                assert len(cell) <= limits.max_cell_chars
                assert not reading._FORBIDDEN.search(cell)
        header, listed = read_rows(filename, data, limits)
        assert [header, *[[c or "" for c in r] for r in listed]] == rows
        return rows
    finally:
        prepared.cleanup()
        assert list(workdir.iterdir()) == []


MAGIC = st.sampled_from([b"", b"PK\x03\x04", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", b"a;b\n"])


@PROPERTY
@given(st.tuples(MAGIC, st.binary(max_size=600)).map(b"".join))
def test_property_random_bytes(workdir, data):
    """The same bytes under each format's name."""
    for filename in ("x.csv", "x.xlsx", "x.parquet"):
        outcome(filename, data, SMALL, workdir)


# Cell texts: the troublesome ones whole (few draws, so many examples stay quick), or
# any short text.
CELL_TEXT = st.one_of(
    st.sampled_from(
        ["", " ", "a", "é", "€", "ÿ", ";", ",", '"', "'", "a;b", 'x"y', "\t", "\r", "\n",
         "\r\n", "\x00", "\x1b", "\x85", "\u202e", "\u2066", "\u2028", "\ufeff", "𝔘",
         "0", "1,5", "-3", "1e999", "2026-01-20", "01/01/99999999999999999999", "9" * 400,
         "x" * 64, "x" * 65, "_x000D_", "_x0041_", "_xD800_"]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
)  # fmt: skip


@PROPERTY
@given(
    rows=st.lists(st.lists(CELL_TEXT, max_size=6), max_size=8),
    delimiter=st.sampled_from([";", ","]),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_property_any_csv(workdir, rows, delimiter, eol, encoding):
    """Any table, written as a CSV by the csv module in any of the accepted ways."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=eol).writerows(rows)
    data = out.getvalue().encode(encoding, "replace")
    outcome("x.csv", data, SMALL, workdir)


NAMES = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèà_0123456789 ", min_size=1, max_size=10)
    .map(str.strip)
    .filter(bool),
    min_size=1,
    max_size=4,
    unique_by=str.casefold,
)
CLEAN_TEXT = st.text(alphabet=st.sampled_from(list("ab é€;,\"' 0123456789.-/:")), max_size=10)


@PROPERTY
@given(
    names=NAMES,
    data=st.data(),
    delimiter=st.sampled_from([";", ","]),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_property_clean_csv_round_trip(workdir, names, data, delimiter, eol, encoding):
    """A clean table is accepted and comes back exactly: stripped header, rows padded,
    empty rows at the end dropped."""
    width = len(names)
    if width == 1:
        delimiter = ";"  # one column: the header shows no separator, ";" is assumed
    rows = data.draw(st.lists(st.lists(CLEAN_TEXT, min_size=width, max_size=width), max_size=8))
    result = outcome("x.csv", csv_bytes([names, *rows], delimiter, eol, encoding), SMALL, workdir)
    assert result == [names, *expected_rows(rows)]


def expected_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rule on empty rows: those at the end dropped, the others emptied."""
    blank = [all(not c.strip() for c in row) for row in rows]
    while blank and blank[-1]:
        blank.pop()
    return [[""] * len(row) if empty else row for row, empty in zip(rows, blank, strict=False)]


def xml_cell(kind: str, value: str, ref: str | None, style: str | None) -> str:
    attrs = (f' r="{escape(ref)}"' if ref is not None else "") + (
        f' s="{escape(style)}"' if style is not None else ""
    )
    if kind == "inline":
        return f'<c{attrs} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    if kind == "empty":
        return f"<c{attrs}/>"
    if kind == "formula":
        return f"<c{attrs}><f>SUM(A1:A2)</f><v>{escape(value)}</v></c>"
    return f'<c{attrs} t="{kind}"><v>{escape(value)}</v></c>'


XML_CELL = st.builds(
    xml_cell,
    st.sampled_from(["inline", "n", "s", "str", "b", "e", "d", "empty", "formula", "x"]),
    st.one_of(
        CELL_TEXT,
        st.integers(-(10**20), 10**20).map(str),
        st.floats().map(repr),
        st.sampled_from(["0", "1", "2", "60", "2958466", "1e999", "-0", "46042.5", "2026-01-20"]),
    ),
    st.one_of(
        st.none(),
        st.sampled_from(
            ["A1", "B2", "C", "H9", "I1", "XFD1", "XFE1", "1", "a1", "AAAA1", "É1", ""]
        ),
    ),
    st.one_of(st.none(), st.sampled_from(["0", "1", "2", "3", "4", "5", "99", "-1", "x", "١"])),
)
XML_ROW = st.builds(
    lambda number, cells: f"<row{number}>{''.join(cells)}</row>",
    st.one_of(
        st.just(""),
        st.sampled_from(["1", "2", "3", "7", "0", "x", "1048577", "٣"]).map(lambda r: f' r="{r}"'),
    ),
    st.lists(XML_CELL, max_size=4),
)


@PROPERTY
@given(
    rows=st.lists(XML_ROW, max_size=5),
    shared=st.lists(CELL_TEXT, max_size=3),
    styles=st.booleans(),
)
def test_property_any_xlsx_sheet(workdir, rows, shared, styles):
    """Any sheet made of rows and cells of every kind, right or wrong."""
    sst = (
        '<?xml version="1.0"?><sst xmlns="' + hostile.MAIN + '">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + "</sst>"
    ).encode()  # fmt: skip
    sheet = hostile.sheet("".join(rows).encode("utf-8", "surrogatepass"))
    data = hostile.xlsx(sheet, shared=sst, styles=STYLES if styles else None)
    outcome("x.xlsx", data, SMALL, workdir)


@PROPERTY
@given(names=NAMES, data=st.data())
def test_property_clean_xlsx_round_trip(workdir, names, data):
    """Inline texts, whole numbers and dates written by hand come back as the rule says."""
    width = len(names)
    value = st.one_of(
        CLEAN_TEXT.map(lambda t: ("inline", t, t)),
        st.integers(-(10**14), 10**14).map(lambda n: ("n", str(n), str(n))),
        st.integers(61, 2_958_465).map(
            lambda n: ("date", str(n), (date(1899, 12, 30) + timedelta(days=n)).isoformat())
        ),
    )
    rows = data.draw(st.lists(st.lists(value, min_size=width, max_size=width), max_size=5))
    xml = hostile.inline_row(names, 1)
    for number, row in enumerate(rows, start=2):
        cells = ""
        for col, (kind, raw, _) in enumerate(row):
            ref = f"{reading._letters(col + 1)}{number}"
            if kind == "inline":
                cells += f'<c r="{ref}" t="inlineStr"><is><t>{escape(raw)}</t></is></c>'
            else:
                style = ' s="1"' if kind == "date" else ""
                cells += f'<c r="{ref}"{style}><v>{raw}</v></c>'
        xml += f'<row r="{number}">{cells}</row>'.encode()
    result = outcome("x.xlsx", hostile.xlsx(hostile.sheet(xml), styles=STYLES), SMALL, workdir)
    assert result == [names, *expected_rows([[text for _, _, text in row] for row in rows])]


BASE_XLSX = hostile.table_xlsx([["nom", "valeur"], ["a", "1"], ["b", "2"]])
BASE_PARQUET = parquet_bytes(pa.table({"nom": ["a", "b"], "valeur": [1, 2]}))


@pytest.mark.parametrize(("filename", "base"), [("x.xlsx", BASE_XLSX),
                                                ("x.parquet", BASE_PARQUET)])  # fmt: skip
def test_property_damaged_files(workdir, filename, base):
    """A valid workbook or Parquet file with bytes changed, cut or appended."""

    @PROPERTY
    @given(
        changes=st.lists(
            st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), min_size=1, max_size=6
        ),
        cut=st.one_of(st.none(), st.integers(0, len(base))),
        tail=st.binary(max_size=20),
    )
    def check(changes, cut, tail):
        data = bytearray(base)
        for at, value in changes:
            data[at] = value
        data = bytes(data[:cut] if cut is not None else data) + tail
        outcome(filename, data, SMALL, workdir)

    check()
