"""What arrives in a real inbox: each bad file beside good ones gets its finding, the rest still merges.

A good inbox (the built-in registry: four departments and one school per level, filled from the
real templates) is built once; each case copies it, drops or substitutes one bad file, runs
`ctre-xl merge --json` and checks the finding (kind, severity, message, file, cell), what became
of the file, and that the good files still gave their metrics.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from merge_helpers import deliver, file_entry, make_workspace, merge_json, metric
from reading_helpers import fill
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from ctre_xl.plan.load import load_catalog
from ctre_xl.files import Workspace
from ctre_xl.cellref import a1
from ctre_xl.template.layout import build_layout
from ctre_xl.template.writer import write_template
from ctre_xl.plan.units import default_registry, school_unit

YEAR = 2026
GOOD = {
    "vhxh": ("vhxh/Bao cao VHXH.xlsx", {
        "child_friendly_recognised": "Có", "child_friendly_score": 870, "children_total": "4.812",
        "children_0_8": 2450, "children_0_8_served": 2301, "live_births": 212, "deaths_neonatal": 1,
        "deaths_under1": 1, "deaths_under5": 2, "under5_measured": 1180, "under5_underweight": 95,
        "under5_stunted": 170, "under5_obese": 40, "children_under1": 210, "under1_fully_vaccinated": 205,
        "children_under5": 1250, "under5_fully_vaccinated": 1190, "hiv_exposed_infants": 0,
        "hiv_infected_infants": 0, "children_special": 180, "children_special_supported": 171,
        "children_abused": 3, "people_5_17": 3900, "child_labourers_5_17": 150, "children_injured": 25,
        "children_injury_deaths": 1, "disaster_affected_children": 120, "disaster_supported_children": 120,
        "child_marriages": 3, "culture_play_places": 9, "children_age7plus": 2900, "children_consulted": 200,
        "children_participation_aware": 1500, "children_age11plus": 1500, "children_11plus_participating": 300,
        "age5_children": 110, "disabled_learning_need": 4 + 5 + 6}),
    "van-phong": ("van phong.xlsx", {"under5_birth_registered": 1240}),
    "cong-an": ("cong an/CA.xlsx", {"abuse_cases_detected": 3, "abuse_cases_handled": 3}),
    "kinh-te": ("kinh te.xlsx", {"budget_allocated": 150_000_000, "budget_spent": 120_000_000, "funds_mobilised": 0}),
    "mn-vi-du": ("truong/mam non.xlsx", {
        "school_has_sanitation": "Có", "under5_assessed": 300, "under5_on_track": 298, "age5_enrolled": 110, "school_has_psych_support": "Có", "school_disability_ready": "Không",
        "disabled_learning_access": 3}),
    "th-vi-du": ("truong/tieu hoc.xlsx", {
        "school_has_sanitation": "Có", "primary_grade1_cohort": 120, "primary_completers": 119,
        "primary_enrolled": 610, "primary_dropouts": 0, "school_has_psych_support": "Có",
        "school_disability_ready": "Có", "disabled_learning_access": 5,
        "children_consulted": 400, "children_participation_aware": 600}),
    "thcs-vi-du": ("truong/THCS.xlsx", {
        "school_has_sanitation": "Có", "lower_secondary_grade6_cohort": 150, "lower_secondary_completers": 140,
        "lower_secondary_enrolled": 640, "lower_secondary_dropouts": 1, "school_has_psych_support": "Có",
        "school_disability_ready": "Có", "disabled_learning_access": 5,
        "children_consulted": 300, "children_participation_aware": 450, "children_11plus_participating": 200}),
}
TH_FILE = GOOD["th-vi-du"][0]
REPORT_DAY = date(YEAR, 11, 5)
CATALOG = load_catalog()
REGISTRY = default_registry(CATALOG)


def cell(unit: str, element: str) -> str:
    """Where an element's input cell is in the unit's template (the layout contract)."""
    _sheet, row, col = build_layout(CATALOG, REGISTRY.get(unit), YEAR).cells[element]
    return a1(row, col)


def good_values(unit: str, **changes: object) -> dict[str, object]:
    values = dict(GOOD[unit][1])
    for code, value in changes.items():
        if value is None:
            values.pop(code)
        else:
            values[code] = value
    return values


# ----------------------------------------------------------------------------- ways to spoil a file


def refill(unit: str, **changes: object) -> Callable[[Workspace], None]:
    """The unit's file, as it would have been typed with ``changes`` (None: left blank)."""
    def make(ws: Workspace) -> None:
        deliver(ws, unit, YEAR, GOOD[unit][0], good_values(unit, **changes), report_date=REPORT_DAY)
    return make


