"""Workspaces for the merge tests: templates made (`ctre-xl templates`), filled reports delivered into
the inbox, `ctre-xl merge --json` run and its answer looked up; and snapshots proving a folder untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ctre_xl.plan.load import load_catalog
from ctre_xl.cli import main
from ctre_xl.files import Workspace
from ctre_xl.merge import reading
from ctre_xl.plan.units import write_registry_workbook
from reading_helpers import fill

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


def make_demo(root: Path) -> Path:
    """``ctre-xl demo`` into ``root``: the built-in example's workspace, its returns merged once."""
    outcome = CliRunner().invoke(main, ["demo", "--workspace", str(root)])
    assert outcome.exit_code == 0, outcome.output
    return root


def make_crowded_demo(root: Path) -> Path:
    """``make_demo``, its inbox crowded past ``reading.PARALLEL_FROM``: every pool of a merge starts."""
    make_demo(root)
    returns = sorted((root / "inbox").rglob("*.xlsx"))
    crowd_inbox(Workspace(root), returns, reading.PARALLEL_FROM // len(returns) + 1)
    return root


def deliver(workspace: Workspace, unit: str, year: int, relative: str, values: dict[str, object], *,
            mtime: float | None = None, **typed: Any) -> Path:
    """``unit``'s template for ``year``, filled (``reading_helpers.fill``: ``typed`` passes report_date,
    notes, …; the preparer defaults to PREPARER), dropped into ``inbox/relative`` (any name, any folder)."""
    typed.setdefault("preparer", PREPARER)
    out = fill(workspace.templates_dir(year) / f"{unit}.xlsx", values, workspace.inbox / relative, **typed)
    if mtime is not None:
        os.utime(out, (mtime, mtime))
    return out


def merge_json(workspace: Workspace, year: int, *options: str) -> tuple[int, dict[str, Any], str]:
    """Run ``ctre-xl merge --json``; (exit code, parsed JSON, stderr)."""
    runner = CliRunner()
    outcome = runner.invoke(main, ["--workspace", str(workspace.root), "merge", "--year", str(year), "--json", *options])
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.output
    return outcome.exit_code, json.loads(outcome.stdout), outcome.stderr


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file under ``folder`` (links not followed): (sha256, mtime_ns, size), ("link", target,
    mtime_ns) for a symbolic link; equal snapshots prove nothing was touched."""
    found: dict[str, tuple] = {}
    for root, dirs, files in _walk(folder):
        for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]:
            path = Path(root) / name
            info = path.lstat()
            key = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", os.readlink(path), info.st_mtime_ns)
            elif stat.S_ISREG(info.st_mode):
                found[key] = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns, info.st_size)
            else:  # a pipe or device: never opened
                found[key] = ("special", stat.S_IFMT(info.st_mode), info.st_mtime_ns)
    return found


def _walk(folder: Path):  # noqa: ANN202
    """``os.walk`` without its recursion (Python 3.11's fails 1,000 folders deep)."""
    stack = [os.fspath(folder)]
    while stack:
        root = stack.pop()
        with os.scandir(root) as listing:
            entries = list(listing)
        dirs = [e.name for e in entries if e.is_dir()]
        yield root, dirs, [e.name for e in entries if not e.is_dir()]
        stack.extend(os.path.join(root, d) for d in dirs if not os.path.islink(os.path.join(root, d)))


def metric(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(m for m in data["metrics"] if m["code"] == code)


def file_entry(data: dict[str, Any], path: str) -> dict[str, Any]:
    return next(f for f in data["files"] if f["path"] == path)


def issues_of(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [i for i in data["issues"] if i["file"] == path]


def crowd_inbox(workspace: Workspace, sources: list[Path], batches: int) -> None:
    """Copy ``sources`` into ``batches`` more folders of the inbox (``dot-01`` …), so that the merge
    reads enough files for its worker pool."""
    for batch in range(1, batches + 1):
        for source in sources:
            target = workspace.inbox / f"dot-{batch:02}" / source.name
            target.parent.mkdir(exist_ok=True)
            shutil.copy2(source, target)
