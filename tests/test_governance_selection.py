"""Selection of the new Caf pivots: the score on the letter's five criteria computed by
hand on small grids, the weights' checks, the display tables and the chart; candidates
saved and read through the data layer; the page for every role (AppTest)."""

from __future__ import annotations

import json
import math
import re

import polars as pl
import pytest

from charts import selection as selection_charts
from sppe_data import governance as gov
from sppe_data.auth import AccessDenied, Principal
from sppe_data.governance import selection
from tests.test_pages import run

CNAF = Principal("dpfas", "Dpfas", "cnaf")
READER = Principal("lecteur", "Lecteur", "reader")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
CODES = [c.code for c in selection.CRITERIA]
PAGE = "app_pages/selection_pivots.py"

# The hand-made grid: three candidates, values chosen so that min-max rescaling gives
# 0, 50 or 100 points (the middle value is the midpoint of the two others).
GRID = {
    "candidate_id": ["CA_A", "CA_B", "CA_C"],
    "caf_code": ["01", "02", "03"],
    "pole_code": ["idf_hdf", "atlantique", None],
    "controller_hires_5y": [10, 20, 30],  # A 0, B 50, C 100
    "ccd_hires_5y": [6, 2, 4],  # A 100, B 0, C 50
    "hiring_delay_days": [30.0, 90.0, 60.0],  # shorter is better: A 100, B 0, C 50
    "control_productivity": [40.0, 50.0, 60.0],  # A 0, B 50, C 100
    "financial_impact_eur": [100_000.0, 300_000.0, 200_000.0],  # A 0, B 100, C 50
    "places_financed_2018_2022": [3000, 1000, 2000],  # A 100, B 0, C 50
    "general_situation_score": [1.0, 5.0, 3.0],  # A 0, B 100, C 50
    "transport_score": [2.0, 2.0, 2.0],  # all equal: 100 each
    "premises_ready": [True, False, True],  # yes 100, no 0
    "note": [None, "Locaux à rénover", None],
}


def grid(**over) -> pl.DataFrame:
    return pl.DataFrame({**GRID, **over})


def weights(**over) -> dict[str, float]:
    return {**{code: 1.0 for code in CODES}, **over}


def by_caf(scored: pl.DataFrame) -> dict[str, dict]:
    return {row["caf_code"]: row for row in scored.iter_rows(named=True)}


# --- the score, by hand -------------------------------------------------------------------


def test_criteria_are_the_letters_five():
    assert CODES == ["bassin_emploi", "performance", "situation_generale", "transports", "locaux"]
    assert selection.criterion_labels()["locaux"] == "Locaux disponibles sans travaux"
    assert selection.default_weights() == dict.fromkeys(CODES, 1.0)
    delay = selection.CRITERIA[0].indicators[2]
    assert (delay.column, delay.direction) == ("hiring_delay_days", -1)
    columns = [i.column for c in selection.CRITERIA for i in c.indicators]
    assert len(columns) == 9 and len(set(columns)) == 9


def test_criterion_scores_by_hand():
    scored = by_caf(selection.score(grid(), weights()))
    # Criterion score = mean of its indicators' points:
    # bassin: A (0 + 100 + 100) / 3 = 200/3, B (50 + 0 + 0) / 3 = 50/3, C (100 + 50 + 50) / 3
    # performance: A (0 + 0 + 100) / 3 = 100/3, B (50 + 100 + 0) / 3 = 50, C 200/3
    expected = {
        "01": {"bassin_emploi": 200 / 3, "performance": 100 / 3, "situation_generale": 0.0,
               "transports": 100.0, "locaux": 100.0},
        "02": {"bassin_emploi": 50 / 3, "performance": 50.0, "situation_generale": 100.0,
               "transports": 100.0, "locaux": 0.0},
        "03": {"bassin_emploi": 200 / 3, "performance": 200 / 3, "situation_generale": 50.0,
               "transports": 100.0, "locaux": 100.0},
    }  # fmt: skip
    for caf, scores in expected.items():
        for code, value in scores.items():
            assert scored[caf][f"score_{code}"] == pytest.approx(value), (caf, code)


