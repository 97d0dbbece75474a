"""Steering queries on the tiny data set (tests/tiny.py, today 2026-01-31). Every
expected figure is worked out by hand from the rows listed in tests/tiny.py; the
arithmetic is in the comments."""

from __future__ import annotations

import itertools
from datetime import date

import polars as pl
import pytest

from charts import copil
from charts import steering_tables as tables
from sppe_data import steering
from sppe_data.steering import semester_period, year_period

Y2025, Y2026 = year_period(2025), year_period(2026)


def counts(df: pl.DataFrame, key: str, value: str) -> dict:
    return dict(df.group_by(key).agg(pl.col(value).sum()).iter_rows())


def one(df: pl.DataFrame, **where) -> dict:
    hit = df.filter(pl.all_horizontal(pl.col(k) == v for k, v in where.items()))
    assert hit.height == 1, hit
    return hit.row(0, named=True)


# -- explorer ----------------------------------------------------------------------


def test_breakdown_by_pole_2026_counts_done_up_to_today(tiny_data):
    df = steering.activity_breakdown(Y2026, "all", "pole")
    # idf: A01, A02 (A03 after today, A04 cancelled); centre_est: A06, A11, A12;
    # mediterranee: A07, A09 (not targeted, still counted), A13, A14 (A08 in progress).
    assert counts(df, "dim_key", "done_count") == {"idf_hdf": 2, "centre_est": 3, "mediterranee": 4}
    assert set(df["dim_label"]) == {"IDF-HDF", "Centre-Est-ARA", "Méditerranée"}
    # Every kind of the letter, not only targeted ones: animation IDA has no indicator.
    assert "animation_ida" in set(df["activity_kind"])


def test_breakdown_by_equipment_2025(tiny_data):
    df = steering.activity_breakdown(Y2025, "all", "equipment")
    # EAJE: A05, B01, B03; micro-crèche: B02, B04; MAM: B06 (B05 cancelled).
    got = counts(df, "dim_label", "done_count")
    assert got == {
        "EAJE (PSU)": 3,
        "Micro-crèche (Paje)": 2,
        "Maison d'assistants maternels (MAM)": 1,
    }


def test_breakdown_by_semester_month_caf_and_departement(tiny_data):
    sem = steering.activity_breakdown(Y2025, "all", "semester")
    # S1 2025: B04 (15/03), B06 (30/06); S2 2025: A05, B01, B02, B03.
    assert counts(sem, "dim_label", "done_count") == {"S1 2025": 2, "S2 2025": 4}
    month = steering.activity_breakdown(Y2026, "all", "month")
    assert counts(month, "dim_label", "done_count") == {"janvier 2026": 9}
    caf = steering.activity_breakdown(Y2025, "idf_hdf", "caf")
    assert counts(caf, "dim_label", "done_count") == {"Caf du Nord": 2}  # B01, B02
    dep = steering.activity_breakdown(Y2025, "mediterranee", "departement")
    assert counts(dep, "dim_label", "done_count") == {"30 Gard": 2}  # B03, B06


def test_breakdown_empty_period_and_semester(tiny_data):
    assert steering.activity_breakdown(year_period(2027), "all", "pole").is_empty()
    # S2 2026 has not started on 31 January 2026.
    assert steering.activity_breakdown(semester_period(2026, 2), "all", "pole").is_empty()
    # A pôle with no activity at all.
    assert steering.activity_breakdown(Y2026, "centre_ouest", "month").is_empty()


def test_drill_down_lists_the_activities_behind_a_bar(tiny_data):
    df = steering.activity_list(Y2025, "all", "controle_appui_plan", "caf", "59")
    assert df["activity_id"].to_list() == ["B02", "B01"]  # most recent first
    df = steering.activity_list(Y2025, "all", "all", "semester", "2025-S1")
    assert df["activity_id"].to_list() == ["B06", "B04"]
    shown = tables.activity_detail(df)
    assert shown["Type d'équipement"].to_list() == [
        "Maison d'assistants maternels (MAM)",
        "Micro-crèche (Paje)",
    ]
    # Typed: the page formats (euros, dates), the table sorts by value.
    assert shown["Indus détectés"].to_list() == [None, 500.0]
    assert shown["Date"].dtype == pl.Date and shown["Jours passés"].dtype == pl.Float64


