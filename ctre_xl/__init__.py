"""ctre-xl: the yearly reporting cycle of a commune's action plan for children, in Excel files.

For analysts, three functions return pandas DataFrames in tidy form (``ctre_xl/api.py``; pandas
is loaded only when one runs): ``metrics(workspace, year)``, ``metric_history(workspace)`` and
``figures(workspace, year)``. (Not ``history``: that name is the package ``ctre_xl.history``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas

__version__ = "0.1.0"


def metrics(workspace: Any, year: int) -> "pandas.DataFrame":
    """Every metric of ``year`` (value, numerator, denominator, target, status, coverage)."""
    from ctre_xl import api

    return api.metrics(workspace, year)


def metric_history(workspace: Any) -> "pandas.DataFrame":
    """Every metric's series by year, merged or imported (``source``)."""
    from ctre_xl import api

    return api.metric_history(workspace)


def figures(workspace: Any, year: int) -> "pandas.DataFrame":
    """Every figure that counted in ``year``, with its file, sheet and cell."""
    from ctre_xl import api

    return api.figures(workspace, year)
