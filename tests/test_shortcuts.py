"""The double-click shortcuts ``ctre-xl init`` writes (issue 15): their text, CRLF, encoding, the
reporting-year rule, and the ctre-xl command line of each one run here as it would run on Windows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ctre_xl.files import windows_safe_name
from ctre_xl.shortcuts import SHORTCUTS, YEAR_VARIABLE, batch_text, reporting_year, write_shortcuts

PROGRAM = [sys.executable, "-m", "ctre_xl"]


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*PROGRAM, *args], cwd=cwd, capture_output=True, timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "cp1258"})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A workspace in a folder with spaces and Vietnamese letters, made by ``ctre-xl init``."""
    root = tmp_path_factory.mktemp("sc") / "Báo cáo trẻ em" / "Xã Xuân Trường 2026"
    done = cli(["init", "--workspace", str(root)], root.parent.parent)
    assert done.returncode == 0, done.stderr.decode()
    assert "lối tắt" in done.stdout.decode("utf-8")
    return root


@pytest.mark.parametrize(("today", "year"), [
    (date(2026, 12, 4), 2026), (date(2026, 11, 10), 2026), (date(2026, 7, 1), 2026),
    (date(2026, 6, 30), 2025), (date(2027, 1, 15), 2026), (date(2027, 3, 1), 2026), (date(2027, 7, 1), 2027),
])
def test_reporting_year_turns_on_the_first_of_july(today, year):
    assert reporting_year(today) == year


def test_the_year_command_prints_todays_reporting_year(tmp_path):
    done = cli(["year"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.decode().strip() == str(reporting_year(date.today()))


def test_init_writes_every_shortcut_crlf_utf8_ascii_head(workspace):
    for shortcut in SHORTCUTS:
        path = workspace / shortcut.name
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")  # a BOM would be read as part of "@echo off"
        assert raw.count(b"\r\n") == raw.count(b"\n") and raw.endswith(b"\r\n")
        lines = raw.decode("utf-8").split("\r\n")
        assert lines[0] == "@echo off" and lines[1] == "chcp 65001 >nul"  # all before chcp is ASCII
        assert 'set "NAM="' in lines and 'pushd "%~dp0"' in lines and "pause >nul" in lines
        assert "Bấm phím bất kỳ để đóng cửa sổ này." in raw.decode("utf-8")
        assert windows_safe_name(path.name)


def test_init_keeps_a_shortcut_the_official_edited(workspace):
    path = workspace / SHORTCUTS[1].name
    edited = path.read_bytes().replace(b'set "NAM="', b'set "NAM=2026"')
    path.write_bytes(edited)
    assert write_shortcuts(workspace) == []
    assert path.read_bytes() == edited
    path.write_bytes(batch_text(SHORTCUTS[1]).encode("utf-8"))


def test_echo_lines_escape_what_cmd_would_read_as_syntax():
    for shortcut in SHORTCUTS:
        for line in batch_text(shortcut).split("\r\n"):
            if line.startswith("echo "):
                assert not re.search(r"(?<!\^)[&|<>()]", line), line


def test_the_program_is_found_three_ways_and_the_year_overridable():
    text = batch_text(SHORTCUTS[1])
    assert 'where ctre-xl >nul 2>nul && set "CTRE=ctre-xl"' in text
    assert 'set "CTRE=py -m ctre_xl"' in text
    assert f'set "NAM=%{YEAR_VARIABLE}%"' in text
    assert "(`%CTRE% year`)" in text


def command_lines(path: Path) -> list[str]:
    """The ctre-xl command lines of a shortcut (not its --help/--version probes)."""
    return [line for line in path.read_bytes().decode("utf-8").split("\r\n")
            if line.startswith("%CTRE% ") and ">nul" not in line]


def opened_folders(path: Path, root: Path, year: int) -> list[Path]:
    found = re.findall(r'^if exist "%~dp0([^"]*)\\" start "" ', path.read_text(encoding="utf-8"), re.M)
    return [root.joinpath(*rel.replace("%NAM%", str(year)).split("\\")) for rel in found]


def run_shortcut(path: Path, root: Path, year: int) -> list[subprocess.CompletedProcess]:
    runs = []
    for line in command_lines(path):
        args = shlex.split(line.replace("%NAM%", str(year)))[1:]
        runs.append(cli(args, root))
    return runs


def test_the_shortcuts_command_lines_run_here(workspace):
    year = reporting_year(date.today())
    names = {shortcut.subcommand: workspace / shortcut.name for shortcut in SHORTCUTS}
    (templates,) = run_shortcut(names["templates"], workspace, year)
    assert templates.returncode == 0, templates.stderr.decode()
    assert all(folder.is_dir() for folder in opened_folders(names["templates"], workspace, year))
    for unit in ("phong-vhxh", "cong-an"):  # two returns, so there is something to merge
        source = next((workspace / "templates" / str(year)).glob(f"{unit}*.xlsx"), None)
        if source is not None:
            (workspace / "inbox" / source.name).write_bytes(source.read_bytes())
    (merge,) = run_shortcut(names["merge"], workspace, year)
    assert merge.returncode == 0, merge.stderr.decode()
    assert f"Tổng hợp báo cáo năm {year}" in merge.stdout.decode("utf-8")
    assert all(folder.is_dir() for folder in opened_folders(names["merge"], workspace, year))
    assert (workspace / "outbox" / str(year) / f"tong-hop-{year}.xlsx").is_file()
    assert opened_folders(names[""], workspace, year) == [workspace / "outbox" / str(year)]


@pytest.mark.parametrize("command", ["status", "report"])
def test_status_and_report_shortcuts_run_or_say_the_command_is_missing(command, workspace):
    """``status`` (issue 12b) and ``report`` (issue 13) may not exist yet: the shortcut probes
    ``--help`` first and says "chưa có" instead of failing on an unknown command."""
    year = reporting_year(date.today())
    shortcut = next(s for s in SHORTCUTS if s.subcommand == command)
    text = batch_text(shortcut)
    assert f"%CTRE% {command} --help >nul 2>nul\r\nif errorlevel 1 goto :no_command" in text
    assert f"Lệnh “ctre-xl {command}” chưa có" in text
    probe = cli([command, "--help"], workspace)
    if probe.returncode != 0:
        pytest.skip(f"ctre-xl {command} not there yet: the shortcut says so")
    (run,) = run_shortcut(workspace / shortcut.name, workspace, year)
    assert run.returncode in (0, 1), run.stderr.decode()
