"""Import of pivot-Caf candidates (``governance.candidates_import``, the page « Sélection
des Caf pivots », ``sppe import-candidates``): French headers and numbers read, every
refused cell named by line and column, nothing written on any refusal, the same file
imported twice written once, hostile files refused in French, the Cnaf only.

Expected values are written by hand from the files below and the reference files
(sppe_data/reference/: Caf codes and names, pôles)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from sppe_data import governance as gov
from sppe_data.auth import AccessDenied, Principal
from sppe_data.governance import candidates_import as ci
from sppe_data.imports import reading
from tests import hostile

CNAF = Principal("dpfas", "Dpfas", "cnaf")
READER = Principal("lecteur", "Lecteur", "reader")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
PAGE = "app_pages/selection_pivots.py"
IDF = "Île-de-France – Hauts-de-France"
NBSP = "\u00a0"

HEADERS = [
    "Caf candidate", "Pôle visé", "Recrutements de contrôleurs sur 5 ans",
    "Recrutements de CCD sur 5 ans", "Délai moyen de recrutement",
    "Productivité du contrôle AS (contrôles par ETP)", "Impact financier du contrôle AS",
    "Places financées entre 2018 et 2022", "Situation générale (note sur 5)",
    "Moyens de transport (note sur 5)", "Locaux disponibles sans travaux", "Observations",
]  # fmt: skip
# The same columns as a person may type them: codes, short labels, no accents, capitals.
LOOSE_HEADERS = [
    "caf", "Pole vise", "RECRUTEMENTS DE CONTROLEURS SUR 5 ANS", "ccd_hires_5y",
    "délai moyen de recrutement", "Productivité du contrôle AS", "Impact financier du contrôle AS",
    "Places financées entre 2018 et 2022", "Situation générale", "Moyens de transport",
    "locaux disponibles sans travaux", "observations",
]  # fmt: skip
# Three candidates, an empty line between the second and the third (file lines 2, 3, 5).
GOOD = [
    ["59", IDF, "12", "8", "45", "310,5", f"1{NBSP}250{NBSP}000,50", "2 400", "4", "3,5", "oui",
     "Équipe prête"],
    ["1", "centre_est", "0", "3", "37,5", "280", "980 000 €", "1 150", "2,5", "4", "non", ""],
    [],
    ["Caf de l'Aisne", "", "30", "12", "60", "295,25", "1 100 000", "3 000", "5", "5", "Vrai",
     "Locaux refaits en 2023"],
]  # fmt: skip
# What GOOD stores, by hand: "1" is Caf 01 (a spreadsheet drops the zero), "Caf de
# l'Aisne" is 02; 1 250 000,50 with non-breaking spaces is 1250000.5.
GOOD_STORED = {
    "59": {"pole_code": "idf_hdf", "controller_hires_5y": 12, "ccd_hires_5y": 8,
           "hiring_delay_days": 45.0, "control_productivity": 310.5,
           "financial_impact_eur": 1_250_000.5, "places_financed_2018_2022": 2400,
           "general_situation_score": 4.0, "transport_score": 3.5, "premises_ready": True,
           "note": "Équipe prête"},
    "01": {"pole_code": "centre_est", "controller_hires_5y": 0, "ccd_hires_5y": 3,
           "hiring_delay_days": 37.5, "control_productivity": 280.0,
           "financial_impact_eur": 980_000.0, "places_financed_2018_2022": 1150,
           "general_situation_score": 2.5, "transport_score": 4.0, "premises_ready": False,
           "note": None},
    "02": {"pole_code": None, "controller_hires_5y": 30, "ccd_hires_5y": 12,
           "hiring_delay_days": 60.0, "control_productivity": 295.25,
           "financial_impact_eur": 1_100_000.0, "places_financed_2018_2022": 3000,
           "general_situation_score": 5.0, "transport_score": 5.0, "premises_ready": True,
           "note": "Locaux refaits en 2023"},
}  # fmt: skip
CAF_UNKNOWN = (
    "Caf inconnue « 99 » : donnez son code (numéro du département, par exemple 59, 2A ou "
    "971) ou son nom (Caf du Nord)."
)
FORMULA = (
    "Le texte commence par « = », lu comme une formule par un tableur ; commencez-le par "
    "une lettre."
)


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory):
    """One hand-made data set for the tests that write nothing (refusals, reads)."""
    from tests.conftest import migrated
    from tests.tiny import write_tiny_extracts

    return migrated(write_tiny_extracts(tmp_path_factory.mktemp("candidatures") / "data"))


@pytest.fixture
def unwritten(shared_dir, monkeypatch):
    """``tiny_data`` shared by the tests that must leave the store empty (each checks it)."""
    from tests.conftest import _clear_caches
    from tests.tiny import TODAY

    monkeypatch.setenv("SPPE_DATA_DIR", str(shared_dir))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SPPE_TODAY", TODAY.isoformat())
    _clear_caches()
    assert gov.records("candidate").is_empty()
    yield shared_dir
    _clear_caches()


def csv_file(
    rows: list[list[str]],
    header: list[str] = HEADERS,
    encoding: str = "utf-8-sig",
    eol: str = "\r\n",
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator=eol).writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def good_row(caf: str, **cells: str) -> list[str]:
    """A valid row for ``caf``, some cells replaced (by field code)."""
    row = dict(zip(ci.COLUMNS, GOOD[0], strict=True))
    return list({**row, "caf_code": caf, "note": "", **cells}.values())


def stored(campaign: int = 2026) -> dict[str, dict]:
    frame = gov.records("candidate", campaign=campaign)
    return {r["caf_code"]: r for r in frame.iter_rows(named=True)}


def refusal(filename: str, content: bytes, campaign: int = 2026) -> ci.ImportRefused:
    """Imports as the Cnaf; the refusal (nothing written)."""
    with pytest.raises(ci.ImportRefused) as caught:
        ci.import_candidates(CNAF, filename, content, campaign)
    assert gov.records("candidate").is_empty()
    return caught.value


# --- good files ------------------------------------------------------------------------------


def test_french_csv_imports_the_rows_with_their_values(store_url):
    done = ci.import_candidates(CNAF, "candidatures.csv", csv_file(GOOD, LOOSE_HEADERS), 2026)
    assert done == ci.Imported(2026, created=3, skipped=0)
    rows = stored()
    assert set(rows) == set(GOOD_STORED)
    for caf, expected in GOOD_STORED.items():
        assert {k: rows[caf][k] for k in expected} == expected, caf
        assert rows[caf]["campaign"] == 2026 and rows[caf]["created_by"] == "dpfas"


def test_the_same_file_twice_writes_once_and_another_campaign_is_another_import(store_url):
    content = csv_file(GOOD)
    assert ci.import_candidates(CNAF, "a.csv", content, 2026) == ci.Imported(2026, 3, 0)
    ids = sorted(gov.records("candidate")["candidate_id"])
    # Again, under another name: the content is the same file.
    assert ci.import_candidates(CNAF, "copie.csv", content, 2026) == ci.Imported(2026, 0, 3)
    assert sorted(gov.records("candidate")["candidate_id"]) == ids
    # The same file for another campaign: three more candidates, of that campaign.
    assert ci.import_candidates(CNAF, "a.csv", content, 2025) == ci.Imported(2025, 3, 0)
    assert set(stored(2025)) == set(GOOD_STORED) and gov.records("candidate").height == 6


@pytest.mark.parametrize(
    ("encoding", "eol"),
    [("utf-8-sig", "\r\n"), ("utf-8", "\n"), ("cp1252", "\r\n"), ("utf-8-sig", "\r")],
    ids=["utf8-bom", "utf8", "windows-1252", "cr-only"],
)
def test_csv_encodings_and_line_endings_read_the_same(unwritten, encoding, eol):
    rows = ci.read_candidates("c.csv", csv_file(GOOD, encoding=encoding, eol=eol), 2026)
    by_caf = {r["caf_code"]: r for r in rows}
    assert [r["caf_code"] for r in rows] == ["59", "01", "02"]
    for caf, expected in GOOD_STORED.items():
        assert {k: by_caf[caf][k] for k in expected} == expected, (encoding, caf)


def test_xlsx_with_numbers_booleans_and_text_imports(tiny_data):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(
        ["01", "Atlantique", 5, 2, 30, 150.5, 500000, 800, 3, 2.5, True, "Dossier complet"]
    )
    sheet.append([2, "mediterranee", 7, 1, 20.25, 175, 750000.75, 1200, 4.5, 1, "non", None])
    sheet.append(["2a", None, 4, 0, 90, 120, "300 000", 450, 1, 0, False, None])
    buffer = io.BytesIO()
    book.save(buffer)
    done = ci.import_candidates(CNAF, "candidatures.xlsx", buffer.getvalue(), 2026)
    assert done == ci.Imported(2026, 3, 0)
    rows = stored()
    assert set(rows) == {"01", "02", "2A"}  # 2 (a number) is 02, "2a" is Corse-du-Sud
    pick = ("pole_code", "controller_hires_5y", "hiring_delay_days", "financial_impact_eur",
            "general_situation_score", "transport_score", "premises_ready", "note")  # fmt: skip
    assert [rows["01"][k] for k in pick] == [
        "atlantique",
        5,
        30.0,
        500_000.0,
        3.0,
        2.5,
        True,
        "Dossier complet",
    ]
    assert [rows["02"][k] for k in pick] == [
        "mediterranee",
        7,
        20.25,
        750_000.75,
        4.5,
        1.0,
        False,
        None,
    ]
    assert [rows["2A"][k] for k in pick] == [None, 4, 90.0, 300_000.0, 1.0, 0.0, False, None]


def test_a_declared_dimension_is_not_trusted(unwritten):
    """A sheet declaring A1:XFD1048576 with a styled empty cell at the end: read as the
    table it holds (one candidate), quickly."""
    rows = (
        hostile.inline_row(HEADERS, 1)
        + hostile.inline_row(good_row("59"), 2)
        + b'<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    )
    content = hostile.xlsx(hostile.sheet(rows, "A1:XFD1048576"))
    assert [r["caf_code"] for r in ci.read_candidates("d.xlsx", content, 2026)] == ["59"]


# --- refused rows: everything named, nothing written -----------------------------------------


def test_one_file_with_bad_rows_writes_nothing_and_names_each_line_and_column(store_url):
    rows = [
        good_row("59"),
        good_row("99"),
        good_row("62", controller_hires_5y="-3"),
        good_row("75", ccd_hires_5y="1,5"),
        good_row("80", note="=cmd|' /C calc'!A0"),
        good_row("93", general_situation_score="7"),
    ]
    refused = refusal("erreurs.csv", csv_file(rows))
    assert [(p.line, p.column, p.message) for p in refused.problems] == [
        (3, "Caf candidate", CAF_UNKNOWN),
        (4, "Recrutements de contrôleurs sur 5 ans",
         "Nombre positif ou nul attendu (reçu « -3 »)."),
        (5, "Recrutements de CCD sur 5 ans", "Nombre entier attendu (reçu « 1,5 »)."),
        (6, "Observations", FORMULA),
        (7, "Situation générale (note sur 5)", "Valeur trop grande : au plus 5 (reçu « 7 »)."),
    ]  # fmt: skip
    assert str(refused).split("\n") == [
        "Import refusé : 5 erreur(s), rien n'a été enregistré.",
        f"Ligne 3, colonne « Caf candidate » : {CAF_UNKNOWN}",
        "Ligne 4, colonne « Recrutements de contrôleurs sur 5 ans » : Nombre positif ou nul "
        "attendu (reçu « -3 »).",
        "Ligne 5, colonne « Recrutements de CCD sur 5 ans » : Nombre entier attendu (reçu "
        "« 1,5 »).",
        f"Ligne 6, colonne « Observations » : {FORMULA}",
        "Ligne 7, colonne « Situation générale (note sur 5) » : Valeur trop grande : au plus 5 "
        "(reçu « 7 »).",
    ]
    assert refused.rows_refused
    assert refused.frame().columns == ["Ligne", "Colonne", "Message"]
    assert refused.frame()["Ligne"].to_list() == [3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"hiring_delay_days": "4 5"}, "Délai moyen de recrutement",
         "Nombre illisible « 4 5 » : les espaces ne séparent que les milliers (par exemple "
         "1 250 000)."),
        ({"control_productivity": "1.234,5"}, "Productivité du contrôle AS (contrôles par ETP)",
         "Nombre illisible « 1.234,5 » : écrivez par exemple 1 234,5."),
        ({"places_financed_2018_2022": "beaucoup"}, "Places financées entre 2018 et 2022",
         "Nombre illisible « beaucoup » : écrivez par exemple 1 200."),
        ({"places_financed_2018_2022": "1 000 001"}, "Places financées entre 2018 et 2022",
         f"Valeur trop grande : au plus 1{NBSP}000{NBSP}000 (reçu « 1 000 001 »)."),
        ({"financial_impact_eur": "1e11"}, "Impact financier du contrôle AS",
         f"Valeur trop grande : au plus 10{NBSP}000{NBSP}000{NBSP}000 (reçu « 1e11 »)."),
        ({"premises_ready": "peut-être"}, "Locaux disponibles sans travaux",
         "Répondez oui ou non (reçu « peut-être »)."),
        ({"premises_ready": ""}, "Locaux disponibles sans travaux", "Oui ou non attendu."),
        ({"transport_score": ""}, "Moyens de transport (note sur 5)", "Champ obligatoire."),
        ({"pole_code": "Pôle Nord"}, "Pôle visé",
         "Pôle inconnu « Pôle Nord ». Valeurs autorisées : « Île-de-France – Hauts-de-France », "
         "« Centre-Est – Auvergne-Rhône-Alpes », « Méditerranée », "
         "« Atlantique », « Centre – Pays de la Loire – Bretagne – Normandie », ou vide."),
        ({"financial_impact_eur": "+1+1"}, "Impact financier du contrôle AS",
         "Le texte commence par « + », lu comme une formule par un tableur ; commencez-le par "
         "une lettre."),
        ({"note": "x" * 2001}, "Observations",
         "Texte trop long : 2001 caractères (au plus 2000). Valeur lue : « "
         + "x" * 39 + "… »."),
    ],
    ids=["spaces", "dot-thousands", "words", "too-many-places", "too-much", "yes-no",
         "no-answer", "missing", "pole", "formula-number", "long-note"],
)  # fmt: skip
def test_each_refused_cell_says_why_in_french(unwritten, cells, column, message):
    refused = refusal("c.csv", csv_file([good_row("59", **cells)]))
    assert [(p.line, p.column, p.message) for p in refused.problems] == [(2, column, message)]


def test_the_same_caf_twice_in_one_file_is_refused(unwritten):
    refused = refusal("c.csv", csv_file([good_row("01"), good_row("59"), good_row("1")]))
    assert [p.text() for p in refused.problems] == [
        "Ligne 4, colonne « Caf candidate » : La Caf 01 (Caf de l'Ain) figure déjà ligne 2 : "
        "une seule candidature par Caf et par campagne."
    ]


def test_a_caf_already_candidate_in_the_campaign_is_refused_at_import(tiny_data):
    entered = dict(ci.read_candidates("c.csv", csv_file([good_row("59")]), 2026)[0])
    gov.save(CNAF, "candidate", entered, token="saisie-59")
    with pytest.raises(ci.ImportRefused) as caught:
        ci.import_candidates(CNAF, "c.csv", csv_file([good_row("01"), good_row("59")]), 2026)
    assert [p.text() for p in caught.value.problems] == [
        "Ligne 3, colonne « Caf candidate » : Cette Caf est déjà candidate pour cette campagne."
    ]
    assert list(stored()) == ["59"]  # Caf 01 (line 2) was not written either


def test_the_template_example_row_left_in_is_refused_and_the_filled_template_imports(tiny_data):
    for fmt, name in (("csv", ci.CSV_NAME), ("xlsx", ci.XLSX_NAME)):
        content = ci.candidates_template(fmt)
        header, _ = reading.read_rows(name, content, ci.import_limits())
        assert header == HEADERS, fmt
        refused = refusal(name, content)
        assert [p.text() for p in refused.problems] == [
            "Ligne 2 : C'est la ligne d'exemple du modèle ; remplacez-la par vos candidatures "
            "ou supprimez-la."
        ], fmt
    filled = ci.candidates_template("csv").replace(ci.EXAMPLE_NOTE.encode(), b"Dossier complet")
    assert ci.import_candidates(CNAF, ci.CSV_NAME, filled, 2026) == ci.Imported(2026, 1, 0)
    row = stored()["59"]
    assert (row["pole_code"], row["financial_impact_eur"], row["transport_score"]) == (
        "idf_hdf",
        1_250_000.0,
        3.5,
    )


# --- refused files ---------------------------------------------------------------------------

ALL_COLUMNS = ", ".join(HEADERS)
HEADER_ONLY = csv_file([])


@pytest.mark.parametrize(
    ("filename", "content", "messages"),
    [
        ("vide.csv", b"", ["Le fichier est vide."]),
        ("entete.csv", HEADER_ONLY, ["Aucune candidature sous l'en-tête."]),
        ("entete.csv", HEADER_ONLY + b"\r\n;;\r\n", ["Aucune candidature sous l'en-tête."]),
        ("colonne.csv", csv_file([[*good_row("59"), "x"]], [*HEADERS, "Commentaire"]),
         [f"Ligne 1 : Colonnes inconnues : « Commentaire ». Colonnes attendues : {ALL_COLUMNS}."]),
        ("double.csv", csv_file([[*good_row("59"), "59"]], [*HEADERS, "caf_code"]),
         ["Ligne 1 : Colonne en double : « Caf candidate » et « caf_code » (Caf candidate)."]),
        ("double.csv", csv_file([[*good_row("59"), "x"]], [*HEADERS, "observations"]),
         ["Ligne 1 : les colonnes n° 12 et n° 13 portent le même nom « observations »."]),
        ("manque.csv", csv_file([good_row("59")[:-2]], HEADERS[:-2]),
         ["Ligne 1 : Colonnes obligatoires absentes : Locaux disponibles sans travaux."]),
        ("campagne.csv", csv_file([["2026", *good_row("59")]], ["Campagne", *HEADERS]),
         ["Ligne 1, colonne « Campagne » : La campagne se choisit au moment de l'import (ici "
          "2026), pas dans le fichier : retirez cette colonne."]),
        ("gros.csv", HEADER_ONLY + b"x" * 1_500_000,
         ["Fichier trop volumineux : 1,5 Mo (au plus 1,0 Mo)."]),
        ("lignes.csv", csv_file([good_row("59")] * 501),
         ["Ligne 502 : le fichier dépasse la limite de 500 lignes de données."]),
        ("bombe.xlsx", hostile.zip_bomb_rows(), [
            "Ligne 502 : le fichier dépasse la limite de 500 lignes de données."]),
        ("bombe.xlsx", hostile.zip_bomb_shared_string(200), [
            "Fichier Excel illisible : contenu démesuré une fois décompressé (plus de 128,0 Mo "
            "pour « xl/sharedStrings.xml »)."]),
        ("dimension.xlsx", hostile.dimension_bomb_with_value(), [
            "Ligne 1048576, colonne XFD (sans nom de colonne) : valeur au-delà de la colonne "
            "24."]),
        ("cr.csv", hostile.cr_only_csv(), [
            f"Ligne 1 : Colonnes inconnues : « nom », « montant ». Colonnes attendues : "
            f"{ALL_COLUMNS}.",
            "Ligne 1 : Colonnes obligatoires absentes : " + ", ".join(HEADERS[:1] + HEADERS[2:11])
            + "."]),
        ("controle.csv", csv_file([good_row("59", note="Accord\x1bsigné")]), [
            "Ligne 2, colonne « Observations » : caractère interdit : échappement (U+001B) en "
            "position 7."]),
        ("bidi.csv", csv_file([good_row("59", note="facture\u202etxt.exe")]), [
            "Ligne 2, colonne « Observations » : caractère invisible de sens d'écriture "
            "interdit (U+202E) en position 8."]),
        ("ancien.xls", b"\xd0\xcf\x11\xe0", [
            "Format .xls non pris en charge : enregistrez le classeur au format .xlsx (ou "
            ".csv)."]),
        ("notes.txt", b"a", ["Format non pris en charge : déposez un fichier .csv ou .xlsx."]),
        ("faux.xlsx", b"PK pas un zip", [
            "Fichier Excel illisible : ce n'est pas un classeur .xlsx (archive zip attendue)."]),
    ],
    ids=["empty", "header-only", "header-and-blank-rows", "unknown-column", "duplicate-alias",
         "duplicate-name", "missing-column", "campaign-column", "too-big", "too-many-rows",
         "zip-bomb-rows", "zip-bomb-strings", "dimension-bomb", "cr-only-foreign", "control",
         "bidi", "xls", "txt", "not-a-zip"],
)  # fmt: skip
def test_refused_files_say_why_in_french_and_write_nothing(unwritten, filename, content, messages):
    refused = refusal(filename, content)
    assert [p.text() for p in refused.problems] == messages
    assert str(refused).startswith("Import refusé : ")
    assert not refused.rows_refused  # the file itself, or its header


def test_a_campaign_out_of_bounds_is_refused(unwritten):
    refused = refusal("c.csv", csv_file([good_row("59")]), campaign=2019)
    assert [p.text() for p in refused.problems] == [
        "Campagne invalide : une année de 2024 à 2035 est attendue."
    ]


# --- rights ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [READER, POLE_IDF, None], ids=["reader", "pole", "anonymous"])
def test_only_the_cnaf_imports(unwritten, who):
    with pytest.raises(AccessDenied) as caught:
        ci.import_candidates(who, "c.csv", csv_file([good_row("59")]), 2026)
    assert str(caught.value) == (
        "Votre rôle ne permet pas d'importer des candidatures de Caf pivot."
    )
    assert gov.records("candidate").is_empty()


# --- the command line ------------------------------------------------------------------------


def test_cli_imports_then_skips_the_same_file(tiny_data, tmp_path, capsys):
    from sppe_cli.main import main

    path = tmp_path / "candidatures.csv"
    path.write_bytes(csv_file(GOOD))
    argv = ["import-candidates", str(path), "--campagne", "2026", "--compte", " Marie  Dupont "]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "3 candidature(s) importée(s) pour la campagne 2026, depuis candidatures.csv, au nom "
        "de « Marie Dupont ».\n"
    )
    assert captured.err == ""
    assert set(stored()) == set(GOOD_STORED)
    assert set(gov.records("candidate")["created_by"]) == {"Marie Dupont"}
    assert main(argv[:-2]) == 0
    assert capsys.readouterr().out == (
        "0 candidature(s) importée(s), 3 déjà importée(s) pour la campagne 2026, depuis "
        "candidatures.csv, au nom de « ligne-de-commande ».\n"
    )
    assert gov.records("candidate").height == 3


def test_cli_refusals_exit_non_zero_in_french_and_write_nothing(tiny_data, tmp_path, capsys):
    from sppe_cli.main import main

    bad = tmp_path / "erreurs.csv"
    bad.write_bytes(csv_file([good_row("59"), good_row("99")]))
    assert main(["import-candidates", str(bad), "--campagne", "2026"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "Erreur : Import refusé : 1 erreur(s), rien n'a été enregistré.\n"
        f"Ligne 3, colonne « Caf candidate » : {CAF_UNKNOWN}\n"
    )
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert main(["import-candidates", str(empty), "--campagne", "2026"]) == 2
    assert capsys.readouterr().err == (
        "Erreur : Import refusé : 1 erreur(s), rien n'a été enregistré.\nLe fichier est vide.\n"
    )
    big = tmp_path / "gros.csv"
    big.write_bytes(HEADER_ONLY + b"x" * 5_200_000)
    assert main(["import-candidates", str(big), "--campagne", "2026"]) == 2
    assert capsys.readouterr().err.endswith(
        "\nFichier trop volumineux : 5,2 Mo (au plus 1,0 Mo).\n"
    )
    with pytest.raises(SystemExit) as exit_info:
        main(["import-candidates", str(bad), "--campagne", "1999"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "campagne invalide « 1999 » (une année de 2024 à 2035)" in err, err
    assert main(["import-candidates", str(tmp_path / "absent.csv"), "--campagne", "2026"]) == 2
    assert "fichier introuvable" in capsys.readouterr().err
    assert gov.records("candidate").is_empty()


def test_cli_help_states_the_limits_of_the_module(capsys):
    from sppe_cli.main import main

    with pytest.raises(SystemExit):
        main(["import-candidates", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert f"{ci.IMPORT_MAX_BYTES // 1_000_000} Mo et {ci.IMPORT_MAX_ROWS} lignes au plus" in out


# --- the page --------------------------------------------------------------------------------

IMPORT_EXPANDER = "Importer des candidatures (CSV ou Excel)"


@pytest.mark.parametrize("role", ["reader", "pole"])
def test_page_offers_no_import_but_to_the_cnaf(tiny_data, role):
    from tests.test_pages import run

    at = run(page=PAGE, role=role)
    assert IMPORT_EXPANDER not in [e.label for e in at.expander]
    assert at.get("file_uploader") == []


def test_page_imports_a_file_for_the_cnaf_and_lists_refusals(tiny_data):
    from tests.test_governance_selection import assert_french
    from tests.test_pages import run

    at = run(page=PAGE, role="cnaf")
    assert IMPORT_EXPANDER in [e.label for e in at.expander]
    labels = [b.label for b in at.get("download_button")]
    assert "Modèle Excel (.xlsx), avec les valeurs autorisées" in labels
    assert "Modèle CSV (« ; », UTF-8)" in labels
    assert len(at.get("form")) == 1  # the entry form only: the import is no form

    uploader = at.get("file_uploader")[0]
    assert uploader.label == "Fichier de candidatures"
    uploader.set_value(("erreurs.csv", csv_file([good_row("59"), good_row("99")]), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["Import refusé : 1 erreur(s), rien n'a été enregistré."]
    [report] = [d.value for d in at.dataframe if "Message" in d.value.columns]
    assert list(report["Ligne"]) == [3] and list(report["Message"]) == [CAF_UNKNOWN]
    assert not [b for b in at.button if b.label.startswith("Importer")]
    assert gov.records("candidate").is_empty()

    at.get("file_uploader")[0].set_value(("candidatures.csv", csv_file(GOOD), "text/csv"))
    at.run()
    assert any(m.value == "3 candidature(s) lue(s) pour la campagne 2026." for m in at.markdown)
    at.button(key="candidates_import_go").click().run()
    assert not at.exception, at.exception
    assert [s.value.replace("\\", "") for s in at.success] == [
        "3 candidature(s) importée(s) pour la campagne 2026."
    ]
    assert set(stored()) == set(GOOD_STORED)
    assert at.get("file_uploader")[0].value is None  # a new, empty upload box
    assert len(at.dataframe[0].value) == 3  # the ranking shows the imported candidates
    assert_french(at)