def test_small_multiples_share_months_and_show_zero_for_idle_poles(tiny_data):
    df = steering.activity_monthly_by_pole(Y2026, ["suivi_ida", "controle_sensible"])
    assert df.height == 5 * 12
    jan = dict(
        df.filter(pl.col("month_start") == date(2026, 1, 1))
        .select("pole_code", "done_count")
        .rows()
    )
    # suivi IDA: A07, A13, A14 (mediterranee); contrôles sensibles: A01, A02, A06.
    assert jan == {
        "idf_hdf": 2,
        "centre_est": 1,
        "mediterranee": 3,
        "atlantique": 0,
        "centre_ouest": 0,
    }
    # Months after today have no figure (not zero).
    assert df.filter(pl.col("month_start") > date(2026, 1, 31))["done_count"].null_count() == 55


# -- COPIL -------------------------------------------------------------------------


def test_copil_first_semester_compares_with_the_previous_year_s2(tiny_data):
    df = steering.copil_semester(2026, 1)
    mission = {r["indicator_code"]: r for r in copil.mission_rows(df).iter_rows(named=True)}
    assert mission["controles_sensibles"]["as_of"] == date(2026, 1, 31)
    now = {k: r["semester_realised_count"] for k, r in mission.items()}
    before = {k: r["previous_realised_count"] for k, r in mission.items()}
    # S1 2026 up to today: audit A12, sensibles A01 A02 A06, consulting A11, IDA A07 A13 A14.
    assert now == {
        "audits_terrain": 1, "controles_appui_plans": 0, "controles_sensibles": 3,
        "controles_multi_dep": 0, "etudes_consulting": 1, "suivis_ida": 3,
    }  # fmt: skip
    # S2 2025: appui plans B01 B02, sensible A05, multi-dép. B03.
    assert before == {
        "audits_terrain": 0, "controles_appui_plans": 2, "controles_sensibles": 1,
        "controles_multi_dep": 1, "etudes_consulting": 0, "suivis_ida": 0,
    }  # fmt: skip
    sens = mission["controles_sensibles"]
    assert sens["change_count"] == 2
    assert sens["expected_count"] == pytest.approx(50 * 31 / 365)
    assert sens["gap_count"] == pytest.approx(50 * 31 / 365 - 3)
    assert sens["pace_status"] == "behind"  # 3 / 4.25 = 71 %


def test_copil_second_semester_2025_is_complete(tiny_data):
    df = steering.copil_semester(2025, 2)
    appui = one(df, pole_code="all", indicator_code="controles_appui_plans")
    assert appui["as_of"] == date(2025, 12, 31)
    assert appui["year_realised_count"] == 2
    assert appui["gap_count"] == pytest.approx(248.0)
    multi = one(df, pole_code="all", indicator_code="controles_multi_dep")
    # Year: B04 (S1) and B03 (S2); semester: B03; previous (S1 2025): B04.
    assert (multi["year_realised_count"], multi["semester_realised_count"]) == (2, 1)
    assert multi["previous_realised_count"] == 1
    med = one(df, pole_code="mediterranee", indicator_code="controles_multi_dep")
    assert med["expected_count"] == pytest.approx(150 * 0.20)


def test_copil_semester_not_started(tiny_data):
    df = steering.copil_semester(2026, 2)
    mission = copil.mission_rows(df)
    assert mission["semester_realised_count"].sum() == 0
    # The previous semester is S1 2026, i.e. January so far: 8 done.
    assert mission["previous_realised_count"].sum() == 8


def test_copil_factual_summary_from_the_figures(tiny_data):
    df = steering.copil_semester(2026, 1)
    sentences = copil.factual_summary(df, "2e semestre 2025")
    assert sentences == [
        "Au 31 janvier 2026, pour la mission, 0 indicateur sur 6 est dans la trajectoire, "
        "0 à surveiller et 6 en retard.",
        # 1 + 0 + 3 + 0 + 1 + 3 = 8 against 0 + 2 + 1 + 1 + 0 + 0 = 4.
        "Les six indicateurs cumulent 8 réalisations sur le semestre, contre 4 au "
        "2e semestre 2025 (+4).",
        # appui plans: 250 x 31/365 = 21.2 expected, none done (IDA: 17.0 - 3 = 14.0).
        "Le plus grand écart de la mission concerne « Contrôles en appui des plans de "
        "contrôle départementaux » : 0 réalisés pour 21,2 attendus à date (écart 21,2, "
        "cible annuelle 250).",
        # Behind: idf 5 (sensibles on track), centre_est 4 (audit, sensibles on track),
        # mediterranee 5 (IDA watch), atlantique 6, centre_ouest 6.
        "Pôles avec le plus d'indicateurs en retard : Atlantique et Centre-Ouest (6 sur 6).",
    ]


