"""The workspace layout and safe file output (atomic writes that never lose a result).

Every output is written to a temporary file beside it (``.~tmp-…``, hidden) and renamed into place;
the outputs of one merge are renamed together (``OutputBatch``), with Ctrl-C held back for that
short step. A file open in Excel, LibreOffice or WPS is never overwritten: the result goes to a
numbered copy ("name (1).xlsx").
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ctre_xl.errors import WorkspaceError
from ctre_xl.interrupts import interrupts_deferred

DEMO_MARKER = ".ctre-xl-demo"  # present only in a folder made by `ctre-xl demo`
TEMPORARY_PREFIX = ".~tmp-"  # every temporary file we write starts so (hidden; never read as a return)
# Every temporary file (False) and scratch folder (True) this process made, by name. A Ctrl-C that
# lands just as a ``finally`` begins, before its cleanup holds Ctrl-C back, skips that cleanup: the
# command's error handler then removes what is left (``remove_own_temporaries``). A name moved into
# place no longer exists under it, so only leftovers are removed.
_MADE: dict[str, bool] = {}
STALE_TEMPORARY = 10 * 60  # seconds: a temporary file untouched this long belongs to no running write


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

    When the target is open in Excel, LibreOffice or WPS (a lock file beside it, or on Windows a
    refused replace) and ``allow_fallback`` is set, the
    result goes to ``name (1).xlsx``, ``name (2).xlsx`` ... instead; use ``atomic_write`` to learn
    where it went.
    """
    with atomic_write(path, allow_fallback) as (temporary, _target):
        yield temporary


@contextmanager
def atomic_write(path: Path, allow_fallback: bool = False) -> Iterator[tuple[Path, _Target]]:
    path = Path(path)
    target = _Target(path)
    made: dict[Path, Path] = {}
    try:
        temporary = temporary_beside(path, into=made)
        try:
            yield temporary, target
            ordinary_permissions(temporary)
            target.path, target.fallback_used = _move_into_place(temporary, path, allow_fallback)
        except Exception as exc:  # disk full, read-only, I/O error: the user's matter, in Vietnamese
            cause = exc if isinstance(exc, OSError) else (exc.args or (None,))[0]
            if isinstance(cause, OSError):  # XlsxWriter's FileCreateError holds the OSError it met
                raise write_failed(path.parent, cause) from exc
            raise
    finally:
        with interrupts_deferred():  # a second Ctrl-C must not leave the temporary file behind
            for leftover in made.values():
                _remove_temporary(leftover)


