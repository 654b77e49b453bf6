"""The summary's "Theo đơn vị" sheet: every figure each unit sent, under the metric it feeds.

One block per metric that more than one unit feeds (or that a unit explained): each unit's own
numerator and denominator, its own value where it gave both, beside the commune's value and
target. Rows are in two groups. First the units that give the whole metric (both parts of a rate,
or the answer itself): their value is coloured live against the target, like "Chỉ tiêu". Then the
units that give only part of it (a school's share of CT22–CT24, whose denominator comes from the
culture-social office) and figures shown beside a metric (the police's CT09 cases): never coloured,
since a part is not the commune's value. Where units share a rate that way, the office's own figures
are a part too: no unit's value is computed or coloured in that block. A figure dropped for an
error reads "số liệu lỗi".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ctre_xl.limits import SheetChain, fits
from ctre_xl.book import StreamedSheet
from ctre_xl.merge.coverage import expected_providers
from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.output.standing import ON_THE_WAY
from ctre_xl.output.summary.metrics import FIRST_ROW, HEADER_ROW, unit_names
from ctre_xl.output.summary.opinions import write_opinions
from ctre_xl.output.summary.styles import (Styles, add_met_rules, keep_together, sign, start_table_sheet, target_format,
                                           kept_lines, text_height, value_format)
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import FileStatus, Method, MetricStatus, Severity
from ctre_xl.style import COUNT, MUTED, RED, SCHOOL_YES_NO, quoted

BY_UNIT_SHEET = "Theo đơn vị"
HEADERS = ("Mã", "Đơn vị", "Tử số", "Mẫu số", "Giá trị của đơn vị", "Giá trị của xã", "Mục tiêu", "Dấu",
           "Giải trình của đơn vị")
# The notes' column stays wide; C+D (24) and E: (the opinions below) hold their labels and texts.
UNIT_WIDTHS = (7, 30, 12, 12, 11, 10, 9, 4, 40)
COL_NUM, COL_DEN, COL_UNIT, COL_COMMUNE, COL_TARGET, COL_SIGN, COL_NOTE = range(2, 9)

SUBTITLE = ("Số liệu từng đơn vị gửi, dưới chỉ tiêu mà số liệu đó góp vào, bên cạnh giá trị của cả xã. "
            "Giá trị của đơn vị chỉ tính khi đơn vị có cả tử số và mẫu số của riêng mình; màu xanh: "
            "đạt mục tiêu, màu đỏ: chưa đạt (giá trị của xã chưa đủ số liệu thì không tô màu). Đơn vị "
            "chỉ gửi một phần (ví dụ tử số của trường) và số liệu để đối chiếu không được so với mục tiêu "
            "của cả xã. Chỉ tiêu do một đơn vị báo cáo xem ở trang “Chỉ tiêu”.")
REJECTED = "số liệu lỗi"  # a figure the merge dropped for an error (never "không có số liệu")
NOT_SENT = "chưa nộp"
NO_FIGURE = "không có số liệu"  # the unit sent its report with this figure left blank
# A part of a rate shared with other units: never judged alone against the commune's target.
PART_ONLY = {"numerator": "chỉ tử số", "denominator": "chỉ mẫu số", "both": "một phần"}


@dataclass
class UnitFigures:
    """What the merge did with each unit's figures: used, or dropped for an error."""

    used: dict[str, dict[str, float | None]] = field(default_factory=dict)  # unit -> element -> value
    rejected: dict[str, set[str]] = field(default_factory=dict)  # unit -> elements dropped or unreadable
    rejected_files: set[str] = field(default_factory=set)  # units whose only file was refused
    received: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, result: MergeResult) -> UnitFigures:
        figures = cls(received={status.id for status in result.units if status.received})
        for fact in result.facts:
            figures.used.setdefault(fact.unit, {})[fact.element] = fact.value
        for unit_id, submission in result.submissions.items():
            used = figures.used.get(unit_id, {})
            dropped = {code for code, cell in submission.values.items() if cell.value is not None and code not in used}
            if dropped:
                figures.rejected.setdefault(unit_id, set()).update(dropped)
        for finding in result.findings:
            if finding.severity == Severity.ERROR and finding.unit and finding.code \
                    and finding.code not in figures.used.get(finding.unit, {}):
                figures.rejected.setdefault(finding.unit, set()).add(finding.code)
        # A unit whose file was refused sent figures that could not be used; a blank template is no return.
        blank = {status.id for status in result.units if status.blank}
        figures.rejected_files = {record.unit for record in result.files if record.status == FileStatus.REJECTED
                                  and record.unit and record.unit not in result.submissions
                                  and record.unit not in blank}
        return figures

    def missing_text(self, unit_id: str, codes: tuple[str, ...]) -> str:
        """Why none of ``codes`` of a unit is shown: dropped for an error, not sent, or left blank."""
        if unit_id in self.rejected_files or self.rejected.get(unit_id, set()).intersection(codes):
            return REJECTED
        if unit_id not in self.received:
            return NOT_SENT
        return NO_FIGURE