def test_copil_largest_gaps_and_moves(tiny_data):
    df = steering.copil_semester(2026, 1)
    gaps = copil.largest_gaps(df)
    # Largest: appui plans of centre_est (250 x 0.24 x 31/365 = 5.10), then idf (4.67).
    assert gaps["Pôle"].to_list()[:2] == ["Centre-Est-ARA", "IDF-HDF"]
    assert gaps["Écart à l'attendu"][0] == 5.1
    moves = copil.copil_moves(df)
    assert moves["Évolution"].to_list() == [1, -2, 2, -1, 1, 3]


# -- operational committee ---------------------------------------------------------


def test_ops_month_risk_control_january_2026(tiny_data):
    df = steering.ops_month_activity(date(2026, 1, 1), "maitrise_risques", "all")
    assert df.height == 9 * 5  # every risk-control kind x pôle
    assert df["done_count"].sum() == 4  # A01, A02, A06, A12
    assert df["planned_next_count"].sum() == 1  # B07, planned 20/02/2026
    assert (
        one(df, activity_kind="controle_multi_dep", pole_code="mediterranee")["planned_next_count"]
        == 1
    )
    eng = steering.ops_month_activity(date(2026, 1, 1), "ingenierie", "all")
    assert eng["done_count"].sum() == 5  # A07, A09, A11, A13, A14
    empty = steering.ops_month_activity(date(2026, 3, 1), "ingenierie", "centre_ouest")
    assert empty["done_count"].sum() == 0 and empty.height == 7


def test_late_items_threshold_is_strict(tiny_data):
    late = steering.ops_late_items(date(2026, 1, 1), "maitrise_risques", "all")
    # B08 planned 01/12/2025: 61 days at 31/01/2026. A10 (16 days) is not late.
    assert late.select("activity_id", "days_late").rows() == [("B08", 61)]
    # On 31/12/2025, B08 is exactly 30 days old: not late yet.
    assert steering.ops_late_items(date(2025, 12, 1), "maitrise_risques", "all").is_empty()
    # Engineering: A08 is in progress since 25/01/2026 only.
    assert steering.ops_late_items(date(2026, 1, 1), "ingenierie", "all").is_empty()


def test_open_requests_at_a_date(tiny_data):
    df = steering.requests_open(date(2026, 1, 31), "all")
    assert df.select("request_id", "age_days").rows() == [("S3", 26), ("S1", 11)]
    assert df["is_routing_ok"].to_list() == [False, True]  # S3: suivi IDA via the Cnaf
    # On 31/12/2025 S2 (closed 14/01/2026) was still open: 21 days old.
    past = steering.requests_open(date(2025, 12, 31), "all")
    assert past.select("request_id", "age_days", "status").rows() == [("S2", 21, "in_progress")]
    assert steering.requests_open(date(2026, 1, 31), "all", "ingenierie")[
        "request_id"
    ].to_list() == ["S3"]


# -- controls ----------------------------------------------------------------------


def test_control_outcomes_2025(tiny_data):
    df = steering.control_outcomes(Y2025, "all")
    total = one(df, breakdown="all")
    # Done controls: A05 (no outcome recorded), B01 (findings), B02 (none), B03, B04.
    assert (total["controls_count"], total["with_outcome_count"], total["findings_count"]) == (
        5,
        4,
        3,
    )
    assert total["findings_share"] == pytest.approx(0.75)
    assert total["undue_amount_eur"] == pytest.approx(4000.0)  # 1000 + 2500 + 500
    assert total["recovered_amount_eur"] == pytest.approx(2900.0)  # 400 + 2500 + 0
    eaje = one(df, breakdown="equipment", key="eaje_psu")
    assert eaje["label"] == "EAJE (PSU)"
    assert (eaje["controls_count"], eaje["undue_amount_eur"]) == (3, 3500.0)
    assert eaje["recovery_share"] == pytest.approx(2900 / 3500)
    idf = one(df, breakdown="pole", key="idf_hdf")
    assert idf["findings_share"] == pytest.approx(0.5)
    co = one(df, breakdown="pole", key="centre_ouest")  # no activity: zeros, no share
    assert (co["controls_count"], co["findings_share"]) == (0, None)


