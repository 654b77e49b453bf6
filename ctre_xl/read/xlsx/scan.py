"""A fast scanner for the cells of SpreadsheetML parts, used only where it is provably equivalent.

Building an ElementTree of every sheet costs more than everything else a merge does per file
(thousands of files, a few hundred cells each, of which a few dozen are wanted). This module finds
the ``<row>`` and ``<c>`` elements of a sheet with regular expressions over the bytes, and decodes
only the cells that are wanted (``strings.py`` does the same for the shared-strings table).

It is a fast path, not a second reader: ``workbook.XlsxWorkbook`` keeps the XML parser as the reference
implementation and uses this scanner only on parts that

* were proven DTD-free (no ``<!DOCTYPE``/``<!ENTITY``: no entity can be declared, so none can
  expand) and are UTF-8 by their declaration;
* use the SpreadsheetML namespace as the default namespace of their root, and no element prefix,
  comment, CDATA section or processing instruction inside the scanned region;
* contain no character that XML forbids (a control character, U+FFFE, U+FFFF: the parser would call the part corrupt);
* have every ``<row>`` and ``<c>`` in the plain form this scanner matches (``r`` first, double
  quotes, no ``<`` in an attribute), every tag inside a cell well formed, rows neither nested nor
  left open, and nothing else in ``sheetData`` but white space: every other character is matched
  as such and refused (``_TOKEN``).

Anything else raises ``Unsupported`` and the caller parses the part with the XML parser. A cell
whose content is not the plain ``<f>..</f><v>..</v>`` / ``<is><t>..</t></is>`` form (rich text,
shared formulas, numeric character references...) is parsed alone by the XML parser. Tests compare
both paths on every workbook they build (tests/test_xlsx_scan.py).

A damaged part: the parser refuses any part that is not well formed. The scanner checks what could
change what is read -- where each cell starts and ends, the attributes of each cell it reads, the
start of the rows -- and refuses the part otherwise. It does not check what no reading depends on
(an attribute written twice in a cell not read, an unbalanced tag inside it, the part outside
``sheetData``): such a file is read, and gives what the parser gives of it undamaged
(tests/test_xlsx_damaged.py), where the parser would reject it as damaged.
"""

from __future__ import annotations

import re
from typing import Callable
from xml.etree.ElementTree import XML, Element, ParseError

from ctre_xl.memo import Memo
from ctre_xl.read.package import has_doctype
from ctre_xl.read.xlsx.wanted import letters_wanted
from ctre_xl.text import clean_text

NS_MAIN = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           b"http://purl.oclc.org/ooxml/spreadsheetml/main")

RawCell = tuple[str, "str | None", "str | None", "str | None"]  # type, <v>, formula, inline string


class Unsupported(Exception):
    """The part is not in the form the scanner handles: parse it with the XML parser."""


_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_ROOT = re.compile(rb"(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>",
                   re.S)
_DEFAULT_NS = re.compile(rb"\sxmlns\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_PREFIXED = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_SPECIAL = re.compile(rb"<[!?]")  # comment/CDATA, processing instruction (one pass: faster than two "in")
_FORBIDDEN_CONTROLS = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))

# A tag inside a cell, and an attribute, in the only forms XML allows (the parser refuses any other),
# so that each cell ends where the parser would end it: a malformed tag in a cell nobody reads must
# not swallow the cell after it. An attribute: a name, "=", a quoted value without "<".
_NAME = rb"[A-Za-z_][\w.-]*+"
_ATTRIBUTE_NAME_FORM = rb"[A-Za-z_][\w.:-]*+"  # an attribute's name as XML allows it (a prefix too)
_VALUE = rb"""(?:"[^"<]*+"|'[^'<]*+')"""
_ATTRIBUTE = rb"\s++" + _ATTRIBUTE_NAME_FORM + rb"\s*+=\s*+" + _VALUE


def _attributes_after_r(name: bytes) -> bytes:
    """Attributes of names ``name``, with quoted values, none of them a second "r"."""
    return rb"(?:\s++(?!r\s*+=)" + name + rb"\s*+=\s*+" + _VALUE + rb")*+\s*+"


