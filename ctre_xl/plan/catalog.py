"""The plan catalogue: metrics, targets, data elements, units and rules, loaded and checked once.

The catalogue is a TOML file (the built-in one is ``data/xuan-truong-2030.toml``). Everything the
rest of the package knows about the plan comes from here; no metric code or target is written
anywhere else in the code.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from ctre_xl.errors import CatalogError

ELEMENT_KINDS = ("count", "yes_no", "money")
SCALES = {"percent": 100, "per_mille": 1000, "per_100000": 100_000, "count": None, "yes_no": None}
METHODS = ("ratio", "share_of_schools", "yes_no", "change_vs_previous")
OPERATORS = ("<", "<=", ">=", "=")
SEVERITIES = ("error", "warning")
METRIC_CODE = re.compile(r"^CT\d{2}[a-z]?$")
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# Excel defined names: a letter or underscore first, then letters, digits, "_" or "."; never
# something Excel would read as a cell reference in A1 (AB12) or R1C1 (R, C, R1C2) notation.
_NAME_CHARS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,254}$")
_A1_REF = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
_R1C1_REF = re.compile(r"^([Rr][0-9]*)?([Cc][0-9]*)?$")

BUILTIN_CATALOG = "xuan-truong-2030.toml"
ALL_SCHOOLS = "schools"  # a metric's lead may be every school


def is_valid_excel_name(name: str) -> bool:
    """True when ``name`` can be a workbook-scoped defined name in Excel and LibreOffice."""
    if not _NAME_CHARS.match(name) or _R1C1_REF.match(name):
        return False
    if _A1_REF.match(name):
        letters = re.match(r"^[A-Za-z]+", name).group(0).upper()  # type: ignore[union-attr]
        column = 0
        for char in letters:
            column = column * 26 + ord(char) - 64
        return column > 16_384  # beyond XFD it is not a cell reference
    return True


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Element:
    """A raw figure a unit types into its template (never a rate)."""

    code: str
    label: str
    kind: str
    help: str
    required: bool = True
    group: str | None = None


@dataclass(frozen=True)
class Objective:
    number: int
    name: str


@dataclass(frozen=True)
class Indicator:
    number: int
    objective: int
    name: str


@dataclass(frozen=True)
class Metric:
    """One measured metric (34 in the built-in plan) and how it is computed and judged."""

    code: str
    indicator: int
    objective: int
    name: str
    measure: str
    scale: str
    method: str
    operators: dict[int, str]
    targets: dict[int, float | None]
    lead: str
    numerator: str | None = None
    denominator: str | None = None
    element: str | None = None
    extra: tuple[str, ...] = ()
    subset: bool = True
    note: str = ""

    @property
    def factor(self) -> int | None:
        return SCALES[self.scale]

    @property
    def operator(self) -> str:
        """The operator of the first target year that has a target."""
        return next(self.operators[y] for y in sorted(self.operators))

    @property
    def own_elements(self) -> tuple[str, ...]:
        """Elements whose provider reports this metric (the denominator alone does not)."""
        main = self.numerator if self.method == "ratio" else self.element
        return (main,) + self.extra if main else self.extra

    @property
    def elements(self) -> tuple[str, ...]:
        names = [self.numerator, self.denominator, self.element, *self.extra]
        return tuple(n for n in names if n)

    @property
    def higher_is_better(self) -> bool:
        return self.operator in (">=", "=")


@dataclass(frozen=True)
class Rule:
    """``sum(left) op sum(right)``: a consistency check between figures."""

    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    severity: str
    message: str
    metric: str | None = None  # set for the numerator <= denominator rules derived from metrics


@dataclass(frozen=True)
class UnitSpec:
    """A fixed unit of the plan (departments) as the catalogue declares it."""

    id: str
    name: str
    elements: tuple[str, ...]


@dataclass(frozen=True)
class SchoolLevel:
    id: str
    name: str
    aliases: tuple[str, ...]
    elements: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    id: str
    version: str
    title: str
    commune: str
    province: str
    area: str
    first_year: int
    last_year: int
    target_years: tuple[int, ...]
    deadline_day: int
    deadline_month: int
    send_to: str
    objectives: tuple[Objective, ...]
    indicators: tuple[Indicator, ...]
    metrics: tuple[Metric, ...]
    elements: dict[str, Element]
    departments: tuple[UnitSpec, ...]
    school_levels: tuple[SchoolLevel, ...]
    rules: tuple[Rule, ...]
    source: str = field(default="", compare=False)

    @cached_property
    def metric_by_code(self) -> dict[str, Metric]:
        return {m.code: m for m in self.metrics}

    @cached_property
    def providers(self) -> dict[str, tuple[str, ...]]:
        """element code -> ids of the departments and school levels that report it."""
        found: dict[str, list[str]] = {code: [] for code in self.elements}
        for owner in (*self.departments, *self.school_levels):
            for code in owner.elements:
                found[code].append(owner.id)
        return {code: tuple(ids) for code, ids in found.items()}

    def target_year(self, year: int) -> int:
        """The target year that judges a reporting year (up to 2026 -> 2026, 2027-2030 -> 2030)."""
        for target_year in self.target_years:
            if year <= target_year:
                return target_year
        return self.target_years[-1]

    def target_in_force(self, metric: Metric, year: int) -> tuple[str, float] | None:
        """(operator, target) judging ``year``, or None when that year has no target."""
        target_year = self.target_year(year)
        value = metric.targets.get(target_year)
        if value is None:
            return None
        return metric.operators[target_year], value

    def deadline(self, year: int) -> date:
        return date(year, self.deadline_month, self.deadline_day)

    def metrics_for_elements(self, elements: Iterable[str]) -> list[Metric]:
        """The metrics a unit providing ``elements`` reports, in catalogue order."""
        provided = set(elements)
        return [m for m in self.metrics if provided.intersection(m.own_elements)]

    def lead_name(self, metric: Metric) -> str:
        """The Vietnamese name of the unit, school level or group leading ``metric``."""
        if metric.lead == ALL_SCHOOLS:
            return "Các trường học"
        for owner in (*self.departments, *self.school_levels):
            if owner.id == metric.lead:
                return owner.name if owner in self.departments else f"Các trường {owner.name.lower()}"
        return metric.lead

    def level(self, text: str) -> SchoolLevel | None:
        """The school level named by ``text`` (id, name or alias; case and accents ignored)."""
        return self._levels_by_folded_name.get(fold(text))

    @cached_property
    def _levels_by_folded_name(self) -> dict[str, SchoolLevel]:
        found: dict[str, SchoolLevel] = {}
        for level in self.school_levels:
            for name in (level.id, level.name, *level.aliases):
                found.setdefault(fold(name), level)
        return found



def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: for matching what people type."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().replace("-", " ").split())


# ----------------------------------------------------------------------------- loading


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
            raise CatalogError(f"Không đọc được tệp danh mục chỉ tiêu {path}: {exc.strerror}.") from exc
        source = str(path)
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"Tệp danh mục chỉ tiêu {source} sai định dạng TOML: {exc}.") from exc
    problems: list[str] = []
    catalog = _build(raw, problems, source)
    if catalog is not None:
        _check(catalog, problems)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise CatalogError(f"Danh mục chỉ tiêu {source} không hợp lệ:\n{listing}")
    assert catalog is not None
    return catalog


def _text(value: Any) -> str:
    return nfc(str(value)).strip()


def _build(raw: dict[str, Any], problems: list[str], source: str) -> Catalog | None:
    try:
        head = raw["catalog"]
        elements = {}
        for item in raw.get("elements", []):
            element = Element(
                code=item["code"], label=_text(item["label"]), kind=item["kind"],
                help=_text(item.get("help", "")), required=bool(item.get("required", True)),
                group=_text(item["group"]) if item.get("group") else None,
            )
            if element.code in elements:
                problems.append(f"Mã số liệu '{element.code}' bị trùng.")
            elements[element.code] = element
        objective_of = {i["number"]: i["objective"] for i in raw.get("indicators", [])}
        metrics = [_metric(item, objective_of, problems) for item in raw.get("metrics", [])]
        rules = [
            Rule(left=tuple(r["left"]), op=r["op"], right=tuple(r["right"]),
                 severity=r.get("severity", "error"), message=_text(r["message"]))
            for r in raw.get("rules", [])
        ]
        for metric in metrics:
            if metric.method == "ratio" and metric.subset and metric.numerator and metric.denominator:
                rules.append(Rule(
                    left=(metric.numerator,), op="<=", right=(metric.denominator,), severity="error",
                    metric=metric.code,
                    message=(f"{metric.code}: “{elements[metric.numerator].label}” không thể lớn hơn "
                             f"“{elements[metric.denominator].label}”.")
                    if metric.numerator in elements and metric.denominator in elements else metric.code,
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
        )
    except KeyError as exc:
        problems.append(f"Thiếu trường bắt buộc {exc} trong danh mục.")
    except (TypeError, ValueError) as exc:
        problems.append(f"Giá trị không hợp lệ trong danh mục: {exc}.")
    return None


def _metric(item: dict[str, Any], objective_of: dict[int, int], problems: list[str]) -> Metric:
    code = item["code"]
    targets_raw = item.get("targets") or {}
    targets = {int(year): float(value) for year, value in targets_raw.items()}
    base_operator = item.get("operator")
    per_year = {int(y): op for y, op in (item.get("operators") or {}).items()}
    operators = {year: per_year.get(year, base_operator) for year in targets}
    if not targets:
        problems.append(f"Chỉ tiêu {code} không có mục tiêu cho năm nào.")
    if base_operator is None and len(per_year) < len(targets):
        problems.append(f"Chỉ tiêu {code} không có dấu so sánh (operator).")
    method = item.get("method", "ratio")
    return Metric(
        code=code, indicator=int(item["indicator"]), objective=int(objective_of.get(item["indicator"], 0)),
        name=_text(item["name"]), measure=_text(item.get("measure", "")), scale=item["scale"],
        method=method, operators=operators, targets=targets, lead=item.get("lead", ""),
        numerator=item.get("numerator"), denominator=item.get("denominator"),
        element=item.get("element"), extra=tuple(item.get("extra", [])),
        subset=bool(item.get("subset", True)), note=_text(item.get("note", "")),
    )


def _check(catalog: Catalog, problems: list[str]) -> None:
    """Refuse an inconsistent catalogue, naming every problem found."""
    codes = [m.code for m in catalog.metrics]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"Mã chỉ tiêu '{code}' bị trùng.")
    seen_names: dict[str, str] = {}
    for element in catalog.elements.values():
        if not is_valid_excel_name(element.code):
            problems.append(f"Mã số liệu '{element.code}' không dùng được làm tên ô Excel.")
        if element.code.lower() in seen_names:
            problems.append(f"Mã số liệu '{element.code}' trùng với '{seen_names[element.code.lower()]}' "
                            "(Excel không phân biệt chữ hoa, chữ thường).")
        seen_names[element.code.lower()] = element.code
        if element.kind not in ELEMENT_KINDS:
            problems.append(f"Số liệu '{element.code}' có loại '{element.kind}' không hợp lệ.")
        if not catalog.providers[element.code]:
            problems.append(f"Số liệu '{element.code}' không được đơn vị nào báo cáo.")
    indicator_numbers = {i.number for i in catalog.indicators}
    objective_numbers = {o.number for o in catalog.objectives}
    for indicator in catalog.indicators:
        if indicator.objective not in objective_numbers:
            problems.append(f"Chỉ tiêu {indicator.number} thuộc mục tiêu {indicator.objective} không tồn tại.")
    unit_ids = {u.id for u in catalog.departments} | {s.id for s in catalog.school_levels}
    for metric in catalog.metrics:
        where = f"Chỉ tiêu {metric.code}"
        if not METRIC_CODE.match(metric.code):
            problems.append(f"{where}: mã phải có dạng CT01, CT03a.")
        if metric.indicator not in indicator_numbers:
            problems.append(f"{where}: thuộc chỉ tiêu số {metric.indicator} không có trong danh mục.")
        if metric.scale not in SCALES:
            problems.append(f"{where}: đơn vị đo '{metric.scale}' không hợp lệ.")
        if metric.method not in METHODS:
            problems.append(f"{where}: cách tính '{metric.method}' không hợp lệ.")
        for year, operator in metric.operators.items():
            if operator not in OPERATORS:
                problems.append(f"{where}: dấu so sánh '{operator}' (năm {year}) không hợp lệ.")
        for year in metric.targets:
            if year not in catalog.target_years:
                problems.append(f"{where}: năm mục tiêu {year} không nằm trong {list(catalog.target_years)}.")
        if metric.method == "ratio" and not (metric.numerator and metric.denominator):
            problems.append(f"{where}: chỉ tiêu tỷ lệ cần có tử số (numerator) và mẫu số (denominator).")
        if metric.method != "ratio" and not metric.element:
            problems.append(f"{where}: cần khai báo số liệu (element).")
        for code in metric.elements:
            if code not in catalog.elements:
                problems.append(f"{where}: dùng số liệu '{code}' không có trong danh mục.")
        if metric.lead not in unit_ids | {ALL_SCHOOLS}:
            problems.append(f"{where}: đơn vị chủ trì '{metric.lead}' không có trong danh mục.")
        if metric.method in ("yes_no", "share_of_schools") and metric.element in catalog.elements \
                and catalog.elements[metric.element].kind != "yes_no":
            problems.append(f"{where}: số liệu '{metric.element}' phải là loại Có/Không.")
    for owner in (*catalog.departments, *catalog.school_levels):
        if not UNIT_ID.match(owner.id):
            problems.append(f"Mã đơn vị '{owner.id}' không hợp lệ (chữ thường, số, '-').")
        for code in owner.elements:
            if code not in catalog.elements:
                problems.append(f"Đơn vị '{owner.id}' báo cáo số liệu '{code}' không có trong danh mục.")
    for rule in catalog.rules:
        if rule.op not in ("<=", "<", ">=", ">", "="):
            problems.append(f"Quy tắc kiểm tra '{rule.message}' có dấu so sánh '{rule.op}' không hợp lệ.")
        if rule.severity not in SEVERITIES:
            problems.append(f"Quy tắc kiểm tra '{rule.message}' có mức '{rule.severity}' không hợp lệ.")
        for code in (*rule.left, *rule.right):
            if code not in catalog.elements:
                problems.append(f"Quy tắc kiểm tra dùng số liệu '{code}' không có trong danh mục.")