@dataclass(frozen=True)
class _Formats:
    """The formats of one metric's rows, looked up once per metric rather than per row."""

    code: Format
    name: Format
    part: Format
    unit_value: Format
    commune_value: Format
    target: Format
    sign: Format
    note: Format
    remark: Format  # "chỉ tử số", "chưa nộp", "không có số liệu"
    rejected: Format  # "số liệu lỗi"

    @classmethod
    def of(cls, styles: Styles, metric: Metric, found: MetricResult) -> _Formats:
        per_school = metric.method == Method.SHARE_OF_SCHOOLS
        return cls(code=styles.centre(font_color=MUTED), name=styles.text(), part=styles.number(COUNT),
                   unit_value=styles.number(SCHOOL_YES_NO if per_school else value_format(metric), align="right"),
                   commune_value=styles.number(value_format(metric)),
                   target=styles.number(target_format(metric, found.target)), sign=styles.centre(),
                   note=styles.text(), remark=styles.centre(italic=True, font_color=MUTED),
                   rejected=styles.centre(bold=True, font_color=RED[1]))


def main_parts(metric: Metric) -> tuple[str, ...]:
    """The elements a metric's value is computed from: a rate's two parts, or its one figure."""
    if metric.method == Method.RATIO:
        return tuple(code for code in (metric.numerator, metric.denominator) if code)
    return (metric.element,) if metric.element else ()


def write_by_unit_sheet(chain: SheetChain, styles: Styles, result: MergeResult, catalog: Catalog,
                        registry: Registry) -> None:
    """Every figure each unit sent, under the metric it feeds, beside the commune's value; then
    the units' own words (``opinions``). Past a sheet's rows the blocks go on in "Theo đơn vị (2)",
    … (``limits.SheetChain``), a metric's block never cut between two sheets."""
    names = unit_names(result, registry)
    name_lines: dict[str, int] = {}
    sheet = _start_sheet(chain, styles, catalog, result.year)
    notes: dict[str, dict[str, str]] = {}  # metric code -> unit -> note
    for unit_id, submission in result.submissions.items():
        for code, note in submission.notes.items():
            if note and note.strip():
                notes.setdefault(code, {})[unit_id] = note
    figures = UnitFigures.of(result)
    expected = registry.expected_elements
    rank = {status.id: position for position, status in enumerate(result.units)}
    row = FIRST_ROW
    blocks: list[tuple[int, int]] = []  # a metric's band and its units' rows, printed together when they fit
    for found in result.metrics:
        metric = catalog.metric_by_code.get(found.code)
        if metric is None:
            continue  # its notes, if any, are shown with the units' words below
        block = _Block(metric, found, notes.pop(found.code, {}), figures, names, name_lines)
        block.choose_units(expected, rank)
        if len(block.units) < 2 and not block.notes:
            continue  # one unit's value is the commune's: see "Chỉ tiêu"
        if not fits(row, 1 + len(block.units) * (1 + len(metric.extra))):  # at most: band, a row per unit
            keep_together(sheet, blocks, list(UNIT_WIDTHS), HEADER_ROW)
            sheet, row, blocks = _start_sheet(chain, styles, catalog, result.year), FIRST_ROW, []
        start, row = row, block.write(sheet, styles, catalog, row)
        chain.rows += row - start
        blocks.append((start, row - 1))
    keep_together(sheet, blocks, list(UNIT_WIDTHS), HEADER_ROW)
    words = 6 + sum(len(s.free_text) + len(s.notes) for s in result.submissions.values())  # at most
    if not fits(row + 1, words):
        sheet, row = _start_sheet(chain, styles, catalog, result.year), FIRST_ROW - 1
    write_opinions(sheet, styles, result, registry, names, notes, row + 1, UNIT_WIDTHS, name_lines)


