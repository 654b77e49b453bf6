"""The shared-strings table (``xl/sharedStrings.xml``) found by the scanner, its wanted items decoded one at a time.

The same rules as ``scan.py``: a part in a form the scanner does not match raises ``Unsupported``
and is read by the XML parser; an item that is not plain text is parsed alone by it.
"""

from __future__ import annotations

import re
from typing import Callable
from xml.etree.ElementTree import Element

from ctre_xl.read.xlsx.scan import Unsupported, _checked, _fragment, _unescape_x, check_part, decoded_memo, xml_text

_SI = re.compile(rb"<si>([^<]*+(?:<(?!/si>)[^<]*+)*+)</si>|<si\s*/>")  # possessive, as scan._CONTENT
# The table as the scanner reads it: nothing but items and white space, each item in the forms
# Excel, LibreOffice and WPS write, every tag closed where it opens: a text, or rich-text runs (a
# run's properties are empty tags), then phonetic runs. So each item ends where the parser ends it: a
# "<si>" lost, a stray byte for a "<", a "</si>" cut to "</s>" would otherwise merge two items or
# drop one, and every later cell would read the text of another (the parser refuses such a part).
_ATTRIBUTES = rb'(?:\s++[A-Za-z][\w:.-]*+="[^"<]*+")*+\s*+'
_TEXT = rb'<t(?:\s++xml:space="preserve")?\s*+(?:>[^<]*+</t>|/>)'
_RUN = rb"<r>(?:<rPr>(?:<[A-Za-z]++" + _ATTRIBUTES + rb"/>)*+</rPr>|<rPr\s*+/>)?" + _TEXT + rb"</r>"
_PHONETIC = rb"<rPh" + _ATTRIBUTES + rb">" + _TEXT + rb"</rPh>|<phoneticPr" + _ATTRIBUTES + rb"/>"
_ONLY_ITEMS = re.compile(rb"(?:\s*+(?:<si>(?:" + _TEXT + rb"|(?:" + _RUN + rb")++)?(?:" + _PHONETIC + rb")*+</si>"
                         rb"|<si\s*+/>))*+\s*+")
_SIMPLE_SI = re.compile(rb'<t(?:\s+xml:space="preserve")?>([^<]*)</t>')
_DECODED_SI = decoded_memo()  # a simple shared-string item -> its text


class SharedStrings:
    """The shared-strings table, found by the scanner and decoded one wanted item at a time."""

    def __init__(self, data: bytes, rich_text: Callable[[Element], str]) -> None:
        body, self._namespace = check_part(data, "sst")
        region = _region_of_root(body)
        if _ONLY_ITEMS.fullmatch(region) is None:
            raise Unsupported("the table holds more than its items")
        items = _SI.findall(region)
        if region.count(b"<si") != len(items):
            raise Unsupported("a shared string in a form the scanner does not match")
        self._items = items
        self._rich_text = rich_text
        self._decoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._items)

    def text(self, index: int) -> str:
        """Item ``index`` exactly as ``cells._rich_text`` reads it from the parsed <si>."""
        found = self._decoded.get(index)
        if found is None:
            content = self._items[index]
            found = _DECODED_SI.get(content)  # the same labels in every file of a template
            if found is None:
                found = self._decode(content)
            self._decoded[index] = found
        return found

    def _decode(self, content: bytes) -> str:
        simple = _SIMPLE_SI.fullmatch(content) if b"&#" not in content else None
        if simple is None:
            return self._rich_text(_fragment(b"<si>" + content + b"</si>", self._namespace)) if content else ""
        found = _unescape_x(xml_text(simple[1]))
        _DECODED_SI.keep(content, found, len(content))
        return found


def _region_of_root(body: bytes) -> bytes:
    """The content of the root element of an <sst> part, checked like a sheet's region."""
    start = body.find(b"<sst")
    open_end = body.find(b">", start)
    if start < 0 or open_end < 0:
        raise Unsupported("truncated")
    if body[open_end - 1:open_end] == b"/":
        return b""
    end = body.rfind(b"</sst>")
    if end < open_end:
        raise Unsupported("truncated")
    return _checked(body[open_end + 1:end])
