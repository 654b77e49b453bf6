"""The formal report upward (``ctre-xl report``): ``outbox/<year>/bao-cao-<year>.docx``, a draft in
the form of Decree 30/2020/NĐ-CP that the official completes and signs.

The issuing body beside the Quốc hiệu and tiêu ngữ, the number left to fill ("Số: …/BC-UBND"), the
place and date, the title; I. Kết quả by the plan's four objectives, each with its indicators' numbers
and the units' own words credited to them; II. Tồn tại, hạn chế (indicators not met, the units'
difficulties); III. Đề xuất, kiến nghị (the units' proposals); Nơi nhận and the signature block; then
the annex of the 24 indicators and their 34 measures. The final review (2030) adds each metric's
series 2025–2030 from the history, or says plainly that there is none. What the tool cannot know is
a yellow placeholder (``report_layout.Blank``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from docx import Document
from docx.shared import Pt

from ctre_xl.merge.model import MergeResult
from ctre_xl.output.report_layout import (CENTER, LEFT, Blank, Part, add_row, cell_para, page, para, plain_table,
                                          ruled_table, set_up)
from ctre_xl.output.report_texts import (DIRECTION, ORGANISATIONS, UnitWords, YearPoint, gather_words, met_in,
                                         metric_sentence, missing_units, objective_summary, shortfalls,
                                         trend_text)
from ctre_xl.output.standing import coverage_text, indicator_groups, indicators_of, target_phrase, unit_kinds, \
    value_text
from ctre_xl.output.summary.page_form import MOTTO, NATIONAL_TITLE, issuing_body, place_name
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry

Series = Mapping[str, Sequence[YearPoint]]  # metric code -> its years, oldest first
ANNEX_COLUMNS = (17, 50, 26, 26, 24, 22)  # mm, portrait: 165 mm between the margins
FINAL_COLUMNS = (17, 46, 23, 23, 20, 19, 23, 23, 16, 16, 26)  # mm, landscape: 252 mm
ORGANISATIONS_TITLE = "Ủy ban Mặt trận Tổ quốc và các đoàn thể"
NO_HISTORY = ("Chưa có lịch sử số liệu các năm (cơ sở dữ liệu lịch sử của ctre-xl chưa có): "
              "cán bộ bổ sung giá trị các năm 2025–2029 theo các báo cáo đã gửi")


def write_report_docx(result: MergeResult, catalog: Catalog, registry: Registry, path: Path, *,
                      final: bool = False, series: Series | None = None) -> Path:
    """Write the report of ``result``'s year to ``path``; ``final``: the 2030 review with ``series``
    (None: no history, said in the document)."""
    document = Document()
    set_up(document)
    letterhead(document, catalog, result.year)
    title(document, catalog, result.year, final)
    words = gather_words(result, catalog, registry)
    results_section(document, result, catalog, words)
    problems_section(document, result, catalog, words)
    proposals_section(document, words)
    closing(document, catalog)
    annex(document, result, catalog, final, series)
    document.core_properties.title = f"Báo cáo năm {result.year}"
    document.core_properties.author = f"UBND {catalog.commune}"
    document.save(str(path))
    return path


def letterhead(document: Any, catalog: Catalog, year: int) -> None:
    """Issuing body and number on the left, Quốc hiệu, tiêu ngữ and the date line on the right."""
    table = plain_table(document, (62, 103))
    left, right = table.rows[0].cells
    cell_para(left, issuing_body(catalog)[0], bold=True, size=13)
    cell_para(left, "───────", first=False, size=10)
    cell_para(left, "Số: ", Blank(), "/BC-UBND", first=False, size=13)
    cell_para(right, NATIONAL_TITLE, bold=True, size=12)
    cell_para(right, MOTTO, first=False, bold=True, size=13, underline=True)
    cell_para(right, "", first=False, size=10)
    cell_para(right, f"{place_name(catalog)}, ngày ", Blank(), " tháng ", Blank(), f" năm {year}",
              first=False, italic=True, size=13)


def title(document: Any, catalog: Catalog, year: int, final: bool) -> None:
    heading = para(document, "BÁO CÁO", align=CENTER, indent=False, bold=True, after=0)
    heading.paragraph_format.space_before = Pt(18)
    if final:
        what = f"Tổng kết giai đoạn {catalog.first_year} - {catalog.last_year} thực hiện {catalog.title}"
    else:
        what = f"Kết quả thực hiện năm {year} {catalog.title}"
    para(document, what, align=CENTER, indent=False, bold=True, after=12)
    para(document, "Thực hiện ", Blank("số, ngày văn bản chỉ đạo của UBND tỉnh, Sở Y tế"),
         f"; căn cứ báo cáo của các phòng, ban, đơn vị, trường học, Ủy ban nhân dân {catalog.commune} "
         f"báo cáo kết quả thực hiện năm {year} như sau:")


def results_section(document: Any, result: MergeResult, catalog: Catalog, words: UnitWords) -> None:
    """I. Kết quả: direction (to write), then every objective with its numbers and the units' words."""
    para(document, "I. KẾT QUẢ THỰC HIỆN", indent=False, bold=True)
    para(document, "1. Công tác chỉ đạo, triển khai, tuyên truyền, kinh phí: ",
         Blank("cán bộ bổ sung các văn bản chỉ đạo, hoạt động tuyên truyền, kinh phí"))
    credited(document, words.by_objective.get(DIRECTION, []), "")
    metrics = {found.code: found for found in result.metrics}
    kinds = unit_kinds(result)
    number = 1
    for objective in catalog.objectives:
        number += 1
        para(document, f"{number}. Mục tiêu {objective.number}: {objective.name}", bold=True)
        para(document, objective_summary(result, catalog, objective.number))
        for indicator, parts in indicator_groups(catalog):
            if indicator.objective != objective.number:
                continue
            for metric in parts:
                para(document, "- ", metric_sentence(metric, metrics.get(metric.code), catalog, kinds))
        credited(document, words.by_objective.get(objective.number, []), "Các đơn vị báo cáo:")
    if words.by_objective.get(ORGANISATIONS):
        number += 1
        para(document, f"{number}. {ORGANISATIONS_TITLE}", bold=True)
        credited(document, words.by_objective[ORGANISATIONS], "")