def test_total_with_equal_weights_by_hand():
    scored = selection.score(grid(), weights())
    # Equal weights: total = mean of the five criteria.
    # A (200/3 + 100/3 + 0 + 100 + 100) / 5 = 300 / 5 = 60
    # B (50/3 + 50 + 100 + 100 + 0) / 5 = 10/3 + 50 = 160/3
    # C (200/3 + 200/3 + 50 + 100 + 100) / 5 = 80/3 + 50 = 230/3
    totals = dict(zip(scored["caf_code"], scored["total_score"], strict=True))
    assert totals == pytest.approx({"01": 60.0, "02": 160 / 3, "03": 230 / 3})
    assert scored["caf_code"].to_list() == ["03", "01", "02"]
    assert scored["rank"].to_list() == [1, 2, 3]


def test_weighted_total_and_contributions_by_hand():
    # Weights 2, 1, 1, 0, 1 (sum 5): transports no longer counts.
    scored = selection.score(grid(), weights(bassin_emploi=2.0, transports=0.0))
    rows = by_caf(scored)
    # Contribution = w × score / 5.
    # A: bassin 2 × 200/3 / 5 = 80/3, performance 100/3 / 5 = 20/3, situation 0,
    #    transports 0, locaux 100 / 5 = 20 -> total 80/3 + 20/3 + 20 = 160/3
    # B: bassin 2 × 50/3 / 5 = 20/3, performance 50 / 5 = 10, situation 100 / 5 = 20,
    #    transports 0, locaux 0 -> total 20/3 + 30 = 110/3
    # C: bassin 80/3, performance 200/3 / 5 = 40/3, situation 50 / 5 = 10, transports 0,
    #    locaux 20 -> total 120/3 + 30 = 70
    expected = {
        "01": ([80 / 3, 20 / 3, 0.0, 0.0, 20.0], 160 / 3, 2),
        "02": ([20 / 3, 10.0, 20.0, 0.0, 0.0], 110 / 3, 3),
        "03": ([80 / 3, 40 / 3, 10.0, 0.0, 20.0], 70.0, 1),
    }
    for caf, (contributions, total, rank) in expected.items():
        got = [rows[caf][f"contribution_{code}"] for code in CODES]
        assert got == pytest.approx(contributions), caf
        assert rows[caf]["total_score"] == pytest.approx(total)
        assert rows[caf]["rank"] == rank
    assert scored["candidate_id"].to_list() == ["CA_C", "CA_A", "CA_B"]
    assert scored["pole_code"].to_list() == [None, "idf_hdf", "atlantique"]


def test_output_columns_and_types():
    scored = selection.score(grid(), weights())
    assert scored.columns == [
        "candidate_id", "caf_code", "pole_code", "rank", "total_score",
        *[f"score_{c}" for c in CODES], *[f"contribution_{c}" for c in CODES],
    ]  # fmt: skip
    assert scored.schema["rank"] == pl.Int64
    assert all(scored.schema[c] == pl.Float64 for c in scored.columns[4:])


@pytest.mark.parametrize(
    "w",
    [weights(), weights(bassin_emploi=3.0, locaux=0.0), weights(performance=0.5, transports=7.0)],
)
def test_contributions_add_up_to_the_total(w):
    scored = selection.score(grid(), w)
    for row in scored.iter_rows(named=True):
        assert sum(row[f"contribution_{c}"] for c in CODES) == pytest.approx(row["total_score"])
        assert 0.0 <= row["total_score"] <= 100.0


def test_lower_is_better_for_the_hiring_delay():
    # Only the delay differs (10, 20, 50 days): reversed rescaling, (50 - d) / (50 - 10):
    # 10 days -> 100, 20 days -> 75, 50 days -> 0. The two hiring counts are equal (100).
    frame = grid(hiring_delay_days=[20.0, 50.0, 10.0], controller_hires_5y=[5, 5, 5],
                 ccd_hires_5y=[3, 3, 3])  # fmt: skip
    rows = by_caf(selection.score(frame, weights()))
    assert rows["01"]["score_bassin_emploi"] == pytest.approx((100 + 100 + 75) / 3)
    assert rows["02"]["score_bassin_emploi"] == pytest.approx((100 + 100 + 0) / 3)
    assert rows["03"]["score_bassin_emploi"] == pytest.approx((100 + 100 + 100) / 3)


def test_an_indicator_equal_for_all_gives_100():
    frame = grid(hiring_delay_days=[45.0, 45.0, 45.0], general_situation_score=[4.0] * 3)
    scored = selection.score(frame, weights())
    assert scored["score_transports"].to_list() == [100.0] * 3
    assert scored["score_situation_generale"].to_list() == [100.0] * 3
    alone = selection.score(grid().head(1), weights())  # one candidate: best on all
    assert alone.row(0, named=True)["total_score"] == pytest.approx(100.0)


