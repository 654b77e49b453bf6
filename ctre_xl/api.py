"""The Python API for analysts: the metrics, their history and the accepted figures as pandas
DataFrames in tidy form (one row per observation, one column per variable).

``import ctre_xl`` exposes these functions; pandas is imported only when one of them runs, so
the command line never loads it. The source is the workspace's history (``lich-su.sqlite``,
written by every ``ctre-xl merge``); a year the history does not hold is merged from the inbox in
memory (nothing is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctre_xl.files import Workspace
from ctre_xl.history.store import (figure_rows, history_path, merged_years, metric_series, open_history,
                                   previous_contributions)

if TYPE_CHECKING:
    import pandas

METRIC_COLUMNS = ("year", "code", "indicator", "name", "value", "numerator", "denominator", "target",
                  "target_year", "status", "counted", "expected")
HISTORY_COLUMNS = ("year", "code", "name", "value", "numerator", "denominator", "status", "source")
FIGURE_COLUMNS = ("year", "unit", "element", "label", "value", "file", "sheet", "cell")


def metrics(workspace: str | Path, year: int) -> "pandas.DataFrame":
    """Every metric of ``year``: value, numerator, denominator, target in force, status and
    coverage (units counted / expected); one row per metric, in the catalogue's order."""
    catalog, _registry = _plan(workspace)
    names = {m.code: m for m in catalog.metrics}
    points = [p for p in _series(workspace) if p.year == year and p.source == "merge"]
    if points:
        rows = [{"year": year, "code": p.code, "value": p.value, "numerator": p.numerator,
                 "denominator": p.denominator, "target": p.target, "target_year": p.target_year,
                 "status": p.status, "counted": p.counted, "expected": p.expected} for p in points]
    else:
        rows = [{"year": year, "code": m.code, "value": m.value, "numerator": m.numerator,
                 "denominator": m.denominator, "target": m.target, "target_year": m.target_year,
                 "status": str(m.status), "counted": len(m.coverage.counted) if m.coverage else None,
                 "expected": len(m.coverage.expected) if m.coverage else None}
                for m in _merged(workspace, year).metrics]
    order = {code: at for at, code in enumerate(names)}
    rows.sort(key=lambda row: order.get(row["code"], len(order)))
    for row in rows:
        metric = names.get(row["code"])
        row["indicator"], row["name"] = (metric.indicator, metric.name) if metric else (None, "")
    return _frame(rows, METRIC_COLUMNS)


def metric_history(workspace: str | Path) -> "pandas.DataFrame":
    """Every metric's series: one row per metric and year, from a merge or imported from a past
    report (``source``: "merge" / "import"; a year's merged value wins)."""
    catalog, _registry = _plan(workspace)
    names = {m.code: m.name for m in catalog.metrics}
    rows = [{"year": p.year, "code": p.code, "name": names.get(p.code, ""), "value": p.value,
             "numerator": p.numerator, "denominator": p.denominator, "status": p.status, "source": p.source}
            for p in _series(workspace)]
    return _frame(rows, HISTORY_COLUMNS)


def figures(workspace: str | Path, year: int) -> "pandas.DataFrame":
    """Every figure that counted in ``year``: one row per unit and data element, with its
    source (file relative to the inbox, sheet, cell)."""
    catalog, _registry = _plan(workspace)
    rows = _recorded_figures(workspace, year)
    if rows is None:
        rows = [{"year": f.year, "unit": f.unit, "element": f.element, "value": f.value, "file": f.file,
                 "sheet": f.sheet, "cell": f.cell} for f in _merged(workspace, year).facts]
    for row in rows:
        element = catalog.elements.get(row["element"])
        row["label"] = element.label if element is not None else ""
    return _frame(rows, FIGURE_COLUMNS)


# ----------------------------------------------------------------------------- helpers


def _plan(workspace: str | Path) -> tuple[Any, Any]:
    from ctre_xl.plan.load import load_catalog
    from ctre_xl.plan.units import load_registry

    catalog = load_catalog()
    return catalog, load_registry(Path(workspace), catalog)


def _recorded_figures(workspace: str | Path, year: int) -> list[dict[str, Any]] | None:
    """The figures the history holds for ``year``; None when it never recorded that year."""
    path = history_path(Workspace(Path(workspace)))
    if not path.exists():
        return None
    conn = open_history(path)
    try:
        return figure_rows(conn, year) if year in merged_years(conn) else None
    finally:
        conn.close()


def _series(workspace: str | Path) -> list[Any]:
    path = history_path(Workspace(Path(workspace)))
    if not path.exists():
        return []
    conn = open_history(path)
    try:
        return metric_series(conn)
    finally:
        conn.close()


def _merged(workspace: str | Path, year: int) -> Any:
    """``year`` merged from the inbox in memory (the history's last year when the inbox has none)."""
    from ctre_xl.merge.merge import merge_inbox

    catalog, registry = _plan(workspace)
    place = Workspace(Path(workspace))
    previous: dict[str, dict[str, float]] = {}
    if history_path(place).exists():
        conn = open_history(history_path(place))
        try:
            previous = previous_contributions(conn, year)
        finally:
            conn.close()
    return merge_inbox(catalog, registry, place, year, allow_sample=place.is_demo, previous=previous)


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> "pandas.DataFrame":
    import pandas

    return pandas.DataFrame(rows, columns=list(columns))
