"""The summary's "Lộ trình 2030" sheet: each metric's series by year against its path to the targets.

Two rows per metric: "Thực tế" (the history's values, this year's from the merge) and "Lộ trình"
(the straight path from the baseline to the 2026 target, then to the 2030 target,
``merge/track.py``); beside them the value the trend leads to in 2030, this year's track and a
small chart of both rows on one scale, so the two lines compare at a glance. Written only when
the workspace has a history (``MergeResult.series``).
"""

from __future__ import annotations

from typing import Iterable

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ctre_xl.merge.model import MergeResult
from ctre_xl.merge.track import Point, path_for, projection, trackable
from ctre_xl.output.summary.styles import LINE_HEIGHT, Styles, start_table_sheet, text_height, value_format
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.targets import target_text
from ctre_xl.plan.vocab import Method, Scale, TrackStatus
from ctre_xl.style import GREEN, GREY, RED, status_colours

ROADMAP_SHEET = "Lộ trình 2030"
HEADER_ROW, FIRST_ROW = 3, 4
ACTUAL, PATH = "Thực tế", "Lộ trình"
TRACK_COLOURS = {TrackStatus.ON_TRACK: GREEN, TrackStatus.OFF_TRACK: RED, TrackStatus.TOO_LITTLE: GREY}
ACTUAL_COLOUR, PATH_COLOUR = "#1F4E79", "#7F7F7F"
CHART_WIDTH = 18  # characters; the chart inside it in pixels
CHART_WIDTH_PX = CHART_WIDTH * 7 + 1


def roadmap_years(catalog: Catalog, series: dict[str, tuple[tuple[int, float], ...]]) -> list[int]:
    """The year columns: from the plan's first year (or the history's first, when earlier) to the
    last milestone."""
    first = min([catalog.first_year, *(year for points in series.values() for year, _value in points)])
    return list(range(first, catalog.target_years[-1] + 1))


def projected(metric: Metric, points: Iterable[Point], year: int) -> float | None:
    """The trend's value in ``year``, kept within what the scale allows (a rate never below 0, a
    percentage never above 100)."""
    if not trackable(metric):
        return None
    value = projection(points, year)
    if value is None:
        return None
    value = max(value, 0.0)
    return min(value, 100.0) if metric.scale == Scale.PERCENT else value


def untracked_text(metric: Metric) -> str:
    """Why a metric has no path: it is reached or not, or it is judged every year."""
    if metric.method == Method.CHANGE_VS_PREVIOUS:
        return "Đánh giá hằng năm so với năm trước"
    return "Đánh giá tại năm mốc (Có/Không)"


def write_roadmap_sheet(sheet: Worksheet, styles: Styles, result: MergeResult, catalog: Catalog) -> None:
    """One pair of rows per metric of the catalogue, in plan order."""
    series = result.series or {}
    years = roadmap_years(catalog, series)
    last = catalog.target_years[-1]
    columns = [("code", "Mã", 7), ("name", "Chỉ tiêu", 34)]
    columns += [(f"target_{year}", f"Mục tiêu {year}", 10) for year in catalog.target_years]
    columns += [("kind", "", 8)] + [(f"year_{year}", str(year), 8) for year in years]
    columns += [("projection", f"Dự báo {last} theo xu hướng", 12), ("track", f"Năm {result.year}", 14),
                ("chart", "Biểu đồ (đường liền: thực tế; nét đứt: lộ trình)", CHART_WIDTH)]
    cols = {key: col for col, (key, _header, _width) in enumerate(columns)}
    subtitle = (f"{catalog.commune}, {catalog.province}. Dòng “{ACTUAL}”: giá trị các năm; dòng “{PATH}”: đường "
                f"thẳng từ năm gốc (năm đầu tiên có số liệu) đến mục tiêu {catalog.target_years[0]}, rồi đến mục "
                f"tiêu {last}. Năm giữa hai mốc, giá trị ở phía tốt của đường lộ trình là “"
                f"{TrackStatus.ON_TRACK.label}”. Dự báo: đường thẳng khớp các năm đã có số liệu.")
    start_table_sheet(sheet, styles, catalog, result.year, title=f"Lộ trình thực hiện các chỉ tiêu đến năm {last}",
                      subtitle=subtitle, headers=[header for _key, header, _width in columns],
                      widths=[width for *_, width in columns], header_row=HEADER_ROW, header_height=47)
    by_code = {found.code: found for found in result.metrics}
    row = FIRST_ROW
    for metric in catalog.metrics:
        found = by_code.get(metric.code)
        track = found.track if found is not None else None
        half = max(LINE_HEIGHT + 8, text_height([(metric.name, columns[1][2])]) / 2 + 1)  # the name spans both rows
        _metric_rows(sheet, styles, catalog, metric, row, cols, years, series.get(metric.code, ()), track, half)
        sheet.set_row(row, half)
        sheet.set_row(row + 1, half)
        row += 2