def ordinary_permissions(path: Path) -> None:
    """mkstemp creates 0600 files: give ``path`` the permissions of an ordinary new file."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def temporary_beside(path: Path, into: dict[Path, Path] | None = None) -> Path:
    """A new empty temporary file in ``path``'s folder (recorded in ``into`` under ``path``).

    Made with Ctrl-C held back, so that a Ctrl-C never falls between the file's creation and the
    caller knowing its name (which is what lets the caller remove it).
    """
    try:
        with interrupts_deferred():
            path.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(path.parent)
            handle, name = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=path.suffix, dir=path.parent)
            _MADE[name] = False
            os.close(handle)
            if into is not None:
                into[path] = Path(name)
    except OSError as exc:
        raise write_failed(path.parent, exc) from exc
    return Path(name)


_SWEPT: set[str] = set()  # folders whose stale temporaries were removed for the batch of writes under way


@contextmanager
def folder_swept(folder: Path) -> Iterator[None]:
    """For a batch of writes into ``folder`` (thousands of templates, every unit's feedback
    workbook): its stale temporaries removed once, at the start, instead of at every write (a
    listing of the whole folder each time: quadratic, minutes at 66,000 files). Worker processes
    forked inside the block inherit the mark; ``mark_swept`` gives it to spawned ones."""
    remove_stale_temporaries(folder)
    key = mark_swept(folder)
    try:
        yield
    finally:
        _SWEPT.discard(key)


def mark_swept(folder: Path) -> str:
    """Mark ``folder`` as swept in this process (a worker of ``folder_swept``'s batch); its key."""
    key = os.path.abspath(folder)
    _SWEPT.add(key)
    return key


def _remove_temporary(path: Path) -> None:
    """Remove a temporary file of ours, and forget it."""
    path.unlink(missing_ok=True)
    _MADE.pop(str(path), None)


def remove_own_temporaries() -> None:
    """Remove what is left of the temporary files and scratch folders this process made (called
    once the command has stopped: on Ctrl-C or an error), Ctrl-C held back meanwhile."""
    with interrupts_deferred():
        for name, folder in list(_MADE.items()):
            if folder:
                shutil.rmtree(name, ignore_errors=True)
            else:
                try:
                    os.unlink(name)
                except OSError:
                    pass  # moved into place (or already removed)
            del _MADE[name]


def remove_stale_temporaries(folder: Path) -> None:
    """Remove our own temporary files that a killed run left in ``folder`` (SIGKILL, a power cut:
    no ``finally`` ran). Only names with our prefix, untouched for ``STALE_TEMPORARY`` (a write in
    progress touches its file all the time); what cannot be removed is left for the next run.
    Nothing to do inside a ``folder_swept`` batch."""
    if os.path.abspath(folder) in _SWEPT:
        return
    cutoff = time.time() - STALE_TEMPORARY
    try:
        with os.scandir(folder) as entries:
            ours = [entry for entry in entries if entry.name.startswith(TEMPORARY_PREFIX)]
    except OSError:
        return
    for entry in ours:
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
            if entry.is_dir(follow_symlinks=False):  # a writer's scratch folder (``scratch_folder``)
                shutil.rmtree(entry.path, ignore_errors=True)
            elif entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        except OSError:
            pass  # a leftover costs a little disk space, never a result


@contextmanager
def scratch_folder(beside: Path) -> Iterator[Path]:
    """A private folder in ``beside`` (the output's own folder, never TMPDIR) for a writer's parts
    while it writes a large workbook, removed afterwards, Ctrl-C held back; one a killed run left
    is removed by a later run (``remove_stale_temporaries``)."""
    made: list[Path] = []
    try:
        with interrupts_deferred():  # a Ctrl-C between the folder's creation and this knowing its name left it
            try:
                made.append(Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX, dir=beside)))
                _MADE[str(made[0])] = True
            except OSError as exc:
                raise write_failed(Path(beside), exc) from exc
        yield made[0]
    finally:
        with interrupts_deferred():
            for folder in made:
                shutil.rmtree(folder, ignore_errors=True)
                _MADE.pop(str(folder), None)


_WHY = {errno.ENOSPC: "ổ đĩa đã đầy — giải phóng chỗ trống trên ổ đĩa",
        getattr(errno, "EDQUOT", -1): "đã hết dung lượng được phép dùng — giải phóng chỗ trống",
        errno.EROFS: "ổ đĩa chỉ cho đọc (thẻ nhớ, USB bị khoá ghi?) — chọn thư mục làm việc trên ổ đĩa ghi được",
        errno.EPIPE: "nơi nhận kết quả đã đóng (chương trình đọc kết quả đã dừng)",
        errno.EIO: "lỗi đọc/ghi của ổ đĩa (ổ hỏng hoặc đã bị rút ra?) — kiểm tra ổ đĩa",
        errno.EACCES: "không có quyền ghi — cấp quyền ghi cho thư mục",
        errno.EPERM: "không có quyền ghi — cấp quyền ghi cho thư mục"}


def os_reason(exc: OSError) -> str:
    """Why the system refused, in Vietnamese, with what to do (never the system's English words)."""
    return _WHY.get(exc.errno or 0, f"lỗi hệ thống (mã {exc.errno}) — kiểm tra ổ đĩa và thư mục")


def write_failed(folder: Path, exc: OSError) -> WorkspaceError:
    """The error for an output that could not be written: the folder, why, and what is left as it was."""
    return WorkspaceError(f"Không ghi được kết quả vào thư mục {folder}: {os_reason(exc)}, rồi chạy lại. "
                          "Các tệp kết quả cũ (nếu có) vẫn giữ nguyên.")


def _move_into_place(temporary: Path, path: Path, allow_fallback: bool) -> tuple[Path, bool]:
    candidates = [path] + ([path.with_name(f"{path.stem} ({n}){path.suffix}") for n in range(1, 100)]
                           if allow_fallback else [])
    last_error: OSError | None = None
    for candidate in candidates:
        try:
            if allow_fallback and (open_elsewhere(candidate) or (candidate != path and _is_locked(candidate))):
                continue
            os.replace(temporary, candidate)
            _MADE.pop(str(temporary), None)  # in place: no longer a temporary of ours
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
    except FileNotFoundError:
        return False
    except PermissionError:
        return True


# ----------------------------------------------------------------------------- names Windows accepts


WINDOWS_FORBIDDEN = frozenset('<>:"/\\|?*') | frozenset(chr(code) for code in range(32))
# Device names: "con.xlsx" is refused by Windows whatever the extension.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                              *(f"lpt{n}" for n in range(1, 10))})


