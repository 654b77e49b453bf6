"""Reading a cell's value the way people type it.

Units fill their templates by hand, sometimes by copying from Word or Zalo, so a figure may arrive
as a number or as text. ``parse_value(raw, kind)`` turns what a cell held into a number and says
when the reading needed a guess. The rules, in the order they are applied:

Blank and no-data
  * An empty cell, or text made only of spaces (including non-breaking and thin spaces), is
    **no data** (``None``); an explicit ``0`` is zero.
  * A lone dash ("-", "–", "—") is read as no data, with a warning ("dash"): many reports use it
    for "nothing to report"; type 0 if zero is meant.

Normalising text before reading it
  * Unicode NFKC: full-width digits "１２３" become "123", non-breaking (U+00A0), thin (U+2009),
    narrow non-breaking (U+202F) and other Unicode spaces become ordinary spaces.
  * One leading apostrophe (Excel's "store as text" prefix) is dropped; surrounding spaces are
    dropped; the Unicode minus sign "−" reads as "-".

Numbers (``count`` and ``money`` cells)
  * A number stored as a number is used as is (Excel cells hold no thousands separators).
  * Spaces between digit groups are thousands separators: "1 234" and "1 234 567" → 1234, 1234567.
  * Vietnamese style: "." separates thousands, "," is the decimal mark: " 1.234 " → 1234,
    "1.234.567" → 1234567, "1.234,5" → 1234.5, "0,12" → 0.12, "12,5" → 12.5.
  * English style is accepted when it cannot be Vietnamese: "1,234,567" → 1234567,
    "1,234.5" → 1234.5, "1.5" (one dot, not followed by exactly three digits) → 1.5.
  * **Ambiguous**: one comma followed by exactly three digits, after a non-zero whole part
    ("1,234", "12,500"), could be a Vietnamese decimal (1.234) or an English thousands separator
    (1234). Cells hold counts of people and amounts in đồng, so it is read as **thousands
    (1234)** and a warning ("ambiguous") asks the unit to check. "0,123" is not ambiguous (0.123).
  * A percent sign ("12%", "12 %") gives the number before it (12) with a warning
    ("percent_in_count"): the cell asks for a count, not a rate; rates are computed, never typed.
    (A number Excel stores as 0.12 and merely *displays* as 12% is read as 0.12: cell formats
    are not read.)
  * A sign is kept: "-5" → -5 (validation then says counts cannot be negative).
  * Anything else — words, several numbers, a unit after the number ("12 em") — is
    **not_a_number** (an error naming what was typed).

Money (``money`` cells only; a count never accepts these words)
  * An amount with words or the currency is read in đồng with a warning ("money_words"):
    "150 triệu" → 150000000, "1,5 tỷ" and "1.5 tỷ đồng" → 1500000000, "2 tr" → 2000000,
    "132.500.000 đ" → 132500000, "150.000 VNĐ" → 150000, "1 tỷ 200 triệu" → 1200000000.
    Words: nghìn/ngàn/k, triệu/tr, tỷ/tỉ (larger first); currency: đ, đồng, VNĐ, VND, ₫.
  * A boolean (TRUE/FALSE) in a number cell is not_a_number.

Yes/no (``yes_no`` cells)
  * Yes (1): "Có", "có", "co", "x", "X", "✓", "✔", "☑", "yes", "y", "true", "đạt", "1", the
    number 1 and the boolean TRUE.
  * No (0): "Không", "không", "khong", "k", "ko", "no", "n", "false", "✗", "✘", "☐",
    "chưa", "chưa đạt", "0", the number 0 and the boolean FALSE.
  * Case, accents and surrounding spaces are ignored. Anything else is an error ("not_yes_no").

Text and dates (preparer's name and phone, notes, report date) are not parsed here: they are kept
exactly as typed. ``parse_report_date`` reads the report date: an Excel date serial (1900 system),
or text "dd/mm/yyyy" (also with "-" or "."), or ISO "yyyy-mm-dd".
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ctre_xl.plan.catalog import fold
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.vocab import ElementKind, Severity
from ctre_xl.text import format_number

# The problems a typed value can have (their severity and words: plan/finding_kinds.py).
NOT_A_NUMBER = FindingKind.NOT_A_NUMBER
NOT_YES_NO = FindingKind.NOT_YES_NO
AMBIGUOUS = FindingKind.AMBIGUOUS
PERCENT_IN_COUNT = FindingKind.PERCENT_IN_COUNT
DASH = FindingKind.DASH
MONEY_WORDS = FindingKind.MONEY_WORDS
IMPLAUSIBLE = FindingKind.IMPLAUSIBLE
# Beyond these no figure of a commune is true (people; đồng): a slip or a hostile file, never a
# figure to add up (so no sum of units can pass the float range).
MAX_COUNT, MAX_MONEY = 10_000_000, 10**15

YES_WORDS = frozenset({"co", "x", "✓", "✔", "☑", "yes", "y", "true", "dat", "1", "có"})
NO_WORDS = frozenset({"khong", "k", "ko", "no", "n", "false", "✗", "✘", "☐", "chua", "chua dat", "0"})
_DASHES = frozenset({"-", "–", "—", "‒", "―"})

_SIGN = r"(?P<sign>[-+]?)"
# Each pattern yields (whole-part groups joined, fraction) once separators are removed.
_PLAIN = re.compile(_SIGN + r"(?P<whole>\d+)(?:[.,](?P<frac>\d+))?$")
_SPACED = re.compile(_SIGN + r"(?P<whole>\d{1,3}(?: \d{3})+)(?:[.,](?P<frac>\d+))?$")
_VN_GROUPED = re.compile(_SIGN + r"(?P<whole>\d{1,3}(?:\.\d{3})+)(?:,(?P<frac>\d+))?$")
_EN_GROUPED = re.compile(_SIGN + r"(?P<whole>\d{1,3}(?:,\d{3})+)(?:\.(?P<frac>\d+))?$")
# Amounts in words, matched on folded text (no accents, đ -> d): "triệu" is "trieu", "tỷ" is "ty".
_SCALES = {"nghin": 1e3, "ngan": 1e3, "k": 1e3, "trieu": 1e6, "tr": 1e6, "ty": 1e9, "ti": 1e9}
_MULTIPLIED = re.compile(r"(\d[\d.,]*)\s*(nghin|ngan|trieu|tr|ty|ti|k)\b\.?")
_MONEY_PHRASE = re.compile(r"\s*(?:\d[\d.,]*\s*(?:nghin|ngan|trieu|tr|ty|ti|k)\b\.?\s*)+")
_CURRENCY = re.compile(r"\s*(?:dong|vnd|d|₫)\.?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of the 1900 date system (Excel's leap-year bug included)
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


@dataclass(frozen=True)
class ParsedValue:
    """What a cell's content means: the number (or None), and what was doubtful about it."""

    value: float | None
    problem: FindingKind | None = None  # one of the problem kinds above
    note: str = ""  # Vietnamese, says what was read and what to do
    variant: str = ""  # which message of the problem's kind
    fields: tuple[tuple[str, str], ...] = ()  # the message's placeholders, for the finding

    @property
    def severity(self) -> Severity | None:
        return self.problem.severity(self.variant) if self.problem else None


