"""Formulas prepared as XlsxWriter prepares them (``ctre_xl.formulas``): the same text for every
formula, XlsxWriter's own renaming still applied wherever it can change one, and skipped for the
formulas ctre-xl writes."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from xlsxwriter.worksheet import Worksheet

from ctre_xl import formulas
from ctre_xl.book import SafeBook, SafeSheet
from ctre_xl.cli import main


def xlsxwriter_prepares(formula: str, future: bool) -> str:
    sheet = Worksheet()
    sheet.use_future_functions = False
    return Worksheet._prepare_formula(sheet, formula, future)


def ours(formula: str, future: bool) -> str:
    sheet = SafeBook(io.BytesIO()).add_worksheet("Thử", worksheet_class=SafeSheet)
    return sheet._prepare_formula(formula, future)


def renamed_functions() -> list[str]:
    """Every function XlsxWriter renames, as a formula calls it ("." literal)."""
    patterns = [pattern for group in formulas.renamings().values() for pattern in group]
    return [pattern[2:-2] if pattern.startswith("\\b") else "S" + pattern[2:-2] for pattern in patterns]


def test_every_renaming_is_read_from_xlsxwriter() -> None:
    names = renamed_functions()
    assert len(names) > 100 and {"XLOOKUP", "FORECAST.ETS", "SINGLE", "STDEV.S", "IFS"} <= set(names)


@pytest.mark.parametrize("future", [False, True])
def test_a_renamed_function_is_renamed_exactly_as_xlsxwriter_does(future: bool) -> None:
    for name in renamed_functions():
        for formula in (f"={name}(A1:A3)", f'=IF(NOT(ISNUMBER(B2)),"Chưa có",{name}(1,2))', f"{{={name}(C1)}}"):
            assert ours(formula, future) == xlsxwriter_prepares(formula, future), formula


@pytest.mark.parametrize("formula", [
    '=IF(NOT(ISNUMBER($I9)),"Chưa có mục tiêu",IF(AND(ISNUMBER($E9),$E9=0),"Không phát sinh","Đạt"))',
    "=STDEVXS(A1)",  # "." in XlsxWriter's patterns is any character: renamed there, so here
    "=A1.XLOOKUP(1,2,3)",
    "=xlookup(1,2,3)",  # its patterns are case-sensitive
    "=_xlfn.XLOOKUP(1,A:A,B:B)",  # already renamed: left as it is
    "{=SUM(A1:A3)}",
    '=IF(A1="T(",LEFT(B1,3),"S(")',  # "T(" inside a text: XlsxWriter does not read quotes either
    '=COUNTIFS(A:A,"x")+SUMPRODUCT(--(LEN(B1:B9)>0))',
    "=Ô1+Số(1)",
    "",
])
@pytest.mark.parametrize("future", [False, True])
def test_any_formula_comes_out_as_xlsxwriter_makes_it(formula: str, future: bool) -> None:
    assert ours(formula, future) == xlsxwriter_prepares(formula, future)


def test_the_formulas_ctre_xl_writes_skip_the_renaming(tmp_path, monkeypatch) -> None:
    """As a user runs it: the demo's templates and summary, every formula the same as XlsxWriter's,
    and the renaming run for none of them (it ran about 150 patterns for each)."""
    seen: list[tuple[str, bool, str]] = []
    renamed: list[str] = []
    original = formulas.prepared

    def spy(formula, future, prepare):  # noqa: ANN001, ANN202
        def counted(text: str) -> str:
            renamed.append(text)
            return prepare(text)
        found = original(formula, future, counted)
        seen.append((formula, future, found))
        return found

    monkeypatch.setattr(formulas, "_PREPARED", {})
    monkeypatch.setattr("ctre_xl.book.prepared", spy)
    outcome = CliRunner().invoke(main, ["demo", "--workspace", str(tmp_path / "demo")])
    assert outcome.exit_code == 0, outcome.output
    assert len({formula for formula, _future, _found in seen}) > 100
    for formula, future, found in seen:
        assert found == xlsxwriter_prepares(formula, future), formula
    assert renamed == []


def test_a_method_holding_anything_else_is_run_for_every_formula(monkeypatch) -> None:
    def other(self, formula, expand_future_functions=False):  # noqa: ANN001, ANN202 - a newer XlsxWriter
        return formula.lstrip("=").upper()

    monkeypatch.setattr(Worksheet, "_prepare_formula", other)
    monkeypatch.setattr(formulas, "_PREPARED", {})
    formulas.renamings.cache_clear()
    try:
        assert formulas.renamings() is None
        assert ours("=sum(a1)", False) == "SUM(A1)"
    finally:
        formulas.renamings.cache_clear()
