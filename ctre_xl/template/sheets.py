"""Rendering the two visible sheets of a unit's template from its ``TemplateLayout``.

Nothing here decides *where* a figure goes: ``layout.build_layout`` does. These functions only
draw what the layout says, so the reader can rely on the layout alone.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.template.checks import SUBSET_BROKEN, check_formula
from ctre_xl.template.paging import set_page_breaks
from ctre_xl.template.layout import (
    COL_CHECK, COL_CODE, COL_LABEL, COL_NOTE, COL_RATE, COL_TARGET, COL_UNIT, COL_VALUE,
    INPUT_HEADER_ROW, Row,
    TemplateLayout, note_name,
)
from ctre_xl.cellref import a1
from ctre_xl.style import PAGE_OF, TEMPLATE_PAGE, font_code, page_text, print_a4
from ctre_xl.plan.targets import inference_mark, target_text
from ctre_xl.text import format_number
from ctre_xl.template.styles import (
    MAX_TEXT, Styles, element_validation, rate_number_format, target_number_format,
    text_validation,
)
from ctre_xl.plan.vocab import ElementKind, Method, MetricStatus, Operator

# Input sheet column widths (characters), in column order A..H.
INPUT_WIDTHS = (7, 50, 15, 14, 16, 15, 15, 39)
FREE_TEXT_ROW_HEIGHT = 96  # points: about six lines of wrapped text
# A unit giving only a metric's side figures (extra): they are shown beside it, never in its rate.
CROSS_CHECK_ONLY = "để đối chiếu, không tính vào tỷ lệ"
HELP_DENSITY, HELP_LINE_POINTS = 1.45, 13.0  # the 10 pt help text beside an input


def wrapped_lines(text: str, width_chars: float, density: float = 1.2) -> int:
    """How many lines ``text`` takes in a column ``width_chars`` wide (greedy word wrap).

    ``density`` is how many Times New Roman 12 pt characters fit in one unit of column width
    (measured on LibreOffice renders: about 1.2 regular, 1.1 bold, 1.3 at 11 pt).
    """
    capacity = max(1.0, width_chars * density)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            needed = len(word) if used == 0 else used + 1 + len(word)
            if needed <= capacity or used == 0:
                used = needed
            else:
                lines += 1
                used = len(word)
    return lines


def row_height(lines: int, line_points: float = 15.5) -> float:
    """Explicit row heights: neither Excel nor LibreOffice reliably auto-fits wrapped text."""
    return max(18.0, lines * line_points + 3)


def estimated_height(text: str, width_chars: float, density: float = 1.2) -> float:
    return row_height(wrapped_lines(text, width_chars, density))


def page_setup(sheet: Worksheet, header_text: str, repeat_row: int | None = None) -> None:
    """A4 landscape, one page wide, the unit's name in the header, page numbers in the footer."""
    # Font size before font name: "&11" directly followed by a name starting with a digit ("11 ...")
    # would read as a bigger size.
    header = "&C" + font_code(11, "Bold", size_first=True) + page_text(header_text)[:200]
    footer = "&C" + font_code(10, size_first=True) + PAGE_OF
    print_a4(sheet, TEMPLATE_PAGE, header=header, footer=footer,
             repeat_rows=None if repeat_row is None else (repeat_row, repeat_row))


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case (a sentence's start, a cell on its own)."""
    return text[:1].upper() + text[1:]


def protect(sheet: Worksheet) -> None:
    # No password on purpose: protection is there to stop accidental edits of labels and
    # formulas, not to keep anyone out. A password would get lost between yearly cycles, and the
    # commune secretary must be able to unprotect a sheet to help a unit.
    sheet.protect("", {"format_columns": True, "format_rows": True})


# ----------------------------------------------------------------------------- input sheet


def write_sheet_heading(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout, title: str,
                        deadline_words: str, sample: bool) -> None:
    """The three heading rows of a template's body sheet: title, unit, year and deadline."""
    last_col = COL_NOTE
    sheet.merge_range(0, 0, 0, last_col, title + (" (BẢN MINH HOẠ)" if sample else ""), st.title)
    sheet.set_row(0, 24)
    sheet.merge_range(1, 0, 1, last_col, f"Đơn vị báo cáo: {layout.unit.name}", st.subtitle)
    sheet.merge_range(2, 0, 2, last_col,
                      f"Năm báo cáo: {layout.year} — {catalog.commune}, {catalog.province} — "
                      f"{deadline_words} {catalog.deadline_text(layout.year)}", st.subtitle)


def write_input_sheet(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout,
                      sample: bool) -> None:
    unit, year = layout.unit, layout.year
    last_col = COL_NOTE
    for col, width in enumerate(INPUT_WIDTHS):
        sheet.set_column(col, col, width)
    write_sheet_heading(sheet, st, catalog, layout, f"SỐ LIỆU THỰC HIỆN KẾ HOẠCH VÌ TRẺ EM NĂM {year}",
                        "hạn nộp", sample)
    headers = {
        COL_CODE: "Mã", COL_LABEL: "Nội dung", COL_UNIT: "Đơn vị tính", COL_VALUE: "Số liệu",
        COL_CHECK: "Kiểm tra", COL_TARGET: f"Mục tiêu năm {year}", COL_RATE: "Kết quả tính được",
        COL_NOTE: "Giải trình",
    }
    for col, text in headers.items():
        sheet.write_string(INPUT_HEADER_ROW, col, text, st.header)
    sheet.set_row(INPUT_HEADER_ROW, 33)
    sheet.freeze_panes(INPUT_HEADER_ROW + 1, 0)
    provided = set(unit.elements)
    coloured: dict[Operator, list[int]] = {}  # operator of the target in force -> rows with a live rate
    subset_rates: list[int] = []  # rows whose live rate may read SUBSET_BROKEN
    for row in layout.rows:
        if row.kind in ("objective", "group", "free_text_title"):
            fmt = st.group if row.kind == "group" else st.objective
            sheet.merge_range(row.index, 0, row.index, last_col, row.text, fmt)
            sheet.set_row(row.index, estimated_height(row.text, sum(INPUT_WIDTHS), 1.1))
        elif row.kind == "metric":
            assert row.metric is not None
            operator = _metric_row(sheet, st, catalog, layout, row, row.metric, provided)
            if operator is not None:
                coloured.setdefault(operator, []).append(row.index)
            if _shows_rate(row.metric, provided) and row.metric.subset:
                subset_rates.append(row.index)
        elif row.kind == "element":
            _element_row(sheet, st, catalog, layout, row)
        elif row.kind == "reference":
            _reference_row(sheet, st, catalog, row)
        elif row.kind == "free_text":
            _free_text_row(sheet, st, row)
        else:  # pragma: no cover - a new row kind in layout.py must be rendered here
            raise ValueError(f"unknown row kind {row.kind!r}")
    _colour_rates(sheet, st, coloured, subset_rates)
    page_setup(sheet, unit.name, INPUT_HEADER_ROW)
    set_page_breaks(sheet, layout, INPUT_WIDTHS)
    protect(sheet)


def _fit_row(sheet: Worksheet, r: int, *cells: tuple[str, int, float]) -> None:
    """Set row ``r`` tall enough for the wrapped (text, column, density) cells it holds."""
    lines = max(wrapped_lines(text, INPUT_WIDTHS[col] - 1.5, density) for text, col, density in cells)
    sheet.set_row(r, row_height(lines))


def _blank_cells(sheet: Worksheet, st: Styles, row: int, cols: range | tuple[int, ...]) -> None:
    for col in cols:
        sheet.write_blank(row, col, None, st.cell)


def _metric_row(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout, row: Row,
                metric: Metric, provided: set[str]) -> Operator | None:
    """Write a metric's row; returns the target's operator when its live rate is to be coloured."""
    r = row.index
    sheet.write_string(r, COL_CODE, metric.code, st.code)
    sheet.write_string(r, COL_LABEL, metric.name, st.metric_name)
    sheet.write_string(r, COL_UNIT, metric.measure, st.measure)
    side = _commune_side(metric, provided)
    # One target column: the target judging this year ("(suy luận…)" when the plan is silent).
    target = target_text(metric, catalog.target_year(layout.year))
    _fit_row(sheet, r, (metric.name, COL_LABEL, 1.1), (metric.measure, COL_UNIT, 1.3), (target, COL_TARGET, 1.2),
             *([(side, COL_RATE, HELP_DENSITY)] if side else []))
    _blank_cells(sheet, st, r, (COL_VALUE, COL_CHECK))
    in_force = catalog.target_in_force(metric, layout.year)
    if in_force is None:
        sheet.write_string(r, COL_TARGET, "—", st.no_target)
    else:
        operator, value = in_force
        mark = inference_mark(metric, catalog.target_year(layout.year))
        sheet.write_number(r, COL_TARGET, value, st.number(target_number_format(metric, operator, mark)))
    coloured = _result_cell(sheet, st, layout, r, metric, provided, in_force)
    note_row, note_col = layout.cells[note_name(metric.code)][1:]
    sheet.write_blank(note_row, note_col, None, st.input_text)
    sheet.data_validation(note_row, note_col, note_row, note_col, text_validation(
        f"Giải trình {metric.code}",
        "Ghi nguyên nhân nếu chưa đạt mục tiêu, số liệu bất thường hoặc chưa có số liệu "
        f"(tối đa {format_number(MAX_TEXT)} ký tự)."))
    return coloured


def _result_cell(sheet: Worksheet, st: Styles, layout: TemplateLayout, r: int, metric: Metric,
                 provided: set[str], in_force: tuple[Operator, float] | None) -> Operator | None:
    """The live rate when this unit gives both parts of a ratio (its operator if it has a target)."""
    if metric.method == Method.YES_NO:
        _colour_yes_no(sheet, st, layout, metric, in_force)
        sheet.write_blank(r, COL_RATE, None, st.cell)
        return None
    side = _commune_side(metric, provided)
    if side is not None:
        sheet.write_string(r, COL_RATE, side, st.commune_side)
        return None
    assert metric.numerator and metric.denominator
    num = a1(*layout.cells[metric.numerator][1:])
    den = a1(*layout.cells[metric.denominator][1:])
    formula = (f'=IF(AND(ISNUMBER({den}),{den}=0),"{MetricStatus.NOT_APPLICABLE.label}",'
               f'IF(AND(ISNUMBER({num}),ISNUMBER({den})),{num}/{den}*{metric.factor},""))')
    if metric.subset:  # a part above its whole is a typing error, never a rate to colour green
        formula = f'=IF(AND(ISNUMBER({num}),ISNUMBER({den}),{num}>{den}),"{SUBSET_BROKEN}",{formula[1:]})'

    # The cached value "" keeps the cell empty in viewers that do not recalculate.
    sheet.write_formula(r, COL_RATE, formula, st.number(rate_number_format(metric), "rate"), "")
    return None if in_force is None else in_force[0]  # no target for this year yet: no colour


def _shows_rate(metric: Metric, provided: set[str]) -> bool:
    """Whether the unit's own template computes ``metric``'s rate live."""
    return metric.method != Method.YES_NO and _commune_side(metric, provided) is None


def _commune_side(metric: Metric, provided: set[str]) -> str | None:
    """What the result cell says when the unit cannot compute the rate itself; None when it can
    (or for a yes/no answer, whose own cell shows met or not)."""
    if metric.method == Method.YES_NO:
        return None
    if metric.method == Method.RATIO and metric.factor is not None \
            and {metric.numerator, metric.denominator} <= provided:
        return None
    if provided.isdisjoint({metric.numerator, metric.denominator, metric.element}):
        return CROSS_CHECK_ONLY  # e.g. the police's case counts beside CT09
    return "so với năm trước (xã tính)" if metric.method == Method.CHANGE_VS_PREVIOUS else "xã tổng hợp"


def _colour_rates(sheet: Worksheet, st: Styles, rows_by_operator: dict[Operator, list[int]],
                  subset_rows: list[int]) -> None:
    """Green when the live rate meets the target in force, red when it does not or when it reads
    ``SUBSET_BROKEN`` (numerator above denominator).

    One pair of rules per operator over all its rows (relative references, anchored at the first
    row) rather than a pair per metric: XlsxWriter runs ~150 regular expressions over every
    conditional-format formula, which dominated the time to write a template.
    """
    for operator, rows in rows_by_operator.items():
        first = rows[0]
        rate, target = a1(first, COL_RATE), a1(first, COL_TARGET)
        cells = " ".join(a1(r, COL_RATE) for r in rows)
        # Rounded so that a rate like 100.00000000001 (floating point) still equals a 100 target.
        meets = f"ROUND({rate},6){operator}{target}"
        for test, fmt in ((meets, st.met), (f"NOT({meets})", st.not_met)):
            sheet.conditional_format(first, COL_RATE, first, COL_RATE, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({rate}),{test})", "format": fmt,
                "multi_range": cells})
    if subset_rows:
        first = subset_rows[0]
        sheet.conditional_format(first, COL_RATE, first, COL_RATE, {
            "type": "formula", "criteria": f'={a1(first, COL_RATE)}="{SUBSET_BROKEN}"', "format": st.not_met,
            "multi_range": " ".join(a1(r, COL_RATE) for r in subset_rows)})


