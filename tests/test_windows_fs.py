"""What Windows does differently, tested on Linux (issue 15): worker processes started with ``spawn``,
a file held open by Excel that refuses to be replaced, paths shown as the user types them, and file
names Windows accepts."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctre_xl import bundle, files
from ctre_xl.read import collect
from ctre_xl.cli import main
from ctre_xl.files import windows_safe_name
from ctre_xl.merge import reading
from ctre_xl.shortcuts import SHORTCUTS
from ctre_xl.template import writer
from merge_helpers import make_workspace

YEAR = 2026


@pytest.fixture
def spawn(monkeypatch):
    """Every pool started with ``spawn``, as on Windows, on a machine that has two cores."""
    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    yield
    multiprocessing.set_start_method(before, force=True)


def merge(root: Path, *options: str):
    return CliRunner().invoke(main, ["--workspace", str(root), "merge", "--year", str(YEAR), *options])


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A workspace whose inbox holds 32 returns (the templates of every unit, four times over)."""
    root = tmp_path_factory.mktemp("win") / "ws"
    workspace = make_workspace(root, (YEAR,))
    templates = sorted(workspace.templates_dir(YEAR).glob("*.xlsx"))
    copies = 0
    while copies < 32:
        for template in templates:
            target = workspace.inbox / f"lan-{copies // len(templates)}" / template.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(template, target)
            copies += 1
    return root


def test_the_merge_reads_with_spawned_workers_and_gets_the_same_answer(filled, spawn, monkeypatch):
    used: list[str] = []
    real = reading.worker_pool

    def watched(*args, **kwargs):
        used.append(multiprocessing.get_start_method())
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "worker_pool", watched)
    assert len(list((filled / "inbox").rglob("*.xlsx"))) >= 30
    spawned = merge(filled, "--json")
    assert spawned.exit_code == 0, spawned.output
    assert used == ["spawn"]
    monkeypatch.setattr(reading, "PARALLEL_FROM", 10_000)  # the same inbox read in one process
    single = merge(filled, "--json")
    assert json.loads(spawned.stdout)["files"] == json.loads(single.stdout)["files"]


def test_templates_are_written_by_spawned_workers(tmp_path, spawn, monkeypatch):
    used: list[str] = []
    real = writer.worker_pool

    def watched(*args, **kwargs):
        used.append(multiprocessing.get_start_method())
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "worker_pool", watched)
    monkeypatch.setattr(writer, "PARALLEL_MIN_UNITS", 2)
    outcome = CliRunner().invoke(main, ["--workspace", str(tmp_path), "templates", "--year", str(YEAR)])
    assert outcome.exit_code == 0, outcome.output
    assert used == ["spawn"]
    assert len(list((tmp_path / "templates" / str(YEAR)).glob("*.xlsx"))) >= 8


def test_a_summary_excel_holds_open_goes_to_a_numbered_copy(filled, monkeypatch):
    """On Windows, replacing a file open in Excel raises PermissionError (no lock file needed)."""
    real = os.replace
    held = f"tong-hop-{YEAR}.xlsx"

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == held:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(files.os, "replace", replace)
    outcome = merge(filled)
    assert outcome.exit_code == 0, outcome.output
    copy = filled / "outbox" / str(YEAR) / f"tong-hop-{YEAR} (1).xlsx"
    assert copy.is_file()
    assert f"Tệp {held} đang được mở" in outcome.stdout and copy.name in outcome.stdout
    assert not list(copy.parent.glob(f"{files.TEMPORARY_PREFIX}*"))  # no temporary file left behind


def test_paths_in_messages_are_relative_to_the_workspace_with_the_systems_separator(tmp_path, monkeypatch):
    """Run from the workspace (what a shortcut does), a message names ``templates\\2026`` on Windows
    (``Path`` renders with the system's separator) and ``templates/2026`` here, never an absolute path.
    Decision: file names inside the inbox stay "/"-separated in findings and JSON (a contract shared
    by every machine; Windows accepts "/" too)."""
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(main, ["templates", "--year", str(YEAR)])
    assert outcome.exit_code == 0, outcome.output
    assert f"trong {os.path.join('templates', str(YEAR))}:" in outcome.stdout
    assert str(tmp_path) not in outcome.stdout