def test_premises_are_yes_100_no_0_even_when_all_the_same():
    rows = by_caf(selection.score(grid(), weights()))
    assert [rows[c]["score_locaux"] for c in ("01", "02", "03")] == [100.0, 0.0, 100.0]
    none_ready = selection.score(grid(premises_ready=[False] * 3), weights())
    assert none_ready["score_locaux"].to_list() == [0.0] * 3  # no: 0, not "all equal"
    all_ready = selection.score(grid(premises_ready=[True] * 3), weights())
    assert all_ready["score_locaux"].to_list() == [100.0] * 3


def test_a_missing_value_scores_0():
    # Delay missing for A: A 0 points; B 90 and C 60 rescaled between themselves: B 0, C 100.
    rows = by_caf(selection.score(grid(hiring_delay_days=[None, 90.0, 60.0]), weights()))
    assert rows["01"]["score_bassin_emploi"] == pytest.approx((0 + 100 + 0) / 3)
    assert rows["02"]["score_bassin_emploi"] == pytest.approx((50 + 0 + 0) / 3)
    assert rows["03"]["score_bassin_emploi"] == pytest.approx((100 + 50 + 100) / 3)


def test_zero_weights_leave_only_the_weighted_criteria():
    # Only « situation générale » counts: the total is that criterion's score.
    only = dict.fromkeys(CODES, 0.0) | {"situation_generale": 4.0}
    scored = selection.score(grid(), only)
    assert dict(zip(scored["caf_code"], scored["total_score"], strict=True)) == pytest.approx(
        {"01": 0.0, "02": 100.0, "03": 50.0}
    )
    assert scored["contribution_bassin_emploi"].to_list() == [0.0] * 3
    assert scored["caf_code"].to_list() == ["02", "03", "01"]


def test_ties_share_the_best_rank_and_the_next_one_is_skipped():
    # Every indicator equal (100 points) except the premises: "05" and "02" ready (total
    # 100), "01" not ready (total (4 × 100 + 0) / 5 = 80). Ties ordered by Caf code.
    frame = pl.DataFrame({
        **{k: [v[0]] * 3 for k, v in GRID.items()},
        "candidate_id": ["X", "Y", "Z"],
        "caf_code": ["05", "02", "01"],
        "premises_ready": [True, True, False],
    })  # fmt: skip
    scored = selection.score(frame, weights())
    assert scored["caf_code"].to_list() == ["02", "05", "01"]
    assert scored["rank"].to_list() == [1, 1, 3]
    assert scored["total_score"].to_list() == pytest.approx([100.0, 100.0, 80.0])


def test_no_candidate_gives_an_empty_frame_with_the_columns():
    scored = selection.score(grid().head(0), weights())
    assert scored.is_empty()
    assert scored.columns == selection.score(grid(), weights()).columns
    assert selection.ranking_table(scored, {}, {}).is_empty()


