"""Each command's stages, in order: the one library call behind ``ctre-xl init``, ``templates`` and ``merge``.

The merge stage returns a ``MergeResult`` and writes nothing; the writers come after it, each
receiving the result and writing to a temporary file, and the new outputs then replace the old ones
together or not at all (``files.OutputBatch``). An output open in Excel, LibreOffice or WPS goes to
a numbered copy ("tong-hop-2026 (1).xlsx"); the notice that says so is built here, once for every
writer.

Refused before anything is written (``NothingToMerge``, exit code 2): an inbox with no file at all,
and an inbox whose readable returns are all of other years than the one asked. Ctrl-C raises
``Interrupted``, whose message says which outputs were and were not updated.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from ctre_xl.collector import collector_paused
from ctre_xl.errors import Interrupted, NothingToMerge
from ctre_xl.files import OutputBatch, Workspace, atomic_write, open_elsewhere
from ctre_xl.history.importer import IMPORT_FILE, write_import_sheet
from ctre_xl.history.merges import keep_merge, merge_inputs
from ctre_xl.history.store import history_path, stored_series
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.merge.model import MergeResult
from ctre_xl.merge.track import Point, attach_tracks
from ctre_xl.merge.reading import Progress
from ctre_xl.output.chase import REMINDERS_FILE, ChaseReport, chase_report, reminders_text, write_reminders
from ctre_xl.output.feedback import FEEDBACK_DIR, remove_stale_feedback
from ctre_xl.output.report_texts import YearPoint
from ctre_xl.output.summary.side_rows import start_early
from ctre_xl.output.writing import MERGE_OUTPUTS, write_merge_outputs
from ctre_xl.plan.catalog import Catalog, fold
from ctre_xl.plan.units import Registry, write_registry_workbook
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.workers import drop_spare

Writer = Callable[[MergeResult, Path], Path]
Stager = Callable[[MergeResult, dict[str, Path], OutputBatch], dict[Path, str]]
EXAMPLE_MARK = "(ví dụ)"  # in the names of the built-in example schools
# After Ctrl-C once the outputs are in place: the history keeps what it had (all or nothing).
HISTORY_NOT_KEPT = " Lịch sử số liệu ({name}) chưa ghi lại năm {year}: chạy lại lệnh tổng hợp để ghi."


def init_workspace(catalog: Catalog, workspace: Workspace) -> bool:
    """Create the workspace folders and, when missing, the list of schools; True if it was created."""
    workspace.ensure()
    created = not workspace.registry_path.exists()
    if created:
        write_registry_workbook(workspace.registry_path, catalog)
    if not (workspace.root / IMPORT_FILE).exists():  # the blank sheet of past values, kept once filled
        write_import_sheet(workspace.root / IMPORT_FILE, catalog)
    return created


def registry_warnings(registry: Registry, workspace: Workspace, year: int, written: list[str]) -> list[str]:
    """Vietnamese warnings when templates were made (``written``: unit ids) for the example schools."""
    example_units = [u for u in registry.schools if fold(EXAMPLE_MARK) in fold(u.name)]
    if workspace.is_demo or not {u.id for u in example_units} & set(written):
        return []
    examples = [u.name for u in example_units]
    where = "" if workspace.root == Path(".") else f" --workspace {workspace.root}"
    again = f"rồi chạy lại “ctre-xl templates --year {year}{where}”."
    if not workspace.registry_path.exists():
        return [f"Chưa có tệp danh sách đơn vị {workspace.registry_path}: biểu mẫu được tạo cho các trường ví dụ "
                f"có sẵn ({', '.join(examples)}), không phải các trường của xã. Chạy “ctre-xl init{where}” để tạo "
                f"don-vi.xlsx, mở tệp đó, nhập danh sách các trường của xã, {again}"]
    if examples:
        return [f"Tệp {workspace.registry_path} vẫn còn {len(examples)} trường ví dụ ({', '.join(examples)}): "
                f"biểu mẫu vẫn được tạo cho các trường này. Mở don-vi.xlsx, thay các dòng có chữ “{EXAMPLE_MARK}” "
                f"bằng các trường thật của xã, {again}"]
    return []


def run_merge(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
              strict: bool = False, progress: Progress | None = None,
              allow_sample: bool = False) -> MergeResult:
    """The merge stage (last year's figures from the history when the inbox has none), then the
    findings and summary workbooks in ``outbox/<year>/``, then the year recorded in the history."""
    with collector_paused():  # one pause for the whole merge: a collection between its stages frees nothing
        return _run_merge(catalog, registry, workspace, year, strict=strict, progress=progress,
                          allow_sample=allow_sample)


def _run_merge(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
               strict: bool, progress: Progress | None, allow_sample: bool) -> MergeResult:
    folder = workspace.outbox_dir(year)
    not_kept = HISTORY_NOT_KEPT.format(name=history_path(workspace).name, year=year)
    try:
        result = merge_stage(catalog, registry, workspace, year, strict=strict, progress=progress,
                             allow_sample=allow_sample, after_reading=start_early)
        refuse_nothing_to_merge(result, workspace)
        attach_history(result, catalog, workspace)
        write_outputs(result, MERGE_OUTPUTS, folder,
                      lambda merged, wanted, batch: write_merge_outputs(merged, catalog, registry, wanted, batch, folder),
                      feedback=True, after_placed=not_kept)
    except Interrupted:
        raise
    except KeyboardInterrupt as exc:
        raise Interrupted(interrupted_message(folder, output_names(MERGE_OUTPUTS, year), [])) from exc
    finally:
        drop_spare()  # the summary's worker started early (``start_early``), when the summary did not take it
    try:
        keep_merge(result, catalog, registry, workspace, allow_sample=allow_sample)
    except KeyboardInterrupt as exc:  # the outputs are new; the history keeps what it had (all or nothing)
        raise Interrupted(written_message(result) + not_kept) from exc
    return result


def run_status(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
               progress: Progress | None = None, allow_sample: bool = False, day: date | None = None) -> ChaseReport:
    """``ctre-xl status``: the merge stage (fast; nothing of the summary written), every unit's
    standing, and the reminders file ``outbox/<year>/nhac-nop.txt`` (the same one ``merge`` writes)."""
    result = merge_stage(catalog, registry, workspace, year, progress=progress, allow_sample=allow_sample)
    report = chase_report(result, catalog, registry, day)
    with atomic_write(workspace.outbox_dir(year) / REMINDERS_FILE, allow_fallback=True) as (temporary, target):
        write_reminders(reminders_text(report, catalog), temporary)
    return dataclasses.replace(report, reminders=str(target.path), notices=tuple(result.notices))


def merge_stage(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *, strict: bool = False,
                progress: Progress | None = None, allow_sample: bool = False,
                after_reading: Callable[[int], None] | None = None) -> MergeResult:
    """The merge stage with what the history gives it (last year's figures, when each file was
    first seen); a history that could not be read is said in ``result.notices``."""
    history = merge_inputs(workspace, year)
    result = merge_inbox(catalog, registry, workspace, year, strict=strict, progress=progress,
                         allow_sample=allow_sample, previous=history.previous, first_seen=history.first_seen,
                         after_reading=after_reading)
    result.notices.extend(history.notices)
    return result


def attach_history(result: MergeResult, catalog: Catalog, workspace: Workspace) -> None:
    """Each metric's series and on-track verdict (``merge/track.py``) when the workspace has a
    history; without one (or unreadable: ``keep_merge`` says so) nothing is set and nothing shown."""
    found = stored_series(workspace)
    if found is None:
        return
    history: dict[str, list[Point]] = {}
    for point in found:
        history.setdefault(point.code, []).append((point.year, point.value))
    attach_tracks(result, catalog, history)


def refuse_nothing_to_merge(result: MergeResult, workspace: Workspace) -> None:
    """Raise ``NothingToMerge`` rather than write a report of nothing that would look real."""
    if not result.files:
        hidden = any(path.is_file() for path in workspace.inbox.rglob("*"))
        what = (" (chỉ có tệp ẩn hoặc tệp khoá của Excel/LibreOffice/WPS, không phải báo cáo)" if hidden else "")
        raise NothingToMerge(
            f"Thư mục inbox/ ({workspace.inbox.resolve()}) chưa có tệp báo cáo nào{what}. Tạo biểu mẫu bằng lệnh "
            f"“ctre-xl templates --year {result.year}”, gửi cho các đơn vị, chép các tệp các đơn vị gửi về vào "
            "thư mục inbox/ rồi chạy lại. Chưa ghi báo cáo nào.")
    years = {record.year for record in result.files if record.year is not None}
    if not years or result.year in years:
        return
    unread = sum(1 for record in result.files if record.status == FileStatus.REJECTED)
    also = f" (ngoài ra {unread} tệp không đọc được)" if unread else ""
    found = sorted(years)
    if len(found) == 1:
        raise NothingToMerge(
            f"Mọi tệp đọc được trong inbox/ là báo cáo năm {found[0]}{also}, không có báo cáo năm {result.year} — "
            f"ý bạn là --year {found[0]}? Chạy “ctre-xl merge --year {found[0]}”. Chưa ghi báo cáo nào.")
    listed = ", ".join(str(y) for y in found[:-1]) + f" và {found[-1]}"
    choices = " hoặc ".join(f"--year {y}" for y in found)
    raise NothingToMerge(
        f"Các tệp đọc được trong inbox/ là báo cáo các năm {listed}{also}, không có báo cáo năm {result.year} — "
        f"ý bạn là {choices}? Chưa ghi báo cáo nào.")


def output_names(outputs: dict[str, str], year: int) -> list[str]:
    return [pattern.format(year=year) for pattern in outputs.values()]


def write_each(writers: dict[str, tuple[str, Writer]]) -> Stager:
    """Write each output in turn, in this process (the formal report and its annex)."""
    def write(result: MergeResult, wanted: dict[str, Path], batch: OutputBatch) -> dict[Path, str]:
        for kind, (_pattern, writer) in writers.items():
            batch.written(wanted[kind], writer(result, batch.stage(wanted[kind])))
        return {}
    return write


def write_outputs(result: MergeResult, outputs: dict[str, str], folder: Path, write: Stager, *,
                  feedback: bool = False, after_placed: str = "") -> None:
    """Write every output (``outputs``: kind -> file name pattern) to a temporary file, then put them
    all in place at once.

    ``write`` stages and writes them (and the units' feedback workbooks, whose wanted path -> unit id
    it returns). Records where each went in ``result.outputs`` and any numbered copy in
    ``result.notices``; with ``feedback``, the feedback workbooks of earlier merges not written again
    are then removed (``result.feedback``: unit -> path). ``after_placed``: what the Ctrl-C message
    adds once the outputs are in place (what the caller has not done yet).
    """
    wanted = {kind: folder / pattern.format(year=result.year) for kind, pattern in outputs.items()}
    batch = OutputBatch()
    try:
        with batch, collector_paused():
            units = write(result, wanted, batch)
            placed = batch.commit()
            for kind, path in wanted.items():
                result.outputs[kind] = str(placed[path])
            for path, unit_id in units.items():
                result.feedback[unit_id] = str(placed[path])
            result.notices.extend(numbered_copy_notice(path, written) for path, written in placed.items()
                                  if written.name != path.name)
            if feedback:
                result.notices.extend(remove_stale_feedback(folder, set(placed.values())))
    except KeyboardInterrupt as exc:
        names = [path.name for path in wanted.values()]
        in_place = list(batch.placed.values()) if batch.committed else []
        raise Interrupted(interrupted_message(folder, names, in_place) + (after_placed if in_place else "")) from exc


def written_message(result: MergeResult) -> str:
    """What a Ctrl-C after ``result``'s outputs were put in place left: all of them updated."""
    placed = [Path(path) for path in (*result.outputs.values(), *result.feedback.values())]
    return interrupted_message(placed[0].parent if placed else Path("."), [], placed)


def interrupted_message(folder: Path, names: list[str], placed: Iterable[Path]) -> str:
    """What Ctrl-C left: every output updated (``placed``: where each went), or none of them
    (``names``: the outputs' file names in ``folder``). The units' feedback workbooks, one per unit,
    are counted, not named."""
    stop = "Đã dừng theo yêu cầu (Ctrl-C)"
    placed = list(placed)
    if placed:
        named = [path.name for path in placed if path.parent == folder]
        others = len(placed) - len(named)
        also = f" và {others} tệp phản hồi trong {FEEDBACK_DIR}/" if others else ""
        return f"{stop} sau khi ghi xong: {', '.join(named)}{also} trong {folder} đã được cập nhật."
    old = [name for name in names if (folder / name).exists()]
    new = [name for name in names if name not in old]
    parts = ([f"{', '.join(old)} chưa được cập nhật (vẫn là kết quả của lần tổng hợp trước)"] if old else []) + \
            ([f"{', '.join(new)} chưa được ghi"] if new else [])
    return f"{stop} trước khi ghi kết quả: trong {folder}, {'; '.join(parts)}. Chạy lại lệnh để tổng hợp."


def numbered_copy_notice(wanted: Path, written: Path) -> str:
    """The console line for an output written beside the usual file because that one was open."""
    notice = (f"Tệp {wanted.name} đang được mở (hoặc bị khoá) nên kết quả được ghi vào "
              f"{written.name}. Đóng tệp cũ rồi chạy lại nếu muốn ghi đúng tên.")
    lock = open_elsewhere(wanted)
    if lock is not None:
        notice += f" Nếu tệp không còn mở ở đâu, xoá tệp khoá {lock.name} trong cùng thư mục."
    return notice


def run_report(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *, final: bool = False,
               progress: Progress | None = None, allow_sample: bool = False) -> MergeResult:
    """``ctre-xl report``: the merge stage (as ``status``: nothing of the summary written), then the
    formal report ``bao-cao-<year>.docx`` and its annex ``phu-luc-<year>.xlsx`` in ``outbox/<year>/``.

    ``final`` (or the plan's last year): the review with every metric's series from the history,
    the year merged now laid over it; without a history the report says so (no failure).
    """
    from ctre_xl.output.annex import write_annex_workbook
    from ctre_xl.output.report_docx import write_report_docx  # python-docx only on this path

    final = final or year == catalog.last_year
    result = merge_stage(catalog, registry, workspace, year, progress=progress, allow_sample=allow_sample)
    refuse_nothing_to_merge(result, workspace)
    series = report_series(workspace, result) if final else None

    def report(merged: MergeResult, path: Path) -> Path:
        return write_report_docx(merged, catalog, registry, path, final=final, series=series)

    def annex(merged: MergeResult, path: Path) -> Path:
        return write_annex_workbook(merged, catalog, path)

    writers: dict[str, tuple[str, Writer]] = {"report": ("bao-cao-{year}.docx", report),
                                              "annex": ("phu-luc-{year}.xlsx", annex)}
    outputs = {kind: pattern for kind, (pattern, _writer) in writers.items()}
    write_outputs(result, outputs, workspace.outbox_dir(year), write_each(writers))
    return result


def report_series(workspace: Workspace, result: MergeResult) -> dict[str, list[YearPoint]] | None:
    """metric code -> its years from the history, ``result``'s year laid over; None without a history."""
    points = stored_series(workspace)
    if not points:
        return None
    series: dict[str, dict[int, YearPoint]] = {}
    for point in points:
        series.setdefault(point.code, {})[point.year] = YearPoint(point.year, point.value, point.status)
    for found in result.metrics:
        series.setdefault(found.code, {})[result.year] = YearPoint(result.year, found.value, str(found.status))
    return {code: [years[y] for y in sorted(years)] for code, years in series.items()}