def windows_safe_name(name: str) -> bool:
    """Whether Windows can create a file named ``name`` (no forbidden character, no trailing dot or
    space, not a device name such as CON or NUL)."""
    stem = name.split(".")[0].rstrip(" ").lower()
    return (bool(name) and not WINDOWS_FORBIDDEN & set(name) and name[-1] not in ". "
            and stem not in WINDOWS_RESERVED)


# ----------------------------------------------------------------------------- open in another program


def lock_files(path: Path) -> list[Path]:
    """The files a spreadsheet program puts beside ``path`` while it has it open.

    LibreOffice: ``.~lock.<name>#``. Excel: ``~$<name>`` (Word-style owner files drop the first one
    or two characters of a long name: ``~$ng-hop-2026.xlsx``). WPS Office: ``.~<name>``, also with
    the first one or two characters dropped. On Windows the open file also refuses to be replaced
    (PermissionError); on Linux and macOS these files are the only sign.
    """
    path = Path(path)
    name = path.name
    names = [f".~lock.{name}#"] + [f"{prefix}{name[cut:]}" for prefix in ("~$", ".~") for cut in (0, 1, 2)]
    # A name that already starts with ".~" (our own temporary files) is never its own lock file.
    return [path.with_name(found) for found in dict.fromkeys(names) if found != name]


def open_elsewhere(path: Path) -> Path | None:
    """The lock file showing that ``path`` is open in Excel, LibreOffice or WPS; None if there is none."""
    if not Path(path).exists():
        return None
    return next((lock for lock in lock_files(path) if lock.is_file()), None)


# ----------------------------------------------------------------------------- several outputs at once


@dataclass
class OutputBatch:
    """Outputs that replace the old ones together or not at all.

    ``stage(path)`` gives a temporary file beside ``path`` to write the new content to; ``commit()``
    moves every staged file into place in one short step, with Ctrl-C held back (a file that is
    open elsewhere goes to a numbered copy, "name (1).xlsx"). Leaving the ``with`` block without
    a commit (an error, Ctrl-C) removes the staged files and leaves the old outputs untouched.
    """

    staged: dict[Path, Path] = field(default_factory=dict)  # wanted -> temporary
    placed: dict[Path, Path] = field(default_factory=dict)  # wanted -> where it went, once committed

    def stage(self, path: Path) -> Path:
        return temporary_beside(Path(path), into=self.staged)

    def written(self, wanted: Path, path: Path) -> None:
        """The writer of ``wanted`` wrote ``path``: its staged file, or a fallback of its own, which
        the batch then keeps (or removes) instead of the staged file."""
        staged = self.staged[wanted]
        if Path(path) != staged:
            _remove_temporary(staged)
            self.staged[wanted] = Path(path)

    def commit(self) -> dict[Path, Path]:
        """Move every staged file into place; wanted path -> the path written."""
        with interrupts_deferred():
            for wanted, temporary in self.staged.items():
                try:
                    ordinary_permissions(temporary)  # a writer may have written the staged file directly
                    self.placed[wanted], _fallback = _move_into_place(temporary, wanted, allow_fallback=True)
                except OSError as exc:
                    raise write_failed(wanted.parent, exc) from exc
        return dict(self.placed)

    @property
    def committed(self) -> bool:
        return bool(self.staged) and len(self.placed) == len(self.staged)

    def __enter__(self) -> "OutputBatch":
        return self

    def __exit__(self, *_exc: object) -> None:
        with interrupts_deferred():
            for temporary in self.staged.values():
                _remove_temporary(temporary)


# ----------------------------------------------------------------------------- where the user stands


def looks_like_workspace(folder: Path) -> bool:
    """A folder with an inbox/ and something else of a workspace (don-vi.xlsx, templates/, outbox/)."""
    folder = Path(folder)
    return (folder / "inbox").is_dir() and any(
        (folder / name).exists() for name in ("don-vi.xlsx", "templates", "outbox", DEMO_MARKER))


def enclosing_inbox(folder: Path) -> tuple[Path, Path] | None:
    """(the inbox, its workspace) when ``folder`` is a workspace's inbox/ or a folder under it."""
    folder = Path(folder).resolve()
    if looks_like_workspace(folder):
        return None
    for inbox in (folder, *folder.parents):
        if inbox.name == "inbox" and looks_like_workspace(inbox.parent):
            return inbox, inbox.parent
    return None