def test_control_outcomes_when_nothing_is_recorded(tiny_data):
    total = one(steering.control_outcomes(Y2026, "all"), breakdown="all")
    # A01, A02, A06, A12 are done controls without a recorded outcome.
    assert (total["controls_count"], total["with_outcome_count"]) == (4, 0)
    assert total["findings_share"] is None and total["recovery_share"] is None
    empty = steering.control_outcomes(year_period(2027), "all")
    assert one(empty, breakdown="all")["controls_count"] == 0


def test_partners_and_watch_list(tiny_data):
    df = steering.partner_controls("all")
    # P1 high risk, P2 findings at its last control; P3 never controlled, low risk.
    assert df.select("partner_id", "is_on_watch_list").rows() == [
        ("P2", True), ("P1", True), ("P3", False),
    ]  # fmt: skip
    p1 = one(df, partner_id="P1")
    assert (p1["last_control_on"], p1["controls_count"], p1["undue_amount_eur"]) == (
        date(2025, 12, 20), 1, 2500.0,
    )  # fmt: skip
    atl = steering.partner_controls("atlantique")
    assert one(atl, partner_id="P1")["controls_count"] == 0  # B03 was done by mediterranee
    shown = tables.partners(df)
    assert shown["Dernier contrôle"].to_list() == [date(2025, 3, 15), date(2025, 12, 20), None]
    assert shown["Constats au dernier contrôle"][2] == "Jamais contrôlé"


# -- resources ---------------------------------------------------------------------


def test_staff_by_pole_at_today(tiny_data):
    df = steering.staff_by_pole(Y2026)
    idf = one(df, pole_code="idf_hdf")
    assert (idf["positions_count"], idf["people_in_post_count"]) == (4, 3)
    assert (idf["fte_positions"], idf["fte_in_post"], idf["fte_vacant"]) == (3.5, 2.5, 1.0)
    assert idf["done_per_fte"] == pytest.approx(2 / 2.5)  # A01, A02
    med = one(df, pole_code="mediterranee")
    assert (med["fte_in_post"], med["fte_to_come"]) == (1.0, 1.0)  # E6 starts 01/03/2026
    assert med["done_per_fte"] == pytest.approx(4.0)  # A07, A09, A13, A14
    co = one(df, pole_code="centre_ouest")
    assert (co["positions_count"], co["done_count"], co["done_per_fte"]) == (0, 0, None)


def test_staffing_plan_funding_lines():
    # The letter: 39.5 FTE = 11.5 SNA + 10.5 risk control + 17.5 engineering.
    assert steering.staffing_plan()["funding_lines"] == {
        "sna": 11.5, "maitrise_risques": 10.5, "ingenierie": 17.5,
    }  # fmt: skip
    assert steering.staffing_plan()["total_fte"] == pytest.approx(39.5)


def test_request_delays_table_is_typed(tiny_data):
    rows = steering.request_delays(Y2026, "all").filter(pl.col("breakdown") == "all")
    table = tables.request_delays(rows, "Pôle")
    row = table.row(0, named=True)
    # S1, S3, S5 received; take-up S3 10 d and S5 1 d: median 5.5 days; S5 closed in 21.
    assert (row["Reçues"], row["Non prises en charge"], row["Traitées"]) == (3, 1, 1)
    assert row["Délai de prise en charge (médiane)"] == pytest.approx(5.5)
    assert row["Délai de clôture (médiane)"] == pytest.approx(21)
    assert table.schema["Reçues"].is_integer()
    assert table.schema["Délai de prise en charge (médiane)"] == pl.Float64


# -- saisines ----------------------------------------------------------------------