def _colour_yes_no(sheet: Worksheet, st: Styles, layout: TemplateLayout, metric: Metric,
                   in_force: tuple[Operator, float] | None) -> None:
    """A yes/no metric answered by one unit (CT01): the Có/Không cell itself shows met or not."""
    if metric.element not in layout.cells or in_force is None:
        return
    _sheet_name, row, col = layout.cells[metric.element]
    good, bad = ("Có", "Không") if in_force[1] else ("Không", "Có")
    for answer, fmt in ((good, st.met), (bad, st.not_met)):
        sheet.conditional_format(row, col, row, col, {
            "type": "cell", "criteria": "==", "value": f'"{answer}"', "format": fmt})


def _element_row(sheet: Worksheet, st: Styles, catalog: Catalog, layout: TemplateLayout, row: Row) -> None:
    """An input row. The element's help (what exactly to count, what the figure is used for) is
    written beside the input, across the columns a figure leaves empty, so that it is seen and
    printed rather than only shown as a prompt when the cell is selected."""
    assert row.element is not None
    element = catalog.elements[row.element]
    r = row.index
    sheet.write_blank(r, COL_CODE, None, st.cell)
    sheet.write_string(r, COL_LABEL, row.text, st.label)
    sheet.write_string(r, COL_UNIT, element.unit_of_measure, st.center)
    _sheet_name, value_row, value_col = layout.cells[row.element]
    fmt = st.input_choice if element.kind == ElementKind.YES_NO else st.input_count
    sheet.write_blank(value_row, value_col, None, fmt)
    sheet.data_validation(value_row, value_col, value_row, value_col, element_validation(element))
    check = check_formula(catalog, layout, row.element)
    if check is None:
        sheet.write_blank(r, COL_CHECK, None, st.check)
    else:
        sheet.write_formula(r, COL_CHECK, check[0], st.check, check[1])
    if element.help:
        sheet.merge_range(r, COL_CHECK + 1, r, COL_NOTE, element.help, st.help)
    else:
        _blank_cells(sheet, st, r, range(COL_CHECK + 1, COL_NOTE + 1))
    label_lines = wrapped_lines(row.text, INPUT_WIDTHS[COL_LABEL] - 1.5, 1.2)
    help_lines = wrapped_lines(element.help, sum(INPUT_WIDTHS[COL_CHECK + 1:]) - 1.5, HELP_DENSITY)
    sheet.set_row(r, max(row_height(label_lines), row_height(help_lines, HELP_LINE_POINTS)))


