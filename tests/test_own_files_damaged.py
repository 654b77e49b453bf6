"""The commune's own workbooks damaged: the list of units (don-vi.xlsx, read by python-calamine) and
the sheet of past values (``ctre-xl history import``, read by openpyxl).

Each way a file can be damaged gives one Vietnamese sentence that names the file and says what to
do, exit code 2, and no word of the library that met the damage: fuzzing whole files found
calamine's English text in the first message, an exception's class name in the second, and zlib's
and the XML parser's errors reaching the user as a program error.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from reading_helpers import deflate_broken

from ctre_xl.cli import main

FIX = "lưu lại dạng Sổ làm việc Excel (.xlsx) rồi chạy lại"
ENGLISH = re.compile(r"Error|error|Zip|zip file|invalid|Exception|Traceback|\(\w+\)")


def _first_sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return next(name for name in archive.namelist() if name.startswith("xl/worksheets/sheet"))




def _sheet_not_xml(data: bytes) -> bytes:
    """The first sheet's XML cut off in the middle of a tag, the package itself sound."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        sheet = _first_sheet(data)
        for info in old.infolist():
            part = old.read(info)
            new.writestr(info.filename, part[:len(part) // 2] if info.filename == sheet else part)
    return out.getvalue()


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "text saved under the name .xlsx": lambda data: "mã,tên,cấp\n".encode(),
    "cut short (a copy that stopped)": lambda data: data[:len(data) // 2],
    "a sheet whose deflated bytes do not inflate": lambda data: deflate_broken(data, _first_sheet(data)),
    "a sheet whose XML is cut in the middle": _sheet_not_xml,
    "empty": lambda data: b"",
}


@pytest.fixture
def workspace(tmp_path: Path, runner) -> Path:
    root = tmp_path / "xa"
    assert runner.invoke(main, ["init", "--workspace", str(root)]).exit_code == 0
    return root


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_list_of_units_says_what_to_do(damage: str, workspace: Path, runner) -> None:
    registry = workspace / "don-vi.xlsx"
    registry.write_bytes(DAMAGES[damage](registry.read_bytes()))
    result = runner.invoke(main, ["--workspace", str(workspace), "templates", "--year", "2026"])
    assert result.exit_code == 2, result.output
    assert "Không mở được danh sách đơn vị don-vi.xlsx" in result.output and FIX in result.output
    assert not ENGLISH.search(result.output), result.output


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_sheet_of_past_values_says_what_to_do(damage: str, workspace: Path, runner) -> None:
    sheet = workspace / "cu.xlsx"
    sheet.write_bytes(DAMAGES[damage]((workspace / "lich-su-nhap.xlsx").read_bytes()))
    result = runner.invoke(main, ["--workspace", str(workspace), "history", "import", str(sheet)])
    assert result.exit_code == 2, result.output
    assert "Không đọc được tệp cu.xlsx" in result.output and FIX in result.output
    assert not ENGLISH.search(result.output), result.output
    assert not (workspace / "lich-su.sqlite").exists()  # nothing recorded from a file that could not be read