# --- the weights --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("w", "message"),
    [
        (weights(locaux=-1.0), "Locaux disponibles sans travaux » doit être positive ou nulle"),
        ({c: 1.0 for c in CODES if c != "transports"}, "Pondération manquante pour le critère"),
        (dict.fromkeys(CODES, 0.0), "Au moins un critère doit avoir une pondération non nulle"),
        (weights(performance=math.nan), "doit être un nombre fini"),
        (weights(performance=math.inf), "doit être un nombre fini"),
        (weights(bassin_emploi="2"), "« Bassin d'emploi porteur » doit être un nombre"),
        (weights(bassin_emploi=None), "doit être un nombre"),
        (weights(locaux=True), "doit être un nombre"),
        (weights(salaires=1.0), "Critère inconnu : « salaires »"),
        ([1.0] * 5, "critère par critère"),
    ],
)
def test_invalid_weights_are_refused_in_french(w, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        selection.check_weights(w)
    with pytest.raises(ValueError, match=re.escape(message)):
        selection.score(grid(), w)


def test_valid_weights_come_back_as_floats_in_the_criteria_order():
    w = {"locaux": 2, "transports": 0, "situation_generale": 1.5, "performance": 1,
         "bassin_emploi": 3}  # fmt: skip
    assert list(selection.check_weights(w).items()) == [
        ("bassin_emploi", 3.0), ("performance", 1.0), ("situation_generale", 1.5),
        ("transports", 0.0), ("locaux", 2.0),
    ]  # fmt: skip


# --- display tables and chart ---------------------------------------------------------------

CAF_NAMES = {"01": "Caf de l'Ain", "02": "Caf de l'Aisne"}  # "03" unknown: its code shows
POLE_LABELS = {"idf_hdf": "Île-de-France – Hauts-de-France", "atlantique": "Atlantique"}


def test_ranking_table_has_french_headers_and_typed_rounded_numbers():
    scored = selection.score(grid(), weights(bassin_emploi=2.0, transports=0.0))
    table = selection.ranking_table(scored, CAF_NAMES, POLE_LABELS)
    contributions = [f"Contribution — {c.label}" for c in selection.CRITERIA]
    assert table.columns == ["Rang", "Caf", "Pôle candidat", "Score total (sur 100)",
                             *contributions]  # fmt: skip
    assert table.schema["Rang"] == pl.Int64
    assert all(table.schema[c] == pl.Float64 for c in table.columns[3:])
    assert table["Caf"].to_list() == ["03", "Caf de l'Ain", "Caf de l'Aisne"]
    assert table["Pôle candidat"].to_list() == [
        "Non précisé", "Île-de-France – Hauts-de-France", "Atlantique",
    ]  # fmt: skip
    # 70, 160/3 = 53.33…, 110/3 = 36.66… (one decimal)
    assert table["Score total (sur 100)"].to_list() == [70.0, 53.3, 36.7]
    # C: 80/3, 40/3, 10, 0, 20
    assert table.row(0)[4:] == (26.7, 13.3, 10.0, 0.0, 20.0)


def test_indicators_table_is_typed_with_french_headers():
    table = selection.indicators_table(grid(), CAF_NAMES, POLE_LABELS)
    assert table.columns[:2] == ["Caf", "Pôle candidat"] and table.columns[-1] == "Observations"
    assert table.schema["Recrutements de contrôleurs sur 5 ans"] == pl.Int64
    assert table.schema["Délai moyen de recrutement"] == pl.Float64
    assert table.schema["Impact financier du contrôle AS"] == pl.Float64
    assert table.schema["Locaux disponibles sans travaux"] == pl.Boolean
    assert table["Observations"].to_list() == ["", "Locaux à rénover", ""]


def test_contributions_chart_stacks_one_bar_per_criterion():
    scored = selection.score(grid(), weights(bassin_emploi=2.0, transports=0.0))
    table = selection.ranking_table(scored, CAF_NAMES, POLE_LABELS)
    fig = selection_charts.contributions(table, "Campagne 2024")
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == [c.label for c in selection.CRITERIA]
    assert all(t.orientation == "h" for t in fig.data)
    assert list(fig.data[0].y) == ["03", "Caf de l'Ain", "Caf de l'Aisne"]
    assert list(fig.data[4].x) == [20.0, 20.0, 0.0]  # locaux: C, A, B
    assert fig.layout.title.text == "Score des Caf candidates, par critère"


# --- through the data layer ---------------------------------------------------------------


def candidate_raw(index: int, campaign: int = 2024, caf_code: str | None = None) -> dict:
    raw = {k: v[index] for k, v in GRID.items() if k not in ("candidate_id", "caf_code")}
    return {**raw, "campaign": campaign, "caf_code": caf_code or GRID["caf_code"][index]}


def save_grid(campaign: int = 2024) -> list[str]:
    return [
        gov.save(CNAF, "candidate", candidate_raw(i, campaign), token=f"c{campaign}-{i}").entity_id
        for i in range(3)
    ]


def test_candidates_saved_read_back_and_scored(tiny_data):
    ids = save_grid()
    gov.save(CNAF, "candidate", candidate_raw(0, 2025, "75"), token="other-campaign")
    candidates = gov.records("candidate", campaign=2024)
    assert sorted(candidates["candidate_id"]) == sorted(ids)
    scored = selection.score(candidates, weights(bassin_emploi=2.0, transports=0.0))
    # Same grid as above: C 70 (rank 1), A 160/3 (2), B 110/3 (3).
    assert scored["caf_code"].to_list() == ["03", "01", "02"]
    assert scored["total_score"].to_list() == pytest.approx([70.0, 160 / 3, 110 / 3])
    assert scored["candidate_id"].to_list() == [ids[2], ids[0], ids[1]]


@pytest.mark.parametrize("who", [READER, POLE_IDF])
def test_only_the_cnaf_saves_a_candidate(tiny_data, who):
    with pytest.raises(AccessDenied) as caught:
        gov.save(who, "candidate", candidate_raw(0), token="refused")
    message = str(caught.value)
    assert message.startswith(("Seule la Cnaf", "Le rôle")), message
    assert gov.records("candidate").is_empty()


# --- the page ---------------------------------------------------------------------------

ENGLISH = re.compile(r"\b(None|nan|NaN|null|empty|true|false|True|False)\b")


def page_texts(at) -> list[str]:
    """Every text the page shows: elements, widget labels and options, table cells."""
    texts = [at.title[0].value]
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "subheader"):
        texts += [str(e.value) for e in at.get(kind)]
    for kind in ("selectbox", "number_input", "checkbox", "text_area", "button"):
        for widget in at.get(kind):
            texts.append(widget.label)
            texts += [str(o) for o in getattr(widget, "options", [])]
    for frame in at.dataframe:
        value = frame.value
        texts += [str(c) for c in value.columns]
        # Booleans are shown as check boxes, numbers formatted by the column config.
        texts += [str(v) for c in value.columns if value[c].dtype == object for v in value[c]]
    return texts


