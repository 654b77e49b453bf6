"""On track or off track (issue 13, point 3): verdicts against paths computed by hand, the trend's
projection, and the summary's "Lộ trình 2030" sheet read back."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import pytest
from datetime import date

from merge_helpers import deliver, make_workspace, merge_json, metric
from openpyxl import load_workbook
from summary_helpers import MADE, build_registry, build_result

from ctre_xl.merge.model import MetricResult
from ctre_xl.merge.track import (RoadPath, attach_tracks, baseline, path_for, projection, series_with, track_of,
                                 track_status)
from ctre_xl.output.console import result_as_dict
from ctre_xl.output.summary.roadmap import ROADMAP_SHEET, projected
from ctre_xl.output.summary.workbook import SHEETS, write_summary
from ctre_xl.plan.vocab import MetricStatus, Operator, TrackStatus

ON, OFF, TOO_LITTLE = TrackStatus.ON_TRACK, TrackStatus.OFF_TRACK, TrackStatus.TOO_LITTLE


def test_vocabulary_labels() -> None:
    assert [(s.value, s.label) for s in TrackStatus] == [
        ("on_track", "Đúng lộ trình"), ("off_track", "Chậm so với lộ trình"),
        ("too_little", "Chưa đủ số liệu các năm")]


def test_path_by_hand() -> None:
    path = RoadPath(2025, 90.0, 2030, 95.0)
    # 90 + (95 - 90) × (2027 - 2025) / (2030 - 2025) = 92
    assert path.value(2027) == 92.0
    assert path.value(2025) == 90.0 and path.value(2030) == 95.0
    assert RoadPath(2025, 10.0, 2030, 6.0).value(2028) == pytest.approx(7.6)  # 10 - 4 × 3/5


@pytest.mark.parametrize("value, expected", [(92.0, ON), (92.5, ON), (91.5, OFF)])
def test_higher_is_better(value: float, expected: TrackStatus) -> None:
    # baseline 2025 = 90, target 2030 = 95: the path is 92.0 in 2027, on it counts as on track (≥)
    assert track_status([(2025, 90.0), (2026, 91.0)], 2027, value, 2030, 95.0, True) == expected


@pytest.mark.parametrize("value, expected", [(7.6, ON), (7.0, ON), (8.0, OFF)])
def test_lower_is_better(value: float, expected: TrackStatus) -> None:
    # malnutrition: baseline 2025 = 10%, target 2030 = 6%; path in 2028 = 10 - 4 × 3/5 = 7.6
    assert track_status([(2025, 10.0)], 2028, value, 2030, 6.0, False) == expected


def test_no_baseline_before_the_year_is_too_little() -> None:
    assert track_status([], 2027, 92.0, 2030, 95.0, True) == TOO_LITTLE
    # this year's own value (or a later one) is no baseline
    assert track_status([(2027, 92.0), (2028, 93.0)], 2027, 92.0, 2030, 95.0, True) == TOO_LITTLE
    assert track_status([(2024, None), (2027, 92.0)], 2027, 92.0, 2030, 95.0, True) == TOO_LITTLE


def test_baseline_is_the_first_year_with_a_value() -> None:
    points = [(2026, 91.0), (2023, None), (2024, 80.0), (2025, 85.0)]
    assert baseline(points) == (2024, 80.0)
    assert baseline(points, before=2024) is None
    # from 2024 = 80 to 95 in 2030: path in 2027 = 80 + 15 × 3/6 = 87.5
    assert track_status(points, 2027, 87.5, 2030, 95.0, True) == ON
    assert track_status(points, 2027, 87.4, 2030, 95.0, True) == OFF


def _found(code: str, value: float | None, status: MetricStatus, operator: Operator | None) -> MetricResult:
    return MetricResult(code=code, value=value, numerator=None, denominator=None, target=None,
                        operator=operator, target_year=2030, status=status)


def test_track_of_a_catalogue_metric(catalog) -> None:  # noqa: ANN001
    ct02, ct04a = catalog.metric_by_code["CT02"], catalog.metric_by_code["CT04a"]  # ≥ 95 / < 6 in 2030
    history = [(2025, 90.0)]
    assert track_of(catalog, ct02, _found("CT02", 92.0, MetricStatus.NOT_DUE, Operator.GE), 2027, history) == ON
    assert track_of(catalog, ct02, _found("CT02", 91.5, MetricStatus.NOT_DUE, Operator.GE), 2027, history) == OFF
    assert track_of(catalog, ct04a, _found("CT04a", 8.0, MetricStatus.NOT_DUE, Operator.LT), 2028,
                    [(2025, 10.0)]) == OFF
    # the baseline year itself: nothing before it
    assert track_of(catalog, ct02, _found("CT02", 90.0, MetricStatus.BASELINE, Operator.GE), 2025, history) \
        == TOO_LITTLE
    # a milestone has its own verdict; no value, a yes/no and a yearly change have no track
    assert track_of(catalog, ct02, _found("CT02", 96.0, MetricStatus.MET, Operator.GE), 2030, history) is None
    assert track_of(catalog, ct02, _found("CT02", None, MetricStatus.INCOMPLETE, Operator.GE), 2027,
                    history) is None
    ct01, ct13 = catalog.metric_by_code["CT01"], catalog.metric_by_code["CT13"]
    assert track_of(catalog, ct01, _found("CT01", 0.0, MetricStatus.NOT_DUE, Operator.EQ), 2027, [(2025, 0)]) is None
    assert track_of(catalog, ct13, _found("CT13", 3.0, MetricStatus.MET, Operator.LE), 2027, [(2025, 4)]) is None


def test_path_for_runs_to_each_milestone(catalog) -> None:  # noqa: ANN001
    ct02 = catalog.metric_by_code["CT02"]  # ≥ 90 in 2026, ≥ 95 in 2030
    points = [(2025, 86.0), (2027, 91.0)]
    assert path_for(catalog, ct02, points, 2024) is None  # before the baseline
    assert path_for(catalog, ct02, points, 2025) == 86.0
    assert path_for(catalog, ct02, points, 2026) == 90.0
    assert path_for(catalog, ct02, points, 2027) == pytest.approx(86 + 9 * 2 / 5)
    assert path_for(catalog, ct02, points, 2030) == 95.0
    assert path_for(catalog, ct02, [], 2027) is None


def test_projection_of_a_linear_series() -> None:
    assert projection([(2025, 90.0), (2026, 91.0), (2027, 92.0)], 2030) == pytest.approx(95.0)
    assert projection([(2025, 10.0), (2026, None), (2027, 9.0), (2028, 8.5)], 2030) == pytest.approx(7.5)
    # (a year without a value is left out: slope −0.5 through the mean (2026,67; 9,1667))
    assert projection([(2025, 90.0)], 2030) is None
    assert projection([(2025, 90.0), (2026, None)], 2030) is None


def test_projection_stays_within_the_scale(catalog) -> None:  # noqa: ANN001
    ct02 = catalog.metric_by_code["CT02"]
    assert projected(ct02, [(2025, 96.0), (2026, 99.0)], 2030) == 100.0
    assert projected(catalog.metric_by_code["CT01"], [(2025, 0.0), (2026, 1.0)], 2030) is None


def test_series_with_this_years_value() -> None:
    assert series_with([(2025, 90.0), (2026, 1.0), (2024, None)], 2026, 91.0) == ((2025, 90.0), (2026, 91.0))
    assert series_with([(2025, 90.0)], 2026, None) == ((2025, 90.0),)


@pytest.fixture(scope="module")
def roadmap(tmp_path_factory, catalog):  # noqa: ANN001, ANN201
    """A 2027 result whose metrics are judged against nothing, with a history of 2025 and 2026."""
    registry = build_registry(catalog)
    result = build_result(catalog, registry)
    result.year = 2027
    result.metrics = [replace(m, status=MetricStatus.NOT_DUE) if m.value is not None else m for m in result.metrics]
    ct02 = next(m for m in result.metrics if m.code == "CT02")
    ct02.value, ct02.operator = 91.5, Operator.GE
    history = {"CT02": [(2025, 90.0), (2026, 90.8)], "CT04a": [(2025, 10.0), (2026, 9.5)]}
    attach_tracks(result, catalog, history)
    path = write_summary(result, catalog, registry, tmp_path_factory.mktemp("out") / "tong-hop-2027.xlsx", made=MADE)
    return path, result


def test_attach_tracks_sets_series_and_tracks(roadmap) -> None:  # noqa: ANN001
    _path, result = roadmap
    ct02 = next(m for m in result.metrics if m.code == "CT02")
    assert result.series["CT02"] == ((2025, 90.0), (2026, 90.8), (2027, 91.5))
    assert ct02.track == OFF  # path 92.0 in 2027
    assert result_as_dict(result)["metrics"][[m.code for m in result.metrics].index("CT02")]["track"] == "off_track"
    without = next(m for m in result.metrics if m.code == "CT22")  # no history: nothing before 2027
    assert without.track in (TOO_LITTLE, None)


def test_roadmap_sheet_read_back(roadmap, catalog) -> None:  # noqa: ANN001
    path, _result = roadmap
    workbook = load_workbook(path)
    assert workbook.sheetnames == [*SHEETS[:2], ROADMAP_SHEET, *SHEETS[2:]]
    sheet = workbook[ROADMAP_SHEET]
    header = [cell.value for cell in sheet[4]]
    years = {int(text): col for col, text in enumerate(header, start=1) if str(text).isdigit()}
    assert list(years) == list(range(2025, 2031))
    row = next(r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 1).value == "CT02")
    assert [sheet.cell(row, years[y]).value for y in years] == [90.0, 90.8, 91.5, None, None, None]
    assert sheet.cell(row, years[2025] - 1).value == "Thực tế" and sheet.cell(row + 1, years[2025] - 1).value == "Lộ trình"
    assert [sheet.cell(row + 1, years[y]).value for y in years] == pytest.approx([90.0, 90.0, 92.0, 93.0, 94.0, 95.0])
    projection_col = header.index("Dự báo 2030 theo xu hướng") + 1
    assert sheet.cell(row, projection_col).value == pytest.approx(93.7666667)  # slope 0.75 through (2026; 90,7667)
    assert sheet.cell(row, header.index("Năm 2027") + 1).value == "Chậm so với lộ trình"
    with zipfile.ZipFile(path) as package:
        charts = [package.read(name).decode() for name in package.namelist() if name.startswith("xl/charts/chart")]
    first, last = (sheet.cell(row, years[y]).coordinate.replace(str(row), "") for y in (2025, 2030))
    ct02 = [xml for xml in charts if f"{ROADMAP_SHEET}'!${first}${row}:${last}${row}" in xml]
    assert len(ct02) == 1 and f"${first}${row + 1}:${last}${row + 1}" in ct02[0]  # values and path, one chart


def test_no_history_no_sheet(catalog) -> None:  # noqa: ANN001
    result = build_result(catalog, build_registry(catalog))
    assert result.series is None and all(m.track is None for m in result.metrics)


def test_page_one_and_the_metrics_sheet_count_the_tracks(roadmap) -> None:  # noqa: ANN001
    path, result = roadmap
    workbook = load_workbook(path)
    page = " ".join(str(c.value) for row in workbook["Tổng quan"].iter_rows() for c in row if c.value)
    off = sum(1 for m in result.metrics if m.track == OFF)
    assert f"So với lộ trình đến mục tiêu 2030:" in page and f"{off} số đo chậm so với lộ trình" in page
    sheet = workbook["Chỉ tiêu"]
    header = next(r for r in sheet.iter_rows(max_row=6, values_only=True) if "Mã" in r)
    path_col = next(i for i, text in enumerate(header) if str(text).startswith("Lộ trình đến mục tiêu"))
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "CT02")
    assert str(row[path_col]).startswith("Chậm so với lộ trình")


def test_merge_with_a_history_judges_the_track(tmp_path) -> None:  # noqa: ANN001
    """CT09 (abused children, < 2% in 2030) from 4% in 2025: the path is 4 − 2 × 2/5 = 3,2% in 2027."""
    years = (2025, 2026, 2027)
    workspace = make_workspace(tmp_path / "ws", years)
    abused = {2025: 200, 2026: 180, 2027: 150}  # of 5000 children: 4%, 3,6%, 3%
    for year in years:
        deliver(workspace, "vhxh", year, f"{year}/vhxh.xlsx", {"children_abused": abused[year], "children_total": 5000},
                report_date=date(year, 11, 1))
    answers = {year: merge_json(workspace, year)[1] for year in years}
    assert metric(answers[2025], "CT09")["track"] is None  # the first merge: no history yet
    ct09 = metric(answers[2027], "CT09")
    assert (ct09["status"], ct09["value"], ct09["track"]) == ("not_due", 3.0, "on_track")
    assert metric(answers[2026], "CT09")["track"] is None  # a milestone: met or not met
    sheet = load_workbook(answers[2027]["outputs"]["summary"])[ROADMAP_SHEET]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "CT09")
    assert row[5:8] == (4.0, 3.6, 3.0)
