"""The offline install bundle for Windows: ``python -m ctre_xl.bundle [THƯ-MỤC]`` builds ``ctre-xl-windows.zip``.

A commune IT officer carries one zip file on a USB stick. It holds the project's wheel, the win_amd64
wheels of every dependency for Python 3.11, 3.12 and 3.13 (``pip download --platform win_amd64
--only-binary=:all:``), an installer ``.bat`` and a short Vietnamese ``HUONG-DAN.txt``. The installer
runs ``py -m pip install --no-index --find-links . ctre-xl`` (nothing fetched from the internet),
then ``ctre-xl init`` in a folder the official chooses.

pip evaluates environment markers against the machine that downloads, not the target platform:
click's ``colorama; platform_system == "Windows"`` would be left out when the bundle is built on
Linux, so the Windows-only dependencies are named here (``WINDOWS_ONLY``).

Built from a source checkout (the project's ``pyproject.toml`` beside the package); needs pip and
the package index (or a mirror pip is configured for).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
WINDOWS_ONLY = ("colorama",)  # dependencies behind a Windows marker (click's)
BUNDLE_NAME = "ctre-xl-windows.zip"
INSTALLER_NAME = "Cai dat ctre-xl.bat"  # ASCII: read before any code page switch, unzipped by any tool
GUIDE_NAME = "HUONG-DAN.txt"
SOURCE = Path(__file__).resolve().parents[1]


class BundleError(RuntimeError):
    """The bundle could not be built (pip failed, no source checkout)."""


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise BundleError(f"pip {' '.join(args[:1])} thất bại:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def build_wheel(into: Path, source: Path = SOURCE) -> Path:
    """The project's own wheel, built from the source checkout ``source``."""
    if not (source / "pyproject.toml").is_file():
        raise BundleError(f"Không có mã nguồn ctre-xl (pyproject.toml) ở {source}.")
    with tempfile.TemporaryDirectory(prefix="ctre-xl-source-") as copy:  # setuptools writes build/ in-tree
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(source / name, Path(copy) / name)
        shutil.copytree(source / "ctre_xl", Path(copy) / "ctre_xl",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _pip("wheel", "--no-deps", "--wheel-dir", str(into), copy)
    wheels = sorted(into.glob("ctre_xl-*.whl"))
    if not wheels:
        raise BundleError("pip wheel không tạo ra tệp .whl nào.")
    return wheels[-1]


def download_dependencies(wheel: Path, into: Path, versions: tuple[str, ...] = PYTHON_VERSIONS) -> None:
    """The win_amd64 wheels of every dependency of ``wheel``, for each Python version."""
    for version in versions:
        _pip("download", "--dest", str(into), "--platform", "win_amd64", "--only-binary=:all:",
             "--python-version", version, str(wheel), *WINDOWS_ONLY)


def installer_text() -> str:
    """The installer ``.bat``: pip from the bundle alone, then ``ctre-xl init`` in the chosen folder."""
    lines = [
        "@echo off",
        "chcp 65001 >nul",
        "rem Cài ctre-xl từ các tệp trong thư mục này (không cần mạng), rồi tạo thư mục làm việc.",
        'pushd "%~dp0"',
        'set "PY="',
        'where py >nul 2>nul && set "PY=py"',
        'if not defined PY where python >nul 2>nul && set "PY=python"',
        "if not defined PY goto :no_python",
        "echo Đang cài ctre-xl, chờ một lát...",
        '%PY% -m pip install --no-index --find-links "%~dp0." ctre-xl',
        "if errorlevel 1 goto :failed",
        "echo.",
        'set "THUMUC=%~1"',
        'if defined THUMUC goto :init',
        "echo Thư mục làm việc: nơi để biểu mẫu, các tệp nhận về và kết quả.",
        "echo Nhập đường dẫn thư mục, hoặc bấm Enter để dùng %USERPROFILE%\\Documents\\ctre-xl",
        'set /p "THUMUC=Thư mục: "',
        'if not defined THUMUC set "THUMUC=%USERPROFILE%\\Documents\\ctre-xl"',
        ":init",
        '%PY% -m ctre_xl init --workspace "%THUMUC%"',
        "if errorlevel 1 goto :failed",
        'start "" "%THUMUC%"',
        "echo.",
        "echo Đã cài xong. Trong thư mục vừa mở, bấm đúp các tệp .bat để làm từng bước.",
        "goto :end",
        ":no_python",
        "echo Chưa cài Python. Tải Python từ https://www.python.org/downloads/ , khi cài nhớ đánh dấu",
        'echo "Add python.exe to PATH", rồi bấm đúp lại tệp này.',
        "goto :end",
        ":failed",
        "echo.",
        "echo Chưa cài xong: đọc thông báo ở trên. Gửi ảnh chụp cửa sổ này cho người hỗ trợ.",
        ":end",
        "popd",
        "echo.",
        "echo Bấm phím bất kỳ để đóng cửa sổ này.",
        "pause >nul",
    ]
    return "\r\n".join(lines) + "\r\n"


GUIDE = """HƯỚNG DẪN CÀI ctre-xl TRÊN MÁY WINDOWS (không cần mạng)

1. Cài Python (một lần): tải bản Python 3.11, 3.12 hoặc 3.13 (64-bit) từ https://www.python.org/downloads/
   Khi cài, đánh dấu ô "Add python.exe to PATH" ở màn hình đầu tiên, rồi bấm "Install Now".
2. Giải nén tệp ctre-xl-windows.zip ra một thư mục (bấm chuột phải, chọn "Extract All...").
   Bấm đúp tệp "Cai dat ctre-xl.bat" trong thư mục đó. Nhập thư mục làm việc (hoặc bấm Enter để
   dùng Documents\\ctre-xl). Chương trình cài ctre-xl, tạo thư mục làm việc và mở thư mục đó.

Trong thư mục làm việc có các tệp bấm đúp được, theo thứ tự các bước mỗi năm:
   1 - Tạo biểu mẫu.bat        tạo biểu mẫu cho từng đơn vị (thư mục templates\\NĂM)
   2 - Tổng hợp.bat            đọc các tệp trong inbox, kiểm tra, tổng hợp (kết quả ở outbox\\NĂM)
   3 - Đơn vị chưa nộp.bat     xem đơn vị nào chưa nộp
   4 - Viết báo cáo.bat        viết báo cáo gửi lãnh đạo
   5 - Mở thư mục kết quả.bat  mở thư mục outbox
Năm báo cáo được tự tính: từ 01/07 là năm nay, trước đó là năm trước. Muốn chọn năm khác: bấm chuột
phải vào tệp .bat, chọn "Edit", sửa dòng set "NAM=" thành ví dụ set "NAM=2026".

Không tìm thấy lệnh ctre-xl trong cửa sổ dòng lệnh? Dùng py -m ctre_xl thay cho ctre-xl
(ví dụ: py -m ctre_xl merge --year 2026). Các tệp .bat tự làm việc đó.
"""


def build_bundle(out_dir: Path, source: Path = SOURCE, versions: tuple[str, ...] = PYTHON_VERSIONS) -> Path:
    """Build ``ctre-xl-windows.zip`` in ``out_dir``; its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ctre-xl-bundle-") as work:
        wheels = Path(work)
        wheel = build_wheel(wheels, source)
        download_dependencies(wheel, wheels, versions)
        target = out_dir / BUNDLE_NAME
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(wheels.glob("*.whl")):
                bundle.write(path, path.name)
            bundle.writestr(INSTALLER_NAME, installer_text().encode("utf-8"))
            bundle.writestr(GUIDE_NAME, ("\ufeff" + GUIDE.replace("\n", "\r\n")).encode("utf-8"))
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else Path("dist")
    try:
        target = build_bundle(out_dir)
    except BundleError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    print(f"Đã tạo {target}")
    return 0


if __name__ == "__main__":
    from ctre_xl.streams import make_output_safe

    make_output_safe()
    sys.exit(main())
