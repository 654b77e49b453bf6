"""The library's own exceptions: expected problems with a Vietnamese message for the user.

The CLI turns these into one Vietnamese error line (exit code 2); anything else is a bug: its
traceback goes to a file and the user is told where (exit code 3).
"""

from __future__ import annotations


# What to do about a workbook of the commune's own that cannot be read (the list of units, a sheet of
# past values), said the same way wherever it is met.
RESAVE_AS_XLSX = "Mở tệp bằng Excel (hoặc LibreOffice, WPS), lưu lại dạng Sổ làm việc Excel (.xlsx) rồi chạy lại."


class CtreError(Exception):
    """An expected problem the user can fix; ``str(error)`` is the Vietnamese message."""


class CatalogError(CtreError):
    """The plan catalogue is unreadable or inconsistent."""


class RegistryError(CtreError):
    """The list of units (don-vi.xlsx) is unreadable or has bad rows."""


class WorkspaceError(CtreError):
    """The workspace folder cannot be used (missing, not writable, ...)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with a Vietnamese line saying which outputs were and were not updated.

    A ``KeyboardInterrupt`` still (whoever catches that catches this), so a caller that knows
    nothing of it stops the same way.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def interrupt_within(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C behind ``exc``, when another exception wraps it: Python itself turns a
    ``KeyboardInterrupt`` raised while a class is made (a dataclass field's ``__set_name__``, as a
    module is imported) into "RuntimeError: Error calling __set_name__", the Ctrl-C as its cause."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        if isinstance(found, KeyboardInterrupt):
            return found
        seen.add(id(found))
        found = found.__cause__ or found.__context__
    return None


class NothingToMerge(CtreError):
    """The inbox holds nothing to merge for the year asked (empty, or every return of another year)."""


class OutputTooLarge(CtreError):
    """A workbook would pass one of Excel's limits where ctre-xl cannot split it: stop, never drop."""
