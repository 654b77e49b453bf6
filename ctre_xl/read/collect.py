"""Collecting the inbox: every file a unit sent, under any folder, and what is refused on sight.

Nothing is opened here (``reading`` reads each file); links are resolved only to keep reading
inside the inbox, and each folder is resolved once (a merge reads thousands of files from a few).
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from ctre_xl.errors import WorkspaceError
from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.model import FileRecord
from ctre_xl.text import clean_text

SILENT_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "__macosx", "$recycle.bin",
                          "system volume information"})
_HIDDEN_ATTRIBUTES = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 2) | getattr(stat, "FILE_ATTRIBUTE_SYSTEM", 4)
_HAS_FILE_ATTRIBUTES = hasattr(os.stat_result, "st_file_attributes")


MAX_DEPTH = 50  # folders inside folders: far beyond any real inbox, far below the system's limits


def collect_files(inbox: Path) -> tuple[list[Path], list[FileRecord]]:
    """Every regular file under ``inbox`` (sorted), and records for what was refused on sight.

    Skipped silently: Excel lock files (~$…), hidden files and folders (leading "." or the Windows
    hidden/system attribute), Thumbs.db, desktop.ini, __MACOSX. Links whose target is outside the
    inbox are not followed and are rejected; a link to a folder inside the inbox is not followed
    either (its files are collected where they really are); a link to a file inside is read.
    A folder that cannot be opened, or lies more than ``MAX_DEPTH`` folders down, is named and
    skipped (an explicit stack: no recursion limit to hit).
    """
    inbox = Path(inbox)
    root = inbox.resolve()
    forget_resolved()
    files: list[Path] = []
    records: list[FileRecord] = []
    stack: list[tuple[Path, int]] = [(inbox, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            if depth == 0:
                raise WorkspaceError(f"Không mở được thư mục inbox/ ({clean_text(str(inbox))}): "
                                     f"{exc.strerror or 'lỗi hệ thống'}.") from exc
            records.append(_rejected(folder, inbox, "no_access"))
            continue
        for entry in entries:
            try:
                _collect_entry(entry, depth, root, inbox, stack, files, records)
            except OSError:  # a folder listed but not entered: its entries cannot even be looked at
                records.append(_rejected(Path(entry.path), inbox, "no_stat"))
    records.sort(key=lambda r: r.path)
    return [path for _name, path in sorted((relative(path, inbox), path) for path in files)], records


def _collect_entry(entry: os.DirEntry[str], depth: int, root: Path, inbox: Path,
                   stack: list[tuple[Path, int]], files: list[Path], records: list[FileRecord]) -> None:
    """File one entry of a listed folder. The listing already says what each entry is (and, on
    Windows, its attributes): a plain file costs no system call of its own."""
    if _skipped_silently(entry):
        return
    path = Path(entry.path)
    if entry.is_dir(follow_symlinks=False):
        if depth + 1 > MAX_DEPTH:
            records.append(_rejected(path, inbox, "too_deep", depth=MAX_DEPTH))
        else:
            stack.append((path, depth + 1))
        return
    if entry.is_symlink():
        if not path.exists():
            records.append(_rejected(path, inbox, "broken_link"))
            return
        if not _inside(path, root):
            records.append(_outside_link(path, inbox))
            return
        if path.is_dir():  # a link to a folder inside: its files are collected where they are
            return
        regular = stat.S_ISREG(path.stat().st_mode)
    else:
        regular = entry.is_file(follow_symlinks=False)
    if regular:
        files.append(path)
    else:
        records.append(_rejected(path, inbox, "not_regular"))


def relative(path: Path, inbox: Path) -> str:
    """``path`` relative to the inbox with POSIX separators (the form every message uses); a name
    that is not valid UTF-8 (Windows-1258 bytes) shows U+FFFD for its bad bytes (``clean_text``)."""
    text, base = os.fspath(path), os.fspath(inbox).rstrip(os.sep)
    if text.startswith(base + os.sep):  # the usual case, without relpath's two abspath calls
        rest = text[len(base) + 1:]
        if rest and os.path.normpath(rest) == rest:
            return clean_text(rest.replace(os.sep, "/"))
    try:
        return clean_text(Path(os.path.relpath(path, inbox)).as_posix())
    except ValueError:  # another drive on Windows
        return clean_text(Path(path).as_posix())


def _skipped_silently(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith((".", "~$")) or name.lower() in SILENT_NAMES:
        return True
    if not _HAS_FILE_ATTRIBUTES:  # only Windows has hidden/system attributes
        return False
    try:  # free on Windows: the listing holds each entry's attributes
        attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    except OSError:
        return False
    return bool(attributes & _HIDDEN_ATTRIBUTES)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def forget_resolved() -> None:
    """Drop the folders resolved so far (called before each collection: links may have changed)."""
    _real_folder.cache_clear()


def _inside_fast(path: str, root: str) -> bool:
    """``_inside`` for a file read from the inbox: its folder is resolved once per folder (a
    merge reads thousands of files from a few folders), the file itself only when it is a link."""
    try:
        if os.path.islink(path):
            real = os.path.realpath(path)
        else:
            folder, name = os.path.split(path)
            real = os.path.join(_real_folder(folder or "."), name)
    except (OSError, ValueError):
        return False
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _outside_link(path: Path, inbox: Path) -> FileRecord:
    return _rejected(path, inbox, "outside_link")


def _rejected(path: Path, inbox: Path, variant: str, **fields: object) -> FileRecord:
    """A record only: the merge files its finding (kind "rejected") with the record's reason."""
    return FileRecord(path=relative(path, inbox), unit=None, status=FileStatus.REJECTED,
                      reason=FindingKind.REJECTED.message(variant, **fields))