def _reference_row(sheet: Worksheet, st: Styles, catalog: Catalog, row: Row) -> None:
    """A figure already typed above: shown again (locked) so each ratio reads as one block."""
    assert row.element is not None and row.source_row is not None
    r = row.index
    source = a1(row.source_row, COL_VALUE)
    sheet.write_blank(r, COL_CODE, None, st.cell)
    label = f"{row.text} (đã nhập ở dòng {row.source_row + 1})"
    sheet.write_string(r, COL_LABEL, label, st.reference_label)
    _fit_row(sheet, r, (label, COL_LABEL, 1.2))
    sheet.write_string(r, COL_UNIT, catalog.elements[row.element].unit_of_measure, st.center)
    sheet.write_formula(r, COL_VALUE, f'=IF({source}="","",{source})', st.reference_value, "")
    _blank_cells(sheet, st, r, range(COL_VALUE + 1, COL_NOTE + 1))


def _free_text_row(sheet: Worksheet, st: Styles, row: Row) -> None:
    r = row.index
    sheet.merge_range(r, COL_CODE, r, COL_UNIT, row.text, st.free_text_label)
    sheet.merge_range(r, COL_VALUE, r, COL_NOTE, "", st.input_text)
    sheet.data_validation(r, COL_VALUE, r, COL_VALUE, text_validation(
        row.text, f"{row.text}: viết ngắn gọn, tối đa {format_number(MAX_TEXT)} ký tự."))
    sheet.set_row(r, FREE_TEXT_ROW_HEIGHT)
