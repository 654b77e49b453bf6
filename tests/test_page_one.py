"""Page 1 of the summary as LibreOffice prints it (issue 10): the whole truth on one signed page,
never contradicting itself after an edit, and no heading left alone at the foot of a printed page."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import requires_soffice, soffice_path
from openpyxl import load_workbook

from ctre_xl.cli import main

YEAR = 2026


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:  # noqa: ANN001
    """The demo's summary and its merge as JSON."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    runner = CliRunner()
    done = runner.invoke(main, ["demo", "--workspace", str(root)])
    assert done.exit_code == 0, done.output
    merged = runner.invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR), "--json"])
    return root / "outbox" / str(YEAR) / f"tong-hop-{YEAR}.xlsx", json.loads(merged.stdout)


def to_pdf(path: Path, out: Path) -> Path:
    done = subprocess.run([soffice_path(), f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return out / f"{path.stem}.pdf"


def page_text(pdf: Path, page: int, layout: bool = True) -> str:
    """The page's text: as laid out, or (``layout`` False) in reading order, each cell's lines together."""
    mode = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), *mode, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def squeeze(text: str) -> str:
    """Without spaces: pdftotext splits some Vietnamese words ("đ ến")."""
    return re.sub(r"\s+", "", text)


@requires_soffice
def test_page_one_tells_the_whole_truth(demo, tmp_path) -> None:  # noqa: ANN001
    path, merged = demo
    pdf = to_pdf(path, tmp_path)
    text = page_text(pdf, 1)
    flat = squeeze(text) + squeeze(page_text(pdf, 1, layout=False))
    for words in ("UBND XÃ XUÂN TRƯỜNG", "PHÒNG VĂN HOÁ - XÃ HỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Xuân Trường, ngày … tháng … năm", "BÁO CÁO",
                  "NGƯỜI LẬP BIỂU", "LÃNH ĐẠO DUYỆT", "(Ký, ghi rõ họ tên)", "tính tại thời điểm tổng hợp"):
        assert squeeze(words) in flat, words
    errors = sum(issue["severity"] == "error" for issue in merged["issues"])
    warnings = sum(issue["severity"] == "warning" for issue in merged["issues"])
    assert squeeze(f"Lỗi và cảnh báo: {errors} lỗi, {warnings} cảnh báo") in flat
    # Every missed indicator, with its value, target and gap in its own unit.
    missed = [m["code"] for m in merged["metrics"] if m["status"] == "not_met"]
    assert missed and all(f" {code} " in f" {text} " or squeeze(code) in flat for code in missed)
    not_met = sum(i["status"] == "not_met" for i in merged["indicators"])
    assert squeeze(f"2. Các chỉ tiêu chưa đạt ({not_met} chỉ tiêu)") in flat
    # (A wrapped cell's lines come out apart: its words are checked piece by piece.)
    for shown in ("96,91%", "≥ 97%", "còn thiếu 0,09 điểm", "phần trăm", "613,06/100.000", "≤ 550/100.000",
                  "vượt 63,06/100.000"):
        assert squeeze(shown) in flat, shown
    assert re.search(r"\d{1,3}(\.\d{3})+đồng", flat)  # money in Vietnamese style, in đồng
    assert not re.search(r"\d\.\d\d\b", text), "a number without its unit or in English style"
    # The units whose files had errors, the indicators on erroneous or incomplete figures.
    for unit in merged["units"]:
        if unit.get("errors"):
            assert squeeze(unit["name"]) in flat
    assert squeeze("Chỉ tiêu dựa trên số liệu có lỗi (1)") in flat and "CT18b" in flat
    assert squeeze("Chỉ tiêu chưa đủ hoặc thiếu số liệu") in flat
    assert squeeze("Trang 1/") in flat  # the signature block and the footer on the same page: one page
    assert "Số liệu ở trang" not in text  # not edited: no warning


@requires_soffice
def test_page_one_never_contradicts_itself_after_an_edit(demo, tmp_path) -> None:  # noqa: ANN001
    """CT05a corrected by hand to 99 %: "Chỉ tiêu" re-judges it (LibreOffice recalculates the
    formulas openpyxl saved without results); page 1 keeps the merge's counts and list, which
    agree with each other, and says it is out of date."""
    path, merged = demo
    workbook = load_workbook(path)
    sheet = workbook["Chỉ tiêu"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "Mã")
    value_col = next(c for c in range(1, 30) if sheet.cell(header, c).value == "Giá trị")
    row = next(r for r in range(header, sheet.max_row + 1) if sheet.cell(r, 1).value == "CT05a")
    sheet.cell(row, value_col).value = 99.0
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    pdf = to_pdf(edited, tmp_path)
    flat = squeeze(page_text(pdf, 1))
    assert squeeze("Số liệu ở trang “Chỉ tiêu” đã bị sửa sau khi tổng hợp") in flat
    summary = re.search(r"Tómtắt:(.*?)\(trên24chỉtiêu\)", flat).group(1)
    counted = int(re.search(r"(\d+)chưađạt", summary).group(1))
    listed = int(re.search(r"2\.Cácchỉtiêuchưađạt\((\d+)chỉtiêu\)", flat).group(1))
    assert counted == listed == sum(i["status"] == "not_met" for i in merged["indicators"])
    assert "CT05a" in flat
    # "Chỉ tiêu" itself followed the edit.
    text = "".join(page_text(pdf, p) for p in range(2, 6))
    line = next(line for line in text.splitlines() if line.strip().startswith("CT05a"))
    assert "Đạt" in squeeze(line) and "Chưađạt" not in squeeze(line)


@requires_soffice
def test_no_heading_alone_at_the_foot_of_a_page(demo, tmp_path) -> None:  # noqa: ANN001
    path, _ = demo
    pdf = to_pdf(path, tmp_path)
    workbook = load_workbook(path)
    by_unit = workbook["Theo đơn vị"]
    bands = {squeeze(f"{by_unit.cell(r, 1).value}{by_unit.cell(r, 2).value}")[:30]
             for r in range(5, by_unit.max_row + 1)
             if by_unit.cell(r, 1).value and by_unit.cell(r, 1).fill.fgColor.rgb not in (None, "00000000")
             and by_unit.cell(r, 2).value and "(" in str(by_unit.cell(r, 2).value)}
    checked = 0
    for page in range(2, pages(pdf) + 1):
        lines = [line.strip() for line in page_text(pdf, page).splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith("Kế hoạch thực hiện Chương trình")]
        if not body or not any(title in squeeze(" ".join(body[:3])) for title in
                               ("Kếtquảthựchiệncácchỉtiêu", "Sốliệutheođơnvị", "Mã")):
            continue
        last = squeeze(body[-1])
        checked += 1
        assert not re.match(r"Mụctiêu\d\.", last), (page, body[-1])
        assert not re.match(r"CT\d+Chỉtiêu\d+\.", last), (page, body[-1])
        assert not any(last.startswith(band[:20]) for band in bands), (page, body[-1])
    assert checked >= 4
