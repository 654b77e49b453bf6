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
from ctre_xl.template.layout import format_number

FONT = "Times New Roman"
FONT_SIZE = 12
INPUT_FILL = "#FFF2CC"  # pale yellow: "type here" (the front sheet's instructions say so)
HEADER_FILL = "#DDEBF7"
OBJECTIVE_FILL = "#BDD7EE"
GROUP_FILL = "#E2EFDA"
LOCKED_FILL = "#F2F2F2"  # computed or copied cells the unit cannot type into
MAX_TEXT = 2000  # explanation and free-text cells
MAX_COUNT = 10**9  # a count above a billion is a typing error in a commune's report
MAX_MONEY = 10**15

# Excel limits of data-validation prompts (XlsxWriter refuses longer ones).
_TITLE_LIMIT, _MESSAGE_LIMIT = 32, 255

_OPERATOR_SIGN = {"<": "<", "<=": "≤", ">=": "≥", "=": "="}
_SCALE_SUFFIX = {"percent": "%", "per_mille": "‰", "per_100000": "/100.000", "count": "", "yes_no": ""}


def _quoted(text: str) -> str:
    """A literal for an Excel number format."""
    return '"' + text.replace('"', "") + '"' if text else ""


def target_number_format(metric: Metric, operator: str) -> str:
    """Show a numeric target in force as "≥ 90%" while the cell keeps the number 90."""
    if metric.scale == "yes_no":
        return '[=1]"Đạt";General'
    suffix = "% năm trước" if metric.method == "change_vs_previous" else _SCALE_SUFFIX[metric.scale]
    return _quoted(_OPERATOR_SIGN[operator] + " ") + "General" + _quoted(suffix)


def rate_number_format(metric: Metric) -> str:
    if metric.scale == "per_100000":
        return "#,##0.0"
    return "0.00" + _quoted(_SCALE_SUFFIX[metric.scale])


class Styles:
    """Every format a template uses, created once for ``workbook``."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[str, Format] = {}
        add = workbook.add_format
        border = {"border": 1, "border_color": "#808080", "valign": "vcenter"}
        wrap = {"text_wrap": True}
        self.title = add({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.subtitle = add({"italic": True, "align": "center", "valign": "vcenter", **wrap})
        self.sample = add({"bold": True, "font_color": "#C00000", "align": "center"})
        self.header = add({"bold": True, "align": "center", "bg_color": HEADER_FILL, **border, **wrap})
        self.objective = add({"bold": True, "bg_color": OBJECTIVE_FILL, **border, **wrap})
        self.group = add({"bold": True, "italic": True, "bg_color": GROUP_FILL, **border, **wrap})
        self.code = add({"bold": True, "align": "center", **border})
        self.metric_name = add({"bold": True, **border, **wrap})
        self.measure = add({"italic": True, "font_size": 11, "align": "center", **border, **wrap})
        self.label = add({"indent": 1, **border, **wrap})
        self.reference_label = add({"indent": 1, "italic": True, "font_color": "#595959", **border, **wrap})
        self.center = add({"align": "center", **border, **wrap})
        self.cell = add({**border})
        self.no_target = add({"align": "center", "font_color": "#595959", **border})
        self.commune_side = add({"italic": True, "font_size": 10, "align": "center",
                                 "font_color": "#595959", **border, **wrap})
        self.reference_value = add({"num_format": "#,##0", "bg_color": LOCKED_FILL, "italic": True, **border})
        self.input_count = add({"num_format": "#,##0", "locked": False, "bg_color": INPUT_FILL, **border})
        self.input_choice = add({"num_format": "@", "align": "center", "locked": False,
                                 "bg_color": INPUT_FILL, **border})
        self.input_text = add({"num_format": "@", "locked": False, "bg_color": INPUT_FILL, **border, **wrap,
                               "valign": "top"})
        self.input_date = add({"num_format": "dd/mm/yyyy", "align": "left", "locked": False,
                               "bg_color": INPUT_FILL, **border})
        self.free_text_label = add({"bold": True, **border, **wrap, "valign": "top"})
        # Front sheet
        self.front_label = add({"bold": True, "valign": "top", **wrap})
        self.front_value = add({"valign": "top", **wrap})
        self.front_strong = add({"bold": True, "valign": "top", **wrap})
        self.front_deadline = add({"bold": True, "font_color": "#C00000", "valign": "top", **wrap})
        self.front_heading = add({"bold": True, "bg_color": HEADER_FILL, "valign": "vcenter"})
        self.front_line = add({"valign": "top", **wrap})
        self.field_label = add({"bold": True, **border})
        # Conditional formats (differential formats: colour only).
        self.met = add({"bg_color": "#C6EFCE", "font_color": "#006100", "bold": True})
        self.not_met = add({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True})
        # Hidden metadata sheet
        self.meta = add({"num_format": "@"})

    def number(self, num_format: str, base: str = "center") -> Format:
        """A bordered, locked cell with ``num_format`` (cached per workbook)."""
        key = f"{base}|{num_format}"
        if key not in self._cache:
            props: dict[str, Any] = {"num_format": num_format, "border": 1, "border_color": "#808080",
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
    if element.kind == "yes_no":
        rule: dict[str, Any] = {
            "validate": "list", "source": ["Có", "Không"],
            "input_title": "Chọn Có hoặc Không",
            "error_title": "Chỉ chọn Có hoặc Không",
            "error_message": "Chọn Có hoặc Không trong danh sách thả xuống (bấm vào mũi tên bên phải ô).",
        }
    elif element.kind == "money":
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


def text_validation(title: str, message: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    """Free text of at most ``limit`` characters (explanations, free-text boxes, names)."""
    shown = format_number(limit)
    return {
        "validate": "length", "criteria": "<=", "value": limit,
        "input_title": _clip(title, _TITLE_LIMIT), "input_message": _clip(message, _MESSAGE_LIMIT),
        "error_title": "Nội dung quá dài",
        "error_message": f"Nội dung tối đa {shown} ký tự; hãy viết ngắn gọn hơn.",
    }


def date_validation(year: int) -> dict[str, Any]:
    """The report is dated in the reporting year or, if late, the next one."""
    first, last = date(year, 1, 1), date(year + 1, 12, 31)
    return {
        "validate": "date", "criteria": "between", "minimum": first, "maximum": last,
        "input_title": "Ngày lập báo cáo",
        "input_message": "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/11/" + str(year) + ".",
        "error_title": "Ngày không hợp lệ",
        "error_message": (f"Nhập một ngày từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}, "
                          "theo dạng ngày/tháng/năm."),
    }
