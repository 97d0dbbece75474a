from datetime import date

from sppe_data import fmt

NB = "\u00a0"


def test_numbers_in_french():
    assert fmt.number(1234.5, 1) == f"1{NB}234,5"
    assert fmt.number(1234567) == f"1{NB}234{NB}567"
    assert fmt.number(-42.25, 1) == "-42,2"  # banker's rounding of .25 is fine here
    assert fmt.number(None) == "–"
    assert fmt.number(float("nan")) == "–"
    assert fmt.smart(6.6) == "6,6"
    assert fmt.smart(250.0) == "250"


def test_percent_and_euros():
    assert fmt.percent(0.123, 1) == f"12,3{NB}%"
    assert fmt.percent(1.0) == f"100{NB}%"
    assert fmt.percent(None) == "–"
    assert fmt.euros(12345.6) == f"12{NB}346{NB}€"


def test_dates():
    assert fmt.day(date(2026, 3, 5)) == "05/03/2026"
    assert fmt.long_day(date(2026, 3, 1)) == "1er mars 2026"
    assert fmt.long_day(date(2026, 11, 26)) == "26 novembre 2026"
    assert fmt.month(date(2026, 8, 1)) == "août 2026"
    assert fmt.month(date(2026, 2, 1), short=True) == "févr. 2026"
