"""Issue 11, "memory and time" and "silent wrong or lost information": hostile or careless files
built in tmp_path. Each is refused or read with a Vietnamese finding naming the file, never a
traceback; the good figures still merge; the inbox is never touched. Memory is bounded with
tracemalloc (loosely); time is not asserted here (benchmarks/bench_hostile.py prints it against
the 2 s / 200 MB target, and includes the LIMITS cases below).
"""

from __future__ import annotations

import os
import random
import re
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
from limits_helpers import bounded

from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.submission import read_submission
from ctre_xl.template import layout as L

from reading_helpers import fill, make_template, rewrite_zip, set_saved_time, sheet_part

YEAR = 2026
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CODE_CELL = re.compile(rb'<c r="A(\d+)"([^>]*?) t="inlineStr"><is><t>(CT\d+)</t></is></c>')




# -- builders (template: a filled primary-school return; target: where to write) -------------

def with_shared_strings(template: Path, target: Path, items: bytes, *, last_points_at: int | None = None,
                        index_text: bytes | None = None) -> Path:
    """Add an xl/sharedStrings.xml of ``items`` (then "CT07" as the last item) and make the data
    sheet's first code cell refer to it (or to ``index_text`` as written)."""
    part = sheet_part(template, L.INPUT_SHEET)
    count = items.count(b"<si")
    sst = b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b">" + items + b"<si><t>CT07</t></si></sst>"
    reference = index_text if index_text is not None else str(count if last_points_at is None else last_points_at).encode()

    def sheet(xml: bytes) -> bytes:
        return CODE_CELL.sub(lambda m: b'<c r="A' + m[1] + b'"' + m[2] + b' t="s"><v>' + reference + b"</v></c>",
                             xml, count=1)

    def types(xml: bytes) -> bytes:
        return xml.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                           b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')

    def rels(xml: bytes) -> bytes:
        return xml.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                           b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                           b"</Relationships>")
    return rewrite_zip(template, target, replace={part: sheet, "[Content_Types].xml": types,
                                                  "xl/_rels/workbook.xml.rels": rels}, add={"xl/sharedStrings.xml": sst})


def million_tiny_strings(template: Path, target: Path) -> Path:
    return with_shared_strings(template, target, b"".join(b"<si><t>%d</t></si>" % i for i in range(1_000_000)))


def million_empty_strings(template: Path, target: Path) -> Path:
    return with_shared_strings(template, target, b"<si/>" * 1_000_000)


def compressible_strings(template: Path, target: Path, megabytes: int = 24) -> Path:
    """Shared strings of random Vietnamese-looking words: deflate gains about 4x, not 1000x."""
    rng = random.Random(11)
    words = [bytes(rng.choice(b"abcdeghiklmnopqrstuvxy") for _ in range(rng.randint(2, 7))) for _ in range(5000)]
    items, size = [], 0
    while size < megabytes * 1024 * 1024:
        item = b"<si><t>" + b" ".join(rng.choice(words) for _ in range(12)) + b"</t></si>"
        items.append(item)
        size += len(item)
    return with_shared_strings(template, target, b"".join(items))


def nested_sheet(template: Path, target: Path) -> Path:
    """A million elements, nested half a million deep, before the rows: 3.5 MB of XML (under the
    ratio check of zip bombs, which starts at 8 MB) in a few KB of deflate."""
    part = sheet_part(template, L.INPUT_SHEET)
    depth = 500_000
    return rewrite_zip(template, target, replace={
        part: lambda xml: xml.replace(b"<sheetData>", b"<a>" * depth + b"</a>" * depth + b"<sheetData>")})


def nested_strings(template: Path, target: Path) -> Path:
    return with_shared_strings(template, target, b"<si>" + b"<r>" * 400_000 + b"</r>" * 400_000 + b"</si>",
                               last_points_at=0)


def nested_properties(template: Path, target: Path) -> Path:
    """docProps/custom.xml, parsed whole, holding a deep nest."""
    return rewrite_zip(template, target, replace={"docProps/custom.xml": lambda xml: xml.replace(
        b"</Properties>", b"<x>" * 500_000 + b"</x>" * 500_000 + b"</Properties>")})


# name -> (builder, status, finding kind, words in the message)
LIMITS = {
    "strings-1M-tiny": (million_tiny_strings, FileStatus.REJECTED, "too_large", "xl/sharedStrings.xml"),
    "strings-1M-empty": (million_empty_strings, FileStatus.REJECTED, "too_large", "chuỗi văn bản"),
    "strings-compressible": (compressible_strings, FileStatus.REJECTED, "too_large", "quá lớn"),
    "nested-sheet": (nested_sheet, FileStatus.REJECTED, "corrupt_xml", "lồng nhau quá sâu"),
    "nested-strings": (nested_strings, FileStatus.REJECTED, "corrupt_xml", "lồng nhau quá sâu"),
    "nested-properties": (nested_properties, FileStatus.REJECTED, "corrupt_xml", "lồng nhau quá sâu"),
}


