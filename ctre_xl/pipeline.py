"""Each command's stages, in order: the one library call behind ``ctre-xl init`` and ``ctre-xl merge``.

The merge stage returns a ``MergeResult`` and writes nothing; the writers come after it, each
receiving the result and returning the path it wrote. A writer falls back to a numbered copy
("tong-hop-2026 (1).xlsx") when the usual file is open in Excel; the notice that says so is built
here, once for every writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ctre_xl.files import Workspace
from ctre_xl.merge.merge import merge_inbox
from ctre_xl.merge.reading import Progress
from ctre_xl.merge.model import MergeResult
from ctre_xl.output.findings_workbook import write_findings_workbook
from ctre_xl.output.summary.workbook import write_summary
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.units import Registry, write_registry_workbook

Writer = Callable[[MergeResult, Path], Path]


def init_workspace(catalog: Catalog, workspace: Workspace) -> bool:
    """Create the workspace folders and, when missing, the list of schools; True if it was created."""
    workspace.ensure()
    created = not workspace.registry_path.exists()
    if created:
        write_registry_workbook(workspace.registry_path, catalog)
    return created


def run_merge(catalog: Catalog, registry: Registry, workspace: Workspace, year: int, *,
              strict: bool = False, progress: Progress | None = None,
              allow_sample: bool = False) -> MergeResult:
    """The merge stage, then the findings and summary workbooks in ``outbox/<year>/``."""
    result = merge_inbox(catalog, registry, workspace, year, strict=strict, progress=progress,
                         allow_sample=allow_sample)
    write_outputs(result, output_writers(catalog, registry), workspace.outbox_dir(year))
    return result


def output_writers(catalog: Catalog, registry: Registry) -> dict[str, tuple[str, Writer]]:
    """Kind -> (file name pattern for the year, writer), in the order they are written."""
    def summary(result: MergeResult, path: Path) -> Path:
        return write_summary(result, catalog, registry, path)

    return {"findings": ("kiem-tra-{year}.xlsx", write_findings_workbook),
            "summary": ("tong-hop-{year}.xlsx", summary)}


def write_outputs(result: MergeResult, writers: dict[str, tuple[str, Writer]], folder: Path) -> None:
    """Run each writer; record where it wrote in ``result.outputs`` and any numbered copy in notices."""
    for kind, (pattern, write) in writers.items():
        wanted = folder / pattern.format(year=result.year)
        written = Path(write(result, wanted))
        result.outputs[kind] = str(written)
        if written.name != wanted.name:
            result.notices.append(numbered_copy_notice(wanted, written))


def numbered_copy_notice(wanted: Path, written: Path) -> str:
    """The console line for an output written beside the usual file because that one was open."""
    return (f"Tệp {wanted.name} đang được mở (hoặc bị khoá) nên kết quả được ghi vào "
            f"{written.name}. Đóng tệp cũ rồi chạy lại nếu muốn ghi đúng tên.")