def _metric_rows(sheet: Worksheet, styles: Styles, catalog: Catalog, metric: Metric, row: int,
                 cols: dict[str, int], years: list[int], points: tuple[tuple[int, float], ...],
                 track: TrackStatus | None, height: float) -> None:
    """The metric's two rows (each ``height`` high) from ``row``: values and path by year,
    projection, track, a small chart."""
    values = dict(points)
    number = styles.number(value_format(metric))
    sheet.merge_range(row, cols["code"], row + 1, cols["code"], metric.code, styles.centre(bold=True))
    sheet.merge_range(row, cols["name"], row + 1, cols["name"], metric.name, styles.text())
    for year in catalog.target_years:
        col = cols[f"target_{year}"]
        sheet.merge_range(row, col, row + 1, col, target_text(metric, year), styles.centre())
    sheet.write_string(row, cols["kind"], ACTUAL, styles.text(bold=True))
    sheet.write_string(row + 1, cols["kind"], PATH, styles.text(italic=True))
    drawn: list[float] = []
    for year in years:
        col = cols[f"year_{year}"]
        path = path_for(catalog, metric, points, year)
        for offset, value in ((0, values.get(year)), (1, path)):
            if value is None:
                sheet.write_blank(row + offset, col, None, number)
            else:
                sheet.write_number(row + offset, col, value, number)
                drawn.append(value)
    ahead = projected(metric, points, years[-1])
    col = cols["projection"]
    if ahead is None:
        sheet.merge_range(row, col, row + 1, col, "", number)
    else:
        sheet.merge_range(row, col, row + 1, col, "", number)
        sheet.write_number(row, col, ahead, number)
    _track_cell(sheet, styles, metric, row, cols["track"], track)
    sheet.merge_range(row, cols["chart"], row + 1, cols["chart"], "", styles.text())
    if drawn:  # one scale for both lines, so the value and the path compare
        _chart(sheet, styles.workbook, row, cols, years, (min(drawn), max(drawn)), height)


def _track_cell(sheet: Worksheet, styles: Styles, metric: Metric, row: int, col: int,
                track: TrackStatus | None) -> None:
    if not trackable(metric):
        sheet.merge_range(row, col, row + 1, col, untracked_text(metric), styles.centre(italic=True))
    elif track is None:
        sheet.merge_range(row, col, row + 1, col, "", styles.centre())
    else:
        fmt = styles.centre(bold=True, valign="vcenter", **status_colours(TRACK_COLOURS[track]))
        sheet.merge_range(row, col, row + 1, col, track.label, fmt)


def _chart(sheet: Worksheet, workbook: Workbook, row: int, cols: dict[str, int], years: list[int],
           scale: tuple[float, float], height: float) -> None:
    """A small line chart of the two rows in the chart cell: the values (solid) against the path
    (dashed), on one scale. A chart rather than a sparkline: LibreOffice and WPS draw and print it."""
    first, last = cols[f"year_{years[0]}"], cols[f"year_{years[-1]}"]
    chart = workbook.add_chart({"type": "line"})
    for offset, colour, line in ((0, ACTUAL_COLOUR, {"width": 1.5}), (1, PATH_COLOUR, {"width": 1, "dash_type": "dash"})):
        chart.add_series({
            "name": ACTUAL if offset == 0 else PATH,
            "categories": [sheet.name, HEADER_ROW, first, HEADER_ROW, last],
            "values": [sheet.name, row + offset, first, row + offset, last],
            "line": {"color": colour, **line},
            "marker": {"type": "circle", "size": 3, "fill": {"color": colour}, "border": {"color": colour}}
            if offset == 0 else {"type": "none"}})
    low, high = scale
    pad = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)  # a flat series still gets a visible band
    chart.set_legend({"none": True})
    chart.set_x_axis({"visible": False})
    chart.set_y_axis({"visible": False, "major_gridlines": {"visible": False}, "min": low - pad, "max": high + pad})
    chart.set_chartarea({"border": {"none": True}, "fill": {"none": True}})
    chart.set_plotarea({"layout": {"x": 0.04, "y": 0.06, "width": 0.92, "height": 0.88}})
    chart.show_blanks_as("span")
    chart.set_size({"width": CHART_WIDTH_PX, "height": max(int(height * 2 * 4 / 3) - 4, 20)})
    sheet.insert_chart(row, cols["chart"], chart, {"x_offset": 2, "y_offset": 2, "object_position": 1})