def assert_french(at) -> None:
    for text in page_texts(at):
        assert not ENGLISH.search(text), text


@pytest.mark.parametrize("role", ["reader", "pole", "cnaf"])
def test_page_without_candidates_says_so(tiny_data, role):
    at = run(page=PAGE, role=role)
    assert at.title[0].value == "Sélection des Caf pivots"
    assert any("Aucune candidature enregistrée pour la campagne" in i.value for i in at.info)
    assert at.get("plotly_chart") == []
    assert at.dataframe == []
    assert_french(at)


@pytest.mark.parametrize("role", ["reader", "pole", "cnaf"])
def test_page_ranks_the_candidates_for_every_role(tiny_data, role):
    save_grid()
    gov.save_weights(CNAF, 2024, weights(bassin_emploi=2.0, transports=0.0))
    at = run(page=PAGE, role=role)
    assert at.selectbox(key="selection_campaign").value == 2024
    ranking = at.dataframe[0].value
    assert list(ranking["Rang"]) == [1, 2, 3]
    assert list(ranking["Score total (sur 100)"]) == [70.0, 53.3, 36.7]
    assert list(ranking["Caf"]) == ["Caf de l'Allier", "Caf de l'Ain", "Caf de l'Aisne"]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in spec["data"]] == [c.label for c in selection.CRITERIA]
    assert len(at.dataframe) == 2  # the ranking and the indicators
    forms = at.get("form")
    assert (len(forms) == 1) == (role == "cnaf")  # readers and pôles get no form
    downloads = len(at.get("download_button"))
    assert (downloads > 0) == (role == "cnaf")
    assert_french(at)


def test_trying_other_weights_reranks_without_saving(tiny_data):
    save_grid()
    at = run(page=PAGE, role="reader")
    assert list(at.dataframe[0].value["Score total (sur 100)"]) == [76.7, 60.0, 53.3]
    # Only « situation générale » counts: B 100, C 50, A 0.
    for code in CODES:
        at.number_input(key=f"weight_2024_{code}").set_value(
            4 if code == "situation_generale" else 0
        )
    at.run()
    assert list(at.dataframe[0].value["Score total (sur 100)"]) == [100.0, 50.0, 0.0]
    assert any("pondérations d'essai" in i.value for i in at.info)
    assert gov.weights(2024) == {}
    assert not any(b.label == "Enregistrer ces pondérations" for b in at.button)
    at.button(key="weights_reset").click().run()
    assert list(at.dataframe[0].value["Score total (sur 100)"]) == [76.7, 60.0, 53.3]
    assert_french(at)


def test_all_weights_zero_is_said_in_french(tiny_data):
    save_grid()
    at = run(page=PAGE, role="pole")
    for code in CODES:
        at.number_input(key=f"weight_2024_{code}").set_value(0)
    at.run()
    assert any("Au moins un critère" in e.value for e in at.error)
    assert at.get("plotly_chart") == []


def test_cnaf_saves_the_weights(tiny_data):
    save_grid()
    at = run(page=PAGE, role="cnaf")
    at.number_input(key="weight_2024_locaux").set_value(3).run()
    next(b for b in at.button if b.label == "Enregistrer ces pondérations").click().run()
    assert not at.exception
    assert gov.weights(2024) == weights(locaux=3.0)
    assert any("Pondérations de la campagne 2024 enregistrées" in s.value for s in at.success)


