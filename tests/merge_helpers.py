"""Building inboxes for the merge tests: real templates (ctre-xl templates), filled with openpyxl.

Not a test module: imported by test_merge.py, test_bad_inputs.py and test_merge_cli.py.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ctre_xl.plan.catalog import load_catalog
from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.demo.sample import fill_template
from ctre_xl.plan.units import write_registry_workbook

PREPARER = {"preparer_name": "Trần Thị Lan", "preparer_phone": "0912 345 678"}


def make_workspace(root: Path, years: tuple[int, ...], schools: list[tuple[str, str, str, str]] | None = None) -> Workspace:
    """A workspace with its don-vi.xlsx (``schools`` or the built-in examples) and templates."""
    workspace = Workspace(root)
    workspace.ensure()
    if schools is not None:
        write_registry_workbook(workspace.registry_path, load_catalog(), schools)
    runner = CliRunner()
    for year in years:
        outcome = runner.invoke(main, ["--workspace", str(root), "templates", "--year", str(year)])
        assert outcome.exit_code == 0, outcome.output
    return workspace


def fill(workspace: Workspace, unit: str, year: int, relative: str, values: dict[str, object], *,
         report_date: date | str | None = None, mtime: float | None = None, **extra: Any) -> Path:
    """Fill ``unit``'s template for ``year`` into ``inbox/relative`` (any name, any folder)."""
    template = workspace.templates_dir(year) / f"{unit}.xlsx"
    out = fill_template(template, workspace.inbox / relative, values, report_date=report_date,
                        preparer=extra.pop("preparer", PREPARER), **extra)
    if mtime is not None:
        os.utime(out, (mtime, mtime))
    return out


def merge_json(workspace: Workspace, year: int, *options: str) -> tuple[int, dict[str, Any], str]:
    """Run ``ctre-xl merge --json``; (exit code, parsed JSON, stderr)."""
    runner = CliRunner()
    outcome = runner.invoke(main, ["--workspace", str(workspace.root), "merge", "--year", str(year), "--json", *options])
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.output
    return outcome.exit_code, json.loads(outcome.stdout), outcome.stderr


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder``: its SHA-256 and modification time (ns)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                          path.stat().st_mtime_ns)
    return found


def metric(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(m for m in data["metrics"] if m["code"] == code)


def file_entry(data: dict[str, Any], path: str) -> dict[str, Any]:
    return next(f for f in data["files"] if f["path"] == path)


def issues_of(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [i for i in data["issues"] if i["file"] == path]
