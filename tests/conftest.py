"""Shared fixtures: the built-in catalogue, a workspace in tmp_path, the CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctre_xl.plan.load import load_catalog
from ctre_xl.files import Workspace
from ctre_xl.plan.units import default_registry


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
