"""The catalogue of findings (ctre_xl.plan.finding_kinds): complete, reachable, and the README's list.

Every kind of the table is produced by at least one bad input below (a table of triggers: bad
input -> expected kind), no code builds a finding outside the table, every named variant is used
where something is detected, and the README lists exactly the table's kinds.
"""

from __future__ import annotations

import ast
import io
import os
import string
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest
from reading_helpers import fill, make_template, rewrite_zip, set_saved_time, sheet_part

import ctre_xl
from ctre_xl.files import Workspace
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.merge.validate import check_submission, compare_previous, validate_commune
from ctre_xl.plan.finding_docs import README_END, README_START, readme_block
from ctre_xl.plan.finding_kinds import KINDS, FindingKind
from ctre_xl.plan.units import school_unit
from ctre_xl.merge import reading as merge_reading
from ctre_xl.read import submission as reading
from ctre_xl.read.submission import read_submission

YEAR = 2026
TH = "th-vi-du"
PACKAGE = Path(ctre_xl.__file__).parent
README = PACKAGE.parent / "README.md"
GOOD = {
    "school_has_sanitation": "Có", "primary_grade1_cohort": 120, "primary_completers": 119, "primary_enrolled": 610,
    "primary_dropouts": 0, "school_has_psych_support": "Có", "school_disability_ready": "Có",
    "disabled_learning_access": 5, "children_consulted": 400,
    "children_participation_aware": 600, "report_date": "05/11/2026",
}
LOCATION = {"file", "unit", "sheet", "cell", "code", "severity", "kind", "variant"}