# A row's or cell's attributes after its reference: names with quoted values, none of them a second
# "r", so that a damage cannot give a row another number (r="1"4") nor hide a cell among the
# attributes of the one before it (a deleted "></c><"). The usual forms come first, only to be matched
# faster: names without an "r" (so never "r"), one space before each.
_ATTRIBUTES = _attributes_after_r(rb"""[^\s"'=<>/]++""")
ROW_ATTRIBUTES = rb'(?: [a-qs-zA-Z]++="[^"<]*+")*+' + _ATTRIBUTES
CELL_ATTRIBUTES = rb'(?: [st]="[0-9a-zA-Z]++")*+' + _ATTRIBUTES
_TAG = rb"(?:/" + _NAME + rb"\s*+>|" + _NAME + rb"(?:" + _ATTRIBUTE + rb")*+\s*+/?>)"
# The content of a cell: text and such tags up to its own end tag, except what the parser would read
# differently (comment, CDATA, processing instruction, prefixed element) or a nested cell or row:
# a "<c" (which also refuses rich-text runs' <color>/<charset>/<condense>: their part goes to the
# parser), "</c " or a row's tag.
_CONTENT = (rb"[^<]*+(?:<(?![!?c]|/c[\s>]|/?row|/?[A-Za-z_][\w.-]*:)" + _TAG
            + rb"[^<]*+)*+")  # possessive: no backtracking memory
# A cell's content as the scanners match it: the two forms nearly every cell has first (only to be
# matched faster: they are forms of _CONTENT too), then _CONTENT.
CELL_CONTENT = rb'(?:<v>[^<]*+</v>|<is><t>[^<]*+</t></is>|' + _CONTENT + rb')'
# Every token of sheetData, in order: a cell with its column letters (A..ZZ), other attributes and
# content, a row start with its number and other attributes (with the end of the row before it, if
# any; self-closed if they end with "/"), the last row end, or -- the last group --
# any other non-blank character, which sends the part to the parser. Nothing but white space is ever
# skipped, so nothing can hide between tokens (nor inside an attribute: no "<" there); scan_sheet
# checks that rows are neither nested nor left open.
_TOKEN = re.compile(rb'\s*(?:<c\s+r="([A-Z]{1,2})\d{1,7}"(' + CELL_ATTRIBUTES + rb')(?:/>|>(' + CELL_CONTENT + rb')</c>)'
                    rb'|(</row>\s*)?<row\s+r="(\d{1,7})"(' + ROW_ATTRIBUTES + rb'/?)>'
                    rb'|</row>'
                    rb'|(\S))')  # cells first: they are most of the tokens
# The attributes of a cell that is read, after its reference: names as XML allows them too.
_READ_CELL_ATTRIBUTES = re.compile(_attributes_after_r(_ATTRIBUTE_NAME_FORM))
_SIMPLE_CONTENT = re.compile(rb'(?:<f>([^<]*)</f>|(<f/>))?(?:<v>([^<]*)</v>|<v/>)?'
                             rb'(?:<is><t(?:\s+xml:space="preserve")?>([^<]*)</t></is>)?')
_TYPE = re.compile(rb'(?:^|\s)t\s*=\s*"([^"]*)"')
_ATTRIBUTE_NAME = re.compile(rb"([^\s=]+)\s*=")
_TAG_NAME_ENDS = (b">", b"/", b" ", b"\t", b"\n", b"\r")
CONTENT_STARTS = (b"<v", b"<is", b"<f")  # a cell with one of these has content (scan_sheet tests them inline)
LAZY_FROM = 256 * 1024  # sheet regions larger than this are tokenised lazily
_DIMENSION = re.compile(rb'<dimension\s+ref="([^"&<]*)"\s*/?>')