def _start_sheet(chain: SheetChain, styles: Styles, catalog: Catalog, year: int) -> Worksheet:
    """The next sheet of the list, with its title, header and page set-up."""
    sheet = chain.next()
    more = " (tiếp theo)" if len(chain.sheets) > 1 else ""
    start_table_sheet(sheet, styles, catalog, year, title=f"Số liệu theo đơn vị năm {year}{more}",
                      subtitle=SUBTITLE, headers=list(HEADERS), widths=list(UNIT_WIDTHS), header_row=HEADER_ROW,
                      header_height=32, subtitle_height=text_height([(SUBTITLE, sum(UNIT_WIDTHS))]))
    return sheet


@dataclass
class _Block:
    """One metric's rows: the units that give it whole, then parts and figures shown beside it."""

    metric: Metric
    found: MetricResult
    notes: dict[str, str]
    figures: UnitFigures
    names: dict[str, str]
    # unit -> lines its name takes, shared by every block: each name is measured once, not once per
    # metric (tens of thousands of names overflow the line-count cache, and wrapping is slow)
    name_lines: dict[str, int]
    units: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # unit, the parts it gives
    shared: bool = False  # some unit gives one part of the rate only: every unit's figures are parts

    def choose_units(self, expected: Iterable[tuple[str, frozenset[str]]], rank: dict[str, int]) -> None:
        """The units expected to give a part of the metric or a figure beside it, or that explained it."""
        wanted = (*main_parts(self.metric), *self.metric.extra)
        given = {unit: parts for unit, parts in expected_providers(wanted, expected)}
        for unit in self.notes:
            given.setdefault(unit, frozenset())
        self.units = sorted(given.items(), key=lambda item: rank.get(item[0], len(rank)))

    def write(self, sheet: Worksheet, styles: Styles, catalog: Catalog, row: int) -> int:
        """The band and every row from ``row``; returns the row after the block."""
        metric, formats = self.metric, _Formats.of(styles, self.metric, self.found)
        band = f"{metric.name} ({metric.measure})"
        if metric.method == Method.RATIO:
            band += (f". Tử số: {catalog.elements[metric.numerator].label}; "
                     f"mẫu số: {catalog.elements[metric.denominator].label}")
        last_col = len(UNIT_WIDTHS) - 1
        sheet.write_string(row, 0, metric.code, styles.band())
        sheet.merge_range(row, 1, row, last_col, band, styles.band())
        sheet.set_row(row, text_height([(band, sum(UNIT_WIDTHS[1:]))]))
        row += 1
        parts = frozenset(main_parts(metric))
        # Where units share a rate (schools' numerators over the office's denominator), every unit's
        # figures are parts, even the office's: no unit has a rate of its own to judge.
        self.shared = any(gives & parts and not parts <= gives for _unit, gives in self.units)
        whole = [] if self.shared else [(unit, gives) for unit, gives in self.units if parts and parts <= gives]
        first = row
        for unit, _gives in whole:
            row = self._write_row(sheet, formats, row, unit, parts)
        _colour(sheet, styles, metric, self.found, first, row - 1)
        whole_units = {unit for unit, _gives in whole}
        for unit, gives in self.units:  # never coloured: parts, notes alone, figures beside the metric
            if unit not in whole_units:
                row = self._write_row(sheet, formats, row, unit, parts & gives)
            for code in metric.extra:
                if code in gives:
                    row = self._write_extra(sheet, styles, catalog, formats, row, unit, code)
        return row

    def _write_row(self, sheet: StreamedSheet, formats: _Formats, row: int, unit: str, parts: frozenset[str]) -> int:
        """A unit's row: its parts, its own value (or why there is none), the commune's, its note.

        A unit that gives only figures beside the metric gets no row of its own unless it wrote a note.
        """
        note = self.notes.get(unit, "")
        if not parts and not note:
            return row
        metric, found, used = self.metric, self.found, self.figures.used.get(unit, {})
        name = self.names.get(unit, unit)
        num, den = ((used.get(code or "") if metric.method == Method.RATIO and code in parts else None)
                    for code in (metric.numerator, metric.denominator))
        value, remark = self._unit_value(unit, parts, used)
        own = (value, formats.unit_value) if value is not None else \
            (remark, formats.rejected if remark == REJECTED else formats.remark)
        sheet.write_cells(row, [  # in the order of HEADERS; the unit's note: its own words, literal text
            (metric.code, formats.code), (name, formats.name), (num, formats.part), (den, formats.part), own,
            (found.value, formats.commune_value), (found.target, formats.target), (sign(found.operator), formats.sign),
            (note, formats.note)],
            text_height([(note, UNIT_WIDTHS[COL_NOTE]), (remark, UNIT_WIDTHS[COL_UNIT])], self._name_lines(unit, name)))
        return row + 1

    def _name_lines(self, unit: str, name: str) -> int:
        return kept_lines(self.name_lines, unit, name, UNIT_WIDTHS[1])

    def _unit_value(self, unit: str, parts: frozenset[str], used: dict[str, float | None]) -> tuple[float | None, str]:
        """The unit's own value of the metric, or the words shown instead."""
        metric = self.metric
        if not parts:
            return None, ""
        ordered = tuple(code for code in main_parts(metric) if code in parts)
        if any(code not in used or used[code] is None for code in ordered):
            return None, self.figures.missing_text(unit, ordered)
        if metric.method != Method.RATIO:
            return used[ordered[0]], ""
        if len(ordered) < 2:
            return None, PART_ONLY["numerator" if ordered[0] == metric.numerator else "denominator"]
        if self.shared:
            return None, PART_ONLY["both"]
        numerator, denominator = used[metric.numerator or ""], used[metric.denominator or ""]
        if not denominator:
            return None, MetricStatus.NOT_APPLICABLE.label.lower()
        return numerator / denominator * (metric.factor or 1), ""  # type: ignore[operator]

    def _write_extra(self, sheet: StreamedSheet, styles: Styles, catalog: Catalog, formats: _Formats, row: int,
                     unit: str, code: str) -> int:
        """A figure shown beside the metric, never in it (the police's cases beside CT09): uncoloured."""
        element = catalog.elements[code]
        name = f"{self.names.get(unit, unit)}: {element.label} (để đối chiếu)"
        value = self.figures.used.get(unit, {}).get(code)
        remark = ""
        if value is not None:
            unit_word = f" {element.unit}" if element.unit else ""
            own = (value, styles.number(COUNT + quoted(unit_word), align="right"))
        else:
            remark = self.figures.missing_text(unit, (code,))
            own = (remark, formats.rejected if remark == REJECTED else formats.remark)
        blank = (None, formats.note)
        sheet.write_cells(row, [(self.metric.code, formats.code), (name, formats.name), blank, blank, own,
                                blank, blank, blank, blank],
                          text_height([(name, UNIT_WIDTHS[1]), (remark, UNIT_WIDTHS[COL_UNIT])]))
        return row + 1


