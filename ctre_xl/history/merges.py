"""The history around a merge: what a merge takes from it, and how it is kept and rebuilt.

* Before a merge: last year's figures that counted (used when the inbox holds no file of the
  year before) and when each file was first seen (evidence for the on-time rule).
* After a merge whose outputs were written: its records replace that year's.
* "Rebuilt when missing": when ``lich-su.sqlite`` does not exist, the merge that creates it also
  merges (the merge stage only, no output written) every other year whose readable returns are in
  the inbox, oldest first, and records each. Years whose files are no longer in the inbox cannot
  come back (nor can imported values): the file is the only copy, so keep it with the inbox.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from ctre_xl.errors import WorkspaceError
from ctre_xl.files import Workspace, atomic_write
from ctre_xl.history.store import (HISTORY_ERRORS, UNREADABLE, first_seen_times, history_path, history_problem,
                                   open_history, previous_contributions, record_merge)
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.merge.model import MergeResult
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry
from ctre_xl.plan.vocab import FileStatus


class HistoryInputs(NamedTuple):
    """What a merge takes from the history: last year's figures that counted (element -> {unit ->
    value}), sha256 -> when a file was first seen, and a notice when the history could not be read."""

    previous: dict[str, dict[str, float]]
    first_seen: dict[str, datetime]
    notices: tuple[str, ...] = ()


def merge_inputs(workspace: Workspace, year: int) -> HistoryInputs:
    """What the history gives a merge of ``year``; nothing when there is none yet (nothing is created
    before a merge has succeeded). An unreadable history gives nothing and says so: the merge runs
    on the inbox alone."""
    path = history_path(workspace)
    if not path.exists():
        return HistoryInputs({}, {})
    try:
        conn = open_history(path)
        try:
            return HistoryInputs(previous_contributions(conn, year), first_seen_times(conn))
        finally:
            conn.close()
    except HISTORY_ERRORS:
        return HistoryInputs({}, {}, (history_unreadable_notice(path),))


def keep_merge(result: MergeResult, catalog: Catalog, registry: Registry, workspace: Workspace, *,
               allow_sample: bool = False) -> list[int]:
    """Record ``result`` in the history (creating it, and then rebuilding the other years of the
    inbox, when missing); the years rebuilt. A history that cannot be written becomes a notice on
    ``result``: the outputs are already in place and stay valid."""
    path = history_path(workspace)
    try:
        if path.exists():
            return _record(path, result, catalog, registry, workspace, allow_sample, rebuild=False)
        # Made whole beside, then put in place: a Ctrl-C or a failure while the other years are
        # rebuilt leaves no history, not one that lacks them (which no later merge would rebuild).
        with atomic_write(path) as (temporary, _target):
            return _record(temporary, result, catalog, registry, workspace, allow_sample, rebuild=True)
    except (*HISTORY_ERRORS, OSError, WorkspaceError) as exc:
        result.notices.append(history_failed_notice(path, exc))
        return []


def _record(path: Path, result: MergeResult, catalog: Catalog, registry: Registry, workspace: Workspace,
            allow_sample: bool, *, rebuild: bool) -> list[int]:
    conn = open_history(path)
    try:
        record_merge(conn, result, catalog)
        return rebuild_years(conn, result, catalog, registry, workspace, allow_sample) if rebuild else []
    finally:
        conn.close()


def rebuild_years(conn: sqlite3.Connection, result: MergeResult, catalog: Catalog, registry: Registry,
                  workspace: Workspace, allow_sample: bool) -> list[int]:
    """Merge and record every other year whose readable returns ``result`` saw in the inbox."""
    years = sorted({r.year for r in result.files
                    if r.year is not None and r.year != result.year and r.status != FileStatus.REJECTED})
    for other in years:
        earlier = merge_inbox(catalog, registry, workspace, other, allow_sample=allow_sample,
                              previous=previous_contributions(conn, other))
        record_merge(conn, earlier, catalog)
    return years


def history_unreadable_notice(path: Path) -> str:
    return (f"Không đọc được lịch sử số liệu {path.name} ({UNREADABLE}): lần này không so với số liệu các năm trước "
            f"lưu trong đó. Chép lại tệp từ bản sao lưu rồi chạy lại; hoặc đổi tên tệp đó, ctre-xl sẽ dựng lại lịch "
            f"sử từ các tệp còn trong inbox/ (số liệu đã nhập bằng “ctre-xl history import” phải nhập lại).")


def history_failed_notice(path: Path, exc: Exception) -> str:
    cause = exc.__cause__ if isinstance(exc, WorkspaceError) else exc
    return (f"Không ghi được lịch sử số liệu {path.name}: {history_problem(cause)}. Các tệp kết quả vẫn đã được "
            "ghi; sửa lỗi đó rồi chạy lại lệnh tổng hợp để ghi lịch sử.")
