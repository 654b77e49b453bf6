"""The findings workbook (kiem-tra-<year>.xlsx) on paper: readable, wrapped, one page wide, in Vietnamese."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import requires_soffice, soffice_path
from openpyxl import load_workbook
from summary_helpers import build_registry, build_result

from ctre_xl.output.findings_workbook import write_findings_workbook
from ctre_xl.plan.finding_kinds import KINDS
from ctre_xl.plan.findings import Finding
from ctre_xl.plan.vocab import Severity

# A long message of the commune level, as a cross-unit check writes them: it must wrap and be read whole.
LONG = ("Tổng số trẻ em được hỏi ý kiến của các trường và của Phòng Văn hoá - Xã hội cộng lại lớn hơn số trẻ em "
        "từ 7 tuổi trở lên trên địa bàn xã: mỗi trẻ em chỉ được tính một lần, nên các đơn vị đối chiếu danh sách "
        "với nhau, bỏ những em đã được tính ở đơn vị khác rồi gửi lại biểu mẫu đã sửa trước ngày họp giao ban "
        "cuối tháng Mười Hai.")


@pytest.fixture(scope="module")
def kiem_tra(tmp_path_factory, catalog) -> tuple[Path, list[Finding]]:  # noqa: ANN001
    result = build_result(catalog, build_registry(catalog))
    result.findings.append(Finding("", None, None, None, "CT22", Severity.ERROR, LONG, "cross_unit_rule"))
    path = write_findings_workbook(result, catalog, tmp_path_factory.mktemp("kt") / "kiem-tra-2026.xlsx")
    return path, result.findings


def test_every_cell_is_readable_on_paper(kiem_tra, catalog) -> None:  # noqa: ANN001
    path, findings = kiem_tra
    sheet = load_workbook(path)["Kiểm tra"]
    assert [c.value for c in sheet[4]][-1] == "Mã"  # the machine code: last column, narrow
    widths = [sheet.column_dimensions[chr(ord("A") + i)].width for i in range(8)]
    assert widths[7] <= 12 and widths[6] == max(widths)
    body = list(sheet.iter_rows(min_row=5, max_row=4 + len(findings)))
    for row in [sheet[1], sheet[2], sheet[4], *body]:
        for cell in row:
            if cell.value is not None:
                assert cell.font.sz >= 10 and cell.font.name == "Times New Roman", cell.coordinate
    for row in body:
        assert all(cell.alignment.wrap_text for cell in row), row[0].row
        assert row[7].font.sz < row[6].font.sz and row[7].font.color.rgb.endswith("595959")
    long_row = next(row for row in body if row[6].value == LONG)
    assert long_row[4].value == catalog.metric_by_code["CT22"].name  # the figure by its Vietnamese label
    assert long_row[7].value == "CT22"
    # Tall enough for the wrapped text (about 48 characters a line in the message column).
    assert sheet.row_dimensions[long_row[0].row].height >= 15 * (len(LONG) // 55 + 1)
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(setup.fitToWidth or 1) == 1 and int(setup.fitToHeight) == 0  # one page wide, as long as needed
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.oddFooter.right.text.endswith("Trang &P/&N")
    assert "xã Xuân Trường" in sheet.oddHeader.left.text and "2026" in sheet.oddHeader.right.text


def _ascii(text: str) -> str:
    """Only the ASCII letters and digits, in order.

    The Liberation Serif that stands in for Times New Roman on a bare Linux lacks some precomposed
    Vietnamese letters; LibreOffice draws those from a fallback font, which pdftotext extracts apart
    from their line. What remains in order is every ASCII letter of every line.
    """
    return re.sub(r"[^A-Za-z0-9]", "", text)


@requires_soffice
@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                    reason="poppler-utils (pdftotext, pdfinfo) not installed")
def test_libreoffice_prints_the_long_message_whole_on_a_landscape_page(kiem_tra, tmp_path) -> None:  # noqa: ANN001
    path, _ = kiem_tra
    done = subprocess.run([soffice_path(), f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "kiem-tra-2026.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height  # landscape
    assert re.search(r"Pages:\s+1\n", info)
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # Wrapped over several lines, none of them cut: the whole message is on the page, in order.
    assert _ascii(LONG) in _ascii(text)
    assert "Trang 1/1" in text


def test_no_finding_message_carries_python_exception_text() -> None:
    """The system's or Python's own words never reach a user: no placeholder for an exception."""
    for kind, info in KINDS.items():
        for variant, template in info.messages.items():
            assert "{error_type}" not in template and "{exc" not in template, (kind, variant)
            assert "{error}" not in template or variant == "cell_error", (kind, variant)  # "#DIV/0!": Excel's word
