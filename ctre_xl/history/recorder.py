"""A merge's records written to the history while its outputs are written, committed once they are in place.

Recording a year replaces tens of thousands of rows (0.2 s at 2,600 files, on one core, after every
output was written). Most of it is SQLite's own work, which runs without holding Python's lock,
so a thread does it beside the writers; its transaction stays open until the outputs are in
place, then it is committed, or rolled back when they could not be written or Ctrl-C stopped the
merge first: the history records a year only when its outputs are new, as before.

Only an existing history is written this way. A missing one is made whole beside and put in place
(``merges.keep_merge``) after the outputs, since making it also merges the inbox's other years.
"""

from __future__ import annotations

import threading

from ctre_xl.errors import WorkspaceError
from ctre_xl.files import Workspace
from ctre_xl.history.merges import history_failed_notice, keep_merge
from ctre_xl.history.store import HISTORY_ERRORS, history_path, open_history, write_merge_records
from ctre_xl.interrupts import interrupts_deferred
from ctre_xl.merge.model import MergeResult
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry
from ctre_xl.workers import POLL_SECONDS

# What a history that cannot be written raises: a notice on the result, never a failed merge.
NOT_WRITTEN = (*HISTORY_ERRORS, OSError, WorkspaceError)


class HistoryRecorder:
    """``keep_merge`` for one merge, begun (``start``) while its outputs are written."""

    def __init__(self, result: MergeResult, catalog: Catalog, registry: Registry, workspace: Workspace, *,
                 allow_sample: bool = False) -> None:
        self.result, self.catalog, self.registry, self.workspace = result, catalog, registry, workspace
        self.allow_sample = allow_sample
        self.path = history_path(workspace)
        self.committed = False
        self._thread: threading.Thread | None = None
        self._written = threading.Event()  # the records are in the open transaction (or writing failed)
        self._decided = threading.Event()
        self._commit = False
        self._failure: BaseException | None = None

    def start(self) -> None:
        """Begin writing the year's records in a thread, when the history exists. Called once any
        worker process of the writers has started: a process forked while the thread holds
        SQLite's locks would inherit them held."""
        if self._thread is not None or not self.path.is_file():
            return
        self._thread = threading.Thread(target=self._write, name="ctre-xl history", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        try:
            conn = open_history(self.path)
        except BaseException as exc:  # reported by ``keep``, in the main thread
            self._failed(exc)
            self._written.set()
            return
        try:
            write_merge_records(conn, self.result, self.catalog)
            self._written.set()
            self._decided.wait()
            if self._commit:
                conn.commit()
                self.committed = True
            else:
                conn.rollback()
        except BaseException as exc:
            self._failed(exc)
            if conn.in_transaction:
                conn.rollback()
        finally:
            self._written.set()
            conn.close()

    def _failed(self, exc: BaseException) -> None:
        """Keep ``exc`` for ``keep``. A history that cannot be written loses its traceback, whose
        frames would keep a half-read query, and so the file's lock, alive after the close."""
        if isinstance(exc, NOT_WRITTEN):
            chained: BaseException | None = exc
            seen: set[int] = set()
            while chained is not None and id(chained) not in seen:
                seen.add(id(chained))
                chained.__traceback__ = None
                chained = chained.__cause__ or chained.__context__
        self._failure = exc

    def keep(self) -> list[int]:
        """Once the outputs are in place: the year's records committed (or, without a history,
        ``keep_merge``); the years rebuilt. A history that cannot be written becomes a notice on
        the result. Ctrl-C while the records are still being written leaves the history as it was;
        once they are, the commit is not cut (``committed`` says whether it happened)."""
        if self._thread is None:
            return keep_merge(self.result, self.catalog, self.registry, self.workspace,
                              allow_sample=self.allow_sample)
        while not self._written.wait(POLL_SECONDS):  # a plain wait would not see Ctrl-C on Windows
            pass
        with interrupts_deferred():
            self._finish(commit=True)
        if isinstance(self._failure, NOT_WRITTEN):
            self.result.notices.append(history_failed_notice(self.path, self._failure))  # type: ignore[arg-type]
        elif self._failure is not None:
            raise self._failure
        return []

    def abandon(self) -> None:
        """The outputs are not all new (an error, Ctrl-C): the history keeps what it had."""
        if self._thread is not None and not self._decided.is_set():
            with interrupts_deferred():
                self._finish(commit=False)

    def _finish(self, *, commit: bool) -> None:
        assert self._thread is not None
        self._commit = commit
        self._decided.set()
        self._thread.join()

