"""On track or off track: a year between milestones against the straight path to the next one.

The path runs from the metric's baseline — the first year of the history with a value — to the
next milestone's target (2026 or 2030, ``Catalog.target_years``). For year Y the path's value is
``baseline + (target − baseline) × (Y − baseline_year) / (milestone − baseline_year)``; a value on
the metric's better side of it (``Operator.higher_is_better``, the path itself included) is on
track. A year with no value of an earlier year to start from has "too little history".

Only years judged against nothing get a track (the baseline year, 2027–2029: ``ON_THE_WAY``
statuses), and only metrics a straight path means something for: not a yes/no (it is reached or
not, never partway) and not a yearly change (CT13, CT21: judged every year already).

Everything here is a pure function over ``(year, value)`` points and the catalogue; the pipeline
reads the points from the history and calls ``attach_tracks`` after the merge.
"""

from __future__ import annotations

import math
import statistics

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ctre_xl.merge.model import MergeResult, MetricResult
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.vocab import Method, MetricStatus, Scale, TrackStatus

Point = tuple[int, float | None]  # (year, value); None: no value that year
JUDGED = (MetricStatus.NOT_DUE, MetricStatus.BASELINE)  # the statuses of a year judged against nothing
ROUNDING = 9  # decimals both sides are rounded to, so floating-point noise never decides


@dataclass(frozen=True)
class RoadPath:
    """The straight path from a baseline value to a milestone's target."""

    start_year: int
    start: float
    end_year: int
    target: float

    def value(self, year: int) -> float:
        """The path's value in ``year`` (the baseline itself in the baseline's year)."""
        if year == self.start_year or self.end_year == self.start_year:
            return self.start
        share = (year - self.start_year) / (self.end_year - self.start_year)
        return self.start + (self.target - self.start) * share


def baseline(points: Iterable[Point], before: int | None = None) -> tuple[int, float] | None:
    """The first (year, value) with a value, of the years before ``before`` (all years: None)."""
    found = sorted((year, value) for year, value in points
                   if value is not None and (before is None or year < before))
    return (found[0][0], float(found[0][1])) if found else None


def judge(value: float, path_value: float, higher_is_better: bool) -> TrackStatus:
    """On track when ``value`` is on the better side of the path (or on it)."""
    value, path_value = round(value, ROUNDING), round(path_value, ROUNDING)
    on_track = value >= path_value if higher_is_better else value <= path_value
    return TrackStatus.ON_TRACK if on_track else TrackStatus.OFF_TRACK


def track_status(points: Iterable[Point], year: int, value: float, milestone: int, target: float,
                 higher_is_better: bool) -> TrackStatus:
    """``value`` of ``year`` against the path from the first value before ``year`` in ``points``
    to ``target`` in ``milestone``."""
    start = baseline(points, before=year)
    if start is None:
        return TrackStatus.TOO_LITTLE
    path = RoadPath(start[0], start[1], milestone, target)
    return judge(value, path.value(year), higher_is_better)


def trackable(metric: Metric) -> bool:
    """A straight path means something for the metric: a rate or count, judged at milestones."""
    return metric.scale != Scale.YES_NO and metric.method != Method.CHANGE_VS_PREVIOUS


def milestone_target(catalog: Catalog, metric: Metric, year: int) -> tuple[int, float] | None:
    """(the next milestone from ``year`` on, the metric's target then); None without one."""
    milestone = catalog.target_year(year)
    target = metric.targets.get(milestone)
    if year > milestone or target is None:
        return None
    return milestone, float(target)


def path_for(catalog: Catalog, metric: Metric, points: Iterable[Point], year: int) -> float | None:
    """The path's value in ``year`` for ``metric``, from the first value of ``points``; None when
    the metric has no path (no baseline by then, no target, a yes/no or a yearly change)."""
    start = baseline(points)
    reached = milestone_target(catalog, metric, year)
    if not trackable(metric) or start is None or reached is None or year < start[0]:
        return None
    return RoadPath(start[0], start[1], *reached).value(year)


def track_of(catalog: Catalog, metric: Metric, found: MetricResult, year: int,
             points: Iterable[Point]) -> TrackStatus | None:
    """The track of ``found`` (the merged result of ``year``) given the history's ``points``;
    None when the year has a verdict of its own or no value, or the metric has no path."""
    reached = milestone_target(catalog, metric, year)
    if found.status not in JUDGED or found.value is None or not trackable(metric) or reached is None:
        return None
    higher = found.operator.higher_is_better if found.operator is not None else metric.higher_is_better
    return track_status(points, year, found.value, *reached, higher)


def series_with(points: Iterable[Point], year: int, value: float | None) -> tuple[tuple[int, float], ...]:
    """The history's values by year, this year's replaced by ``value`` (the merge's own)."""
    by_year = {y: float(v) for y, v in points if v is not None and y != year}
    if value is not None:
        by_year[year] = float(value)
    return tuple(sorted(by_year.items()))


def attach_tracks(result: MergeResult, catalog: Catalog, history: Mapping[str, Sequence[Point]]) -> None:
    """Set ``result.series`` (metric code -> values by year, this year's from the merge) and each
    metric's ``track`` from ``history`` (metric code -> the history's points)."""
    metrics = catalog.metric_by_code
    result.series = {}
    for found in result.metrics:
        points = history.get(found.code, ())
        result.series[found.code] = series_with(points, result.year, found.value)
        metric = metrics.get(found.code)
        found.track = track_of(catalog, metric, found, result.year, points) if metric is not None else None


def projection(points: Iterable[Point], year: int) -> float | None:
    """The value in ``year`` the trend of ``points`` leads to (a least-squares straight line over
    the years with a value); None with fewer than two such years. The standard library's fit, not
    pandas: importing pandas would cost the merge ~0.4 s for a handful of points."""
    pairs = sorted((float(y), float(v)) for y, v in points if v is not None and math.isfinite(v))
    if len({y for y, _v in pairs}) < 2:
        return None
    slope, intercept = statistics.linear_regression([y for y, _v in pairs], [v for _y, v in pairs])
    return round(slope * year + intercept, ROUNDING)
