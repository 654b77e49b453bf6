"""The workspace layout and safe file output (atomic writes that never lose a result)."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ctre_xl.errors import WorkspaceError

DEMO_MARKER = ".ctre-xl-demo"  # present only in a folder made by `ctre-xl demo`


@dataclass(frozen=True)
class Workspace:
    """A commune's working folder: templates/, inbox/, outbox/ and don-vi.xlsx."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def templates_dir(self, year: int) -> Path:
        return self.root / "templates" / str(year)

    def outbox_dir(self, year: int) -> Path:
        return self.root / "outbox" / str(year)

    @property
    def registry_path(self) -> Path:
        return self.root / "don-vi.xlsx"

    @property
    def is_demo(self) -> bool:
        """A folder made by ``ctre-xl demo``: its sample-data workbooks may be merged there."""
        return (self.root / DEMO_MARKER).is_file()

    def ensure(self) -> None:
        """Create the workspace folders if they do not exist yet."""
        try:
            for folder in (self.root, self.root / "templates", self.inbox, self.root / "outbox"):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"Không tạo được thư mục làm việc {exc.filename}: {exc.strerror}.") from exc


class _Target:
    """The final path of an atomic write, known once the write has been committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fallback_used = False


@contextmanager
def atomic_output(path: Path, allow_fallback: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success move it into place atomically.

    When the target is locked (open in Excel on Windows) and ``allow_fallback`` is set, the
    result goes to ``name (1).xlsx``, ``name (2).xlsx`` ... instead; use ``atomic_write`` to learn
    where it went.
    """
    with atomic_write(path, allow_fallback) as (temporary, _target):
        yield temporary


@contextmanager
def atomic_write(path: Path, allow_fallback: bool = False) -> Iterator[tuple[Path, _Target]]:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".~tmp-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise WorkspaceError(f"Không ghi được vào thư mục {path.parent}: {exc.strerror}.") from exc
    os.close(handle)
    temporary = Path(name)
    target = _Target(path)
    try:
        yield temporary, target
        # mkstemp creates 0600 files; give the result the permissions of an ordinary new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        target.path, target.fallback_used = _move_into_place(temporary, path, allow_fallback)
    finally:
        if temporary.exists():
            temporary.unlink()


def _move_into_place(temporary: Path, path: Path, allow_fallback: bool) -> tuple[Path, bool]:
    candidates = [path] + ([path.with_name(f"{path.stem} ({n}){path.suffix}") for n in range(1, 100)]
                           if allow_fallback else [])
    last_error: OSError | None = None
    for candidate in candidates:
        try:
            if candidate != path and candidate.exists() and _is_locked(candidate):
                continue
            os.replace(temporary, candidate)
            return candidate, candidate != path
        except (PermissionError, IsADirectoryError) as exc:  # Windows: the file is open in Excel
            last_error = exc
    raise WorkspaceError(
        f"Không ghi được tệp {path.name}: tệp đang được mở trong Excel hoặc không có quyền ghi. "
        "Đóng tệp rồi chạy lại."
    ) from last_error


def _is_locked(path: Path) -> bool:
    try:
        with open(path, "r+b"):
            return False
    except PermissionError:
        return True