def credited(document: Any, entries: Sequence[Any], lead: str) -> None:
    """The units' words, one paragraph each, the unit's name first ("Trường TH A: …")."""
    if not entries:
        return
    if lead:
        para(document, lead, italic=True)
    for entry in entries:
        para(document, "- ", entry.line)


def problems_section(document: Any, result: MergeResult, catalog: Catalog, words: UnitWords) -> None:
    para(document, "II. TỒN TẠI, HẠN CHẾ", indent=False, bold=True)
    lines = shortfalls(result, catalog)
    para(document, "1. Các chỉ tiêu chưa đạt hoặc chưa đủ số liệu để đánh giá:" if lines
         else "1. Các chỉ tiêu: không có chỉ tiêu nào chưa đạt hoặc thiếu số liệu.")
    for line in lines:
        para(document, "- ", line)
    missing = missing_units(result)
    if missing:
        para(document, f"- Chưa nhận được báo cáo của: {', '.join(missing)}.")
    para(document, "2. Khó khăn, vướng mắc các đơn vị nêu:" if words.difficulties
         else "2. Khó khăn, vướng mắc: các đơn vị không nêu.")
    for entry in words.difficulties:
        para(document, "- ", entry.line)
    para(document, "3. Nguyên nhân: ", Blank("cán bộ bổ sung nguyên nhân khách quan, chủ quan"))


def proposals_section(document: Any, words: UnitWords) -> None:
    para(document, "III. ĐỀ XUẤT, KIẾN NGHỊ", indent=False, bold=True)
    for entry in words.proposals:
        para(document, "- ", entry.line)
    para(document, "- Kiến nghị của Ủy ban nhân dân xã với Ủy ban nhân dân tỉnh, Sở Y tế: ",
         Blank("cán bộ bổ sung"))


