"""Double-click shortcuts for Windows: one ``.bat`` file per step, written into the workspace by ``ctre-xl init``.

An official who never opens a terminal double-clicks "2 - Tổng hợp.bat" in the workspace folder:
the file finds ctre-xl (``ctre-xl.exe`` on PATH, else ``py -m ctre_xl``, else ``python -m ctre_xl``),
works out the reporting year, runs the command, opens the folder it wrote and waits for a key so
the window stays open for reading.

Encoding: cmd.exe reads a ``.bat`` file line by line in the console's code page (OEM: 1258 on a
Vietnamese PC, 437/850 elsewhere). The files are UTF-8 without a BOM (a BOM would be read as part of
the first command) and switch the console to UTF-8 (``chcp 65001``) on their second line; every line
before that switch is ASCII. Lines end with CRLF: cmd's ``goto``/labels misbehave on LF-only files.
Paths go through ``%~dp0`` (the file's own folder, with its trailing backslash) in quotes, so a folder
with spaces and Vietnamese letters works; ``pushd`` also copes with a network share (UNC path).

The reporting year (``reporting_year``): the report due 10/11 of year Y is about year Y. From 01/07 of
Y the templates for Y are made, then the returns merged and chased, until 30/06 of Y+1 (late returns
and the report run on into the next year); so before 01/07 it is the previous year. Overridable in
each file (``set "NAM=2026"`` near the top) or for every file with the environment variable
``CTRE_XL_NAM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

YEAR_STARTS = (7, 1)  # (month, day) from which the current calendar year is the reporting year
YEAR_VARIABLE = "CTRE_XL_NAM"
COMMAND_VARIABLE = "%CTRE%"  # how a shortcut calls ctre-xl: ctre-xl, py -m ctre_xl or python -m ctre_xl
YEAR_MARK = "%NAM%"


def reporting_year(today: date) -> int:
    """The reporting year a shortcut works on, on ``today`` (see the module's docstring)."""
    return today.year if (today.month, today.day) >= YEAR_STARTS else today.year - 1


@dataclass(frozen=True)
class Shortcut:
    """One ``.bat`` file: the ctre-xl command it runs and the folder it opens afterwards."""

    name: str  # the file name, Vietnamese, without a character Windows forbids
    title: str  # one line saying what it does
    command: str  # arguments after ctre-xl; %NAM% is the year
    opens: str  # folder under the workspace (backslashes) opened at the end; %NAM% is the year
    done: str  # the message after a successful run

    @property
    def command_line(self) -> str:
        return f"{COMMAND_VARIABLE} {self.command}" if self.command else ""

    @property
    def subcommand(self) -> str:
        return self.command.split()[0] if self.command else ""


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("1 - Tạo biểu mẫu.bat", "tạo biểu mẫu báo cáo cho từng đơn vị", "templates --year %NAM%",
             r"templates\%NAM%", "Đã tạo biểu mẫu. Gửi mỗi đơn vị tệp của mình (thư mục vừa mở)."),
    Shortcut("2 - Tổng hợp.bat", "đọc các tệp trong inbox, kiểm tra và tổng hợp", "merge --year %NAM%",
             r"outbox\%NAM%", "Đã tổng hợp. Báo cáo tong-hop và danh sách lỗi kiem-tra ở thư mục vừa mở."),
    Shortcut("3 - Đơn vị chưa nộp.bat", "xem đơn vị nào chưa nộp báo cáo", "status --year %NAM%",
             "", "Trên đây là các đơn vị chưa nộp và nộp muộn."),
    Shortcut("4 - Viết báo cáo.bat", "viết báo cáo gửi lãnh đạo xã và tỉnh", "report --year %NAM%",
             r"outbox\%NAM%", "Đã viết báo cáo, ở thư mục vừa mở."),
    Shortcut("5 - Mở thư mục kết quả.bat", "mở thư mục kết quả outbox", "", r"outbox\%NAM%", ""),
)


def echo(text: str) -> str:
    """An ``echo`` line printing ``text`` as it is (cmd's special characters escaped)."""
    if not text:
        return "echo."
    escaped = text.replace("^", "^^").replace("%", "%%")
    for special in "&|<>()":
        escaped = escaped.replace(special, f"^{special}")
    return f"echo {escaped}"


