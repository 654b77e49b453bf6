"""Loading a catalogue from TOML: every value turned into its word of the vocabulary, then checked.

``load_catalog`` is the one way in: it refuses an inconsistent catalogue, naming every problem
that ``check_catalog`` found (a TOML file another commune wrote may hold many).
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from ctre_xl.errors import CatalogError
from ctre_xl.files import os_reason
from ctre_xl.plan.catalog import (Catalog, Element, Indicator, Metric, Objective, Rule, SchoolLevel, UnitSpec, nfc)
from ctre_xl.plan.checks import check_catalog
from ctre_xl.plan.vocab import ElementKind, Method, Operator, Scale, Severity, parse

BUILTIN_CATALOG = "xuan-truong-2030.toml"
_Word = TypeVar("_Word", ElementKind, Method, Operator, Scale, Severity)
# A catalogue is checked field by field (plan/checks.py); a value of a kind no check foresaw (a
# number where a code belongs, a table where a number belongs) raises one of these on the way.
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError, IndexError)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and check a catalogue; the built-in plan when ``path`` is None."""
    if path is None:
        raw_bytes = resources.files("ctre_xl.plan.data").joinpath(BUILTIN_CATALOG).read_bytes()
        source = f"(mặc định) {BUILTIN_CATALOG}"
    else:
        path = Path(path)
        try:
            raw_bytes = path.read_bytes()
        except OSError as exc:
            raise CatalogError(f"Không đọc được tệp danh mục chỉ tiêu {path}: {os_reason(exc)}.") from exc
        source = str(path)
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(f"Tệp danh mục chỉ tiêu {source} không phải văn bản UTF-8: "
                           "lưu lại tệp với mã UTF-8.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"Tệp danh mục chỉ tiêu {source} sai định dạng TOML{_where(exc)}.") from exc
    problems: list[str] = []
    try:
        catalog = _build(raw, problems, source)
        if catalog is not None:
            check_catalog(catalog, problems)
    except SHAPE_ERRORS as exc:  # a value of the wrong kind the checks did not foresee: never a traceback
        catalog = None
        problems.append(_wrong_kind(exc))
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise CatalogError(f"Danh mục chỉ tiêu {source} không hợp lệ:\n{listing}")
    assert catalog is not None
    return catalog


def _text(value: Any) -> str:
    return nfc(str(value)).strip()


def _word(kind: type[_Word], text: Any) -> _Word:
    """``text`` as a word of ``kind``. An unknown word is kept as it is so that ``check_catalog``
    names it with every other problem; a catalogue holding one is never returned."""
    member = parse(kind, text)
    return text if member is None else member


def _build(raw: dict[str, Any], problems: list[str], source: str) -> Catalog | None:
    try:
        head = raw["catalog"]
        elements = {}
        for item in raw.get("elements", []):
            element = Element(
                code=item["code"], label=_text(item["label"]), kind=_word(ElementKind, item["kind"]),
                help=_text(item.get("help", "")), required=bool(item.get("required", True)),
                group=_text(item["group"]) if item.get("group") else None,
                unit=_text(item.get("unit", "")), period=str(item.get("period", "events")),
                period_offset=int(item.get("period_offset", 0)),
            )
            if element.code in elements:
                problems.append(f"Mã số liệu '{element.code}' bị trùng.")
            elements[element.code] = element
        objective_of = {i["number"]: i["objective"] for i in raw.get("indicators", [])}
        metrics = [_metric(item, objective_of, problems) for item in raw.get("metrics", [])]
        rules = [
            Rule(left=tuple(r["left"]), op=_word(Operator, r["op"]), right=tuple(r["right"]),
                 severity=_word(Severity, r.get("severity", Severity.ERROR)), message=_text(r["message"]))
            for r in raw.get("rules", [])
        ]
        for metric in metrics:
            if metric.method == Method.RATIO and metric.subset and metric.numerator and metric.denominator:
                rules.append(Rule(
                    left=(metric.numerator,), op=Operator.LE, right=(metric.denominator,), severity=Severity.ERROR,
                    metric=metric.code,
                    message=(f"{metric.name}: “{elements[metric.numerator].label}” không thể lớn hơn "
                             f"“{elements[metric.denominator].label}”.")
                    if metric.numerator in elements and metric.denominator in elements else metric.name,
                ))
        return Catalog(
            id=str(head["id"]), version=str(head["version"]), title=_text(head["title"]),
            commune=_text(head["commune"]), province=_text(head["province"]),
            area=str(head.get("area", "rural")),
            first_year=int(head["first_year"]), last_year=int(head["last_year"]),
            target_years=tuple(sorted(int(y) for y in head["target_years"])),
            deadline_day=int(head["deadline_day"]), deadline_month=int(head["deadline_month"]),
            send_to=_text(head["send_to"]),
            objectives=tuple(Objective(o["number"], _text(o["name"])) for o in raw.get("objectives", [])),
            indicators=tuple(Indicator(i["number"], i["objective"], _text(i["name"]))
                             for i in raw.get("indicators", [])),
            metrics=tuple(metrics), elements=elements,
            departments=tuple(UnitSpec(u["id"], _text(u["name"]), tuple(u.get("elements", [])))
                              for u in raw.get("units", [])),
            school_levels=tuple(
                SchoolLevel(s["id"], _text(s["name"]), tuple(_text(a) for a in s.get("aliases", [])),
                            tuple(s.get("elements", [])))
                for s in raw.get("school_levels", [])
            ),
            rules=tuple(rules), source=source,
            deadline_inclusive=bool(head.get("deadline_inclusive", True)),
            child_friendly_decision=_text(head.get("child_friendly_decision", "")),
            periods={str(name): _text(text) for name, text in raw.get("periods", {}).items()},
        )
    except KeyError as exc:
        problems.append(f"Thiếu trường bắt buộc {exc} trong danh mục.")
    return None  # (a value of the wrong kind is load_catalog's to name: SHAPE_ERRORS)


def _where(exc: tomllib.TOMLDecodeError) -> str:
    """Where TOML's parser stopped, in Vietnamese (its own message is English)."""
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    return f" ở dòng {found[1]}, cột {found[2]}" if found else ""


def _wrong_kind(exc: BaseException) -> str:
    """A value of the wrong kind, in Vietnamese; the field a KeyError names is the file's own word,
    any other error's text is English and is not shown."""
    field = f" (trường {exc})" if isinstance(exc, KeyError) else ""
    return (f"Có giá trị sai kiểu{field}: chữ ở chỗ cần số, số ở chỗ cần chữ (mã, tên), hoặc một bảng ở chỗ cần "
            "một giá trị.")


def _metric(item: dict[str, Any], objective_of: dict[int, int], problems: list[str]) -> Metric:
    code = item["code"]
    targets_raw = item.get("targets") or {}
    targets = {int(year): float(value) for year, value in targets_raw.items()}
    base_operator = item.get("operator")
    per_year = {int(y): op for y, op in (item.get("operators") or {}).items()}
    operators = {year: _word(Operator, per_year.get(year, base_operator)) for year in targets}
    if not targets:
        problems.append(f"Chỉ tiêu {code} không có mục tiêu cho năm nào.")
    if base_operator is None and len(per_year) < len(targets):
        problems.append(f"Chỉ tiêu {code} không có dấu so sánh (operator).")
    method = _word(Method, item.get("method", Method.RATIO))
    return Metric(
        code=code, indicator=int(item["indicator"]), objective=int(objective_of.get(item["indicator"], 0)),
        name=_text(item["name"]), measure=_text(item.get("measure", "")), scale=_word(Scale, item["scale"]),
        method=method, operators=operators, targets=targets, lead=item.get("lead", ""),
        numerator=item.get("numerator"), denominator=item.get("denominator"),
        element=item.get("element"), extra=tuple(item.get("extra", [])),
        subset=bool(item.get("subset", True)), note=_text(item.get("note", "")),
        inferred_targets=frozenset(int(year) for year in item.get("inferred_targets", [])),
    )
