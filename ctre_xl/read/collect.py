"""Collecting the inbox: every file a unit sent, under any folder, and what is refused on sight.

Nothing is opened here (``reading`` reads each file); links are resolved only to keep reading
inside the inbox, and each folder is resolved once (a merge reads thousands of files from a few).
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

from ctre_xl.plan.finding_kinds import FindingKind
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.read.model import FileRecord

SILENT_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "__macosx", "$recycle.bin",
                          "system volume information"})
_HIDDEN_ATTRIBUTES = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 2) | getattr(stat, "FILE_ATTRIBUTE_SYSTEM", 4)
_HAS_FILE_ATTRIBUTES = hasattr(os.stat_result, "st_file_attributes")


def collect_files(inbox: Path) -> tuple[list[Path], list[FileRecord]]:
    """Every regular file under ``inbox`` (sorted), and records for what was refused on sight.

    Skipped silently: Excel lock files (~$…), hidden files and folders (leading "." or the Windows
    hidden/system attribute), Thumbs.db, desktop.ini, __MACOSX. Links whose target is outside the
    inbox are not followed and are rejected; a link to a folder inside the inbox is not followed
    either (its files are collected where they really are); a link to a file inside is read.
    """
    inbox = Path(inbox)
    root = inbox.resolve()
    forget_resolved()
    files: list[Path] = []
    records: list[FileRecord] = []
    for folder, dirnames, filenames in os.walk(inbox, followlinks=False):
        base = Path(folder)
        for name in list(dirnames):
            path = base / name
            if _skipped_silently(path):
                dirnames.remove(name)
            elif path.is_symlink():
                dirnames.remove(name)
                if not _inside(path, root):
                    records.append(_outside_link(path, inbox))
        for name in filenames:
            path = base / name
            if _skipped_silently(path):
                continue
            if path.is_symlink():
                if not path.exists():
                    records.append(_rejected(path, inbox, "broken_link"))
                    continue
                if not _inside(path, root):
                    records.append(_outside_link(path, inbox))
                    continue
            try:
                mode = path.stat().st_mode
            except OSError:
                records.append(_rejected(path, inbox, "no_stat"))
                continue
            if stat.S_ISREG(mode):
                files.append(path)
            else:
                records.append(_rejected(path, inbox, "not_regular"))
    files.sort(key=lambda p: relative(p, inbox))
    records.sort(key=lambda r: r.path)
    return files, records


def relative(path: Path, inbox: Path) -> str:
    """``path`` relative to the inbox with POSIX separators (the form every message uses)."""
    text, base = os.fspath(path), os.fspath(inbox).rstrip(os.sep)
    if text.startswith(base + os.sep):  # the usual case, without relpath's two abspath calls
        rest = text[len(base) + 1:]
        if rest and os.path.normpath(rest) == rest:
            return rest.replace(os.sep, "/")
    try:
        return Path(os.path.relpath(path, inbox)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def _skipped_silently(path: Path) -> bool:
    name = path.name
    if name.startswith((".", "~$")) or name.lower() in SILENT_NAMES:
        return True
    if not _HAS_FILE_ATTRIBUTES:  # only Windows has hidden/system attributes: no lstat elsewhere
        return False
    try:
        attributes = getattr(path.lstat(), "st_file_attributes", 0)
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


def _rejected(path: Path, inbox: Path, variant: str) -> FileRecord:
    """A record only: the merge files its finding (kind "rejected") with the record's reason."""
    return FileRecord(path=relative(path, inbox), unit=None, status=FileStatus.REJECTED,
                      reason=FindingKind.REJECTED.message(variant))