@pytest.fixture(scope="module")
def filled(catalog, registry, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("limits-src")
    template = make_template(catalog, registry, "th-vi-du", YEAR, folder / "template.xlsx")
    return fill(template, {"primary_completers": 120, "primary_grade1_cohort": 130}, folder / "filled.xlsx",
                report_date=date(YEAR, 11, 5), notes={"CT19": "ghi chú"})


def _read(path: Path, catalog, registry):  # noqa: ANN001, ANN202
    return read_submission(path, path.parent, catalog, registry)


@pytest.mark.parametrize("case", sorted(LIMITS))
def test_memory_and_time_limits(case: str, filled: Path, tmp_path: Path, catalog, registry) -> None:
    build, status, kind, words = LIMITS[case]
    path = build(filled, tmp_path / "inbox" / f"{case}.xlsx")
    outcome = bounded(lambda: _read(path, catalog, registry))
    assert outcome.record.status == status, outcome.record.reason
    [finding] = [f for f in outcome.findings if f.kind == kind]
    assert words in finding.message and finding.file == f"{case}.xlsx"


def test_a_large_table_whose_needed_string_comes_early_is_read(filled: Path, tmp_path: Path, catalog,
                                                               registry) -> None:
    """Many strings under the limits, in a form the scanner leaves to the parser (rich text): only
    the strings wanted are kept, and the code cell still reads "CT07"."""
    items = b"<si><r><t>x</t></r><r><t>y</t></r></si>" * 60_000
    path = with_shared_strings(filled, tmp_path / "inbox" / "rich.xlsx", items, last_points_at=60_000)
    outcome = bounded(lambda: _read(path, catalog, registry), 100 * 1024 * 1024)
    assert outcome.record.status == FileStatus.ACCEPTED, outcome.record.reason
    assert not [f for f in outcome.findings if f.kind in ("structure_changed", "damaged_content")]
    assert outcome.submission.values["primary_completers"].value == 120


# -- malformed attributes: read what can be read, name what could not -------------------------

def _workbook_xml(edit: Callable[[bytes], bytes]) -> Callable[[Path, Path], Path]:
    return lambda t, p: rewrite_zip(t, p, replace={"xl/workbook.xml": edit})


def _sheet_xml(edit: Callable[[bytes], bytes], sheet: str = L.INPUT_SHEET) -> Callable[[Path, Path], Path]:
    return lambda t, p: rewrite_zip(t, p, replace={sheet_part(t, sheet): edit})


def _report_date_nan(xml: bytes) -> bytes:
    return re.sub(rb'(<c r="B15"[^>]*?)(?: t="[^"]*")?(/>|>.*?</c>)', rb'\1><v>NaN</v></c>', xml, count=1)


MALFORMED = {
    "local-sheet-id": (_workbook_xml(lambda x: x.replace(b"</definedNames>",
                                                         b'<definedName name="rieng" localSheetId="x">'
                                                         b"'S\xe1\xbb\x91 li\xe1\xbb\x87u'!$A$1</definedName>"
                                                         b"</definedNames>")), "damaged_content", "localSheetId"),
    "row-superscript": (_sheet_xml(lambda x: x.replace(b'<row r="10"', b'<row r="\xc2\xb9\xe2\x81\xb0"', 1)),
                        "damaged_content", "số dòng “¹⁰”"),
    "shared-index-superscript": (lambda t, p: with_shared_strings(t, p, b"<si><t>a</t></si>",
                                                                  index_text=b"\xc2\xb2"),
                                 "damaged_content", "chuỗi văn bản không có (“²”)"),
    "shared-index-beyond": (lambda t, p: with_shared_strings(t, p, b"", last_points_at=99), "damaged_content",
                            "chuỗi văn bản không có (“99”)"),
    "report-date-nan": (_sheet_xml(_report_date_nan, L.FRONT_SHEET), "bad_date", "không đọc được"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_attribute_costs_only_what_it_touches(case: str, filled: Path, tmp_path: Path, catalog,
                                                          registry) -> None:
    build, kind, words = MALFORMED[case]
    path = build(filled, tmp_path / "inbox" / f"{case}.xlsx")
    outcome = _read(path, catalog, registry)
    assert outcome.record.status == FileStatus.ACCEPTED, outcome.record.reason
    values = outcome.submission.values
    assert values["primary_completers"].value == 120 and values["primary_grade1_cohort"].value == 130
    [finding] = [f for f in outcome.findings if f.kind == kind]
    assert words in finding.message and finding.file == f"{case}.xlsx", finding.message
    assert not any(ch in finding.message for ch in ("Error", "Traceback", "invalid literal"))


# -- a cell written twice ----------------------------------------------------------------------

def _twice(second: bytes) -> Callable[[Path, Path], Path]:
    def edit(xml: bytes) -> bytes:
        found = re.search(rb'<c r="D10"[^>]*?(?:/>|>.*?</c>)', xml)
        assert found, "D10"
        return xml[:found.end()] + b'<c r="D10"><v>' + second + b"</v></c>" + xml[found.end():]
    return _sheet_xml(edit)


def test_a_cell_written_twice_with_the_same_figure_is_used_and_named(filled: Path, tmp_path: Path, catalog,
                                                                   registry) -> None:
    path = _twice(b"120")(filled, tmp_path / "inbox" / "hai-ban.xlsx")
    outcome = _read(path, catalog, registry)
    assert outcome.submission.values["primary_completers"].value == 120
    [finding] = [f for f in outcome.findings if f.kind == "damaged_content"]
    assert finding.cell == "D10" and finding.severity == "warning" and "2 bản giống nhau" in finding.message


def test_a_cell_written_twice_with_different_figures_gives_no_figure(filled: Path, tmp_path: Path, catalog,
                                                                     registry) -> None:
    """Which copy the unit meant cannot be known: neither is used, and the unit is told why."""
    path = _twice(b"999")(filled, tmp_path / "inbox" / "hai-ban.xlsx")
    outcome = _read(path, catalog, registry)
    assert outcome.submission.values["primary_completers"].value is None
    assert outcome.submission.values["primary_grade1_cohort"].value == 130
    [finding] = [f for f in outcome.findings if f.kind == "damaged_content"]
    assert finding.cell == "D10" and finding.severity == "error"
    assert "“120”" in finding.message and "“999”" in finding.message


# -- report dates that cannot be right do not decide the newest return -----------------------

def _two_returns(tmp_path: Path, old_day: object, new_day: object, *, saved: tuple[datetime | None, ...] = (None, None)):
    from merge_helpers import deliver, make_workspace, merge_json, snapshot

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    old = deliver(workspace, "th-vi-du", YEAR, "cu.xlsx", {"primary_completers": 100, "primary_grade1_cohort": 130},
                  report_date=old_day)
    new = deliver(workspace, "th-vi-du", YEAR, "moi.xlsx", {"primary_completers": 120, "primary_grade1_cohort": 130},
                  report_date=new_day)
    for path, when in zip((old, new), saved):
        set_saved_time(path, when)
    os.utime(old, (time.time(), time.time()))  # the old file even looks newest on disk
    os.utime(new, (time.time() - 3600, time.time() - 3600))
    before = snapshot(workspace.inbox)
    code, data, _ = merge_json(workspace, YEAR)
    assert snapshot(workspace.inbox) == before
    return code, data


def test_a_report_date_typed_as_2062_does_not_beat_the_real_correction(tmp_path: Path) -> None:
    code, data = _two_returns(tmp_path, date(2062, 11, 5), date(YEAR, 11, 20))
    files = {f["path"]: f for f in data["files"]}
    assert files["moi.xlsx"]["status"] == "accepted" and files["cu.xlsx"]["status"] == "superseded"


def test_an_odd_report_date_or_saved_time_is_a_warning(tmp_path: Path) -> None:
    from merge_helpers import deliver, make_workspace, merge_json

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    one = deliver(workspace, "th-vi-du", YEAR, "mot.xlsx", {"primary_completers": 120}, report_date=date(2062, 11, 5))
    set_saved_time(one, datetime(2031, 1, 1, 8, tzinfo=timezone.utc))
    code, data, _ = merge_json(workspace, YEAR)
    odd = sorted((f["file"], f["severity"], f["message"]) for f in data["issues"] if f["kind"] == "odd_report_date")
    assert [o[:2] for o in odd] == [("mot.xlsx", "warning")] * 2
    assert any("05/11/2062" in o[2] for o in odd) and any("2031" in o[2] for o in odd)
    [unit] = [u for u in data["units"] if u["id"] == "th-vi-du"]
    assert unit["sent_evidence"] == "file_time"  # neither odd date is taken as evidence


def test_a_report_date_years_before_the_report_year_is_odd_too(tmp_path: Path) -> None:
    code, data = _two_returns(tmp_path, date(YEAR, 11, 5), date(2016, 11, 20))
    files = {f["path"]: f for f in data["files"]}
    assert files["cu.xlsx"]["status"] == "accepted"  # the typed 2016 is no evidence; the file's own date is


def test_a_saved_time_in_the_future_does_not_win(tmp_path: Path) -> None:
    future = datetime(2031, 1, 1, 8, tzinfo=timezone.utc)
    code, data = _two_returns(tmp_path, date(YEAR, 11, 5), date(YEAR, 11, 20),
                              saved=(future, datetime(YEAR, 11, 20, 9, tzinfo=timezone.utc)))
    files = {f["path"]: f for f in data["files"]}
    assert files["moi.xlsx"]["status"] == "accepted" and files["cu.xlsx"]["status"] == "superseded"


# -- texts longer than one Excel cell -----------------------------------------------------------

def test_a_text_longer_than_a_cell_is_cut_visibly_and_named(tmp_path: Path) -> None:
    import openpyxl
    from merge_helpers import deliver, make_workspace, merge_json

    from ctre_xl.text import CUT_MARKER

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    long_note = "Giải trình rất dài. " * 2500  # 50,000 characters: typed in by hand (openpyxl would cut it)
    path = deliver(workspace, "th-vi-du", YEAR, "th.xlsx", {"primary_completers": 120, "primary_grade1_cohort": 130},
                   report_date=date(YEAR, 11, 5), notes={"CT19": "GHI-CHU-DAI"})
    part = sheet_part(path, L.INPUT_SHEET)
    rewrite_zip(path, path.with_suffix(".tmp"), replace={part: lambda x: x.replace(
        b"GHI-CHU-DAI", long_note.encode())}).replace(path)
    code, data, _ = merge_json(workspace, YEAR)
    [cut] = [f for f in data["issues"] if f["kind"] == "text_cut"]
    assert cut["file"] == "th.xlsx" and "49.999 ký tự" in cut["message"]
    summary = next(workspace.outbox_dir(YEAR).glob("tong-hop*.xlsx"))
    book = openpyxl.load_workbook(summary, read_only=True)
    texts = [c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
             if isinstance(c, str) and c.startswith("Giải trình rất dài.")]
    assert texts and all(len(t) <= 32_767 for t in texts) and all(t.endswith(CUT_MARKER) for t in texts)


def test_fit_cell_counts_as_excel_does() -> None:
    from ctre_xl.text import CUT_MARKER, excel_length, fit_cell

    assert fit_cell("ngắn") == "ngắn"
    emoji = fit_cell("😀" * 20_000)  # 40,000 UTF-16 units
    assert excel_length(emoji) <= 32_767 and emoji.endswith(CUT_MARKER) and "\ud83d" not in emoji


# -- temporary files a killed run left behind --------------------------------------------------

def test_our_stale_temporary_files_are_removed_at_the_next_write(tmp_path: Path) -> None:
    from merge_helpers import deliver, make_workspace, merge_json

    workspace = make_workspace(tmp_path / "ws", (YEAR,))
    deliver(workspace, "th-vi-du", YEAR, "th.xlsx", {"primary_completers": 120}, report_date=date(YEAR, 11, 5))
    outbox = workspace.outbox_dir(YEAR)
    outbox.mkdir(parents=True, exist_ok=True)
    stale, fresh, other = outbox / ".~tmp-abc123.xlsx", outbox / ".~tmp-def456.xlsx", outbox / "ghi-chu.xlsx"
    for path in (stale, fresh, other):
        path.write_bytes(b"left by a killed run")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    code, _, _ = merge_json(workspace, YEAR)
    assert not stale.exists()
    assert fresh.exists() and other.exists()  # a write in progress elsewhere, and a file not ours


def test_a_batch_of_templates_sweeps_its_folder_once_and_still_removes_what_is_stale(tmp_path: Path,
                                                                                    monkeypatch) -> None:
    """Sweeping the folder at every write lists it once per file: quadratic (minutes for 66,000
    templates). A batch sweeps it once, at the start, and the sweep still removes a killed run's files."""
    from ctre_xl import files
    from ctre_xl.files import Workspace
    from ctre_xl.plan.load import load_catalog
    from ctre_xl.plan.units import load_registry
    from ctre_xl.template import writer

    workspace = Workspace(tmp_path / "ws")
    workspace.ensure()
    folder = workspace.templates_dir(YEAR)
    folder.mkdir(parents=True)
    stale = folder / f"{files.TEMPORARY_PREFIX}abc123.xlsx"
    stale.write_bytes(b"left by a killed run")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    listed = []
    scandir = os.scandir

    def counting(path=".", *args):  # noqa: ANN001, ANN202
        if not isinstance(path, int):  # (shutil.rmtree lists by descriptor)
            listed.append(Path(path))
        return scandir(path, *args)

    monkeypatch.setattr(files.os, "scandir", counting)
    monkeypatch.setattr(writer, "PARALLEL_MIN_UNITS", 10_000)  # in this process, where the listing is seen
    catalog = load_catalog()
    written = writer.write_templates(catalog, load_registry(workspace.root, catalog), workspace, YEAR)
    assert len(written) > 5
    assert listed.count(folder) == 1 and not stale.exists()
    assert not files._SWEPT  # the mark ends with the batch: a later write sweeps again
