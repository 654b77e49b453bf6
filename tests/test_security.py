"""defusedxml guards every workbook read: without a working one, ctre-xl refuses to start."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from ctre_xl.cli import main


@pytest.mark.parametrize("command", [["catalog"], ["merge", "--year", "2026"], ["templates", "--year", "2026"]])
def test_refuses_to_start_without_defusedxml(monkeypatch, tmp_path, command) -> None:
    import defusedxml.common  # noqa: F401 - imported so every submodule is listed below

    for name in [m for m in sys.modules if m == "defusedxml" or m.startswith("defusedxml.")]:
        monkeypatch.setitem(sys.modules, name, None)  # import now raises ImportError
    outcome = CliRunner().invoke(main, ["--workspace", str(tmp_path), *command])
    assert outcome.exit_code == 2
    assert "Thiếu thư viện defusedxml" in outcome.output
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "templates").exists()


def test_refuses_a_defusedxml_that_lets_entities_through(monkeypatch, tmp_path) -> None:
    import defusedxml.ElementTree as safe
    import xml.etree.ElementTree as plain

    monkeypatch.setattr(safe, "fromstring", plain.fromstring)  # a broken, non-defusing build
    outcome = CliRunner().invoke(main, ["--workspace", str(tmp_path), "catalog"])
    assert outcome.exit_code == 2
    assert "không chặn được XML nguy hiểm" in outcome.output


def test_entity_declarations_are_refused_by_the_workbook_parser() -> None:
    from defusedxml.common import DefusedXmlException

    from ctre_xl.read.package import parse_xml

    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
              b'<workbook>&b;</workbook>')
    with pytest.raises(DefusedXmlException):
        parse_xml(laughs)
    with pytest.raises(DefusedXmlException):  # a byte-order mark does not hide the declaration
        parse_xml(b"\xef\xbb\xbf" + laughs)