_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def check_part(data: bytes, root: str) -> tuple[bytes, str]:
    """(body without BOM, namespace) of a part the scanner may read; raises Unsupported otherwise.

    The caller has already refused DOCTYPE/ENTITY (see ``package.parse_xml``); this is checked again
    here so that the scanner can never be reached by a part with a document type declaration.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body[:1] != b"<" or has_doctype(body):
        raise Unsupported("not plain XML")
    if body.startswith(b"<?xml"):
        declared = _DECLARATION.match(body)
        if declared and declared[1].lower() not in (b"utf-8", b"utf8"):
            raise Unsupported("not UTF-8")
    found = _ROOT.match(body)
    if not found or found[1] != root.encode():
        raise Unsupported("unexpected root")
    namespace = _DEFAULT_NS.search(found[2])
    uri = (namespace[1] if namespace[1] is not None else namespace[2]) if namespace else None
    if uri not in NS_MAIN:
        raise Unsupported("unexpected namespace")
    return body, "{" + uri.decode() + "}"


def _region(body: bytes, start_tag: bytes, end_tag: bytes,
            check: Callable[[bytes], bytes] | None = None) -> bytes:
    """The bytes between ``<sheetData ...>`` and ``</sheetData>`` (b"" when self-closed)."""
    start = body.find(start_tag)
    if start < 0 or body[start + len(start_tag):start + len(start_tag) + 1] not in _TAG_NAME_ENDS:
        raise Unsupported("region not found")  # none, under a prefix, or a damaged tag: the parser says which
    open_end = body.find(b">", start)
    if open_end < 0:
        raise Unsupported("truncated")
    closed = body[open_end - 1:open_end] == b"/"
    end = open_end if closed else body.rfind(end_tag, open_end)  # from the end, where it is
    if end < 0:
        raise Unsupported("truncated")
    # A second region: inside this one, its tokens refuse it; after it, it is found in the short
    # tail (a search of the whole part for a text beginning "<" costs as much as reading it).
    if body.find(start_tag, end) >= 0:
        raise Unsupported("region twice")
    return b"" if closed else (check or _checked)(body[open_end + 1:end])


def _forbids(region: bytes) -> bool:
    """Whether ``region`` holds a character XML forbids: a control character, or U+FFFE, U+FFFF
    (UTF-8 EF BF BE, EF BF BF; the parser calls the part corrupt, never reads past them)."""
    if len(region.translate(None, _FORBIDDEN_CONTROLS)) != len(region):
        return True
    return b"\xef" in region and (b"\xef\xbf\xbe" in region or b"\xef\xbf\xbf" in region)  # one byte: found at memory speed


def _checked_lightly(region: bytes) -> bytes:
    """``_checked`` for a sheet's region, whose comments, CDATA, PIs and prefixes ``_TOKEN``
    refuses itself: no namespace declaration, no character XML forbids."""
    if b"xmlns" in region or _forbids(region):
        raise Unsupported("namespace or a character XML forbids")
    return region


def _checked(region: bytes) -> bytes:
    """``region`` when it has no element prefix, comment, CDATA, PI, namespace declaration or
    character XML forbids (the parser would call the part corrupt)."""
    if b"xmlns" in region or _SPECIAL.search(region) or _PREFIXED.search(region) or _forbids(region):
        raise Unsupported("prefix, comment, CDATA, PI, namespace or a character XML forbids")
    return region


def xml_text(raw: bytes) -> str:
    """Character data as the XML parser reports it: UTF-8, line ends normalised, entities decoded."""
    if raw.isascii() and b"&" not in raw and b"\r" not in raw and b"]]>" not in raw:
        return raw.decode("ascii")
    text = _utf8(raw)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        if text.count("&") != len(_ENTITY.findall(text)):
            raise Unsupported("undeclared entity")  # the parser decides (it refuses them)
        text = _ENTITY.sub(_entity, text)
    if b"]]>" in raw:
        raise Unsupported("']]>' in text")  # not allowed in character data
    return text


def _utf8(raw: bytes) -> str:
    """Bytes of the part as text; a sequence that is not UTF-8 is the parser's to refuse (the part
    is then damaged), never an error of the scanner's own."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported("not UTF-8") from exc


def _entity(match: re.Match[str]) -> str:
    if match[1]:
        return _NAMED[match[1]]
    code = int(match[2]) if match[2] else int(match[3], 16)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    raise Unsupported("reference to a character XML forbids")


