"""The formal report upward (issue 13, points 4 and 5): ``ctre-xl report`` writes a Decree 30 draft
(.docx) and its annex (.xlsx); LibreOffice prints the draft, and its text says what it must."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import requires_soffice, soffice_path
from docx import Document
from openpyxl import load_workbook

from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.output.annex import ANNEX_SHEET, COLUMNS
from ctre_xl.output.report_docx import NO_HISTORY, write_report_docx
from ctre_xl.output.report_texts import YearPoint, trend_text
from ctre_xl.plan.load import load_catalog
from ctre_xl.plan.units import load_registry

YEAR = 2026
CODES = [f"CT{n:02d}" for n in range(1, 25)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:  # noqa: ANN001
    """The demo's workspace after ``ctre-xl report --year 2026``."""
    root = tmp_path_factory.mktemp("report") / "demo"
    runner = CliRunner()
    done = runner.invoke(main, ["demo", "--workspace", str(root)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(main, ["--workspace", str(root), "report", "--year", str(YEAR)])
    assert done.exit_code == 0, done.output
    assert f"bao-cao-{YEAR}.docx" in done.output
    return root


def to_pdf(path: Path, out: Path) -> Path:
    done = subprocess.run([soffice_path(), f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return out / f"{path.stem}.pdf"


def squeeze(text: str) -> str:
    """Without spaces: pdftotext splits some Vietnamese words ("đ ến")."""
    return re.sub(r"\s+", "", text)


@requires_soffice
def test_the_report_prints_as_a_decree_30_document(demo, tmp_path) -> None:  # noqa: ANN001
    pdf = to_pdf(demo / "outbox" / str(YEAR) / f"bao-cao-{YEAR}.docx", tmp_path)
    text = squeeze(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for must in ("UBNDXÃXUÂNTRƯỜNG", "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM", "Độclập-Tựdo-Hạnhphúc", "Số:[…]/BC-UBND",
                 "XuânTrường,ngày[…]tháng[…]năm2026", "BÁOCÁO", f"Kếtquảthựchiệnnăm{YEAR}Kếhoạch",
                 "I.KẾTQUẢTHỰCHIỆN", "II.TỒNTẠI,HẠNCHẾ", "III.ĐỀXUẤT,KIẾNNGHỊ", "Nơinhận:",
                 "-UBNDtỉnhNinhBình;", "-SởYtếtỉnhNinhBình;", "-Lưu:VT,VHXH.",
                 "TM.ỦYBANNHÂNDÂN", "KT.CHỦTỊCH", "PHÓCHỦTỊCH", "[Họvàtên]", "PHỤLỤC"):
        assert must in text, must
    annex = text[text.index("PHỤLỤC"):]
    for code in CODES:
        assert code in annex, code
    measures = [metric.code for metric in load_catalog().metrics]
    assert len(measures) == 34 and all(code in annex for code in measures)  # every measure has its row
    # A unit's own sentence under its group: the police's under objective 2 (protection), the
    # schools' under objective 3 (education), credited to the unit.
    second, third = text.index("Mụctiêu2:"), text.index("Mụctiêu3:")
    police = text.index("-Cônganxã:Đơnvịđãtriểnkhai")
    assert second < police < third
    school = text.index("-TrườngTHCSXuânTrường(minhhoạ):Đơnvịđãtriểnkhai")
    assert third < school < text.index("Mụctiêu4:")
    # Not met: a generated sentence in II.
    problems = text[text.index("II.TỒNTẠI"):text.index("III.ĐỀXUẤT")]
    assert "CT05a" in problems and "chưađạtmụctiêu2026" in problems


def test_the_report_is_a4_times_new_roman_with_decree_30_margins(demo) -> None:  # noqa: ANN001
    document = Document(str(demo / "outbox" / str(YEAR) / f"bao-cao-{YEAR}.docx"))
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= document.styles["Normal"].font.size.pt <= 14
    for section in document.sections:
        assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}
        assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
        assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    highlighted = [run.text for p in document.paragraphs for run in p.runs if run.font.highlight_color]
    assert any("cán bộ bổ sung" in text for text in highlighted)


def test_the_annex_workbook_adds_up_across_communes(demo) -> None:  # noqa: ANN001
    book = load_workbook(demo / "outbox" / str(YEAR) / f"phu-luc-{YEAR}.xlsx")
    rows = list(book[ANNEX_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == [title for title, _width in COLUMNS]
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert len(body) == 34
    assert {row["Xã"] for row in body} == {"xã Xuân Trường"} and {row["Năm"] for row in body} == {YEAR}
    ct02 = next(row for row in body if row["Mã"] == "CT02")
    assert ct02["Mẫu số"] > 0
    assert ct02["Giá trị"] == pytest.approx(100 * ct02["Tử số"] / ct02["Mẫu số"], abs=0.01)
    ct07 = next(row for row in body if row["Mã"] == "CT07")
    assert (ct07["Đơn vị đã tính"], ct07["Đơn vị phải báo cáo"]) == (4, 5)


def test_the_final_review_adds_the_series_or_says_there_is_none(demo, tmp_path) -> None:  # noqa: ANN001
    runner = CliRunner()
    done = runner.invoke(main, ["--workspace", str(demo), "report", "--year", str(YEAR), "--final"])
    assert done.exit_code == 0, done.output
    document = Document(str(demo / "outbox" / str(YEAR) / f"bao-cao-{YEAR}.docx"))
    table = document.tables[-1]
    assert [cell.text for cell in table.rows[0].cells][-5:] == ["Đầu kỳ", "Cuối kỳ", "Năm 2026", "Năm 2030", "Xu hướng"]
    ct02 = next(row for row in table.rows if row.cells[0].text == "CT02")
    assert "(2026)" in ct02.cells[7].text  # the last value known: this year's
    # Without a history the document says so, and does not fail.
    catalog = load_catalog()
    workspace = Workspace(demo)
    result = merge_inbox(catalog, load_registry(demo, catalog), workspace, YEAR, allow_sample=True)
    path = write_report_docx(result, catalog, load_registry(demo, catalog), tmp_path / "r.docx", final=True,
                             series=None)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert NO_HISTORY in text


def test_a_report_needs_a_year(demo) -> None:  # noqa: ANN001
    done = CliRunner().invoke(main, ["--workspace", str(demo), "report"])
    assert done.exit_code == 2
    assert "--year" in done.output


@pytest.mark.parametrize("values, trend", [((90, 95), "tăng, tốt lên"), ((5, 4), "giảm, tốt lên"),
                                           ((7, 7), "không đổi"), ((None, 7), "")])
def test_the_trend_reads_the_direction_of_the_target(values, trend) -> None:  # noqa: ANN001
    catalog = load_catalog()
    metric = next(m for m in catalog.metrics if m.code == ("CT02" if trend != "giảm, tốt lên" else "CT03a"))
    points = [YearPoint(2025 + i, value, "met") for i, value in enumerate(values)]
    assert trend_text(metric, points) == trend