def _problem(number: float | None, kind: FindingKind, variant: str = "", /, **fields: str) -> ParsedValue:
    return ParsedValue(number, kind, kind.note(variant, **fields), variant, tuple(fields.items()))


def normalise_text(text: str) -> str:
    """NFKC, ordinary spaces, no Excel apostrophe prefix, no surrounding blanks."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if ch.isspace() or unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = text.replace("−", "-").strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return " ".join(text.split())


def shown(raw: object) -> str:
    """How a raw value is quoted in a message: text as typed, numbers without a useless .0."""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e16:
        return str(int(raw))
    return str(raw).strip()


def parse_value(raw: object, kind: ElementKind) -> ParsedValue:
    """Read ``raw`` (a cell's stored value: None, bool, number or text) as an element of ``kind``."""
    if kind == ElementKind.YES_NO:
        return parse_yes_no(raw)
    parsed = parse_money(raw) if kind == ElementKind.MONEY else parse_number(raw)
    if parsed.value is None:
        return parsed
    return implausible(parsed.value, kind, raw) or parsed


def implausible(number: float, kind: ElementKind, raw: object) -> ParsedValue | None:
    """No value (and why) when ``number`` cannot be a real figure of ``kind``: not finite (NaN,
    INF, 400 digits, "=1E308*10") or beyond ``MAX_COUNT`` people / ``MAX_MONEY`` đồng."""
    if not math.isfinite(number):
        return _problem(None, IMPLAUSIBLE, "not_finite", raw=_quoted(raw))
    limit = MAX_MONEY if kind == ElementKind.MONEY else MAX_COUNT
    if kind != ElementKind.YES_NO and abs(number) > limit:
        return _problem(None, IMPLAUSIBLE, raw=_quoted(raw), limit=format_number(limit))
    return None


def _quoted(raw: object) -> str:  # 400 digits are not quoted whole
    text = shown(raw)
    return text if len(text) <= 40 else f"{text[:40]}… ({len(text)} ký tự)"


def parse_money(raw: object) -> ParsedValue:
    """A number, or an amount in words ("150 triệu", "1,5 tỷ", "132.500.000 đ") read with a warning."""
    plain = parse_number(raw)
    if plain.problem != NOT_A_NUMBER or not isinstance(raw, str):
        return plain
    amount = _money_words(normalise_text(raw))
    if amount is None:
        return plain
    return _problem(amount, MONEY_WORDS, raw=shown(raw), value=format_number(amount))


def _money_words(text: str) -> float | None:
    """The amount in đồng of "1 tỷ 200 triệu đồng", "2 tr", "150.000 VNĐ"; None if it is not one."""
    sign = -1.0 if text.startswith("-") else 1.0
    folded = fold(text.lstrip("+-"))
    bare = _CURRENCY.sub("", folded)
    if bare != folded and not _MULTIPLIED.search(bare):  # "150.000 VNĐ": a number and the currency
        number, _ambiguous = _read_number_text(bare.strip())
        return None if number is None else sign * number
    if not _MONEY_PHRASE.fullmatch(bare):
        return None
    amount, last = 0.0, float("inf")
    for part, word in _MULTIPLIED.findall(bare):
        number, _ambiguous = _read_number_text(part)
        scale = _SCALES[word]
        if number is None or scale >= last:  # "1 tỷ 200 triệu", never "200 triệu 1 tỷ"
            return None
        amount, last = amount + number * scale, scale
    return sign * (round(amount) if abs(amount - round(amount)) < 1e-6 else amount)


def parse_number(raw: object) -> ParsedValue:
    if raw is None:
        return ParsedValue(None)
    if isinstance(raw, bool):
        return _problem(None, NOT_A_NUMBER, "boolean", raw="TRUE" if raw else "FALSE")
    if isinstance(raw, (int, float)):
        try:
            return ParsedValue(float(raw))
        except OverflowError:  # an int of 400 digits
            return ParsedValue(math.inf)
    text = normalise_text(str(raw))
    if not text:
        return ParsedValue(None)
    if text in _DASHES:
        return _problem(None, DASH, raw=text)
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    number, ambiguous = _read_number_text(text)
    if number is None:
        return _problem(None, NOT_A_NUMBER, raw=shown(raw))
    if percent:
        return _problem(number, PERCENT_IN_COUNT, raw=shown(raw), value=format_number(number))
    if ambiguous:
        return _problem(number, AMBIGUOUS, raw=shown(raw), value=format_number(number),
                        alternative=format_number(number / 1000))
    return ParsedValue(number)


def _read_number_text(text: str) -> tuple[float | None, bool]:
    """(number, ambiguous) for a normalised text, or (None, False) when it is not a number."""
    match = _EN_GROUPED.match(text)
    if match and "," in match["whole"]:
        groups = match["whole"].split(",")
        if len(groups) == 2 and match["frac"] is None and groups[0] != "0":
            return _number(match["sign"], "".join(groups), None), True  # "1,234": see module docstring
        if groups[0] != "0":
            return _number(match["sign"], "".join(groups), match["frac"]), False
    match = _VN_GROUPED.match(text)
    if match and match["whole"].split(".")[0] != "0":
        return _number(match["sign"], match["whole"].replace(".", ""), match["frac"]), False
    match = _SPACED.match(text)
    if match:
        return _number(match["sign"], match["whole"].replace(" ", ""), match["frac"]), False
    match = _PLAIN.match(text.replace(" ", "") if re.fullmatch(r"[-+] \d.*", text) else text)
    if match:
        return _number(match["sign"], match["whole"], match["frac"]), False
    return None, False


def _number(sign: str, whole: str, fraction: str | None) -> float:
    value = float(f"{whole}.{fraction}" if fraction else whole)
    return -value if sign == "-" else value


def parse_yes_no(raw: object) -> ParsedValue:
    if raw is None:
        return ParsedValue(None)
    if isinstance(raw, bool):
        return ParsedValue(1.0 if raw else 0.0)
    if isinstance(raw, (int, float)):
        if raw in (0, 1):
            return ParsedValue(float(raw))
        return _problem(None, NOT_YES_NO, raw=shown(raw))
    text = normalise_text(str(raw))
    if not text:
        return ParsedValue(None)
    word = fold(text).rstrip(".!")
    if word in YES_WORDS or text in YES_WORDS:
        return ParsedValue(1.0)
    if word in NO_WORDS or text in NO_WORDS:
        return ParsedValue(0.0)
    if text in _DASHES:
        return _problem(None, DASH, "yes_no", raw=text)
    return _problem(None, NOT_YES_NO, raw=shown(raw))


def excel_serial_to_date(serial: float, date1904: bool = False) -> date | None:
    """An Excel date serial -> date (1900 system unless the workbook says 1904); None if absurd."""
    if not serial >= 1 or serial > 2_958_465:  # 9999-12-31 (NaN fails the first test)
        return None
    base = date(1904, 1, 1) if date1904 else _EXCEL_EPOCH
    return base + timedelta(days=int(serial))


def parse_report_date(raw: object, date1904: bool = False) -> date | None:
    """The report date as typed: a date serial, a date object, or text dd/mm/yyyy (or ISO)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)):
        return excel_serial_to_date(float(raw), date1904)
    text = normalise_text(str(raw))
    match = _DATE_TEXT.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO_DATE.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


EARLIEST_SAVE_YEAR = 1990  # a saved time before this is a default or a broken clock, not evidence


def parse_saved_time(text: str | None) -> datetime | None:
    """A package's last-saved time (W3CDTF in docProps/core.xml, xsd:dateTime in meta.xml) as an
    aware datetime. A time without a zone (LibreOffice writes local time) is taken as this
    computer's local time. None when absent or implausible: the time is evidence, never a figure."""
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text.strip())
        if found.year < EARLIEST_SAVE_YEAR:
            return None
        return found.astimezone() if found.tzinfo is None else found
    except (ValueError, OverflowError, OSError):
        return None