def scan_sheet(region: bytes, namespace: str, wanted: frozenset[tuple[int, int]], wanted_columns: frozenset[int],
               max_row: int | None, last: int, columns: dict[bytes, int],
               parse_cell: Callable[[Element], RawCell]) -> tuple[dict[tuple[int, int], RawCell], int | None]:
    """(raw wanted cells, first row with content past ``last``) of a worksheet's ``sheetData`` region
    (``sheet_region``), with exactly the meaning of the XML-parser path in ``workbook.XlsxWorkbook.read_cells``."""
    raw: dict[tuple[int, int], RawCell] = {}
    content_below = None
    row_number = -1
    in_rows_past = False
    row_open = False  # between <row> and </row>: cells belong to that row (the parser's view)
    # The column letters wanted in each row, so that a cell not wanted costs one look-up: those
    # of ``wanted_columns`` in every row up to ``max_row``, and those of the cells wanted there.
    everywhere, with_columns, cells_only = letters_wanted(frozenset(wanted), wanted_columns)
    nowhere: frozenset[bytes] = frozenset()
    wanted_here = nowhere
    # findall is the fast form, but it builds every token first: a large region (a few KB of
    # deflate make megabytes of one-character tokens) is walked lazily instead.
    tokens = _TOKEN.findall(region) if len(region) <= LAZY_FROM else (m.groups(b"") for m in _TOKEN.finditer(region))
    for letters, attributes, content, closed, row, row_attributes, other in tokens:
        if not letters:
            if row:
                if row_open != bool(closed):
                    raise Unsupported("a row inside a row, or an end of row without its start")
                row_open = not row_attributes.endswith(b"/")
                row_number = int(row) - 1
                in_rows_past = row_number > last
                within = max_row is None or row_number <= max_row
                if row_number in cells_only:
                    wanted_here = (with_columns if within else cells_only)[row_number]
                else:
                    wanted_here = everywhere if within else nowhere
            elif other:  # anything but a row, a cell, an end of row or white space (see _TOKEN)
                raise Unsupported("a row or cell in a form the scanner does not match")
            else:  # the last </row>
                if not row_open:
                    raise Unsupported("an end of row without its start")
                row_open = False
            continue
        if not row_open:
            raise Unsupported("a cell outside a row")
        if in_rows_past:
            if content and (b"<v" in content or b"<is" in content or b"<f" in content):
                content_below = row_number
                break
            continue
        if letters not in wanted_here:  # (letters past ZZ are no cell of _TOKEN: the parser reads those)
            continue
        key = (row_number, columns[letters])
        if key in raw:
            raise Unsupported("a cell written twice")  # the parser's path settles and reports the copies
        raw[key] = _raw_cell(attributes, content, namespace, parse_cell)
    else:
        if row_open:
            raise Unsupported("a row without its end")
    return raw, content_below


def sheet_region(data: bytes) -> tuple[bytes, str, str | None]:
    """(sheetData region, namespace, dimension) of a worksheet part; Unsupported if not plain."""
    body, namespace = check_part(data, "worksheet")
    dimension = _dimension(body)
    return _region(body, b"<sheetData", b"</sheetData>", _checked_lightly), namespace, dimension


def _dimension(body: bytes) -> str | None:
    """The sheet's ``<dimension ref>`` (before sheetData), or None when it has none."""
    head_end = body.find(b"<sheetData")
    head = body[:head_end if head_end >= 0 else len(body)]
    if b"<dimension" not in head:
        return None
    found = _DIMENSION.search(head)
    if found is None or head.count(b"<dimension") != 1:
        raise Unsupported("dimension in an unexpected form")
    return _utf8(found[1])


MAX_DECODED = 8192  # entries of each memo below
MAX_DECODED_BYTES = 2048  # a cell or item longer than this (a free text) is decoded every time
MAX_DECODED_TOTAL = 4 * 1024 * 1024  # bytes of keys per memo; then it starts afresh


def decoded_memo() -> Memo:
    """What was decoded from a cell or string, keyed by what it was decoded from (the decoding is a
    pure function of it: neither the namespace, the parser nor the shared-strings table is involved),
    because the labels and blank cells of one template repeat across the thousands of files of a
    merge. Successes only (a refusal is raised again each time); sizes in bytes of the key."""
    return Memo(MAX_DECODED, MAX_DECODED_BYTES, MAX_DECODED_TOTAL)


_DECODED = decoded_memo()  # (attributes, content) of a cell -> its RawCell


