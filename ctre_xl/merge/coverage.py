"""Which units a commune figure rests on: totals over the same units, and the coverage they give.

A commune rate sums numerators and denominators over the **same** units. A unit that provides a
part of a metric (its numerator, its denominator, or its yes/no answer) is *expected* for that
metric; it is *counted* only when every part it provides is usable (sent, not blank, not
rejected). A unit that is not counted leaves the metric entirely: none of its parts enters either
sum. Optional figures (``required = false``) and figures shown beside a metric (``extra``: the
police's cases next to CT09) never decide coverage.

Shared figures follow the same rule: when one unit enters a denominator that other units'
numerators divide (children aged 7+ from the culture-social office, consulted children from every
school), that unit is expected too, and without it no rate can be computed at all.
"""

from __future__ import annotations

from typing import Iterable, Mapping, NamedTuple

from ctre_xl.merge.model import Coverage
from ctre_xl.plan.catalog import Catalog, Metric
from ctre_xl.plan.vocab import Method

Contributions = Mapping[str, Mapping[str, float]]


class Providers(NamedTuple):
    """One unit's share of a metric: the parts it provides (one object per share, shared by the
    units of a kind: ``expected_providers``)."""

    unit: str
    parts: frozenset[str]


def metric_parts(catalog: Catalog, metric: Metric) -> tuple[str, ...]:
    """The elements that decide a metric's coverage: its numerator and denominator (a rate) or its
    figure, leaving out optional ones (all of them when every part is optional) and extras."""
    main = (metric.numerator, metric.denominator) if metric.method == Method.RATIO else (metric.element,)
    parts = tuple(code for code in main if code)
    required = tuple(code for code in parts if catalog.elements[code].required)
    return required or parts


def expected_providers(parts: Iterable[str], units: Iterable[tuple[str, frozenset[str]]]) -> list[Providers]:
    """Every unit (id, its elements) that provides at least one of ``parts``, in the given order."""
    wanted = frozenset(parts)
    shares: dict[frozenset[str], frozenset[str]] = {}  # a kind's elements -> its share, worked out once
    found = []
    for unit_id, elements in units:
        own = shares.get(elements)
        if own is None:
            own = shares[elements] = wanted & elements
        if own:
            found.append(Providers(unit_id, own))
    return found


def counted_units(providers: list[Providers], contributions: Contributions,
                  excluded: Mapping[str, Iterable[str]] | None = None) -> Coverage:
    """Coverage of a metric whose parts are provided by ``providers``; ``excluded``: element ->
    units whose figure was dropped for an error (they are missing, and named as rejected)."""
    complete: dict[frozenset[str], set[str]] = {}  # a share -> the units that gave every part of it
    for share in {p.parts for p in providers}:
        given = [contributions.get(part) or {} for part in share]
        complete[share] = set(given[0]).intersection(*given[1:]) if given else set()
    counted = tuple(p.unit for p in providers if p.unit in complete[p.parts])
    dropped = {unit for part in {q for share in complete for q in share}
               for unit in (excluded or {}).get(part, ())}
    done = set(counted)
    rejected = tuple(p.unit for p in providers if p.unit in dropped and p.unit not in done)
    return Coverage(expected=tuple(p.unit for p in providers), counted=counted, rejected=rejected)


def sum_over(code: str | None, contributions: Contributions, units: Iterable[str]) -> float | None:
    """The sum of ``code`` over ``units`` that gave it; None when none of them did."""
    given = contributions.get(code or "") or {}
    values = [given[unit] for unit in units if unit in given]
    return float(sum(values)) if values else None
