"""Cell formats, number formats and data-validation rules of a unit's template.

XlsxWriter formats belong to one workbook, so ``Styles`` is built once per workbook and every
cell reuses its objects (building a format per cell is what makes template writing slow).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from ctre_xl.plan.catalog import Element, Metric
from ctre_xl.plan.vocab import ElementKind, Method, Operator, Scale
from ctre_xl.style import (ALERT_FONT, BAND_FILL, BORDER_COLOUR, COUNT, DATE, GREEN, GROUP_FILL, HEADER_FILL,
                           INPUT_FILL, MUTED, OBJECTIVE_FILL, RATE, RATE_PER_100000, RED, TEXT, quoted,
                           status_colours)
from ctre_xl.text import format_date, format_number

MAX_TEXT = 2000  # explanation and free-text cells
HELP_FONT_SIZE = 10  # an element's help text beside its input cell
MAX_COUNT = 10**9  # a count above a billion is a typing error in a commune's report
MAX_MONEY = 10**15

# Excel limits of data-validation prompts (XlsxWriter refuses longer ones).
_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255


def target_number_format(metric: Metric, operator: Operator, mark: str = "") -> str:
    """Show a numeric target in force as "≥ 90%" while the cell keeps the number 90; ``mark`` says
    an inferred target is one (" (suy luận: duy trì)"), as ``targets.target_text`` does."""
    if metric.scale == Scale.YES_NO:
        return f'[=1]"{operator.sign} Đạt{mark}";General'
    suffix = "% năm trước" if metric.method == Method.CHANGE_VS_PREVIOUS else metric.scale.suffix
    return quoted(operator.sign + " ") + "General" + quoted(suffix + mark)


def rate_number_format(metric: Metric) -> str:
    if metric.scale == Scale.PER_100000:
        return RATE_PER_100000
    return RATE + quoted(metric.scale.suffix)


class Styles:
    """Every format a template uses, created once for ``workbook``."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[str, Format] = {}
        add = workbook.add_format
        border = {"border": 1, "border_color": BORDER_COLOUR, "valign": "vcenter"}
        wrap = {"text_wrap": True}
        self.title = add({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.subtitle = add({"italic": True, "align": "center", "valign": "vcenter", **wrap})
        self.sample = add({"bold": True, "font_color": ALERT_FONT, "align": "center"})
        self.header = add({"bold": True, "align": "center", "bg_color": HEADER_FILL, **border, **wrap})
        self.objective = add({"bold": True, "bg_color": OBJECTIVE_FILL, **border, **wrap})
        self.group = add({"bold": True, "italic": True, "bg_color": GROUP_FILL, **border, **wrap})
        self.code = add({"bold": True, "align": "center", **border})
        self.metric_name = add({"bold": True, **border, **wrap})
        self.measure = add({"italic": True, "font_size": 11, "align": "center", **border, **wrap})
        self.label = add({"indent": 1, **border, **wrap})
        self.reference_label = add({"indent": 1, "italic": True, "font_color": MUTED, **border, **wrap})
        self.help = add({"italic": True, "font_size": HELP_FONT_SIZE, "font_color": MUTED, **border, **wrap})
        self.center = add({"align": "center", **border, **wrap})
        self.cell = add({**border})
        self.no_target = add({"align": "center", "font_color": MUTED, **border})
        self.commune_side = add({"italic": True, "font_size": 10, "align": "center",
                                 "font_color": MUTED, **border, **wrap})
        self.reference_value = add({"num_format": COUNT, "bg_color": BAND_FILL, "italic": True, **border})
        self.input_count = add({"num_format": COUNT, "locked": False, "bg_color": INPUT_FILL, **border})
        self.input_choice = add({"num_format": TEXT, "align": "center", "locked": False,
                                 "bg_color": INPUT_FILL, **border})
        self.input_text = add({"num_format": TEXT, "locked": False, "bg_color": INPUT_FILL, **border, **wrap,
                               "valign": "top"})
        self.input_date = add({"num_format": DATE, "align": "left", "locked": False,
                               "bg_color": INPUT_FILL, **border})
        self.free_text_label = add({"bold": True, **border, **wrap, "valign": "top"})
        # Front sheet
        self.front_label = add({"bold": True, "valign": "top", **wrap})
        self.front_value = add({"valign": "top", **wrap})
        self.front_strong = add({"bold": True, "valign": "top", **wrap})
        self.front_deadline = add({"bold": True, "font_color": ALERT_FONT, "valign": "top", **wrap})
        self.front_heading = add({"bold": True, "bg_color": HEADER_FILL, "valign": "vcenter"})
        self.front_line = add({"valign": "top", **wrap})
        self.field_label = add({"bold": True, **border})
        self.front_pending = add({"bold": True, "font_color": ALERT_FONT, "valign": "vcenter"})
        # The live check beside a figure: empty when fine, a short red message otherwise.
        self.check = add({"font_size": HELP_FONT_SIZE, "bold": True, "font_color": RED[1], "align": "center",
                          **border, **wrap})
        # Conditional formats (differential formats: colour only).
        self.met = add(status_colours(GREEN, bold=True))
        self.not_met = add(status_colours(RED, bold=True))
        # Hidden metadata sheet
        self.meta = add({"num_format": TEXT})

    def number(self, num_format: str, base: str = "center") -> Format:
        """A bordered, locked cell with ``num_format`` (cached per workbook)."""
        key = f"{base}|{num_format}"
        if key not in self._cache:
            props: dict[str, Any] = {"num_format": num_format, "border": 1, "border_color": BORDER_COLOUR,
                                     "valign": "vcenter", "align": "center"}
            if base == "rate":
                props["bold"] = True
            self._cache[key] = self._workbook.add_format(props)
        return self._cache[key]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def element_validation(element: Element) -> dict[str, Any]:
    """Data validation of an element's input cell, by kind, with Vietnamese prompts."""
    help_text = element.help or element.label
    if element.kind == ElementKind.YES_NO:
        rule: dict[str, Any] = {
            "validate": "list", "source": ["Có", "Không"],
            "input_title": "Chọn Có hoặc Không",
            "error_title": "Chỉ chọn Có hoặc Không",
            "error_message": "Chọn Có hoặc Không trong danh sách thả xuống (bấm vào mũi tên bên phải ô).",
        }
    elif element.kind == ElementKind.MONEY:
        rule = {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": MAX_MONEY,
            "input_title": "Số tiền (đồng)",
            "error_title": "Số tiền không hợp lệ",
            "error_message": "Nhập số tiền bằng đồng, là số từ 0 trở lên (chỉ nhập số, không nhập chữ).",
        }
    else:
        rule = {
            "validate": "integer", "criteria": "between", "minimum": 0, "maximum": MAX_COUNT,
            "input_title": "Nhập số nguyên từ 0 trở lên",
            "error_title": "Số liệu không hợp lệ",
            "error_message": ("Nhập số nguyên từ 0 trở lên (không nhập tỷ lệ %, không nhập chữ). "
                              "Nếu không phát sinh, nhập 0."),
        }
    rule["input_message"] = _clip(help_text, _MESSAGE_LIMIT)
    return rule


def text_validation(title: str, message: str, limit: int = MAX_TEXT, minimum: int = 0) -> dict[str, Any]:
    """Free text of at most ``limit`` characters (explanations, free-text boxes, names); with a
    ``minimum``, at least that many (Excel still lets a required cell stay empty: the merge warns)."""
    shown = format_number(limit)
    bounds: dict[str, Any] = {"criteria": "<=", "value": limit}
    error = ("Nội dung quá dài", f"Nội dung tối đa {shown} ký tự; hãy viết ngắn gọn hơn.")
    if minimum:
        bounds = {"criteria": "between", "minimum": minimum, "maximum": limit}
        error = ("Nội dung không hợp lệ", f"Nhập từ {minimum} đến {shown} ký tự.")
    return {
        "validate": "length", **bounds,
        "input_title": _clip(title, _TITLE_LIMIT), "input_message": _clip(message, _MESSAGE_LIMIT),
        "error_title": error[0], "error_message": error[1],
    }


def date_validation(year: int) -> dict[str, Any]:
    """The report is dated in the reporting year or, if late, the next one."""
    first, last = date(year, 1, 1), date(year + 1, 12, 31)
    return {
        "validate": "date", "criteria": "between", "minimum": first, "maximum": last,
        "input_title": "Ngày lập báo cáo",
        "input_message": "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/11/" + str(year) + ".",
        "error_title": "Ngày không hợp lệ",
        "error_message": (f"Nhập một ngày từ {format_date(first)} đến {format_date(last)}, "
                          "theo dạng ngày/tháng/năm."),
    }