def _raw_cell(attributes: bytes, content: bytes, namespace: str,
              parse_cell: Callable[[Element], RawCell]) -> RawCell:
    """(type, value, formula, inline string) of one matched cell, as ``cells._raw_cell`` reads it."""
    key = (attributes, content)
    found = _DECODED.get(key)
    if found is not None:
        return found
    found, pure = _decode_cell(attributes, content, namespace, parse_cell)
    if pure:
        _DECODED.keep(key, found, len(attributes) + len(content))
    return found


def _decode_cell(attributes: bytes, content: bytes, namespace: str,
                 parse_cell: Callable[[Element], RawCell]) -> tuple[RawCell, bool]:
    """``_raw_cell``'s answer, and whether the scanner decoded it alone (not through the parser)."""
    at = attributes.find(b' t="') + 4
    close = attributes.find(b'"', at) if at >= 4 else -1
    if b"&" in attributes or b"'" in attributes:  # an entity or other quotes: only the parser reads them right
        return parse_cell(_fragment(_cell_element(attributes, content), namespace)), False
    if _malformed(attributes):
        raise Unsupported("a read cell's attributes malformed")  # the parser refuses the part: so must we
    if close >= 0:
        kind = _utf8(attributes[at:close])
    else:
        typed = _TYPE.search(attributes) if b"t" in attributes else None
        kind = "n" if typed is None else _utf8(typed[1])
    if not content:
        return (kind, None, None, None), True
    # The two forms nearly every cell has, without a regular expression: <v>..</v>, <is><t>..</t></is>.
    lt = content.count(b"<")
    if lt == 2 and content[:3] == b"<v>" and content[-4:] == b"</v>":
        value = content[3:-4]
        return (kind, (xml_text(value) or None) if value else None, None, None), True
    if lt == 4 and content[:7] == b"<is><t>" and content[-9:] == b"</t></is>":
        return (kind, None, None, _unescape_x(xml_text(content[7:-9]))), True
    simple = _SIMPLE_CONTENT.fullmatch(content) if b"&#" not in content else None
    if simple is None:
        return parse_cell(_fragment(_cell_element(attributes, content), namespace)), False
    formula_text, empty_formula, value, inline = simple.groups()
    formula = xml_text(formula_text) if formula_text is not None else ("" if empty_formula else None)
    return (kind, (xml_text(value) or None) if value else None, formula,
            _unescape_x(xml_text(inline)) if inline is not None else None), True


def _malformed(attributes: bytes) -> bool:
    """Whether a read cell's attributes are not as XML writes them, or one is written twice (a
    value holding "name=" may say so wrongly: the parser then decides). The good ones are kept:
    every file of a template repeats a few (' s="38" t="n"')."""
    if attributes in _GOOD_ATTRIBUTES:
        return False
    if _READ_CELL_ATTRIBUTES.fullmatch(attributes) is None:
        return True
    names = _ATTRIBUTE_NAME.findall(attributes) if attributes.count(b"=") > 1 else ()
    if len(set(names)) != len(names):
        return True
    _GOOD_ATTRIBUTES.keep(attributes, True, len(attributes))
    return False


_GOOD_ATTRIBUTES = decoded_memo()  # attributes of read cells found well formed -> True


def _cell_element(attributes: bytes, content: bytes) -> bytes:
    """A matched cell written back as one element, for the XML parser (with a reference, so that a
    second one is refused; its own is not needed: the scanner knows where the cell is; an empty
    element reads the same as a self-closed one)."""
    return b'<c r="A1"' + attributes + b">" + content + b"</c>"


def _fragment(whole: bytes, namespace: str) -> Element:
    """One element parsed alone by the XML parser, in the part's default namespace (the part has
    been proven DTD-free, and a fragment cannot carry a DOCTYPE: it starts with its own tag)."""
    uri = namespace[1:-1].encode()
    if len(whole) > LAZY_FROM:
        raise Unsupported("a large fragment")  # the streaming parser reads it, under its depth limit
    try:
        return XML(b'<wrap xmlns="' + uri + b'">' + whole + b"</wrap>")[0]
    except (ParseError, IndexError) as exc:
        raise Unsupported("fragment the parser refuses alone") from exc


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_x(text: str) -> str:
    # "_xD83D__xDE00_" is one character in two halves; a half alone becomes U+FFFD (clean_text)
    return clean_text(_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)) if "_x" in text else text