HEAD = [  # ASCII only until chcp has switched the console to UTF-8
    "@echo off",
    "chcp 65001 >nul",
]


def _year_lines() -> list[str]:
    return [
        "rem Năm báo cáo: để trống thì tự tính theo ngày hôm nay (từ 01/07 là năm nay, trước đó là năm trước).",
        f"rem Muốn chọn năm khác: sửa dòng dưới, ví dụ set \"NAM=2026\" (hoặc đặt biến môi trường {YEAR_VARIABLE}).",
        'set "NAM="',
        f'if not defined NAM set "NAM=%{YEAR_VARIABLE}%"',
    ]


def _find_program_lines() -> list[str]:
    """Set %CTRE% to the first way of running ctre-xl that this PC has; stop with a message if none."""
    return [
        'pushd "%~dp0"',
        'set "CTRE="',
        'where ctre-xl >nul 2>nul && set "CTRE=ctre-xl"',
        'if not defined CTRE where py >nul 2>nul && set "CTRE=py -m ctre_xl"',
        'if not defined CTRE where python >nul 2>nul && set "CTRE=python -m ctre_xl"',
        "if not defined CTRE goto :no_program",
        f"{COMMAND_VARIABLE} --version >nul 2>nul",
        "if errorlevel 1 goto :no_program",
        f'if not defined NAM for /f "usebackq delims=" %%y in (`{COMMAND_VARIABLE} year`) do set "NAM=%%y"',
    ]


def _run_lines(shortcut: Shortcut) -> list[str]:
    if not shortcut.command:
        return []
    lines = [
        f"{COMMAND_VARIABLE} {shortcut.subcommand} --help >nul 2>nul",
        "if errorlevel 1 goto :no_command",
        echo(f"ctre-xl: {shortcut.title}, năm %NAM%."),
        "echo.",
        shortcut.command_line,
        "if errorlevel 1 goto :failed",
        "echo.",
        echo(shortcut.done),
    ]
    return [line.replace("%%NAM%%", YEAR_MARK) for line in lines]


def _open_lines(shortcut: Shortcut) -> list[str]:
    if not shortcut.opens:
        return []
    folder = f"%~dp0{shortcut.opens}"
    parent = folder.rpartition("\\")[0]
    return [
        f'if exist "{folder}\\" start "" "{folder}"',
        f'if not exist "{folder}\\" if exist "{parent}\\" start "" "{parent}"',
    ]


def _end_lines(shortcut: Shortcut) -> list[str]:
    missing = (f"Lệnh “ctre-xl {shortcut.subcommand}” chưa có trong phiên bản ctre-xl đang cài trên máy này: "
               "cập nhật ctre-xl rồi thử lại.")
    return [
        "goto :end",
        ":no_program",
        echo("Không tìm thấy ctre-xl trên máy này. Cài Python và ctre-xl theo HUONG-DAN.txt rồi thử lại."),
        "goto :end",
        ":no_command",
        echo(missing),
        "goto :end",
        ":failed",
        "echo.",
        echo("Chưa xong: đọc thông báo ở trên, sửa theo hướng dẫn rồi bấm đúp lại tệp này."),
        ":end",
        "popd",
        "echo.",
        echo("Bấm phím bất kỳ để đóng cửa sổ này."),
        "pause >nul",
    ]


def batch_text(shortcut: Shortcut) -> str:
    """The whole ``.bat`` file, with CRLF line endings."""
    lines = [
        *HEAD,
        f"rem ctre-xl: {shortcut.title}. Tệp do lệnh “ctre-xl init” tạo; xoá tệp rồi chạy lại lệnh đó để tạo lại.",
        *_year_lines(),
        *_find_program_lines(),
        *_run_lines(shortcut),
        *_open_lines(shortcut),
        *_end_lines(shortcut),
    ]
    return "\r\n".join(lines) + "\r\n"


def write_shortcuts(root: Path) -> list[Path]:
    """Write every shortcut missing from the workspace ``root`` (one the official edited is kept); the new files."""
    written = []
    for shortcut in SHORTCUTS:
        path = Path(root) / shortcut.name
        if path.exists():
            continue
        path.write_bytes(batch_text(shortcut).encode("utf-8"))
        written.append(path)
    return written
