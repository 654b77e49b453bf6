"""Totals over the same units, coverage, blank returns, verdicts by year and the evidence of "on time".

The acceptance case of issue 9 through the real CLI: six schools (two kindergartens, two primary,
two lower-secondary) and the four departments fill the real templates; one primary school types
its dropouts as "abc" (that numerator is rejected), one lower-secondary school never sends, one
kindergarten sends its template back blank. Every expected value below is written out by hand
from the figures typed here: a unit that is not counted leaves a metric entirely, numerator and
denominator both.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from merge_helpers import deliver, file_entry, issues_of, make_workspace, merge_json, metric
from reading_helpers import fill, make_template, rewrite_zip, set_saved_time

from ctre_xl.merge.compute import MetricContext, compute_metrics
from ctre_xl.merge.coverage import counted_units, expected_providers
from ctre_xl.merge.returns import FILE_TIME, SAVED, TYPED, is_blank, sent_on
from ctre_xl.plan.units import Registry, school_unit
from ctre_xl.read.model import CellValue, Submission
from ctre_xl.read.ods.workbook import OdsWorkbook
from ctre_xl.read.submission import read_submission
from ctre_xl.read.values import parse_saved_time
from ctre_xl.read.xlsx.workbook import XlsxWorkbook

YEAR = 2026
VIETNAM = timezone(timedelta(hours=7))
SCHOOLS = [
    ("mn-a", "Trường Mầm non Hoa Mai", "mam-non", ""),
    ("mn-b", "Trường Mầm non Sơn Ca", "mam-non", ""),  # sends its template back blank
    ("th-a", "Trường Tiểu học Xuân Trường A", "tieu-hoc", ""),
    ("th-b", "Trường Tiểu học Xuân Trường B", "tieu-hoc", ""),  # dropouts typed "abc": rejected
    ("thcs-a", "Trường THCS Xuân Trường A", "thcs", ""),
    ("thcs-b", "Trường THCS Xuân Trường B", "thcs", ""),  # never sends
]
VHXH = {
    "child_friendly_recognised": "Có", "child_friendly_score": 900,
    "children_total": 5000, "children_0_8": 2400, "children_0_8_served": 2300,
    "live_births": 200, "deaths_neonatal": 0, "deaths_under1": 1, "deaths_under5": 2,
    "under5_measured": 1000, "under5_underweight": 80, "under5_stunted": 140, "under5_obese": 30,
    "children_under1": 200, "under1_fully_vaccinated": 196, "children_under5": 1200,
    "under5_fully_vaccinated": 1170, "hiv_exposed_infants": 0, "hiv_infected_infants": 0,
    "children_special": 200, "children_special_supported": 190, "children_abused": 5,
    "people_5_17": 4000, "child_labourers_5_17": 100, "children_injured": 20, "children_injury_deaths": 0,
    "disaster_affected_children": 0, "disaster_supported_children": 0, "child_marriages": 2,
    "culture_play_places": 8, "age5_children": 100, "disabled_learning_need": 20,
    "children_age7plus": 3000, "children_consulted": 300, "children_participation_aware": 1200,
    "children_age11plus": 1500, "children_11plus_participating": 200,
}
FIGURES = {
    "vhxh": VHXH,
    "kinh-te": {"budget_allocated": 100_000_000, "budget_spent": 80_000_000, "funds_mobilised": 20_000_000},
    "van-phong": {"under5_birth_registered": 1190},
    "cong-an": {"abuse_cases_detected": 4, "abuse_cases_handled": 4},
    "mn-a": {"school_has_sanitation": "Có", "under5_assessed": 300, "under5_on_track": 298, "age5_enrolled": 60,
             "school_has_psych_support": "Có", "school_disability_ready": "Không", "disabled_learning_access": 3},
    "th-a": {"school_has_sanitation": "Có", "primary_grade1_cohort": 120, "primary_completers": 119,
             "primary_enrolled": 600, "primary_dropouts": 1, "school_has_psych_support": "Có",
             "school_disability_ready": "Có", "disabled_learning_access": 5, "children_consulted": 150,
             "children_participation_aware": 400},
    "th-b": {"school_has_sanitation": "Không", "primary_grade1_cohort": 100, "primary_completers": 98,
             "primary_enrolled": 400, "primary_dropouts": "abc", "school_has_psych_support": "Có",
             "school_disability_ready": "Không", "disabled_learning_access": 2, "children_consulted": 100,
             "children_participation_aware": 300},
    "thcs-a": {"school_has_sanitation": "Có", "lower_secondary_grade6_cohort": 150, "lower_secondary_completers": 140,
               "lower_secondary_enrolled": 500, "lower_secondary_dropouts": 1, "school_has_psych_support": "Không",
               "school_disability_ready": "Có", "disabled_learning_access": 4, "children_consulted": 120,
               "children_participation_aware": 250, "children_11plus_participating": 180},
}
BLANK_FILE = "truong/mam non son ca.xlsx"


@pytest.fixture(scope="module")
def commune(tmp_path_factory) -> dict:
    workspace = make_workspace(tmp_path_factory.mktemp("coverage") / "ws", (YEAR,), SCHOOLS)
    for number, (unit, values) in enumerate(FIGURES.items()):
        deliver(workspace, unit, YEAR, f"{unit}.xlsx", values, report_date=date(YEAR, 11, 2 + number % 6))
    # the template sent back with the preparer's name and a date, not one figure
    deliver(workspace, "mn-b", YEAR, BLANK_FILE, {}, report_date=date(YEAR, 11, 4))
    code, data, stderr = merge_json(workspace, YEAR)
    assert code in (0, 1), stderr
    return data


def coverage(counted: int, expected: int, missing: list[str]) -> dict:
    return {"counted": counted, "expected": expected, "missing": missing}


# (value, numerator, denominator, coverage, status), by hand from the figures above
EXPECTED = {
    # the original bug: th-b's dropouts rejected, its enrolment must leave the denominator too
    # (1 / (600 + 400) * 100 = 0.1 would read "Đạt" against < 0.12)
    "CT17b": (1 / 600 * 100, 1, 600, coverage(1, 2, ["th-b"]), "incomplete"),
    # th-b's other figures still count: its completion rate is whole
    "CT17a": ((119 + 98) / (120 + 100) * 100, 119 + 98, 120 + 100, coverage(2, 2, []), "met"),
    "CT18a": (140 / 150 * 100, 140, 150, coverage(1, 2, ["thcs-b"]), "incomplete"),
    "CT18b": (1 / 500 * 100, 1, 500, coverage(1, 2, ["thcs-b"]), "incomplete"),
    "CT15": (298 / 300 * 100, 298, 300, coverage(1, 2, ["mn-b"]), "incomplete"),
    # shared denominators: 5-year-olds and disabled children with learning needs from the office
    "CT16": (60 / 100 * 100, 60, 100, coverage(2, 3, ["mn-b"]), "incomplete"),
    "CT20b": ((3 + 5 + 2 + 4) / 20 * 100, 3 + 5 + 2 + 4, 20, coverage(5, 7, ["mn-b", "thcs-b"]), "incomplete"),
    # children 7+ from the office; consulted children from the office and each school
    "CT22": ((300 + 150 + 100 + 120) / 3000 * 100, 300 + 150 + 100 + 120, 3000,
             coverage(4, 5, ["thcs-b"]), "incomplete"),
    "CT23": ((1200 + 400 + 300 + 250) / 3000 * 100, 1200 + 400 + 300 + 250, 3000,
             coverage(4, 5, ["thcs-b"]), "incomplete"),
    "CT24": ((200 + 180) / 1500 * 100, 200 + 180, 1500, coverage(2, 3, ["thcs-b"]), "incomplete"),
    # share of schools: yes over the schools that answered (mn-a, th-a, th-b, thcs-a)
    "CT07": (3 / 4 * 100, 3, 4, coverage(4, 6, ["mn-b", "thcs-b"]), "incomplete"),  # Có: mn-a, th-a, thcs-a
    "CT19": (3 / 4 * 100, 3, 4, coverage(4, 6, ["mn-b", "thcs-b"]), "incomplete"),  # Có: mn-a, th-a, th-b
    "CT20a": (2 / 4 * 100, 2, 4, coverage(4, 6, ["mn-b", "thcs-b"]), "incomplete"),  # Có: th-a, thcs-a
    # complete: a verdict
    "CT14": (1190 / 1200 * 100, 1190, 1200, coverage(2, 2, []), "met"),
    "CT03c": (2 / 200 * 1000, 2, 200, coverage(1, 1, []), "not_met"),
    "CT12": (None, 0, 0, coverage(1, 1, []), "not_applicable"),
}
INDICATORS = {
    3: "not_met",  # CT03c not met
    5: "met",  # CT05a met, CT05b has no 2026 target
    7: "incomplete", 12: "not_applicable", 14: "met", 15: "incomplete", 16: "incomplete",
    17: "incomplete",  # CT17a met, CT17b incomplete: no verdict on incomplete data
    18: "incomplete", 19: "incomplete", 20: "incomplete", 22: "incomplete", 23: "incomplete", 24: "incomplete",
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_every_affected_metric_against_the_hand_calculation(commune, code) -> None:
    value, numerator, denominator, covered, status = EXPECTED[code]
    found = metric(commune, code)
    assert found["status"] == status, found
    assert found["coverage"] == covered
    assert found["value"] == (pytest.approx(value) if value is not None else None)
    assert (found["numerator"], found["denominator"]) == (pytest.approx(numerator), pytest.approx(denominator))
    if status == "incomplete":
        assert found["gap"] is None  # no verdict, and no distance to a target, on incomplete data


def test_incomplete_metrics_say_which_units_are_missing_and_why(commune) -> None:
    assert "chưa đủ số liệu (1/2 trường)" in metric(commune, "CT17b")["remark"]
    assert "Trường Tiểu học Xuân Trường B (số liệu có lỗi, đã loại)" in metric(commune, "CT17b")["remark"]
    assert "Trường THCS Xuân Trường B (chưa nộp báo cáo)" in metric(commune, "CT18b")["remark"]
    assert "Trường Mầm non Sơn Ca (gửi biểu mẫu trống)" in metric(commune, "CT07")["remark"]
    assert "chưa đủ số liệu (2/3 đơn vị)" in metric(commune, "CT16")["remark"]  # the office and two schools
    assert metric(commune, "CT17b")["on_error_figures"] is True


def test_the_24_indicators(commune) -> None:
    indicators = commune["indicators"]
    assert [i["number"] for i in indicators] == list(range(1, 25))
    assert sum(len(i["parts"]) for i in indicators) == 34
    by_number = {i["number"]: i for i in indicators}
    assert by_number[17]["parts"] == ["CT17a", "CT17b"] and by_number[17]["objective"] == 3
    assert {number: by_number[number]["status"] for number in INDICATORS} == INDICATORS


def test_units_blank_missing_and_sent(commune) -> None:
    units = {u["id"]: u for u in commune["units"]}
    assert units["mn-b"]["received"] is False and units["mn-b"]["blank"] is True
    assert units["thcs-b"]["received"] is False and units["thcs-b"]["blank"] is False
    assert units["th-b"]["received"] is True and units["th-b"]["errors"] >= 1
    assert units["vhxh"]["sent_on"] == "2026-11-02" and units["vhxh"]["sent_evidence"] == "saved"
    assert all(u["on_time"] is True and u["missing_figures"] == [] for u in units.values() if u["received"])
    blank = file_entry(commune, BLANK_FILE)
    assert blank["status"] == "rejected" and "gửi biểu mẫu trống" in blank["reason"]
    assert [(i["kind"], i["severity"]) for i in issues_of(commune, BLANK_FILE)] == [("blank_return", "warning")]


# ----------------------------------------------------------------------------- verdicts by year


def results(catalog, registry, year: int, contributions: dict, previous: dict | None = None) -> dict:
    context = MetricContext(catalog=catalog, registry=registry, year=year)
    return {m.code: m for m in compute_metrics(context, contributions, previous)}


def test_years_between_milestones_are_not_due_and_the_first_is_the_baseline(catalog, registry) -> None:
    figures = {"children_0_8_served": {"vhxh": 900}, "children_0_8": {"vhxh": 1000},
               "child_marriages": {"vhxh": 3}}
    later = results(catalog, registry, 2027, figures, {"child_marriages": {"vhxh": 4}})
    assert later["CT02"].status == "not_due" and later["CT02"].target == 95  # the 2030 target
    assert later["CT02"].gap == pytest.approx(95 - 900 / 1000 * 100)
    assert "chưa đến hạn" in later["CT02"].remark and "5 điểm phần trăm" in later["CT02"].remark
    # a yearly change (hằng năm) is judged every year after the first: 3 <= 98 % of 4 = 3.92
    assert later["CT13"].status == "met" and later["CT13"].gap == 0
    first = results(catalog, registry, 2025, {**figures, "children_0_8_served": {"vhxh": 850}})
    assert first["CT02"].status == "baseline" and first["CT02"].target == 90  # the 2026 target
    assert first["CT02"].gap == pytest.approx(90 - 850 / 1000 * 100)
    reached = results(catalog, registry, 2028, {**figures, "children_0_8_served": {"vhxh": 960}})
    assert reached["CT02"].status == "not_due" and reached["CT02"].gap == 0
    lower = results(catalog, registry, 2029, {"primary_dropouts": {"th-vi-du": 2}, "primary_enrolled": {"th-vi-du": 1000}})
    assert lower["CT17b"].status == "not_due" and lower["CT17b"].gap == pytest.approx(2 / 1000 * 100 - 0.1)
    due = results(catalog, registry, 2030, figures)
    assert due["CT02"].status == "not_met" and due["CT02"].gap == pytest.approx(95 - 90)


def test_a_zero_denominator_is_not_applicable_only_with_every_unit_counted(catalog, registry) -> None:
    whole = results(catalog, registry, YEAR, {"disaster_affected_children": {"vhxh": 0},
                                              "disaster_supported_children": {"vhxh": 0}})
    assert whole["CT12"].status == "not_applicable" and whole["CT12"].value is None
    schools = {"mn-vi-du": 0, "th-vi-du": 0}  # thcs-vi-du silent
    partial = results(catalog, registry, YEAR, {"disabled_learning_need": {"vhxh": 0},
                                                "disabled_learning_access": schools})
    assert partial["CT20b"].status == "incomplete" and partial["CT20b"].value is None
    assert partial["CT20b"].coverage.missing == ("thcs-vi-du",)


def test_a_unit_counted_for_nothing_gives_no_data(catalog, registry) -> None:
    nothing = results(catalog, registry, YEAR, {"primary_dropouts": {"th-vi-du": 1}})  # no enrolment
    assert nothing["CT17b"].status == "no_data" and nothing["CT17b"].numerator is None
    assert nothing["CT17b"].coverage.as_dict() == coverage(0, 1, ["th-vi-du"])
    office_only = results(catalog, registry, YEAR, {"children_age7plus": {"vhxh": 3000},
                                                    "children_consulted": {"vhxh": 300}})
    assert office_only["CT22"].status == "incomplete" and office_only["CT22"].value == pytest.approx(300 / 3000 * 100)
    assert office_only["CT22"].coverage.missing == ("th-vi-du", "thcs-vi-du")
    # the schools without the office's denominator: no rate at all, still no verdict
    schools_only = results(catalog, registry, YEAR, {"children_consulted": {"th-vi-du": 100, "thcs-vi-du": 50}})
    assert schools_only["CT22"].status == "incomplete" and schools_only["CT22"].value is None
    assert schools_only["CT22"].numerator == 100 + 50 and schools_only["CT22"].denominator is None
    assert schools_only["CT22"].coverage.as_dict() == coverage(2, 3, ["vhxh"])


# ----------------------------------------------------------------------------- on time, by the best evidence


def submission(**fields) -> Submission:
    return Submission(path="a.xlsx", sha256="", modified=datetime(YEAR, 11, 20, 12).timestamp(), unit="vhxh",
                      year=YEAR, meta={}, **fields)


def test_the_best_evidence_of_when_a_file_was_sent() -> None:
    saved = datetime(YEAR, 11, 12, 12, tzinfo=VIETNAM)
    assert sent_on(submission(saved_at=saved, report_date=date(YEAR, 11, 5))) == (date(YEAR, 11, 12), SAVED)
    assert sent_on(submission(report_date=date(YEAR, 11, 5))) == (date(YEAR, 11, 5), TYPED)
    assert sent_on(submission()) == (date(YEAR, 11, 20), FILE_TIME)
    assert parse_saved_time("2026-11-09T05:00:00Z") == datetime(YEAR, 11, 9, 5, tzinfo=timezone.utc)
    assert parse_saved_time("2026-11-09T10:23:45.123456789").date() == date(YEAR, 11, 9)  # LibreOffice: local
    assert parse_saved_time("1601-01-01T00:00:00Z") is None and parse_saved_time("hôm qua") is None


def test_on_time_follows_the_saved_time_then_the_typed_date_then_the_file(tmp_path) -> None:
    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    late_saved = deliver(workspace, "vhxh", YEAR, "vhxh.xlsx", VHXH, report_date=date(YEAR, 11, 5))
    set_saved_time(late_saved, datetime(YEAR, 11, 12, 12, tzinfo=VIETNAM))  # typed on time, saved after
    on_last_day = deliver(workspace, "van-phong", YEAR, "vp.xlsx", FIGURES["van-phong"], report_date=date(YEAR, 11, 5))
    set_saved_time(on_last_day, datetime(YEAR, 11, 9, 12, tzinfo=VIETNAM))  # 09/11: the last day on time
    typed = deliver(workspace, "cong-an", YEAR, "ca.xlsx", FIGURES["cong-an"], report_date=date(YEAR, 11, 8))
    set_saved_time(typed, None)
    neither = deliver(workspace, "kinh-te", YEAR, "kt.xlsx", FIGURES["kinh-te"])
    set_saved_time(neither, None)
    stamp = datetime(YEAR, 11, 10, 12).timestamp()  # 10/11 is already late ("trước ngày 10/11")
    os.utime(neither, (stamp, stamp))
    _, data, _ = merge_json(workspace, YEAR)
    units = {u["id"]: u for u in data["units"]}
    seen = {unit: (units[unit]["on_time"], units[unit]["sent_on"], units[unit]["sent_evidence"])
            for unit in ("vhxh", "van-phong", "cong-an", "kinh-te")}
    assert seen == {"vhxh": (False, "2026-11-12", "saved"), "van-phong": (True, "2026-11-09", "saved"),
                    "cong-an": (True, "2026-11-08", "typed"), "kinh-te": (False, "2026-11-10", "file_time")}
    warned = [i for i in issues_of(data, "vhxh.xlsx") if i["kind"] == "saved_after_deadline"]
    assert len(warned) == 1 and warned[0]["severity"] == "warning"
    assert "05/11/2026" in warned[0]["message"] and "12/11/2026" in warned[0]["message"]
    assert "chậm nhất ngày 09/11/2026" in warned[0]["message"]
    assert [i["kind"] for i in issues_of(data, "kt.xlsx") if i["kind"] == "no_report_date"] == ["no_report_date"]


def test_the_latest_return_is_the_latest_saved(tmp_path) -> None:
    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    first = deliver(workspace, "cong-an", YEAR, "ca lan 1.xlsx", {"abuse_cases_detected": 3, "abuse_cases_handled": 3},
                    report_date=date(YEAR, 11, 8))
    again = deliver(workspace, "cong-an", YEAR, "ca lan 2.xlsx", FIGURES["cong-an"], report_date=date(YEAR, 11, 3))
    set_saved_time(first, datetime(YEAR, 11, 2, 12, tzinfo=VIETNAM))  # typed later, saved earlier
    set_saved_time(again, datetime(YEAR, 11, 6, 12, tzinfo=VIETNAM))
    _, data, _ = merge_json(workspace, YEAR)
    assert file_entry(data, "ca lan 1.xlsx")["status"] == "superseded"
    assert "ca lan 2.xlsx" in file_entry(data, "ca lan 1.xlsx")["reason"]
    assert data["totals"]["abuse_cases_detected"] == 4


# ----------------------------------------------------------------------------- blank returns


def test_a_blank_return_never_supersedes_a_filled_one_and_a_partial_one_counts(tmp_path) -> None:
    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    deliver(workspace, "cong-an", YEAR, "ca.xlsx", FIGURES["cong-an"], report_date=date(YEAR, 11, 3))
    deliver(workspace, "cong-an", YEAR, "ca trong.xlsx", {}, report_date=date(YEAR, 11, 8))  # later, blank
    deliver(workspace, "kinh-te", YEAR, "kt.xlsx", {"budget_allocated": 100_000_000}, report_date=date(YEAR, 11, 3))
    _, data, _ = merge_json(workspace, YEAR)
    assert file_entry(data, "ca.xlsx")["status"] == "accepted"
    assert file_entry(data, "ca trong.xlsx")["status"] == "rejected"
    units = {u["id"]: u for u in data["units"]}
    assert units["cong-an"]["received"] is True and units["cong-an"]["blank"] is False
    assert units["kinh-te"]["received"] is True and units["kinh-te"]["missing_figures"] == ["budget_spent",
                                                                                           "funds_mobilised"]


def test_blank_means_nothing_typed() -> None:
    empty = CellValue("abuse_cases_detected", None, None, "Số liệu", "D5")
    assert is_blank(submission(values={"abuse_cases_detected": empty}, preparer={"preparer_name": "An"},
                               report_date=date(YEAR, 11, 5)))
    unreadable = CellValue("abuse_cases_detected", None, "abc", "Số liệu", "D5")
    assert not is_blank(submission(values={"abuse_cases_detected": unreadable}))
    assert not is_blank(submission(values={"abuse_cases_detected": empty}, free_text={"report_results": "Đã làm"}))


# ----------------------------------------------------------------------------- the saved time, read safely

_ODS_CONTENT = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
                b'<table:table table:name="A"/></office:spreadsheet></office:body></office:document-content>')


def _ods(meta: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", _ODS_CONTENT)
        archive.writestr("meta.xml", meta)
    return out.getvalue()


def test_the_ods_reader_gives_the_saved_time_of_meta_xml() -> None:
    meta = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
            b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:date>%s</dc:date>'
            b'</office:meta></office:document-meta>')
    saved = OdsWorkbook(_ods(meta % b"2026-11-08T09:30:00.123456789")).saved_at()
    assert saved is not None and saved.replace(tzinfo=None) == datetime(YEAR, 11, 8, 9, 30, 0, 123456)
    assert OdsWorkbook(_ods(meta % b"")).saved_at() is None


def test_the_xlsx_reader_gives_the_saved_time_and_refuses_a_dangerous_core_xml(tmp_path, catalog, registry) -> None:
    template = make_template(catalog, registry, "cong-an", YEAR, tmp_path / "t.xlsx")
    filled = fill(template, FIGURES["cong-an"], tmp_path / "inbox" / "ca.xlsx", report_date=date(YEAR, 11, 5))
    assert XlsxWorkbook(filled.read_bytes()).saved_at() == datetime(YEAR, 11, 5, 12, tzinfo=VIETNAM)
    broken = rewrite_zip(filled, tmp_path / "inbox" / "hong.xlsx", replace={"docProps/core.xml": b"<cp:core"})
    assert XlsxWorkbook(broken.read_bytes()).saved_at() is None  # only evidence: the figures still count
    hostile = rewrite_zip(filled, tmp_path / "inbox" / "doc.xlsx", replace={"docProps/core.xml": (
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "2026-11-05">]><c xmlns:d="http://purl.org/dc/terms/">'
        b'<d:modified>&a;</d:modified></c>')})
    outcome = read_submission(hostile, tmp_path / "inbox", catalog, registry)
    assert outcome.submission is None and [f.kind for f in outcome.findings] == ["dangerous_xml"]


def test_units_of_one_kind_share_one_set_of_elements(catalog, registry) -> None:
    """What a metric asks of a kind of unit is worked out once per kind (66,000 schools × 34
    metrics took 1.9 s one unit at a time): the registry gives every unit of a kind the same set."""
    level = catalog.school_levels[0].id
    schools = tuple(school_unit(catalog, f"s-{number}", f"Trường số {number}", level) for number in range(3))
    many = Registry(units=(*registry.units, *schools), source="test")
    pairs = many.expected_elements
    assert [unit for unit, _ in pairs] == [unit.id for unit in many.expected]
    assert pairs[-1][1] is pairs[-2][1] is pairs[-3][1] == frozenset(schools[0].elements)
    assert len({id(elements) for _, elements in pairs}) == len({elements for _, elements in pairs})


@pytest.mark.parametrize("given, excluded, counted, rejected", [
    ({"num": {"a": 1, "b": 2, "c": 3}, "den": {"a": 5, "b": 5, "c": 5}}, {}, ("a", "b", "c", "d"), ()),
    ({"num": {"a": 1, "c": 3}, "den": {"a": 5, "b": 5, "c": 5}}, {}, ("a", "c", "d"), ()),  # b: no numerator
    ({"num": {"a": 1, "c": 3}, "den": {"a": 5, "c": 5}}, {"num": ["b"]}, ("a", "c", "d"), ("b",)),
    ({"num": {}, "den": {}}, {"den": ["d"]}, (), ("d",)),
])
def test_a_unit_counts_only_with_every_part_it_gives(given, excluded, counted, rejected) -> None:
    """a, b, c give both parts of a rate, d its denominator only (one set per kind, as the
    registry gives them); d has no numerator to miss."""
    both, only_den = frozenset({"num", "den", "other"}), frozenset({"den"})
    units = [("a", both), ("b", both), ("c", both), ("d", only_den), ("e", frozenset({"other"}))]
    given = {**given, "den": {**given["den"], **({"d": 9} if "d" in counted else {})}}
    coverage = counted_units(expected_providers(("num", "den"), units), given, excluded)
    assert coverage.expected == ("a", "b", "c", "d")
    assert coverage.counted == counted and coverage.rejected == rejected