def closing(document: Any, catalog: Catalog) -> None:
    """"Trên đây là …", then Nơi nhận beside the signature block (TM. / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH)."""
    para(document, f"Trên đây là báo cáo kết quả thực hiện Kế hoạch của Ủy ban nhân dân {catalog.commune}./.")
    province = catalog.province.replace("tỉnh ", "").strip()
    table = plain_table(document, (80, 85))
    left, right = table.rows[0].cells
    cell_para(left, "Nơi nhận:", align=LEFT, bold=True, italic=True, size=12)
    for line in (f"- UBND tỉnh {province};", f"- Sở Y tế tỉnh {province};", "- Lưu: VT, VHXH."):
        cell_para(left, line, align=LEFT, first=False, size=11)
    for line in ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"):
        cell_para(right, line, first=line.startswith("TM"), bold=True)
    for _ in range(4):  # room to sign and stamp
        cell_para(right, "", first=False)
    cell_para(right, Blank("Họ và tên"), first=False, bold=True)


def annex(document: Any, result: MergeResult, catalog: Catalog, final: bool, series: Series | None) -> None:
    """The annex on a new page (landscape for the final review): every indicator with its measures."""
    section = document.add_section()
    page(section, landscape=final)
    para(document, "PHỤ LỤC", align=CENTER, indent=False, bold=True, after=0)
    span = f"giai đoạn {catalog.first_year} - {catalog.last_year}" if final else f"năm {result.year}"
    para(document, f"Kết quả thực hiện các chỉ tiêu {span}", align=CENTER, indent=False, bold=True, after=0)
    para(document, "(Kèm theo Báo cáo số ", Blank(), "/BC-UBND ngày ", Blank(), f" của UBND {catalog.commune})",
         align=CENTER, indent=False, italic=True)
    if final and series is None:
        para(document, Blank(NO_HISTORY))
    headers = ["Mã", "Chỉ tiêu", f"Kết quả {result.year}", "Mục tiêu", "Đánh giá", "Số liệu"]
    if final:
        headers += ["Đầu kỳ", "Cuối kỳ", f"Năm {catalog.target_years[0]}", f"Năm {catalog.target_years[-1]}",
                    "Xu hướng"]
    columns = FINAL_COLUMNS if final else ANNEX_COLUMNS
    table = ruled_table(document, headers, columns)
    for values, bold in annex_rows(result, catalog, final, series):
        add_row(table, values, columns, bold=bold)


def annex_rows(result: MergeResult, catalog: Catalog, final: bool, series: Series | None
               ) -> list[tuple[list[Part], bool]]:
    """(cells, bold) per row: an indicator's row (bold), then its measures."""
    metrics = {found.code: found for found in result.metrics}
    judged = indicators_of(result, catalog)
    kinds = unit_kinds(result)
    rows: list[tuple[list[Part], bool]] = []
    for indicator, parts in indicator_groups(catalog):
        status = judged[indicator.number].status.label if indicator.number in judged else ""
        rows.append(([str(indicator.number), indicator.name, "", "", status, ""]
                     + ([""] * 5 if final else []), True))
        for metric in parts:
            found = metrics.get(metric.code)
            cells: list[Part] = [metric.code, metric.name]
            if found is None:
                cells += ["", "", "", ""]
            else:
                cells += [value_text(metric, found.value, catalog) or "—", target_phrase(metric, found, catalog) or "—",
                          found.status.label, coverage_text(found.coverage, kinds)]
            if final:
                cells += series_cells(metric, catalog, series)
            rows.append((cells, False))
    return rows


def series_cells(metric: Any, catalog: Catalog, series: Series | None) -> list[Part]:
    """First and last value, met in the two milestone years, the trend; placeholders without history."""
    if series is None:
        return [Blank(), Blank(), Blank(), Blank(), Blank()]
    points = list(series.get(metric.code, ()))
    known = [point for point in points if point.value is not None]
    first = f"{value_text(metric, known[0].value, catalog)} ({known[0].year})" if known else "—"
    last = f"{value_text(metric, known[-1].value, catalog)} ({known[-1].year})" if known else "—"
    years = catalog.target_years
    return [first, last, met_in(points, years[0]) or "—", met_in(points, years[-1]) or "—",
            trend_text(metric, points) or "—"]