def test_request_delays_2026(tiny_data):
    df = steering.request_delays(Y2026, "all")
    total = one(df, breakdown="all")
    # S1 (received), S3 (in progress, misrouted), S5 (done); S1 and S5 high priority.
    assert (total["received_count"], total["not_taken_up_count"], total["in_progress_count"]) == (
        3,
        1,
        1,
    )
    assert (total["done_count"], total["refused_count"]) == (1, 0)
    assert (total["misrouted_count"], total["high_priority_count"]) == (1, 2)
    # Take-up: S3 10 d, S5 1 d -> median 5.5, p90 1 + 0.9 x 9 = 9.1. Closing: S5 21 d.
    assert total["take_up_median_days"] == pytest.approx(5.5)
    assert total["take_up_p90_days"] == pytest.approx(9.1)
    assert total["close_median_days"] == pytest.approx(21.0)
    caf59 = one(df, breakdown="caf", key="59")
    assert (caf59["label"], caf59["received_count"]) == ("Caf du Nord", 2)


def test_request_delays_across_the_year_boundary(tiny_data):
    df = steering.request_delays(Y2025, "all")
    total = one(df, breakdown="all")
    # S2 (done, closed 14/01/2026: 35 days) and S4 (refused: no closing delay).
    assert (total["received_count"], total["done_count"], total["refused_count"]) == (2, 1, 1)
    assert total["take_up_median_days"] == pytest.approx(3.0)  # 5 and 1
    assert total["take_up_p90_days"] == pytest.approx(4.6)  # 1 + 0.9 x 4
    assert total["close_median_days"] == pytest.approx(35.0)
    co = one(df, breakdown="pole", key="centre_ouest")
    assert (co["received_count"], co["take_up_median_days"]) == (0, None)


def test_backlog_by_age_bands(tiny_data):
    waiting = steering.requests_open(date(2026, 1, 31), "all")
    backlog = tables.backlog_by_age(waiting, steering.backlog_bands())
    assert backlog["Ancienneté"].to_list() == ["0 à 15 j", "16 à 30 j", "31 à 60 j", "plus de 60 j"]
    assert backlog["Total"].to_list() == [1, 1, 0, 0]  # S1 11 days, S3 26 days
    assert backlog["Méditerranée"].to_list() == [0, 1, 0, 0]


def test_travel_fees_per_caf_and_month(tiny_data):
    fees = steering.travel_fees(Y2025, "all")
    # B01 (11/2025) and B02 (12/2025) for the Caf du Nord; B06 (06/2025) for the Gard.
    assert fees.select("caf_code", "month_start", "travel_fee_eur").rows() == [
        ("30", date(2025, 6, 1), 300.0),
        ("59", date(2025, 11, 1), 300.0),
        ("59", date(2025, 12, 1), 300.0),
    ]
    by_caf = tables.travel_fees_by_caf(fees)
    assert by_caf.row(0) == ("Caf du Nord", "IDF-HDF", 2, 600.0)
    assert steering.travel_fees(Y2026, "all").is_empty()


# -- builders ----------------------------------------------------------------------


def test_breakdown_bars_carry_the_drill_down_keys(tiny_data):
    from charts import steering as charts

    df = steering.activity_breakdown(Y2026, "all", "pole")
    fig = charts.breakdown_bars(df, "Pôle", "titre", "sous-titre")
    sensible = next(t for t in fig.data if t.name == "Contrôle sensible")
    # A06 (centre_est) and A01, A02 (idf_hdf).
    assert list(sensible.y) == [1, 2]
    assert [list(c) for c in sensible.customdata] == [
        ["controle_sensible", "centre_est"],
        ["controle_sensible", "idf_hdf"],
    ]


def test_charts_with_nothing_to_show_say_so():
    from charts import steering as charts

    fig = charts.grouped_bars(["IDF-HDF"], {"Indus détectés (€)": [0.0]}, "t", "s", "Euros")
    assert not fig.data
    assert fig.layout.annotations[0].text == "Aucune donnée sur la période"
    empty = charts.breakdown_bars(
        pl.DataFrame(schema={"activity_kind": pl.String, "dim_key": pl.String}), "Pôle", "t", "s"
    )
    assert not empty.data


def test_steering_reference_file_is_consistent():
    plan = steering.staffing_plan()
    # The letter: 39.5 FTE = 11.5 SNA + 10.5 risk control + 17.5 engineering.
    assert sum(plan["funding_lines"].values()) == pytest.approx(plan["total_fte"]) == 39.5
    assert (plan["people_per_pole_min"], plan["people_per_pole_max"]) == (7, 9)
    from sppe_data import reference

    kinds = set(reference.activity_kinds()["activity_kind"])
    assert set(steering.control_kinds()) <= kinds
    assert set(steering.rules()["labels"]["funding_lines"]) == set(plan["funding_lines"])
    assert steering.backlog_bands() == sorted(steering.backlog_bands())