# ----------------------------------------------------------------------------- formulas

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?|([-+*/()]))")


def evaluate_literal_formula(formula: str) -> float | None:
    """The value of a formula made only of number literals, + - * / and parentheses ("120+35",
    "=(10+5)*2"); None for anything else (cell references, functions) or a division by zero.

    A cached formula result is never trusted; this recomputes the harmless case people do type.
    """
    text = formula.strip().lstrip("=").strip()
    if not text or len(text) > 200:
        return None
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            return None
        tokens.append(match.group(0).strip())
        position = match.end()
    parser = _Arithmetic(tokens)
    try:
        value = parser.expression()
    except (ValueError, ZeroDivisionError, IndexError, RecursionError):
        return None
    return value if parser.done else None  # may be INF or NaN ("1E308*10"): the caller judges it


class _Arithmetic:
    """Recursive descent over + - * / ( ) and numbers; nothing else exists here."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.at, self.depth = tokens, 0, 0

    @property
    def done(self) -> bool:
        return self.at == len(self.tokens)

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expression(self) -> float:
        value = self.term()
        while self._peek() in ("+", "-"):
            operator = self.tokens[self.at]
            self.at += 1
            value = value + self.term() if operator == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.factor()
        while self._peek() in ("*", "/"):
            operator = self.tokens[self.at]
            self.at += 1
            value = value * self.factor() if operator == "*" else value / self.factor()
        return value

    def factor(self) -> float:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end")
        self.at += 1
        if token in ("+", "-"):
            value = self.factor()
            return -value if token == "-" else value
        if token == "(":
            self.depth += 1
            if self.depth > 20:
                raise ValueError("too deep")
            value = self.expression()
            if self._peek() != ")":
                raise ValueError("missing )")
            self.at += 1
            self.depth -= 1
            return value
        return float(token)