def every_output_name(root: Path) -> list[str]:
    names = [path.name for path in root.rglob("*") if path.is_file() and "inbox" not in path.parts]
    names += ["don-vi.xlsx", *(shortcut.name for shortcut in SHORTCUTS)]
    names += [bundle.BUNDLE_NAME, bundle.INSTALLER_NAME, bundle.GUIDE_NAME]
    names += [f"tong-hop-{YEAR} ({n}).xlsx" for n in (1, 99)] + [f"{files.TEMPORARY_PREFIX}abc123.xlsx"]
    return names


def test_no_output_name_uses_a_character_windows_forbids(filled):
    names = every_output_name(filled)
    assert {f"tong-hop-{YEAR}.xlsx", f"kiem-tra-{YEAR}.xlsx", "don-vi.xlsx"} <= set(names)
    assert len([path for path in (filled / "templates").rglob("*.xlsx")]) >= 8
    bad = [name for name in names if not windows_safe_name(name)]
    assert bad == []


@pytest.mark.parametrize("name", ["con.xlsx", "NUL", "aux.txt", "com1.xlsx", "a:b.xlsx", 'a"b', "a?", "a*",
                                  "a<b", "a>b", "a|b", "a\\b", "a/b", "trailing.", "trailing ", "tab\tname"])
def test_names_windows_refuses(name):
    assert not windows_safe_name(name)


def test_a_unit_id_windows_cannot_use_as_a_file_name_is_refused(tmp_path):
    from ctre_xl.errors import RegistryError
    from ctre_xl.plan.load import load_catalog
    from ctre_xl.plan.units import read_registry_workbook, write_registry_workbook

    catalog = load_catalog()
    path = tmp_path / "don-vi.xlsx"
    write_registry_workbook(path, catalog, [("con", "Trường Mầm non Con", "mam-non", "")])
    with pytest.raises(RegistryError, match="“con” trùng tên thiết bị"):
        read_registry_workbook(path, catalog)


class _WindowsEntry:
    """A folder listing's entry as Windows gives it: with the file's attributes (``st_file_attributes``)."""

    def __init__(self, entry: os.DirEntry, attributes: int) -> None:
        self._entry, self._attributes = entry, attributes
        self.name, self.path = entry.name, entry.path

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_dir(follow_symlinks=follow_symlinks)

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._entry.is_file(follow_symlinks=follow_symlinks)

    def is_symlink(self) -> bool:
        return self._entry.is_symlink()

    def stat(self, *, follow_symlinks: bool = True):
        real = self._entry.stat(follow_symlinks=follow_symlinks)
        return type("WindowsStat", (), {"st_mode": real.st_mode, "st_file_attributes": self._attributes})()


def test_files_and_folders_windows_marks_hidden_or_system_are_not_collected(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    for name in ("bao cao.xlsx", "an.xlsx", "he thong.xlsx", "Thu muc an/b.xlsx", "Zalo/c.xlsx"):
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"x")
    marked = {"an.xlsx": 2, "he thong.xlsx": 4, "Thu muc an": 2}  # FILE_ATTRIBUTE_HIDDEN, _SYSTEM
    real_scandir = os.scandir

    class Listing:
        def __init__(self, folder):
            self._listing = real_scandir(folder)

        def __enter__(self):
            return (_WindowsEntry(entry, marked.get(entry.name, 0)) for entry in self._listing)

        def __exit__(self, *exc):
            self._listing.close()

    monkeypatch.setattr(collect, "_HAS_FILE_ATTRIBUTES", True)
    monkeypatch.setattr(collect.os, "scandir", Listing)
    found, refused = collect.collect_files(inbox)
    assert [path.relative_to(inbox).as_posix() for path in found] == ["Zalo/c.xlsx", "bao cao.xlsx"]
    assert refused == []