def test_request_delays_by_priority(tiny_data):
    df = steering.request_delays(Y2026, "all").filter(pl.col("breakdown") == "priority")
    # 2026: haute S1 (waiting) and S5 (taken up in 1 day); basse S3 (10 days).
    assert df.select("label", "received_count", "take_up_median_days").rows() == [
        ("Haute", 2, 1.0),
        ("Basse", 1, 10.0),
    ]


def test_one_pass_figures_pass_plotly_checks_and_place_panels_as_make_subplots(tiny_data):
    """The builders that skip plotly's checks for speed: their figures re-checked by
    plotly, and their panels where plotly's own ``make_subplots`` puts them."""
    from plotly.subplots import make_subplots

    from charts import steering as charts
    from charts import theme
    from sppe_data import api

    progress = api.indicator_progress(2026).filter(pl.col("pole_code") == "all")
    monthly = steering.activity_monthly_by_pole(Y2026, ["suivi_ida"])
    bullets = theme.validated(charts.indicator_bullets(progress, "t", "s"))
    multiples = theme.validated(charts.pole_small_multiples(monthly, "t", "s"))
    breakdown = steering.activity_breakdown(Y2026, "all", "pole")
    theme.validated(charts.breakdown_bars(breakdown, "Pôle", "t", "s"))
    n = progress.height
    stacked = make_subplots(rows=n, cols=1, vertical_spacing=0.06)
    side = make_subplots(rows=1, cols=5, shared_yaxes=True, horizontal_spacing=0.02)
    for i in range(1, n + 1):
        axis = f"yaxis{'' if i == 1 else i}"
        assert bullets.layout[axis].domain == pytest.approx(stacked.layout[axis].domain)
    for i in range(1, 6):
        axis = f"xaxis{'' if i == 1 else i}"
        assert multiples.layout[axis].domain == pytest.approx(side.layout[axis].domain)
    # Six traces per indicator (three bands, realised, expected, target); one bar per pôle.
    assert len(bullets.data) == 6 * n and len(multiples.data) == 5
    assert [a.text for a in multiples.layout.annotations] == monthly.unique(
        "pole_code", maintain_order=True
    )["pole_short_label"].to_list()
    from charts.progress import cumulative_progress

    monthly_ida = api.indicator_monthly(2026, "suivis_ida", "all")
    progress_fig = theme.validated(
        cumulative_progress(monthly_ida, 40.0, "t", "s", date(2026, 1, 31))
    )
    # Bars, target, realised, forecast (January done: the forecast runs to December).
    assert [t.type for t in progress_fig.data] == ["bar", "scatter", "scatter", "scatter"]
    previous = api.indicator_monthly(2025, "suivis_ida", "all")
    theme.validated(charts.year_on_year(monthly_ida, previous, 2026, "t", "s"))
    series = {"Indus détectés": [1.0, 2.0], "Indus recouvrés": [0.5, 0.0]}
    for horizontal in (False, True):
        theme.validated(charts.grouped_bars(["A", "B"], series, "t", "s", "€", horizontal))
    stacked = theme.validated(charts.stacked_bars(["A", "B"], series, "t", "s", "€", ["#111111"]))
    assert stacked.layout.barmode == "stack"
    assert [t.marker.color for t in stacked.data] == ["#111111", theme.PALETTE[1]]
    with pytest.raises(ValueError):
        theme.validated(theme.figure([dict(type="bar", colour="red")], {}))


def test_every_activity_kind_has_its_own_colour_and_hatching():
    """Sixteen kinds, nine colours: the hatching tells apart the kinds that share one, and
    no two kinds share both (the explorer's stacked bars, the legend)."""
    from charts import steering as charts
    from sppe_data import reference

    n = reference.activity_kinds().height
    looks = [charts.kind_marker(i) for i in range(n)]
    pairs = {(m["color"], m["pattern"]["shape"]) for m in looks}
    assert n >= 16 and len(pairs) == n
    # Neighbours in a stack differ by their hatching too, not by colour alone.
    shapes = [m["pattern"]["shape"] for m in looks]
    assert all(a != b for a, b in itertools.pairwise(shapes))
