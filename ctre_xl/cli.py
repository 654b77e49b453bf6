"""Command line: parse options, call one library function, print what it returns.

Problems become Vietnamese lines in one place, ``CtreGroup.invoke``: the library's own exceptions
(``CtreError``) are expected problems the user can fix (exit code 2, like a usage error); anything
else is a program error: its traceback goes to a file and the user reads one line saying where
(exit code 3). ``--strict`` with errors in the figures exits with 1. Ctrl-C exits with 130 (128 +
SIGINT, as shells do) after one Vietnamese line saying which outputs were and were not updated.

Checked before any command runs (``CtreCommand``), exit code 2: a ``--workspace`` that does not
exist (except for ``init`` and ``demo``, which create it), and a command run from inside a
workspace's ``inbox/`` without ``--workspace``. Nothing to merge (an empty inbox, or only returns of
other years) is also exit code 2: an environment or usage problem, not an error in the figures.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ctre_xl import __version__
from ctre_xl.collector import collector_paused
from ctre_xl.errors import Interrupted
from ctre_xl.cli_base import (CATALOG_HELP, CONTEXT_SETTINGS, OPTIONS_METAVAR, WORKSPACE_HELP, YEARS, Context, CtreGroup,
                              UserError, global_options, pass_context, print_json, print_out,
                              year_option)
from ctre_xl.files import Workspace
from ctre_xl.shortcuts import reporting_year, write_shortcuts

@click.group(cls=CtreGroup, context_settings=CONTEXT_SETTINGS, options_metavar=OPTIONS_METAVAR,
             subcommand_metavar="LỆNH [THAM SỐ]...")
@click.version_option(__version__, "--version", message="ctre-xl %(version)s", help="In phiên bản rồi thoát.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default="thư mục hiện tại", help=WORKSPACE_HELP)
@click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=CATALOG_HELP)
@click.pass_context
def main(ctx: click.Context, workspace: Path, catalog_path: Path | None) -> None:
    """ctre-xl — tổng hợp báo cáo hằng năm Kế hoạch thực hiện Chương trình hành động vì trẻ em.

    \b
    Ba bước mỗi năm:
      1. ctre-xl templates --year 2026   tạo biểu mẫu cho từng đơn vị (thư mục templates/)
      2. các đơn vị điền và gửi lại; chép mọi tệp nhận được vào thư mục inbox/
      3. ctre-xl merge --year 2026       kiểm tra, tổng hợp, ghi báo cáo vào outbox/
    Giữa bước 2 và 3, hoặc sau bước 3:
         ctre-xl status --year 2026      xem đơn vị nào chưa nộp, nộp trống, có lỗi; soạn sẵn tin nhắn nhắc
    Sau bước 3:
         ctre-xl report --year 2026      soạn dự thảo báo cáo gửi tỉnh (Word) và phụ lục (Excel)
    """
    from ctre_xl.read.security import require_defusedxml

    require_defusedxml()
    given = ctx.get_parameter_source("workspace") is not click.core.ParameterSource.DEFAULT
    ctx.obj = Context(workspace, catalog_path, given)


@main.command(options_metavar=OPTIONS_METAVAR)
@global_options()
@pass_context
def init(ctx: Context) -> None:
    """Tạo thư mục làm việc và tệp danh sách trường, đoàn thể don-vi.xlsx."""
    from ctre_xl.pipeline import init_workspace

    created = init_workspace(ctx.catalog, ctx.workspace)
    print_out(f"Thư mục làm việc: {ctx.workspace.root.resolve()}")
    if created:
        print_out(f"Đã tạo {ctx.workspace.registry_path.name}: nhập danh sách các trường và các đoàn thể của xã vào tệp này.")
    else:
        print_out(f"Đã có {ctx.workspace.registry_path.name}: giữ nguyên.")
    print_out("Tệp lich-su-nhap.xlsx: nhập số liệu các năm trước của xã nếu có, rồi chạy "
           "“ctre-xl history import lich-su-nhap.xlsx”.")
    made = write_shortcuts(ctx.workspace.root)
    if made:
        print_out("Đã tạo các lối tắt bấm đúp (Windows): " + ", ".join(path.name for path in made) + ".")


@main.command(hidden=True)
def year() -> None:
    """In năm báo cáo tính theo ngày hôm nay (các lối tắt .bat dùng lệnh này)."""
    print_out(str(reporting_year(date.today())))


@main.command(options_metavar=OPTIONS_METAVAR)
@year_option
@click.option("--unit", "unit_ids", multiple=True, metavar="MÃ",
              help="Chỉ tạo biểu mẫu cho đơn vị này (lặp lại được). Mặc định: mọi đơn vị.")
@global_options()
@pass_context
def templates(ctx: Context, year: int, unit_ids: tuple[str, ...]) -> None:
    """Tạo biểu mẫu báo cáo (.xlsx) cho từng đơn vị vào templates/NĂM/."""
    from ctre_xl.pipeline import registry_warnings
    from ctre_xl.template.writer import write_templates

    registry = ctx.registry  # read don-vi.xlsx once
    written = write_templates(ctx.catalog, registry, ctx.workspace, year, list(unit_ids) or None)
    folder = ctx.workspace.templates_dir(year)
    print_out(f"Đã tạo {len(written)} biểu mẫu năm {year} trong {folder}:")
    for path in written:
        unit = registry.get(path.stem)
        optional = " (biểu mẫu ý kiến, không bắt buộc)" if unit is not None and unit.narrative else ""
        print_out(f"  {path.name}{optional}")
    print_out(f"Gửi mỗi đơn vị tệp của mình; hạn nộp {ctx.catalog.deadline_text(year)}.")
    for warning in registry_warnings(registry, ctx.workspace, year, [path.stem for path in written]):
        click.echo(f"Cảnh báo: {warning}", err=True)


@main.command(options_metavar=OPTIONS_METAVAR)
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON cho máy đọc.")
@global_options()
@pass_context
def catalog(ctx: Context, as_json: bool) -> None:
    """Xem danh mục chỉ tiêu, mục tiêu và đơn vị báo cáo."""
    from ctre_xl.output.describe import catalog_as_dict, catalog_table

    if as_json:
        print_json(catalog_as_dict(ctx.catalog, ctx.registry))
    else:
        print_out(catalog_table(ctx.catalog, ctx.registry))


@main.command(options_metavar=OPTIONS_METAVAR)
@year_option
@click.option("--strict", is_flag=True, help="Bỏ mọi số liệu của đơn vị có lỗi; thoát với mã 1 nếu có lỗi.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho máy đọc.")
@global_options()
@pass_context
def merge(ctx: Context, year: int, strict: bool, as_json: bool) -> None:
    """Đọc mọi tệp trong inbox/, kiểm tra, tổng hợp và ghi báo cáo vào outbox/NĂM/."""
    with collector_paused():  # until the result is printed: a collection would walk the whole merge
        _merge(ctx, year, strict, as_json)


def _merge(ctx: Context, year: int, strict: bool, as_json: bool) -> None:
    try:
        from ctre_xl.output.console import console_summary, result_as_dict
        from ctre_xl.pipeline import run_merge, written_message

        progress = None if as_json or not sys.stderr.isatty() else _progress_bar
        result = run_merge(ctx.catalog, ctx.registry, ctx.workspace, year, strict=strict, progress=progress,
                           allow_sample=ctx.workspace.is_demo)
    except KeyboardInterrupt as exc:  # before the pipeline started (its own Ctrl-C says more)
        if isinstance(exc, Interrupted):
            raise
        raise Interrupted(f"Đã dừng theo yêu cầu (Ctrl-C) trước khi tổng hợp: chưa ghi gì, "
                          f"{ctx.workspace.outbox_dir(year)} không thay đổi.") from exc
    try:
        if as_json:
            print_json(result_as_dict(result))
        else:
            print_out(console_summary(result, ctx.catalog))
    except KeyboardInterrupt as exc:  # the outputs are in place: say so, not "stopped"
        raise Interrupted(written_message(result)) from exc
    if strict and result.errors:
        sys.exit(1)


@main.command(options_metavar=OPTIONS_METAVAR)
@year_option
@click.option("--json", "as_json", is_flag=True, help="In danh sách dạng JSON cho máy đọc.")
@global_options()
@pass_context
def status(ctx: Context, year: int, as_json: bool) -> None:
    """Xem tình hình nộp báo cáo của từng đơn vị (chưa nộp, gửi trống, có lỗi, nộp muộn, đủ và đúng
    hạn) kèm người liên hệ; soạn sẵn tin nhắn nhắc nộp vào outbox/NĂM/nhac-nop.txt."""
    from ctre_xl.output.chase import status_as_dict, status_text
    from ctre_xl.pipeline import run_status

    progress = None if as_json or not sys.stderr.isatty() else _progress_bar
    report = run_status(ctx.catalog, ctx.registry, ctx.workspace, year, progress=progress,
                        allow_sample=ctx.workspace.is_demo)
    if as_json:
        print_json(status_as_dict(report))
    else:
        print_out(status_text(report))
    for notice in report.notices:
        click.echo(f"Lưu ý: {notice}", err=True)


@main.command(options_metavar=OPTIONS_METAVAR)
@click.option("--year", "year", type=YEARS, default=None, metavar="NĂM",
              help="Năm báo cáo, ví dụ 2026 (với --final: mặc định năm cuối của Kế hoạch).")
@click.option("--final", is_flag=True, help="Báo cáo tổng kết: thêm số liệu từng năm của cả giai đoạn.")
@global_options()
@pass_context
def report(ctx: Context, year: int | None, final: bool) -> None:
    """Soạn dự thảo báo cáo gửi UBND tỉnh, Sở Y tế (Word, theo Nghị định 30/2020) và phụ lục
    số liệu (Excel) vào outbox/NĂM/; các chỗ tô vàng [...] do cán bộ điền."""
    from ctre_xl.pipeline import run_report, written_message

    if year is None and not final:
        raise UserError("Thiếu năm báo cáo: thêm --year NĂM (ví dụ --year 2026), hoặc --final cho báo cáo tổng kết.")
    chosen = year if year is not None else ctx.catalog.last_year
    progress = None if not sys.stderr.isatty() else _progress_bar
    result = run_report(ctx.catalog, ctx.registry, ctx.workspace, chosen, final=final, progress=progress,
                        allow_sample=ctx.workspace.is_demo)
    try:
        print_out(f"Đã soạn dự thảo báo cáo năm {chosen}:")
        for kind in ("report", "annex"):
            print_out(f"  {result.outputs[kind]}")
        print_out("Mở tệp Word, điền các chỗ tô vàng [...] (số, ngày, nguyên nhân, người ký) trước khi trình ký.")
        for notice in result.notices:
            click.echo(f"Lưu ý: {notice}", err=True)
    except KeyboardInterrupt as exc:  # the outputs are in place: say so, not "stopped"
        raise Interrupted(written_message(result)) from exc


@main.command(options_metavar=OPTIONS_METAVAR)
@global_options(workspace_help="Thư mục cho dữ liệu minh hoạ (mặc định ./demo).")
@pass_context
def demo(ctx: Context) -> None:
    """Chạy thử cả quy trình trên dữ liệu minh hoạ (không đụng tới thư mục làm việc thật)."""
    from ctre_xl.demo.run import run_demo
    from ctre_xl.output.console import console_summary

    root = ctx.workspace.root if ctx.workspace_given else Path("demo")
    print_out(console_summary(run_demo(ctx.catalog, Workspace(root)), ctx.catalog))


def _progress_bar(total: int):  # noqa: ANN202 - returns click's progress bar
    return click.progressbar(length=total, label="Đang đọc tệp", file=sys.stderr, show_pos=True)


from ctre_xl.cli_history import history  # noqa: E402 - it builds on the names above

main.add_command(history)

if __name__ == "__main__":  # pragma: no cover
    main()
