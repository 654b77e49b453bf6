"""Hardened XML parsing: every XML part of a workbook goes through defusedxml.

Workbooks arrive from outside; an XML part with entity declarations ("billion laughs"), external
entities or DTDs is refused instead of parsed.
"""

from __future__ import annotations

from ctre_xl.errors import CtreError


def require_defusedxml() -> None:
    """Refuse to run without a working defusedxml (the inbox is untrusted input)."""
    try:
        import defusedxml
        from defusedxml import ElementTree as SafeElementTree
        from defusedxml.common import EntitiesForbidden
    except ImportError as exc:  # tests hide the module to exercise this
        raise CtreError(
            "Thiếu thư viện defusedxml (bắt buộc để đọc an toàn các tệp nhận được). "
            "Cài đặt lại: pip install defusedxml"
        ) from exc
    probe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    try:
        SafeElementTree.fromstring(probe)
    except EntitiesForbidden:
        return
    raise CtreError(  # a broken build that parses entities
        f"Thư viện defusedxml {getattr(defusedxml, '__version__', '?')} không chặn được XML nguy hiểm; "
        "cài đặt lại: pip install -U defusedxml"
    )
