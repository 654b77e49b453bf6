"""Reading values as people type them (ctre_xl.read.values): every documented rule, as a table."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ctre_xl.read.values import (
    AMBIGUOUS, DASH, NOT_A_NUMBER, NOT_YES_NO, PERCENT_IN_COUNT, evaluate_literal_formula, parse_report_date,
    parse_value,
)

NUMBER_CASES = [
    # raw, expected value, expected problem
    (None, None, None),
    ("", None, None),
    ("   ", None, None),
    ("\u00a0\u2009", None, None),  # NBSP + thin space only
    (0, 0.0, None),
    (0.0, 0.0, None),
    ("0", 0.0, None),
    (125, 125.0, None),
    (12.5, 12.5, None),
    (" 1.234 ", 1234.0, None),  # Vietnamese thousands dot
    ("1.234.567", 1234567.0, None),
    ("1 234", 1234.0, None),
    ("1\u00a0234", 1234.0, None),  # NBSP as thousands separator
    ("1\u202f234\u202f567", 1234567.0, None),  # narrow NBSP
    ("1,234", 1234.0, AMBIGUOUS),  # documented reading: thousands, with a warning
    ("12,500", 12500.0, AMBIGUOUS),
    ("1,234,567", 1234567.0, None),  # cannot be a decimal comma
    ("0,12", 0.12, None),  # decimal comma
    ("0,123", 0.123, None),  # leading 0: not ambiguous
    ("12,5", 12.5, None),
    ("1.234,5", 1234.5, None),
    ("1,234.5", 1234.5, None),
    ("1.5", 1.5, None),
    ("12%", 12.0, PERCENT_IN_COUNT),
    ("12 %", 12.0, PERCENT_IN_COUNT),
    ("１２３", 123.0, None),  # full-width digits
    ("１，２３４", 1234.0, AMBIGUOUS),  # full-width comma
    ("'150", 150.0, None),  # Excel's text apostrophe
    ("-5", -5.0, None),  # kept: validation says counts cannot be negative
    ("−5", -5.0, None),  # Unicode minus
    ("+7", 7.0, None),
    ("-", None, DASH),
    ("—", None, DASH),
    ("abc", None, NOT_A_NUMBER),
    ("12 em", None, NOT_A_NUMBER),
    ("khoảng 50", None, NOT_A_NUMBER),
    ("1.2.3", None, NOT_A_NUMBER),
    ("Có", None, NOT_A_NUMBER),
    (True, None, NOT_A_NUMBER),
]


@pytest.mark.parametrize("raw, expected, problem", NUMBER_CASES)
def test_count_values(raw: object, expected: float | None, problem: str | None) -> None:
    parsed = parse_value(raw, "count")
    assert parsed.value == pytest.approx(expected) if expected is not None else parsed.value is None
    assert parsed.problem == problem
    if problem:
        assert parsed.note  # a Vietnamese explanation accompanies every problem
        assert parsed.severity in ("error", "warning")


@pytest.mark.parametrize("raw", ["1,234", "12%", "-", "abc"])
def test_problem_notes_quote_what_was_typed(raw: str) -> None:
    assert f"“{raw}”" in parse_value(raw, "count").note


def test_ambiguous_note_names_both_readings() -> None:
    note = parse_value("1,234", "count").note
    assert "1.234" in note and "1,234" in note and "hàng nghìn" in note


def test_severities() -> None:
    assert parse_value("abc", "count").severity == "error"
    assert parse_value("1,234", "count").severity == "warning"
    assert parse_value("12%", "count").severity == "warning"
    assert parse_value("12", "count").severity is None


def test_money_reads_like_counts() -> None:
    assert parse_value("1.500.000.000", "money").value == 1_500_000_000
    assert parse_value("2 500 000", "money").value == 2_500_000


YES_NO_CASES = [
    ("Có", 1.0, None), ("có", 1.0, None), ("CÓ", 1.0, None), ("co", 1.0, None), ("x", 1.0, None),
    ("X", 1.0, None), ("✓", 1.0, None), ("✔", 1.0, None), ("yes", 1.0, None), ("Yes", 1.0, None),
    ("1", 1.0, None), ("true", 1.0, None), (1, 1.0, None), (True, 1.0, None), (" Có ", 1.0, None),
    ("Có\u00a0", 1.0, None), ("Đạt", 1.0, None),
    ("Không", 0.0, None), ("không", 0.0, None), ("KHÔNG", 0.0, None), ("khong", 0.0, None), ("k", 0.0, None),
    ("0", 0.0, None), ("no", 0.0, None), ("false", 0.0, None), ("✗", 0.0, None), (0, 0.0, None),
    (False, 0.0, None), ("Chưa", 0.0, None),
    (None, None, None), ("  ", None, None),
    ("có lẽ", None, NOT_YES_NO), (2, None, NOT_YES_NO), ("50%", None, NOT_YES_NO), ("-", None, DASH),
]


@pytest.mark.parametrize("raw, expected, problem", YES_NO_CASES)
def test_yes_no_values(raw: object, expected: float | None, problem: str | None) -> None:
    parsed = parse_value(raw, "yes_no")
    assert parsed.value == expected
    assert parsed.problem == problem


FORMULAS = [
    ("120+35", 155.0), ("=120+35", 155.0), ("(10+5)*2", 30.0), ("100/4", 25.0), ("-3+10", 7.0),
    ("2*-3", -6.0), ("1.5*2", 3.0), (" 7 ", 7.0),
    ("A1+1", None), ("SUM(D5:D9)", None), ("1/0", None), ("10+", None), ("(1+2", None), ("", None),
    ("'Số liệu'!D7", None), ("2^3", None),
]


@pytest.mark.parametrize("formula, expected", FORMULAS)
def test_literal_formulas(formula: str, expected: float | None) -> None:
    assert evaluate_literal_formula(formula) == expected


DATES = [
    (46331.0, date(2026, 11, 5)),  # Excel serial, 1900 system
    ("05/11/2026", date(2026, 11, 5)),  # dd/mm/yyyy, never mm/dd
    ("5/11/2026", date(2026, 11, 5)),
    ("05-11-2026", date(2026, 11, 5)),
    ("05.11.2026", date(2026, 11, 5)),
    ("2026-11-05", date(2026, 11, 5)),
    ("2026-11-05T00:00:00", date(2026, 11, 5)),
    (datetime(2026, 11, 5, 8, 30), date(2026, 11, 5)),
    ("31/02/2026", None), ("hôm qua", None), (None, None), ("", None), (-3, None),
]


@pytest.mark.parametrize("raw, expected", DATES)
def test_report_dates(raw: object, expected: date | None) -> None:
    assert parse_report_date(raw) == expected


def test_date_1904_system() -> None:
    assert parse_report_date(44869.0, date1904=True) == date(2026, 11, 5)