@pytest.fixture(scope="module")
def templates(catalog, registry, tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("kind-templates")
    return {year: make_template(catalog, registry, TH, year, folder / f"{TH}-{year}.xlsx") for year in (YEAR, YEAR + 2)}


@dataclass
class Env:
    """A fresh inbox beside the shared templates, and ways to read or merge what is put in it."""

    catalog: Any
    registry: Any
    templates: dict[int, Path]
    root: Path
    monkeypatch: pytest.MonkeyPatch

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def filled(self, name: str = "bao cao.xlsx", year: int = YEAR, edit: Callable | None = None,
               **changes: object) -> Path:
        return fill(self.templates[year], {**GOOD, **changes}, self.inbox / name, edit=edit)

    def read(self, path: Path) -> list:
        outcome = read_submission(path, self.inbox, self.catalog, self.registry)
        found = list(outcome.findings)
        if outcome.submission is not None:
            found += check_submission(outcome.submission, self.catalog, self.registry).findings
        return found

    def read_bytes(self, data: bytes, name: str = "tep.xlsx") -> list:
        path = self.inbox / name
        path.write_bytes(data)
        return self.read(path)

    def read_edited(self, edit: Callable[[openpyxl.Workbook], None], **changes: object) -> list:
        return self.read(self.filled(edit=edit, **changes))

    def read_repacked(self, **options: Any) -> list:
        source = self.filled("goc.xlsx")
        target = rewrite_zip(source, self.root / "khac" / "sua.xlsx", **options)
        source.unlink()
        return self.read_bytes(target.read_bytes())

    def merge(self) -> list:
        return merge_inbox(self.catalog, self.registry, Workspace(self.root), YEAR).findings


@pytest.fixture
def env(catalog, registry, templates, tmp_path, monkeypatch) -> Env:
    (tmp_path / "ws" / "inbox").mkdir(parents=True)
    return Env(catalog, registry, templates, tmp_path / "ws", monkeypatch)


# ----------------------------------------------------------------------------- bad inputs


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole(entry: str) -> bytes:
    """An OLE2 file whose directory cannot be parsed but names ``entry`` (sniff looks for the name)."""
    return _OLE + bytes(504) + entry.encode("utf-16-le") + bytes(2000)


def _duplicate_part(env: Env) -> list:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the second copy: that is the bad input
        return env.read_repacked(add={"docProps/custom.xml": b"<Properties/>"})


def _hide_input_sheet(book: openpyxl.Workbook) -> None:
    book["Số liệu"].sheet_state = "hidden"


def _set_meta(key: str, value: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        for prop in book.custom_doc_props.props:
            if prop.name == f"ctre_{key}":
                prop.value = value
        for row in book["ctre_meta"].iter_rows():
            if row[0].value == key:
                row[1].value = value
    return edit


def _relabel(name: str, *, remove_name: bool) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        sheet, ref = next(iter(book.defined_names[name].destinations))
        book[sheet][f"B{ref.replace('$', '')[1:]}"] = "Nhãn đã bị gõ lại"
        if remove_name:
            del book.defined_names[name]
    return edit


def _below(book: openpyxl.Workbook) -> None:
    rows = [int(ref.replace("$", "")[1:]) for name in book.defined_names.values()
            for sheet, ref in name.destinations if sheet == "Số liệu"]
    book["Số liệu"].cell(row=max(rows) + 100, column=2, value="Ghi chú thêm của trường")


def _outside_link(env: Env) -> list:
    outside = env.root / "ngoai.xlsx"
    outside.write_bytes(b"x")
    (env.inbox / "lien ket.xlsx").symlink_to(outside)
    return env.read(env.inbox / "lien ket.xlsx")


def _not_a_file(env: Env) -> list:
    (env.inbox / "thu muc").mkdir()
    return env.read(env.inbox / "thu muc")


def _too_large(env: Env) -> list:
    env.monkeypatch.setattr(reading, "MAX_FILE_BYTES", 10)
    return env.read_bytes(b"x" * 11)


def _unreadable(env: Env) -> list:
    def refuse(_path: Path) -> bytes:
        raise PermissionError(13, "Permission denied")
    env.monkeypatch.setattr(reading, "read_bytes", refuse)
    return env.read_bytes(b"x")


def _unknown_unit(env: Env) -> list:
    stranger = school_unit(env.catalog, "th-la", "Trường Tiểu học Lạ", "tieu-hoc")
    from ctre_xl.template.writer import write_template

    template = write_template(env.catalog, stranger, YEAR, env.root / "khac" / "th-la.xlsx")
    return env.read(fill(template, GOOD, env.inbox / "truong la.xlsx"))


def _sample(env: Env) -> list:
    template = make_template(env.catalog, env.registry, TH, YEAR, env.root / "khac" / "mau.xlsx", sample=True)
    return env.read(fill(template, GOOD, env.inbox / "minh hoa.xlsx"))


def _missing_sheet(env: Env) -> list:
    part = sheet_part(env.templates[YEAR], "Số liệu")
    return env.read_repacked(drop={part})


def _read_failed(env: Env) -> list:
    env.filled()

    def crash(*_args: object, **_options: object) -> None:
        raise RuntimeError("hỏng bất ngờ")
    env.monkeypatch.setattr(merge_reading, "read_submission", crash)  # where the merge calls it
    return env.merge()


def _broken_link(env: Env) -> list:
    (env.inbox / "hong.xlsx").symlink_to(env.root / "khong co.xlsx")
    return env.merge()


def _jump(env: Env) -> list:
    now = read_submission(env.filled("nay.xlsx"), env.inbox, env.catalog, env.registry).submission
    before = read_submission(env.filled("truoc.xlsx", primary_enrolled=300), env.inbox, env.catalog,
                             env.registry).submission
    return compare_previous(now, before, env.catalog)


def _past(env: Env, *rows: tuple, header: bool = True) -> list:
    """A sheet of past values (``ctre-xl history import``): its header row, then ``rows``."""
    from ctre_xl.history.importer import HEADERS, read_rows
    numbered = list(enumerate([HEADERS if header else (), *rows], start=1))
    return read_rows(numbered, env.catalog, "lich-su-nhap.xlsx", "Số liệu các năm").findings


def _cross_unit(env: Env) -> list:
    rule = next(r for r in env.catalog.rules if r.op in ("<=", "<") and set(r.left).isdisjoint(r.right))
    totals = {**{code: 10.0 for code in rule.left}, **{code: 0.0 for code in rule.right}}
    providers = {code: {"a": value / 2, "b": value / 2} for code, value in totals.items()}
    return validate_commune(totals, providers, env.catalog)


_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
_ENCRYPTED = (b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
              b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
              b'</manifest:file-entry></manifest:manifest>')


def _ods(extra: dict[str, bytes], content: bool = True) -> bytes:
    return _zip({"mimetype": _ODS, **({"content.xml": b"<x/>"} if content else {}), **extra}, zipfile.ZIP_STORED)


def _fifo(env: Env) -> list:
    os.mkfifo(env.inbox / "ong dan.xlsx")
    return env.merge()


def _old_names(book: openpyxl.Workbook) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    _set_meta("catalog_version", "2024.1")(book)
    book.defined_names["primary_repeaters"] = DefinedName("primary_repeaters", attr_text="'Số liệu'!$D$40")


def _delete_heading_row(book: openpyxl.Workbook) -> None:
    """Delete the first objective heading, moving the names below up as Excel does."""
    book["Số liệu"].delete_rows(5)
    for defined in book.defined_names.values():
        sheet, ref = next(iter(defined.destinations))
        column, row = ref.replace("$", "")[0], int(ref.replace("$", "")[1:])
        if sheet == "Số liệu" and row > 5:
            defined.attr_text = f"'Số liệu'!${column}${row - 1}"


def _typed(name: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    """Type ``value`` itself (a bool stays a TRUE/FALSE cell: ``fill`` would type Có/Không)."""
    def edit(book: openpyxl.Workbook) -> None:
        sheet, ref = next(iter(book.defined_names[name].destinations))
        book[sheet][ref.replace("$", "")] = value
    return edit


def _unname(name: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(book: openpyxl.Workbook) -> None:
        del book.defined_names[name]
    return edit


def _yes_no_value(env: Env) -> list:
    sub = read_submission(env.filled(), env.inbox, env.catalog, env.registry).submission
    sub.values["school_has_sanitation"] = replace(sub.values["school_has_sanitation"], value=2.0)
    return check_submission(sub, env.catalog, env.registry).findings


def _money_words(env: Env) -> list:
    """An amount typed as "1,5 tỷ" in the economy office's money cell (a school has none)."""
    template = make_template(env.catalog, env.registry, "kinh-te", YEAR, env.root / "khac" / "kinh-te.xlsx")
    values = {"budget_allocated": "1,5 tỷ", "budget_spent": 1_000_000, "funds_mobilised": 0, "report_date": "05/11/2026"}
    return env.read(fill(template, values, env.inbox / "kinh te.xlsx"))


def _workbook_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Chỉ tiêu", "Số liệu"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


BY_KIND: list[tuple[str, Callable[[Env], list]]] = [  # (kind, a bad input that gets it)
    ("outside_link", _outside_link),
    ("not_a_file", _not_a_file),
    ("too_large", _too_large),
    ("unreadable", _unreadable),
    ("empty", lambda env: env.read_bytes(b"")),
    ("password_protected", lambda env: env.read_bytes(_ole("EncryptedPackage"))),
    ("xls", lambda env: env.read_bytes(_ole("Workbook"))),
    ("xlsb", lambda env: env.read_bytes(_zip({"[Content_Types].xml": _TYPES, "xl/workbook.bin": b"\0"}))),
    ("xml_2003", lambda env: env.read_bytes(b'<?xml version="1.0"?><Workbook '
                                            b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')),
    ("ole_other", lambda env: env.read_bytes(_ole("WordDocument"))),
    ("zip_other", lambda env: env.read_bytes(_zip({"[Content_Types].xml": _TYPES, "word/document.xml": b"<w/>"}))),
    ("csv", lambda env: env.read_bytes("Mã,Giá trị\nprimary_enrolled,610\n".encode("utf-8"))),
    ("html", lambda env: env.read_bytes(b"<!DOCTYPE html><html><body>610</body></html>")),
    ("pdf", lambda env: env.read_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")),
    ("image", lambda env: env.read_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)),
    ("unknown", lambda env: env.read_bytes(b"\x00\x01\x02\x03 not a workbook")),
    ("corrupt_zip", lambda env: env.read_bytes(env.filled().read_bytes()[:3000])),
    ("corrupt_xml", lambda env: env.read_repacked(replace={"xl/workbook.xml": b"<workbook"})),
    ("too_many_entries", lambda env: env.read_bytes(_zip({f"x/{i}": b"" for i in range(10_001)}, zipfile.ZIP_STORED))),
    ("zip_bomb", lambda env: env.read_bytes(_zip({"[Content_Types].xml": _TYPES, "xl/workbook.xml": b"<workbook/>",
                                                  "xl/big.bin": bytes(9 * 1024 * 1024)}))),  # ratio ~1000
    ("dangerous_xml", lambda env: env.read_repacked(replace={"xl/workbook.xml": (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><workbook>&a;</workbook>')})),
    ("xml_not_utf8", lambda env: env.read_repacked(replace={"xl/workbook.xml": lambda xml: xml.decode("utf-8")
                                                            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
                                                            .encode("utf-16-le")})),
    ("duplicate_part", _duplicate_part),
    ("missing_sheet", _missing_sheet),
    ("read_failed", _read_failed),
    ("rejected", _broken_link),
    ("not_ours", lambda env: env.read_bytes(_workbook_bytes())),
    ("bad_metadata", lambda env: env.read_edited(_set_meta("year", "hai nghìn"))),
    ("unknown_unit", _unknown_unit),
    ("other_catalog", lambda env: env.read_edited(_set_meta("catalog_id", "ke-hoach-khac"))),
    ("sample_data", _sample),
    ("old_catalog", lambda env: env.read_edited(_set_meta("catalog_version", "2024.1"))),
    ("identity_mismatch", lambda env: env.read_edited(_set_meta("unit_id", "vhxh"))),
    ("other_year", lambda env: (env.filled("nam sau.xlsx", year=YEAR + 2), env.merge())[1]),
    ("macro_ignored", lambda env: env.read_repacked(add={"xl/vbaProject.bin": b"\0" * 16})),
    ("hidden_sheet", lambda env: env.read_edited(_hide_input_sheet)),
    ("extra_content", lambda env: env.read_edited(_below)),
    ("structure_changed", lambda env: env.read_edited(_relabel("primary_enrolled", remove_name=False))),
    ("missing_name", lambda env: env.read_edited(_relabel("primary_enrolled", remove_name=True))),
    ("missing", lambda env: env.read(env.filled(primary_enrolled=None))),
    ("not_a_number", lambda env: env.read(env.filled(primary_enrolled="khoảng 600 em"))),
    ("not_yes_no", lambda env: env.read(env.filled(school_has_sanitation="có lẽ"))),
    ("negative", lambda env: env.read(env.filled(primary_dropouts=-1))),
    ("not_whole", lambda env: env.read(env.filled(primary_dropouts="0,5"))),
    ("implausible", lambda env: env.read(env.filled(primary_enrolled=20_000_000))),
    ("formula_in_input", lambda env: env.read(env.filled(primary_grade1_cohort="=D20*2"))),
    ("ambiguous", lambda env: env.read(env.filled(children_participation_aware="1,234"))),
    ("percent_in_count", lambda env: env.read(env.filled(primary_dropouts="1%"))),
    ("money_words", _money_words),
    ("dash", lambda env: env.read(env.filled(primary_dropouts="-"))),
    ("bad_date", lambda env: env.read(env.filled(report_date="hôm qua"))),
    ("odd_report_date", lambda env: (env.filled(report_date="05/11/2062"), env.merge())[1]),
    ("text_cut", lambda env: env.read(_long_note(env))),
    ("damaged_content", lambda env: env.read_repacked(replace={"xl/workbook.xml": lambda x: x.replace(
        b"</definedNames>", b'<definedName name="rieng" localSheetId="x">A1</definedName></definedNames>')})),
    ("no_report_date", lambda env: (env.filled(report_date=None), env.merge())[1]),
    ("no_preparer", lambda env: (env.filled(), env.merge())[1]),  # GOOD types no preparer's name
    ("saved_after_deadline", lambda env: (set_saved_time(env.filled(), datetime(YEAR, 11, 20, 12)), env.merge())[1]),
    ("blank_return", lambda env: (fill(env.templates[YEAR], {"report_date": "05/11/2026"}, env.inbox / "trong.xlsx"),
                                  env.merge())[1]),
    ("rule", lambda env: env.read(env.filled(primary_dropouts=700))),
    ("cross_unit_rule", _cross_unit),
    ("jump", _jump),
    ("history_no_header", lambda env: _past(env, ("CT13", 2024, 5), header=False)),
    ("history_unknown_metric", lambda env: _past(env, ("XX99", 2024, 1))),
    ("history_bad_year", lambda env: _past(env, ("CT13", "năm ngoái", 1))),
    ("history_bad_number", lambda env: _past(env, ("CT13", 2024, "khoảng 5"))),
    ("history_no_value", lambda env: _past(env, ("CT13", 2024, None))),
    ("history_duplicate", lambda env: _past(env, ("CT13", 2024, 5), ("CT13", 2024, 6))),
]
def _long_note(env: Env) -> Path:
    """A note longer than one Excel cell holds, typed into the XML (openpyxl would cut it)."""
    path = fill(env.templates[YEAR], GOOD, env.inbox / "dai.xlsx", notes={"CT19": "GHI-CHU-DAI"})
    part = sheet_part(path, "Số liệu")
    return rewrite_zip(path, env.root / "dai.xlsx", replace={part: lambda x: x.replace(b"GHI-CHU-DAI", b"x" * 40_000)}
                       ).replace(path)


def _touched(path: Path, when: float) -> Path:
    os.utime(path, (when, when))
    return path


def _too_deep(env: Env) -> list:
    from ctre_xl.read import collect
    folder = env.inbox / "/".join(["d"] * (collect.MAX_DEPTH + 1))
    folder.mkdir(parents=True)
    return env.merge()


def _no_access(env: Env) -> list:
    (env.inbox / "khoa").mkdir()
    real = os.scandir

    def refuse(path: Any = ".") -> Any:
        if Path(path).name == "khoa":
            raise PermissionError(13, "Permission denied")
        return real(path)
    os.scandir = refuse
    try:
        return env.merge()
    finally:
        os.scandir = real


OTHER_WAYS: list[tuple[str, str, Callable[[Env], list]]] = [  # (case, kind, bad input): other messages
    ("ods_password", "password_protected", lambda env: env.read_bytes(_ods({"META-INF/manifest.xml": _ENCRYPTED}))),
    ("not_ods", "corrupt_zip", lambda env: env.read_bytes(_ods({}, content=False))),
    ("fifo", "rejected", _fifo),
    ("link_out_of_inbox", "rejected", lambda env: (_outside_link(env), env.merge())[1]),
    ("old_catalog_unmapped", "old_catalog", lambda env: env.read_edited(_old_names)),
    ("rows_deleted", "structure_changed", lambda env: env.read_edited(_delete_heading_row)),
    ("name_removed", "structure_changed", lambda env: env.read_edited(_unname("primary_enrolled"))),
    ("front_name_removed", "structure_changed", lambda env: env.read_edited(_unname("preparer_name"))),
    ("report_date_formula", "formula_in_input", lambda env: env.read(env.filled(report_date="=TODAY()"))),
    ("boolean", "not_a_number", lambda env: env.read_edited(_typed("primary_enrolled", True))),
    ("excel_error", "not_a_number", lambda env: env.read(env.filled(primary_enrolled="#DIV/0!"))),
    ("yes_no_dash", "dash", lambda env: env.read(env.filled(school_has_sanitation="-"))),
    ("yes_no_missing", "missing", lambda env: env.read(env.filled(school_has_sanitation=None))),
    ("yes_no_value", "not_yes_no", _yes_no_value),
    ("not_finite", "implausible", lambda env: env.read(env.filled(primary_enrolled="1" * 400))),
    ("file_time", "implausible", lambda env: env.read(_touched(env.filled(), 1e12))),
    ("too_deep", "rejected", _too_deep),
    ("no_access", "rejected", _no_access),
]
TRIGGERS = [(kind, kind, trigger) for kind, trigger in BY_KIND] + OTHER_WAYS


@pytest.mark.parametrize("case, kind, trigger", TRIGGERS, ids=[case for case, _, _ in TRIGGERS])
def test_each_kind_is_produced_by_a_bad_input(case: str, kind: str, trigger: Callable[[Env], list], env: Env) -> None:
    found = trigger(env)
    assert kind in {f.kind for f in found}, [(f.kind, f.message) for f in found]
    for finding in found:
        assert finding.kind in KINDS and finding.message, finding
        expected = FindingKind(finding.kind).info.severity
        assert expected is None or finding.severity in {expected, *FindingKind(finding.kind).info.severities.values()}


def test_every_kind_of_the_table_has_a_trigger() -> None:
    assert {kind for _case, kind, _ in TRIGGERS} == set(FindingKind)


# ----------------------------------------------------------------------------- the table itself


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("kind", list(FindingKind), ids=str)
def test_entries_are_complete(kind: FindingKind) -> None:
    info = KINDS[kind]
    assert info.summary and info.fix and info.messages
    assert set(info.severities) <= set(info.messages)
    for template in (*info.messages.values(), info.summary, info.fix):
        assert unicodedata.is_normalized("NFC", template), template
    for template in info.messages.values():
        assert not _placeholders(template) & LOCATION, template  # they are the finding's own fields
    if info.severity is None:
        with pytest.raises(ValueError):
            kind.finding(file="", **{name: "x" for t in info.messages.values() for name in _placeholders(t)})


def _sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def test_findings_are_built_only_by_the_table() -> None:
    """No ``Finding(...)`` outside the table, and every literal kind handed to a reader exception or
    a rejection is a kind of the table."""
    table = PACKAGE / "plan" / "finding_kinds.py"
    builders, unknown = [], []
    for path, text in _sources().items():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "Finding" and path != table:
                builders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            literals = [k.value for k in node.keywords if k.arg == "kind"]
            if name == "WorkbookError" and node.args:
                literals.append(node.args[0])
            for literal in literals:
                if name in ("Finding", "WorkbookError", "_reject") and isinstance(literal, ast.Constant) \
                        and literal.value not in KINDS:
                    unknown.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {literal.value!r}")
    assert builders == [] and unknown == []


def test_every_named_variant_is_used_somewhere() -> None:
    table = PACKAGE / "plan" / "finding_kinds.py"
    literals = {node.value for path, text in _sources().items() if path != table
                for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    unused = [(kind.value, variant) for kind, info in KINDS.items() for variant in info.messages
              if variant and variant not in literals]
    assert unused == []


def test_the_readme_lists_exactly_the_table() -> None:
    """Regenerate with ``python -m ctre_xl.plan.finding_docs README.md``."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    block = text[start:end]
    assert block == readme_block()
    listed = [line.rsplit("(`", 1)[1].rstrip(")`") for line in block.splitlines() if line.startswith("- ")]
    assert sorted(listed) == sorted(FindingKind)