def write_bytes(relative: str, data: bytes | Callable[[Workspace], bytes]) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        target = ws.inbox / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data(ws) if callable(data) else data)
    return make


def good_bytes(ws: Workspace) -> bytes:
    return (ws.inbox / TH_FILE).read_bytes()


def encrypted(ws: Workspace) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(ws.inbox / TH_FILE, "rb") as handle:
        OOXMLFile(handle).encrypt("123456", out)
    return out.getvalue()


def docx(_ws: Workspace) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", "<w:document xmlns:w='x'><w:body>Báo cáo</w:body></w:document>")
    return out.getvalue()


def other_workbook(ws: Workspace) -> None:
    book = Workbook()
    book.active.append(["Chỉ tiêu", "Số liệu"])
    book.active.append(["Số học sinh", 610])
    (ws.inbox / "Bang tinh rieng.xlsx").parent.mkdir(parents=True, exist_ok=True)
    book.save(ws.inbox / "Bang tinh rieng.xlsx")


def other_year(year: int, relative: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        deliver(ws, "th-vi-du", year, relative, good_values("th-vi-du"), report_date=date(year, 11, 5))
    return make


def unknown_unit(ws: Workspace) -> None:
    stranger = school_unit(CATALOG, "th-la", "Trường Tiểu học Lạ", "tieu-hoc")
    template = ws.root / "khac" / "th-la.xlsx"
    write_template(CATALOG, stranger, YEAR, template)
    fill(template, good_values("th-vi-du"), ws.inbox / "truong la.xlsx", report_date=REPORT_DAY)


def sample_file(ws: Workspace) -> None:
    template = ws.root / "khac" / "mau.xlsx"
    write_template(CATALOG, REGISTRY.get("th-vi-du"), YEAR, template, sample=True)
    fill(template, good_values("th-vi-du"), ws.inbox / "du lieu minh hoa.xlsx", report_date=REPORT_DAY)


def duplicate(ws: Workspace) -> None:
    deliver(ws, "th-vi-du", YEAR, "truong/tieu hoc (ban dau).xlsx", good_values("th-vi-du", primary_enrolled=600),
            report_date=date(YEAR, 11, 1))


def edit_workbook(edit: Callable) -> Callable[[Workspace], None]:  # noqa: ANN001
    """Open the school's good file with openpyxl, change it as a person would, save it back."""
    def make(ws: Workspace) -> None:
        path = ws.inbox / TH_FILE
        book = load_workbook(path)
        edit(book)
        book.save(path)
    return make


def delete_heading_row(book) -> None:  # noqa: ANN001
    """Delete the first objective heading, moving the names below up as Excel does."""
    sheet = book["Số liệu"]
    sheet.delete_rows(5)
    for name, defined in list(book.defined_names.items()):
        sheet_name, reference = next(defined.destinations)
        if sheet_name != "Số liệu":
            continue
        column, row = reference.replace("$", "")[0], int(reference.replace("$", "")[1:])
        if row > 5:
            defined.attr_text = f"'Số liệu'!${column}${row - 1}"


def edit_label(book) -> None:  # noqa: ANN001
    row = int(cell("th-vi-du", "primary_enrolled")[1:])
    book["Số liệu"][f"B{row}"] = "Tổng số học sinh (sửa nhãn)"


def remove_name(book) -> None:  # noqa: ANN001
    del book.defined_names["primary_enrolled"]


def old_version(extra_name: bool) -> Callable:
    def edit(book) -> None:  # noqa: ANN001
        for prop in book.custom_doc_props.props:
            if prop.name == "ctre_catalog_version":
                prop.value = "2024.1"
        meta = book["ctre_meta"]
        for row in meta.iter_rows():
            if row[0].value == "catalog_version":
                row[1].value = "2024.1"
        if extra_name:
            book.defined_names["primary_repeaters"] = DefinedName("primary_repeaters", attr_text="'Số liệu'!$D$40")
    return edit


def outside_link(ws: Workspace) -> None:
    outside = ws.root.parent / "ngoai inbox.xlsx"
    outside.write_bytes(good_bytes(ws))
    os.symlink(outside, ws.inbox / "lien ket.xlsx")


# ----------------------------------------------------------------------------- the table


@dataclass
class Case:
    id: str
    make: Callable[[Workspace], None]
    path: str  # inbox-relative path of the bad file
    status: str | None  # what becomes of it; None: skipped silently (not even listed)
    kinds: set[str] = field(default_factory=set)  # acceptable finding kinds (reader's names); empty: no finding
    severity: str = "error"
    fragment: str = ""  # in the finding's message, or in the file's reason when no finding is expected
    cell: str | None = None  # expected cell (A1) of the finding
    finding_file: str | None = None  # where the finding is filed when not the bad file ("" = commune)


th = "th-vi-du"
CASES = [
    Case("password", write_bytes("mat khau.xlsx", encrypted), "mat khau.xlsx", "rejected",
         {"password_protected", "encrypted"}, fragment="mật khẩu"),
    Case("xls", write_bytes("bao cao cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
                            + "Workbook".encode("utf-16-le") + b"\0" * 2000),
         "bao cao cu.xls", "rejected", {"xls"}, fragment=".xlsx"),
    Case("csv_renamed", write_bytes("so lieu.xlsx", "Mã,Giá trị\nprimary_enrolled,610\n".encode("utf-8")),
         "so lieu.xlsx", "rejected", {"csv"}, fragment="CSV"),
    Case("truncated_zip", write_bytes("tai ve loi.xlsx", lambda ws: good_bytes(ws)[: len(good_bytes(ws)) // 2]),
         "tai ve loi.xlsx", "rejected", {"corrupt_zip"}, fragment="hỏng"),
    Case("empty", write_bytes("rong.xlsx", b""), "rong.xlsx", "rejected", {"empty"}, fragment="rỗng"),
    Case("lock_file", write_bytes("truong/~$tieu hoc.xlsx", b"\x00lock"), "truong/~$tieu hoc.xlsx", None),
    Case("hidden_file", write_bytes(".bao cao an.xlsx", b"junk"), ".bao cao an.xlsx", None),
    Case("previous_year", other_year(YEAR - 1, "nam ngoai/tieu hoc 2025.xlsx"), "nam ngoai/tieu hoc 2025.xlsx",
         "skipped", fragment="năm khác"),
    Case("another_year", other_year(YEAR + 1, "nham nam/tieu hoc 2027.xlsx"), "nham nam/tieu hoc 2027.xlsx",
         "skipped", {"other_year"}, severity="warning", fragment="năm 2027"),
    Case("unknown_unit", unknown_unit, "truong la.xlsx", "rejected", {"unknown_unit"}, fragment="th-la"),
    Case("someone_elses_workbook", other_workbook, "Bang tinh rieng.xlsx", "rejected", {"not_ours"},
         fragment="không phải biểu mẫu"),
    Case("duplicate", duplicate, "truong/tieu hoc (ban dau).xlsx", "superseded",
         fragment="Số học sinh tiểu học đầu năm học: 600 → 610"),
    Case("deleted_rows", edit_workbook(delete_heading_row), TH_FILE, "accepted", {"structure_changed"},
         severity="warning", fragment="xoá dòng"),
    Case("edited_label", edit_workbook(edit_label), TH_FILE, "accepted", {"structure_changed"}, severity="warning",
         fragment="sửa nhãn", cell="B" + cell(th, "primary_enrolled")[1:]),
    Case("removed_name", edit_workbook(remove_name), TH_FILE, "accepted", {"structure_changed"}, severity="warning",
         fragment="primary_enrolled", cell=cell(th, "primary_enrolled")),
    Case("negative_count", refill(th, primary_dropouts=-1), TH_FILE, "accepted", {"negative"},
         fragment="không thể âm", cell=cell(th, "primary_dropouts")),
    Case("decimal_count", refill(th, primary_dropouts="0,5"), TH_FILE, "accepted", {"not_whole"},
         fragment="số nguyên", cell=cell(th, "primary_dropouts")),
    Case("free_text", refill(th, primary_enrolled="khoảng 600 em"), TH_FILE, "accepted", {"not_a_number"},
         fragment="khoảng 600 em", cell=cell(th, "primary_enrolled")),
    Case("not_yes_no", refill(th, school_has_sanitation="có lẽ"), TH_FILE, "accepted", {"not_yes_no"},
         cell=cell(th, "school_has_sanitation")),
    # CT17a's completers may exceed the grade-1 cohort (pupils move in): dropouts against enrolment do not.
    Case("numerator_gt_denominator", refill(th, primary_dropouts=700), TH_FILE, "accepted", {"rule"},
         fragment="không thể lớn hơn", cell=cell(th, "primary_dropouts")),
    Case("nested_violation", refill("vhxh", deaths_neonatal=3), GOOD["vhxh"][0], "accepted", {"rule"},
         fragment="sơ sinh", cell=cell("vhxh", "deaths_neonatal")),
    Case("cross_unit_violation", refill(th, children_consulted=3000), TH_FILE, "accepted", {"cross_unit_rule"},
         fragment="Tổng hợp toàn xã", finding_file=""),
    Case("missing_required", refill(th, primary_enrolled=None), TH_FILE, "accepted", {"missing"},
         fragment="Chưa nhập", cell=cell(th, "primary_enrolled")),
    Case("formula_in_input", refill(th, primary_grade1_cohort="=D20*2"), TH_FILE, "accepted", {"formula_in_input"},
         fragment="công thức", cell=cell(th, "primary_grade1_cohort")),
    Case("percent_in_count", refill(th, primary_dropouts="1%"), TH_FILE, "accepted", {"percent_in_count"},
         severity="warning", cell=cell(th, "primary_dropouts")),
    Case("sample_data", sample_file, "du lieu minh hoa.xlsx", "rejected", {"sample_data"}, fragment="minh hoạ"),
    Case("pdf_renamed", write_bytes("bao cao.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
         "bao cao.xlsx", "rejected", {"pdf"}, fragment="PDF"),
    Case("image", write_bytes("anh chup bao cao.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), "anh chup bao cao.xlsx",
         "rejected", {"image"}, fragment="ảnh"),
    Case("docx", write_bytes("cong van.docx", docx), "cong van.docx", "rejected", {"zip_other"}, fragment="Word"),
    Case("html_renamed", write_bytes("xuat tu web.xlsx", b"<!DOCTYPE html><html><body><table><tr><td>610</td></tr>"
                                                          b"</table></body></html>"),
         "xuat tu web.xlsx", "rejected", {"html"}, fragment="HTML"),
    Case("older_catalogue", edit_workbook(old_version(False)), TH_FILE, "accepted", {"old_catalog"},
         severity="warning", fragment="2024.1"),
    Case("older_catalogue_unmapped", edit_workbook(old_version(True)), TH_FILE, "rejected", {"old_catalog"},
         fragment="primary_repeaters"),
    Case("no_report_date", lambda ws: deliver(ws, th, YEAR, TH_FILE, good_values(th)), TH_FILE, "accepted",
         {"no_report_date"}, severity="warning", fragment="ngày sửa tệp"),
    Case("link_outside_inbox", outside_link, "lien ket.xlsx", "rejected", {"rejected", "outside_link"},
         fragment="ngoài thư mục inbox"),
]


@pytest.fixture(scope="module")
def good_inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("good") / "ws"
    workspace = make_workspace(root, (YEAR - 1, YEAR, YEAR + 1))
    for unit, (relative, values) in GOOD.items():
        deliver(workspace, unit, YEAR, relative, values, report_date=REPORT_DAY)
    return root


def test_the_good_inbox_alone_is_clean(good_inbox, tmp_path):
    code, data, _ = merge_json(Workspace(good_inbox), YEAR)
    assert code == 0 and data["issues"] == []
    assert all(f["status"] == "accepted" for f in data["files"]) and len(data["files"]) == len(GOOD)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_file_beside_good_ones(case: Case, good_inbox, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(good_inbox, root, symlinks=True)
    workspace = Workspace(root)
    case.make(workspace)
    code, data, _ = merge_json(workspace, YEAR)
    assert code == 0

    listed = {f["path"]: f for f in data["files"]}
    if case.status is None:
        assert case.path not in listed and not [i for i in data["issues"] if i["file"] == case.path]
    else:
        assert listed[case.path]["status"] == case.status, listed[case.path]
    where = case.path if case.finding_file is None else case.finding_file
    if case.kinds:
        found = [i for i in data["issues"] if i["file"] == where and i["kind"] in case.kinds]
        assert found, (case.kinds, data["issues"])
        issue = found[0]
        assert issue["severity"] == case.severity
        assert case.fragment in issue["message"], issue["message"]
        if case.cell:
            assert issue["cell"] == case.cell and issue["sheet"] == "Số liệu", issue
    elif case.status is not None:
        assert case.fragment in listed[case.path]["reason"]
        assert not [i for i in data["issues"] if i["file"] == case.path]

    # The good files beside it still merge.
    for unit, (relative, _values) in GOOD.items():
        if relative != case.path:
            assert listed[relative]["status"] == "accepted", (unit, listed[relative])
    assert metric(data, "CT16")["value"] == pytest.approx(110 / 110 * 100)
    assert metric(data, "CT18a")["value"] == pytest.approx(140 / 150 * 100)
    if case.path != GOOD["vhxh"][0]:
        assert metric(data, "CT02")["value"] == pytest.approx(2301 / 2450 * 100)
    if case.path != TH_FILE or case.status == "accepted" and case.severity == "warning":
        assert metric(data, "CT17a")["value"] == pytest.approx(119 / 120 * 100), case.id


def test_an_error_figure_is_left_out_and_marks_its_metrics(good_inbox, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(good_inbox, root)
    workspace = Workspace(root)
    refill(th, primary_dropouts=700)(workspace)
    _, data, _ = merge_json(workspace, YEAR)
    ct17b = metric(data, "CT17b")
    assert ct17b["status"] == "no_data" and ct17b["on_error_figures"] is True  # the only primary school
    assert metric(data, "CT17a")["value"] == pytest.approx(119 / 120 * 100)  # its other figures still count
    assert "primary_dropouts" not in data["totals"] or data["totals"]["primary_dropouts"] is None
    _, strict, _ = merge_json(workspace, YEAR, "--strict")
    assert metric(strict, "CT17a")["status"] == "no_data" and metric(strict, "CT17a")["on_error_figures"]


def test_the_superseded_file_names_the_one_that_counts(good_inbox, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(good_inbox, root)
    workspace = Workspace(root)
    duplicate(workspace)
    _, data, _ = merge_json(workspace, YEAR)
    reason = file_entry(data, "truong/tieu hoc (ban dau).xlsx")["reason"]
    assert TH_FILE in reason and "05/11/2026" in reason
    assert metric(data, "CT17b")["denominator"] == 610