def fill_form(at, caf: str, values: dict) -> None:
    campaign = at.selectbox(key="selection_campaign").value
    key = f"candidate_{campaign}_nouvelle_{at.session_state['candidate_form_generation']}"
    at.selectbox(key=f"{key}_caf").set_value(caf)
    for column, value in values.items():
        if isinstance(value, bool):
            at.checkbox(key=f"{key}_{column}").check() if value else None
        else:
            at.number_input(key=f"{key}_{column}").set_value(value)
    at.text_area(key=f"{key}_note").input("Équipe accueillie au 2e étage")
    next(b for b in at.button if b.label == "Enregistrer la candidature").click()
    at.run()


def test_cnaf_adds_a_candidate_and_a_second_one_for_the_same_caf_is_refused(tiny_data):
    at = run(page=PAGE, role="cnaf")
    # No candidate yet: the Cnaf opens the campaign of the current year (2026 in tiny).
    assert at.selectbox(key="selection_campaign").options == ["2026"]
    values = candidate_raw(1)
    indicators = {i.column: values[i.column] for c in selection.CRITERIA for i in c.indicators}
    fill_form(at, "02", indicators)
    assert not at.exception
    assert any("Candidature enregistrée" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    saved = gov.records("candidate")
    assert saved.height == 1
    row = saved.row(0, named=True)
    assert (row["caf_code"], row["campaign"], row["hiring_delay_days"]) == ("02", 2026, 90.0)
    assert row["note"] == "Équipe accueillie au 2e étage"
    # Alone: 100 on every rescaled criterion, but no premises ready (0): (4 × 100 + 0) / 5.
    assert at.dataframe[0].value["Score total (sur 100)"][0] == 80.0
    fill_form(at, "02", indicators)
    assert any("a déjà une candidature pour la campagne 2026" in e.value for e in at.error)
    assert gov.records("candidate").height == 1
    assert_french(at)


def test_cnaf_form_says_missing_values_in_french(tiny_data):
    at = run(page=PAGE, role="cnaf")
    fill_form(at, "02", {})
    assert any("corrigez les champs signalés" in e.value for e in at.error)
    assert any("Champ obligatoire" in e.value for e in at.error)
    assert gov.records("candidate").is_empty()
    assert_french(at)


def test_cnaf_deletes_a_candidate_after_confirming(tiny_data):
    ids = save_grid()
    at = run(page=PAGE, role="cnaf")
    at.selectbox(key="candidate_pick_2024").set_value(ids[1]).run()
    at.button(key="candidate_delete").click().run()
    assert any("Supprimer la candidature" in w.value for w in at.warning)
    at.button(key="candidate_delete_cancel").click().run()
    assert gov.records("candidate").height == 3
    at.button(key="candidate_delete").click().run()
    at.button(key="candidate_delete_ok").click().run()
    assert not at.exception
    assert sorted(gov.records("candidate")["candidate_id"]) == sorted([ids[0], ids[2]])
    assert len(at.dataframe[0].value) == 2
    assert_french(at)


def test_cnaf_edits_a_candidate_and_cannot_move_it_onto_another_candidate_caf(tiny_data):
    ids = save_grid()
    at = run(page=PAGE, role="cnaf")
    at.selectbox(key="candidate_pick_2024").set_value(ids[1]).run()
    key = f"candidate_2024_{ids[1]}_0"
    assert at.selectbox(key=f"{key}_caf").value == "02"  # the form opens on the record
    assert at.number_input(key=f"{key}_hiring_delay_days").value == 90.0
    at.number_input(key=f"{key}_hiring_delay_days").set_value(30.0)
    next(b for b in at.button if b.label == "Enregistrer la candidature").click().run()
    assert any("Candidature enregistrée" in s.value for s in at.success)
    edited = gov.records("candidate", candidate_id=ids[1]).row(0, named=True)
    assert edited["hiring_delay_days"] == 30.0
    assert gov.records("candidate").height == 3
    at.selectbox(key="candidate_pick_2024").set_value(ids[1]).run()
    key = f"candidate_2024_{ids[1]}_1"
    at.selectbox(key=f"{key}_caf").set_value("01")
    next(b for b in at.button if b.label == "Enregistrer la candidature").click().run()
    assert any("Caf de l'Ain a déjà une candidature" in e.value for e in at.error)
    assert gov.records("candidate", candidate_id=ids[1])["caf_code"].to_list() == ["02"]