def _colour(sheet: Worksheet, styles: Styles, metric: Metric, found: MetricResult, first: int, last: int) -> None:
    """Live colouring of the rows that give the whole metric (0-based ``first``..``last``): one rule
    per colour over the run, each row judged against the target on its own row.

    Rules per row came to about 70,000 at 2,600 schools and most of the summary's writing time;
    a formula relative to the run's top-left cell judges every row as a rule per row would. The
    commune's value is coloured only when it carries a verdict (never on incomplete coverage); a
    unit's own value whenever the year is judged against the target.
    """
    status = MetricStatus(found.status)
    if not found.operator or last < first or status in (*ON_THE_WAY, MetricStatus.NO_TARGET):
        return
    top, bottom = first + 1, last + 1  # A1 rows
    target_ref = f"$G{top}"
    if metric.method == Method.SHARE_OF_SCHOOLS:
        if status.is_verdict:
            add_met_rules(sheet, styles, f"F{top}:F{bottom}", f"$F{top}", target_ref, found.operator)
        # A school either has the facility or not: "Không" is the miss.
        sheet.conditional_format(f"E{top}:E{bottom}", {
            "type": "formula", "criteria": f"=AND(ISNUMBER($E{top}),$E{top}=0)",
            "format": styles.conditional(RED, bold=True)})
    else:
        # Column relative too: the rule over E:F compares E with G in column E, F with G in column F.
        cells = f"E{top}:F{bottom}" if status.is_verdict else f"E{top}:E{bottom}"
        add_met_rules(sheet, styles, cells, f"E{top}", target_ref, found.operator)
