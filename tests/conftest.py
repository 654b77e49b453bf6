"""Shared fixtures: the built-in catalogue, a workspace in tmp_path, the CLI runner; every test
starts with no sheet markup learned."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctre_xl.plan.load import load_catalog
from ctre_xl.files import Workspace
from ctre_xl.plan.units import default_registry
from ctre_xl.read.xlsx.sheet_markup import SHEETS


@pytest.fixture(autouse=True)
def no_sheet_markup_learned() -> None:
    """The sheet markups a process learns (``read.xlsx.sheet_markup``) are forgotten before each
    test: what one test read must not decide which path reads another's files."""
    SHEETS.forget()


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def registry(catalog):
    return default_registry(catalog)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.ensure()
    return ws


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# On a developer's machine without LibreOffice these tests are skipped; in CI (CI=true, where
# .ci/run installs it) a missing soffice must fail them rather than skip them silently.
requires_soffice = pytest.mark.skipif(soffice_path() is None and not os.environ.get("CI"),
                                      reason="LibreOffice (soffice) not installed")
