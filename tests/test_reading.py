"""Collecting the inbox and reading returned templates (ctre_xl.read.submission) built from real templates."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from ctre_xl.cellref import a1
from ctre_xl.template import layout as L
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.collect import collect_files
from ctre_xl.read.submission import read_submission

from conftest import requires_soffice, soffice_path
from merge_helpers import snapshot
from reading_helpers import fill, make_template, rewrite_zip

YEAR = 2026


@pytest.fixture(scope="module")
def templates(catalog, registry, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    return {unit: make_template(catalog, registry, unit, YEAR, folder / f"{unit}.xlsx")
            for unit in ("th-vi-du", "cong-an", "kinh-te", "vhxh")}


def cell_of(catalog, registry, unit: str, name: str) -> str:
    sheet, row, col = L.build_layout(catalog, registry.get(unit), YEAR).cells[name]
    return a1(row, col)


def read(path: Path, inbox: Path, catalog, registry, **options):
    return read_submission(path, inbox, catalog, registry, **options)


def kinds(outcome) -> list[str]:
    return sorted(f.kind for f in outcome.findings)


# ----------------------------------------------------------------------------- collecting


def test_collect_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xlsx").write_bytes(b"x")
    wanted = ["Zalo/Trường TH/báo cáo.xlsx", "a.xlsx", "email 10-11/cong an (1).XLSX", "ghi chu.txt",
              "link-inside.xlsx"]
    for name in ["Zalo/Trường TH/báo cáo.xlsx", "a.xlsx", "email 10-11/cong an (1).XLSX", "ghi chu.txt",
                 "~$a.xlsx", "Zalo/~$báo cáo.xlsx", ".hidden.xlsx", ".git/config", "Thumbs.db", "desktop.ini",
                 ".DS_Store", "__MACOSX/._a.xlsx", "Zalo/.an/b.xlsx"]:
        path = inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"data")
    (inbox / "link-inside.xlsx").symlink_to(inbox / "a.xlsx")
    (inbox / "link-outside.xlsx").symlink_to(outside / "secret.xlsx")
    (inbox / "folder-outside").symlink_to(outside, target_is_directory=True)
    (inbox / "folder-inside").symlink_to(inbox / "Zalo", target_is_directory=True)
    (inbox / "broken.xlsx").symlink_to(tmp_path / "gone.xlsx")
    os.mkfifo(inbox / "pipe.xlsx")
    files, records = collect_files(inbox)
    assert [f.relative_to(inbox).as_posix() for f in files] == sorted(wanted)
    by_path = {r.path: r for r in records}
    assert sorted(by_path) == ["broken.xlsx", "folder-outside", "link-outside.xlsx", "pipe.xlsx"]
    assert all(r.status == FileStatus.REJECTED and r.reason for r in records)
    assert "ngoài thư mục inbox" in by_path["link-outside.xlsx"].reason
    assert "ngoài thư mục inbox" in by_path["folder-outside"].reason
    outcome = read_submission(inbox / "link-outside.xlsx", inbox, None, None)  # refused before anything is read
    assert outcome.record.status == FileStatus.REJECTED and "ngoài thư mục inbox" in outcome.record.reason


# ----------------------------------------------------------------------------- a filled template

TYPED = {
    "school_has_sanitation": "Có",
    "primary_completers": " 1.234 ",
    "primary_grade1_cohort": "１２５０",
    "primary_dropouts": 0,
    "primary_enrolled": "1 300",
    "school_has_psych_support": "x",
    "school_disability_ready": "Không",
    "disabled_learning_access": "=3+4",
    "children_consulted": "12,5",
    "children_participation_aware": "1,234",
    "note_CT17a": "=HYPERLINK(\"http://x\",\"xem\")",
    "note_CT17b": "Giảm 2 em so với năm trước",
    "report_results": "Tổ chức 3 buổi sinh hoạt\nchuyên đề",
    "preparer_name": "Nguyễn Thị Hoa",
    "preparer_phone": "+84 912 345 678",
    "report_date": "05/11/2026",
}


@pytest.fixture(scope="module")
def filled(templates, tmp_path_factory) -> tuple[Path, Path]:
    inbox = tmp_path_factory.mktemp("inbox")
    path = fill(templates["th-vi-du"], TYPED, inbox / "Zalo" / "Nhận 10-11" / "bao cao truong TH (1).xlsx",
                as_text=("note_CT17a",))
    return inbox, path


def test_filled_template_is_identified_and_read(filled, catalog, registry) -> None:
    inbox, path = filled
    outcome = read(path, inbox, catalog, registry)
    record, submission = outcome.record, outcome.submission
    assert record.status == FileStatus.ACCEPTED and record.unit == "th-vi-du" and record.year == YEAR
    assert record.path == "Zalo/Nhận 10-11/bao cao truong TH (1).xlsx"
    assert submission is not None and submission.unit == "th-vi-du" and submission.year == YEAR
    import hashlib

    assert submission.sha256 == record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert submission.modified == path.stat().st_mtime
    expected = {
        "school_has_sanitation": 1.0, "primary_completers": 1234.0, "primary_grade1_cohort": 1250.0,
        "primary_dropouts": 0.0, "primary_enrolled": 1300.0, "school_has_psych_support": 1.0,
        "school_disability_ready": 0.0, "disabled_learning_access": 7.0,
        "children_consulted": 12.5, "children_participation_aware": 1234.0,
    }
    assert {code: v.value for code, v in submission.values.items()} == expected
    for code, value in submission.values.items():
        assert value.sheet == L.INPUT_SHEET and value.cell == cell_of(catalog, registry, "th-vi-du", code)
    assert submission.values["primary_completers"].raw == " 1.234 "  # raw kept as typed for messages
    assert submission.values["children_consulted"].raw == "12,5"
    assert submission.values["disabled_learning_access"].raw == "=3+4"
    assert submission.notes == {"CT17a": TYPED["note_CT17a"], "CT17b": TYPED["note_CT17b"]}
    assert submission.free_text == {"report_results": TYPED["report_results"]}
    assert submission.preparer == {"preparer_name": "Nguyễn Thị Hoa", "preparer_phone": "+84 912 345 678"}
    assert submission.report_date == date(2026, 11, 5)
    assert submission.meta["unit_id"] == "th-vi-du" and submission.meta["catalog_id"] == catalog.id
    [ambiguous] = [f for f in outcome.findings if f.kind == "ambiguous"]
    assert ambiguous.severity == "warning" and ambiguous.code == "children_participation_aware"
    assert ambiguous.cell == cell_of(catalog, registry, "th-vi-du", "children_participation_aware")
    assert ambiguous.file == record.path and ambiguous.unit == "th-vi-du" and ambiguous.sheet == L.INPUT_SHEET
    assert "“1,234”" in ambiguous.message
    assert kinds(outcome) == ["ambiguous"]
    assert submission.findings == outcome.findings


BAD_VALUES = [
    # element, typed, expected value, finding kind, severity, words in the message
    ("primary_completers", "khoảng 50 em", None, "not_a_number", "error", "“khoảng 50 em” không phải là số"),
    ("primary_completers", "=D12+1", None, "formula_in_input", "error", "nhập trực tiếp con số"),
    ("primary_completers", "=SUM(1,2)", None, "formula_in_input", "error", "công thức"),
    ("primary_completers", "95%", 95.0, "percent_in_count", "warning", "tỉ lệ phần trăm"),
    ("primary_completers", "-", None, "dash", "warning", "không có số liệu"),
    ("school_has_sanitation", "có lẽ", None, "not_yes_no", "error", "“Có” hoặc “Không”"),
    ("school_has_sanitation", 2, None, "not_yes_no", "error", "không phải Có/Không"),
]


@pytest.mark.parametrize("code, typed, value, kind, severity, words", BAD_VALUES)
def test_value_problems_become_findings(code, typed, value, kind, severity, words, templates, tmp_path,
                                        catalog, registry) -> None:
    path = fill(templates["th-vi-du"], {code: typed}, tmp_path / "x.xlsx")
    outcome = read(path, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED
    assert outcome.submission.values[code].value == value
    [finding] = outcome.findings
    assert (finding.kind, finding.severity, finding.code) == (kind, severity, code)
    assert finding.cell == cell_of(catalog, registry, "th-vi-du", code) and finding.sheet == L.INPUT_SHEET
    assert words in finding.message and catalog.elements[code].label in finding.message


def test_cached_formula_results_are_never_trusted(templates, tmp_path, catalog, registry) -> None:
    """openpyxl writes no cached value; here the cached <v> says 999 but the formula is =3+4."""
    path = fill(templates["cong-an"], {"abuse_cases_detected": "=3+4", "abuse_cases_handled": "=D7*0+2"},
                tmp_path / "a.xlsx")
    part = "xl/worksheets/sheet2.xml"
    def cache_999(xml: bytes) -> bytes:
        # The empty cache is "<v />" from openpyxl's ElementTree writer, "<v></v>" from its lxml one.
        for formula in (b"3+4", b"D7*0+2"):
            xml, count = re.subn(rb"<f>%s</f><v\s*(?:/>|></v>)" % re.escape(formula),
                                 b"<f>%s</f><v>999</v>" % formula, xml)
            assert count == 1, formula
        return xml

    path = rewrite_zip(path, tmp_path / "b.xlsx", replace={part: cache_999})
    outcome = read(path, tmp_path, catalog, registry)
    values = outcome.submission.values
    assert values["abuse_cases_detected"].value == 7.0
    assert values["abuse_cases_handled"].value is None
    assert kinds(outcome) == ["formula_in_input"]


def test_blank_means_no_data_and_zero_is_zero(templates, tmp_path, catalog, registry) -> None:
    path = fill(templates["cong-an"], {"abuse_cases_detected": 0, "abuse_cases_handled": "   "}, tmp_path / "z.xlsx")
    values = read(path, tmp_path, catalog, registry).submission.values
    assert values["abuse_cases_detected"].value == 0.0
    assert values["abuse_cases_handled"].value is None


def test_report_date_typed_as_a_date(templates, tmp_path, catalog, registry) -> None:
    from datetime import datetime

    path = fill(templates["cong-an"], {"report_date": datetime(2026, 11, 9)}, tmp_path / "d.xlsx")
    assert read(path, tmp_path, catalog, registry).submission.report_date == date(2026, 11, 9)
    path = fill(templates["cong-an"], {"report_date": "hôm qua"}, tmp_path / "e.xlsx")
    outcome = read(path, tmp_path, catalog, registry)
    assert outcome.submission.report_date is None and kinds(outcome) == ["bad_date"]


# ----------------------------------------------------------------------------- identification


def _set_meta(**changes: str):
    def edit(workbook: openpyxl.Workbook) -> None:
        sheet = workbook[L.META_SHEET]
        for row in sheet.iter_rows():
            if row[0].value in changes:
                row[1].value = changes[row[0].value]
        for prop in workbook.custom_doc_props.props:
            key = prop.name[len(L.META_PROPERTY_PREFIX):]
            if key in changes:
                prop.value = changes[key]
    return edit


IDENTIFICATION = [
    # meta changes, status, finding kind, words
    ({"format": "other-tool"}, FileStatus.REJECTED, "not_ours", "không phải biểu mẫu của ctre-xl"),
    ({"unit_id": "truong-la"}, FileStatus.REJECTED, "unknown_unit", "“truong-la”"),
    ({"catalog_id": "ha-noi-2030"}, FileStatus.REJECTED, "other_catalog", "kế hoạch khác"),
    ({"sample": "1"}, FileStatus.REJECTED, "sample_data", "dữ liệu minh hoạ, không dùng cho báo cáo thật"),
    ({"year": "hai nghìn"}, FileStatus.REJECTED, "bad_metadata", "năm báo cáo"),
    ({"catalog_version": "2024.9"}, FileStatus.ACCEPTED, "old_catalog", "phiên bản “2024.9”"),
]


@pytest.mark.parametrize("changes, status, kind, words", IDENTIFICATION)
def test_identification(changes, status, kind, words, templates, tmp_path, catalog, registry) -> None:
    path = fill(templates["cong-an"], {"abuse_cases_detected": 4}, tmp_path / "vhxh.xlsx", edit=_set_meta(**changes))
    outcome = read(path, tmp_path, catalog, registry)
    assert outcome.record.status == status
    [finding] = [f for f in outcome.findings if f.kind == kind]
    assert words in finding.message
    if status == FileStatus.REJECTED:
        assert outcome.submission is None and words in outcome.record.reason and finding.severity == "error"
    else:
        assert finding.severity == "warning" and outcome.submission.values["abuse_cases_detected"].value == 4


def test_sample_data_allowed_for_the_demo(catalog, registry, tmp_path) -> None:
    path = make_template(catalog, registry, "cong-an", YEAR, tmp_path / "s.xlsx", sample=True)
    assert read(path, tmp_path, catalog, registry).record.status == FileStatus.REJECTED
    assert read(path, tmp_path, catalog, registry, allow_sample=True).record.status == FileStatus.ACCEPTED


def test_old_catalogue_with_codes_that_no_longer_exist(templates, tmp_path, catalog, registry) -> None:
    def edit(workbook: openpyxl.Workbook) -> None:
        _set_meta(catalog_version="2023.1")(workbook)
        old = workbook.defined_names["abuse_cases_handled"]
        del workbook.defined_names["abuse_cases_handled"]
        workbook.defined_names["abuse_cases_closed"] = openpyxl.workbook.defined_name.DefinedName(
            "abuse_cases_closed", attr_text=old.attr_text)

    path = fill(templates["cong-an"], {}, tmp_path / "old.xlsx", edit=edit)
    outcome = read(path, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.REJECTED
    assert "abuse_cases_closed" in outcome.record.reason and "2023.1" in outcome.record.reason


def test_metadata_from_the_hidden_sheet_when_properties_are_gone(templates, tmp_path, catalog, registry) -> None:
    path = fill(templates["kinh-te"], {"budget_allocated": "1.500.000.000"}, tmp_path / "a.xlsx")
    stripped = rewrite_zip(path, tmp_path / "cong-an.xlsx", drop={"docProps/custom.xml"})
    outcome = read(stripped, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED and outcome.record.unit == "kinh-te"  # never from the name
    assert outcome.submission.values["budget_allocated"].value == 1_500_000_000


def test_someone_elses_workbook(tmp_path, catalog, registry) -> None:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Báo cáo công tác trẻ em"
    workbook.save(tmp_path / "vhxh.xlsx")
    outcome = read(tmp_path / "vhxh.xlsx", tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.REJECTED
    assert "không phải biểu mẫu của ctre-xl" in outcome.record.reason


# ----------------------------------------------------------------------------- structure changes


def _insert_rows(at: int, count: int = 1):
    """What Excel does on "Insert row": shift the cells and every defined name below ``at`` (1-based)."""
    def edit(workbook: openpyxl.Workbook) -> None:
        workbook[L.INPUT_SHEET].insert_rows(at, count)
        for name, defined in list(workbook.defined_names.items()):
            sheet, ref = next(iter(defined.destinations))
            column, row = ref.replace("$", "").rstrip("0123456789"), int(ref.replace("$", "").lstrip("ABCDEFGHIJ"))
            if sheet == L.INPUT_SHEET and row >= at:
                defined.attr_text = f"'{sheet}'!${column}${row + count}"
    return edit


def test_rows_inserted_values_still_read_by_name(templates, tmp_path, catalog, registry) -> None:
    path = fill(templates["th-vi-du"], {"primary_completers": 120, "primary_grade1_cohort": 130},
                tmp_path / "a.xlsx", edit=_insert_rows(9, 2))
    outcome = read(path, tmp_path, catalog, registry)
    values = outcome.submission.values
    assert values["primary_completers"].value == 120 and values["primary_grade1_cohort"].value == 130
    assert values["primary_completers"].cell == "D12"  # expected D10, two rows inserted above
    [finding] = outcome.findings
    assert finding.kind == "structure_changed" and finding.severity == "warning"
    assert "chèn hoặc xoá dòng" in finding.message


def test_label_edited(templates, tmp_path, catalog, registry) -> None:
    def edit(workbook):
        workbook[L.INPUT_SHEET]["B11"] = "Số học sinh lớp 5 (đã sửa)"
    path = fill(templates["th-vi-du"], {"primary_grade1_cohort": 130}, tmp_path / "a.xlsx", edit=edit)
    outcome = read(path, tmp_path, catalog, registry)
    [finding] = outcome.findings
    assert (finding.kind, finding.cell, finding.code) == ("structure_changed", "B11", "primary_grade1_cohort")
    assert "đã sửa" in finding.message and outcome.submission.values["primary_grade1_cohort"].value == 130


def test_name_removed_row_found_by_label(templates, tmp_path, catalog, registry) -> None:
    def edit(workbook):
        del workbook.defined_names["primary_dropouts"]
    path = fill(templates["th-vi-du"], {"primary_dropouts": 3}, tmp_path / "a.xlsx", edit=edit)
    outcome = read(path, tmp_path, catalog, registry)
    assert outcome.submission.values["primary_dropouts"].value == 3
    [finding] = outcome.findings
    assert finding.kind == "structure_changed" and "tìm thấy dòng" in finding.message


@pytest.mark.parametrize("broken", ["deleted", "ref_error"])
def test_name_and_row_gone(broken, templates, tmp_path, catalog, registry) -> None:
    def edit(workbook):
        if broken == "deleted":
            del workbook.defined_names["primary_dropouts"]
        else:
            workbook.defined_names["primary_dropouts"].attr_text = f"'{L.INPUT_SHEET}'!#REF!"
        workbook[L.INPUT_SHEET]["B13"] = None  # the row's label went with the deleted row
    path = fill(templates["th-vi-du"], {"primary_enrolled": 500}, tmp_path / "a.xlsx", edit=edit)
    outcome = read(path, tmp_path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED
    assert "primary_dropouts" not in outcome.submission.values
    assert outcome.submission.values["primary_enrolled"].value == 500
    [finding] = outcome.findings
    assert (finding.kind, finding.severity, finding.code) == ("missing_name", "error", "primary_dropouts")


# ----------------------------------------------------------------------------- real clients, inbox untouched


@requires_soffice
def test_libreoffice_resaved_files_read_the_same(templates, tmp_path, catalog, registry) -> None:
    sources = tmp_path / "filled"
    typed = {"th-vi-du": TYPED, "cong-an": {"abuse_cases_detected": "1.204", "abuse_cases_handled": 1100,
                                            "preparer_name": "Lê Văn Nam", "report_date": "09/11/2026"},
             "kinh-te": {"budget_allocated": 2_500_000_000, "budget_spent": "1 200 000 000",
                         "funds_mobilised": 0, "report_proposals": "Tăng kinh phí"}}
    originals = {unit: fill(templates[unit], values, sources / f"{unit}.xlsx", as_text=("note_CT17a",))
                 for unit, values in typed.items()}
    converted = tmp_path / "converted"
    subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(converted), *map(str, originals.values())],
                   check=True, capture_output=True, timeout=180)
    inbox = tmp_path / "inbox"
    for unit in typed:  # renamed and nested, as they arrive by Zalo or e-mail
        target = inbox / "Zalo" / unit.upper() / f"Báo cáo năm 2026 ({unit}).xlsx"
        target.parent.mkdir(parents=True)
        shutil.copy(converted / f"{unit}.xlsx", target)
    files, records = collect_files(inbox)
    assert len(files) == 3 and records == []
    for path in files:
        outcome = read(path, inbox, catalog, registry)
        assert outcome.record.status == FileStatus.ACCEPTED, outcome.record.reason
        unit = outcome.submission.unit
        original = read(originals[unit], sources, catalog, registry).submission
        again = outcome.submission
        assert {c: v.value for c, v in again.values.items()} == {c: v.value for c, v in original.values.items()}
        assert (again.notes, again.free_text, again.preparer, again.report_date) == \
               (original.notes, original.free_text, original.preparer, original.report_date)
        assert not [f for f in outcome.findings if f.kind in ("structure_changed", "missing_name")]


def test_reading_never_modifies_the_inbox(filled, templates, catalog, registry) -> None:
    inbox, _ = filled
    shutil.copy(templates["cong-an"], inbox / "cong-an.xlsx")
    (inbox / "rong.xlsx").write_bytes(b"")
    before = snapshot(inbox)
    atimes = {p: p.stat().st_atime_ns for p in inbox.rglob("*") if p.is_file()}
    files, _records = collect_files(inbox)
    for path in files:
        read(path, inbox, catalog, registry)
    assert snapshot(inbox) == before
    if hasattr(os, "O_NOATIME"):
        assert {p: p.stat().st_atime_ns for p in atimes} == atimes


def test_a_figure_crosses_from_a_worker_unchanged() -> None:
    """A figure is made by its slots' setters (the reader, and unpickling in the merge's process):
    it is the same frozen, hashable value the dataclass makes."""
    import dataclasses
    import pickle

    from ctre_xl.read.model import CellValue, cell_value

    made = CellValue("under5_on_track", 187.0, "187", "Số liệu", "D10")
    for copy in (cell_value("under5_on_track", 187.0, "187", "Số liệu", "D10"), pickle.loads(pickle.dumps(made))):
        assert type(copy) is CellValue and copy == made and hash(copy) == hash(made)
        assert (copy.element, copy.value, copy.raw, copy.sheet, copy.cell) == ("under5_on_track", 187.0, "187",
                                                                              "Số liệu", "D10")
        with pytest.raises(dataclasses.FrozenInstanceError):
            copy.value = 1.0  # type: ignore[misc]
