"""Formulas as XlsxWriter prepares them, for a fraction of its cost: once per formula, and without
its renaming of future functions where no renaming can change the formula.

``Worksheet._prepare_formula`` strips "=" and array braces, then runs about 30 regular expressions
on every formula (about 150 for a conditional format's), each adding "_xlfn." before one function
name ("XLOOKUP(" -> "_xlfn.XLOOKUP("). ctre-xl's formulas call none of those functions, and the
renaming cost a tenth of a one-commune merge (a fresh process: two hundred formulas, each new).

Each renaming's pattern ends with the literal end of its function's name and "(" (``\\bXLOOKUP\\(``;
``\\bFORECAST.ETS\\(``, whose "." is any character: ``ETS(``). A pattern can match a formula only
where a run of word characters before a "(" ends with its end, so only the patterns with such an
end are tried; when none matches, no renaming changes the formula and it comes out stripped: the
very result XlsxWriter gives (tests/test_formulas.py compares both on every renamed function). The
patterns are read from the method's own constants, so a newer XlsxWriter's functions are covered
too; if the method holds anything else, every formula goes through it as before.
"""

from __future__ import annotations

import functools
import re
from typing import Callable

from xlsxwriter.worksheet import Worksheet

PREPARED_KEPT = 20_000  # formulas remembered per process: templates and summaries repeat a few hundred
_PREPARED: dict[tuple[str, bool], str] = {}
_CALLS = re.compile(r"(\w+)\(")  # a run of word characters, then "(": where a function is called
# Everything XlsxWriter's method may name and hold besides its patterns and their replacements.
_EXPECTED_NAMES = {"startswith", "endswith", "re", "sub", "use_future_functions"}
_EXPECTED_TEXTS = {"{", "=", "}"}


@functools.cache  # read once, when the first formula is prepared
def renamings() -> dict[str, tuple[str, ...]] | None:
    """XlsxWriter's renaming patterns by the literal end of their function's name ("ETS" ->
    ``\\bFORECAST.ETS\\(``, …), or None when its method holds anything else than plain renamings
    (then nothing is skipped)."""
    code = Worksheet._prepare_formula.__code__
    if set(code.co_names) != _EXPECTED_NAMES:
        return None
    found: dict[str, list[str]] = {}
    for text in (const for const in code.co_consts if isinstance(const, str)):
        if text in _EXPECTED_TEXTS or text.startswith("_xlfn."):  # what is stripped; a replacement
            continue
        if not (text.startswith(("\\b", "\\S")) and text.endswith("\\(") and "\\" not in text[2:-2]
                and "(" not in text[2:-2]):
            return None
        end = text[2:-2].rpartition(".")[2]  # after the last "." (any character, in a pattern)
        if not end or not end.isascii() or not end.replace("_", "a").isalnum():
            return None
        found.setdefault(end, []).append(text)
    return {end: tuple(patterns) for end, patterns in found.items()} or None


def stripped(formula: str) -> str:
    """The formula without a leading "{" and "=" and a trailing "}", as XlsxWriter strips it first."""
    if formula.startswith("{"):
        formula = formula[1:]
    if formula.startswith("="):
        formula = formula[1:]
    if formula.endswith("}"):
        formula = formula[:-1]
    return formula


def unchanged_by_renaming(formula: str) -> bool:
    """Whether none of XlsxWriter's renamings can match ``formula`` (False when not known): only the
    patterns whose end closes a run of word characters before a "(" are tried."""
    patterns = renamings()
    if patterns is None:
        return False
    longest = max(map(len, patterns))
    for name in _CALLS.findall(formula):
        for size in range(1, min(len(name), longest) + 1):
            tried = patterns.get(name[-size:], ())
            if any(re.search(pattern, formula) for pattern in tried):
                return False
    return True


def prepared(formula: str, future: bool, prepare: Callable[[str], str]) -> str:
    """``formula`` as ``prepare`` (XlsxWriter's method, bound) makes it; ``future``: whether the
    renamings of future functions run too (part of what is remembered)."""
    key = (formula, future)
    found = _PREPARED.get(key)
    if found is None:
        plain = stripped(formula)
        found = plain if unchanged_by_renaming(plain) else prepare(formula)
        if len(_PREPARED) >= PREPARED_KEPT:
            _PREPARED.clear()
        _PREPARED[key] = found
    return found
