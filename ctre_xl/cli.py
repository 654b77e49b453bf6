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

import io
import os
import sys
import tempfile
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import click

from ctre_xl import __version__
from ctre_xl import cli_vi
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.load import load_catalog
from ctre_xl.errors import CtreError, Interrupted, WorkspaceError
from ctre_xl.files import Workspace, enclosing_inbox, os_reason
from ctre_xl.plan.units import Registry, load_registry
from ctre_xl.shortcuts import reporting_year, write_shortcuts
from ctre_xl.streams import json_text
from ctre_xl.text import clean_text

PROGRAM_ERROR_EXIT = 3
PROGRAM_ERROR = "Lỗi của chương trình ctre-xl (không phải do tệp hay số liệu của bạn)."
OPTIONS_METAVAR = "[TUỲ CHỌN]"
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
WORKSPACE_HELP = "Thư mục làm việc (templates/, inbox/, outbox/, don-vi.xlsx)."
CATALOG_HELP = "Tệp danh mục chỉ tiêu (.toml) của xã khác; mặc định: kế hoạch xã Xuân Trường."
cli_vi.install()  # before any option is declared: click translates some texts when they are built


class UserError(click.ClickException):
    """An expected problem (bad file, bad option value, unwritable folder): exit code 2."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(clean_text(f"Lỗi: {self.format_message()}"), err=True)


class ProgramError(UserError):
    """A bug in ctre-xl, not a problem of the user's files: no traceback on screen."""

    exit_code = PROGRAM_ERROR_EXIT


INTERRUPTED_EXIT = 130  # 128 + SIGINT
INTERRUPTED = "Đã dừng theo yêu cầu (Ctrl-C). Không có tệp nào bị ghi dở: mỗi tệp hoặc đã ghi xong, hoặc chưa ghi."
NO_WORKSPACE_NEEDED = frozenset({"init", "demo"})  # they create their folder


class CtreCommand(click.Command):
    """A ``ctre-xl`` command: where it is run from is checked once its options are known."""

    def invoke(self, ctx: click.Context) -> Any:
        ctx.find_object(Context).check_where(self.name or "")
        return super().invoke(ctx)


class CtreGroup(click.Group):
    """The ``ctre-xl`` group: every command runs inside its ``invoke``, the one error handler."""

    command_class = CtreCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except KeyboardInterrupt as exc:  # click would say "Aborted!" and exit with 1
            raise _stopped(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CtreError as exc:
            raise UserError(str(exc)) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            raise _stopped(exc) from None
        except Exception as exc:  # a bug: tell the user where the details went, not a traceback
            raise ProgramError(_program_error_message(exc)) from exc


def _stopped(exc: KeyboardInterrupt) -> click.exceptions.Exit:
    """Ctrl-C: one Vietnamese line (``Interrupted`` says which outputs were updated), exit code 130."""
    click.echo(clean_text(getattr(exc, "message", INTERRUPTED)), err=True)
    return click.exceptions.Exit(INTERRUPTED_EXIT)


def _print(text: str) -> None:
    """A command's output on stdout. One that cannot be written (``--json > /dev/full``, a closed
    pipe) is the user's matter: exit code 2 with a line on stderr, never a traceback."""
    try:
        click.echo(clean_text(text))
    except OSError as exc:
        try:  # what is still buffered must not fail again when the program exits
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass
        raise WorkspaceError(f"Không in được kết quả ra đầu ra chuẩn (stdout: màn hình hoặc tệp nhận kết quả): "
                             f"{os_reason(exc)}. Các tệp kết quả đã ghi (nếu có) vẫn đầy đủ.") from exc


def _program_error_message(exc: Exception) -> str:
    """Write the traceback to a new file in the temporary folder; the line that says where it went."""
    now = datetime.now()
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix=f"ctre-xl-loi-{now:%Y%m%d-%H%M%S}-",
                                         suffix=".txt", delete=False) as out:
            out.write(f"ctre-xl {__version__}, {now.isoformat(timespec='seconds')}\n")
            out.write("".join(traceback.format_exception(exc)))
        report = out.name
    except OSError:
        return f"{PROGRAM_ERROR} Xin báo cho người hỗ trợ."
    return f"{PROGRAM_ERROR} Chi tiết đã ghi vào {report}: gửi tệp này cho người hỗ trợ."


class Context:
    def __init__(self, workspace: Path, catalog_path: Path | None, workspace_given: bool) -> None:
        self.workspace = Workspace(workspace)
        self.workspace_given = workspace_given
        self.catalog_path = catalog_path
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog(self.catalog_path)
        return self._catalog

    @property
    def registry(self) -> Registry:
        return load_registry(self.workspace.root, self.catalog)

    def use_workspace(self, root: Path) -> None:
        self.workspace, self.workspace_given = Workspace(root), True

    def check_where(self, command: str) -> None:
        """Refuse a ``--workspace`` that does not exist, and a run from inside a workspace's inbox/."""
        root = self.workspace.root
        if self.workspace_given and command not in NO_WORKSPACE_NEEDED and not root.is_dir():
            raise WorkspaceError(f"Không có thư mục làm việc {root}. Tạo thư mục làm việc bằng lệnh "
                                 f"“ctre-xl init --workspace {root}”, hoặc kiểm tra lại tên thư mục.")
        inside = None if self.workspace_given else enclosing_inbox(Path.cwd())
        if inside is not None:
            _inbox, workspace = inside
            raise WorkspaceError(f"Đang đứng trong thư mục inbox/ ({Path.cwd()}), nơi chỉ để các tệp các đơn vị "
                                 f"gửi về. Hãy chạy lệnh từ thư mục làm việc {workspace} (cd {workspace}) hoặc "
                                 f"thêm --workspace {workspace}.")

    def use_catalog(self, path: Path) -> None:
        self.catalog_path, self._catalog = path, None


pass_context = click.make_pass_decorator(Context)


def _set_workspace(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.find_object(Context).use_workspace(value)


def _set_catalog(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.find_object(Context).use_catalog(value)


def global_options(workspace_help: str = WORKSPACE_HELP) -> Callable[[Callable], Callable]:
    """``--workspace`` and ``--catalog`` after the command too; there they win over the group's."""
    def decorate(func: Callable) -> Callable:
        func = click.option("--catalog", type=click.Path(dir_okay=False, path_type=Path), default=None,
                            expose_value=False, callback=_set_catalog, help=CATALOG_HELP)(func)
        return click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
                            expose_value=False, callback=_set_workspace, help=workspace_help)(func)
    return decorate


def _year_option(func):  # noqa: ANN001, ANN202 - decorator
    return click.option("--year", "year", type=click.IntRange(2000, 2100), required=True,
                        metavar="NĂM", help="Năm báo cáo, ví dụ 2026.")(func)


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
    _print(f"Thư mục làm việc: {ctx.workspace.root.resolve()}")
    if created:
        _print(f"Đã tạo {ctx.workspace.registry_path.name}: nhập danh sách các trường và các đoàn thể của xã vào tệp này.")
    else:
        _print(f"Đã có {ctx.workspace.registry_path.name}: giữ nguyên.")
    _print("Tệp lich-su-nhap.xlsx: nhập số liệu các năm trước của xã nếu có, rồi chạy "
           "“ctre-xl history import lich-su-nhap.xlsx”.")
    made = write_shortcuts(ctx.workspace.root)
    if made:
        _print("Đã tạo các lối tắt bấm đúp (Windows): " + ", ".join(path.name for path in made) + ".")


@main.command(hidden=True)
def year() -> None:
    """In năm báo cáo tính theo ngày hôm nay (các lối tắt .bat dùng lệnh này)."""
    _print(str(reporting_year(date.today())))


@main.command(options_metavar=OPTIONS_METAVAR)
@_year_option
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
    _print(f"Đã tạo {len(written)} biểu mẫu năm {year} trong {folder}:")
    for path in written:
        unit = registry.get(path.stem)
        optional = " (biểu mẫu ý kiến, không bắt buộc)" if unit is not None and unit.narrative else ""
        _print(f"  {path.name}{optional}")
    _print(f"Gửi mỗi đơn vị tệp của mình; hạn nộp {ctx.catalog.deadline_text(year)}.")
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
        _print(json_text(catalog_as_dict(ctx.catalog, ctx.registry)))
    else:
        _print(catalog_table(ctx.catalog, ctx.registry))


@main.command(options_metavar=OPTIONS_METAVAR)
@_year_option
@click.option("--strict", is_flag=True, help="Bỏ mọi số liệu của đơn vị có lỗi; thoát với mã 1 nếu có lỗi.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho máy đọc.")
@global_options()
@pass_context
def merge(ctx: Context, year: int, strict: bool, as_json: bool) -> None:
    """Đọc mọi tệp trong inbox/, kiểm tra, tổng hợp và ghi báo cáo vào outbox/NĂM/."""
    try:
        from ctre_xl.output.console import console_summary, result_as_dict
        from ctre_xl.pipeline import run_merge

        progress = None if as_json or not sys.stderr.isatty() else _progress_bar
        result = run_merge(ctx.catalog, ctx.registry, ctx.workspace, year, strict=strict, progress=progress,
                           allow_sample=ctx.workspace.is_demo)
    except KeyboardInterrupt as exc:  # before the pipeline started (its own Ctrl-C says more)
        if isinstance(exc, Interrupted):
            raise
        raise Interrupted(f"Đã dừng theo yêu cầu (Ctrl-C) trước khi tổng hợp: chưa ghi gì, "
                          f"{ctx.workspace.outbox_dir(year)} không thay đổi.") from exc
    if as_json:
        _print(json_text(result_as_dict(result)))
    else:
        _print(console_summary(result, ctx.catalog))
    if strict and result.errors:
        sys.exit(1)


@main.command(options_metavar=OPTIONS_METAVAR)
@_year_option
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
    _print(json_text(status_as_dict(report)) if as_json else status_text(report))


@main.command(options_metavar=OPTIONS_METAVAR)
@click.option("--year", "year", type=click.IntRange(2000, 2100), default=None, metavar="NĂM",
              help="Năm báo cáo, ví dụ 2026 (với --final: mặc định năm cuối của Kế hoạch).")
@click.option("--final", is_flag=True, help="Báo cáo tổng kết: thêm số liệu từng năm của cả giai đoạn.")
@global_options()
@pass_context
def report(ctx: Context, year: int | None, final: bool) -> None:
    """Soạn dự thảo báo cáo gửi UBND tỉnh, Sở Y tế (Word, theo Nghị định 30/2020) và phụ lục
    số liệu (Excel) vào outbox/NĂM/; các chỗ tô vàng [...] do cán bộ điền."""
    from ctre_xl.pipeline import run_report

    if year is None and not final:
        raise UserError("Thiếu năm báo cáo: thêm --year NĂM (ví dụ --year 2026), hoặc --final cho báo cáo tổng kết.")
    chosen = year if year is not None else ctx.catalog.last_year
    progress = None if not sys.stderr.isatty() else _progress_bar
    result = run_report(ctx.catalog, ctx.registry, ctx.workspace, chosen, final=final, progress=progress,
                        allow_sample=ctx.workspace.is_demo)
    _print(f"Đã soạn dự thảo báo cáo năm {chosen}:")
    for kind in ("report", "annex"):
        _print(f"  {result.outputs[kind]}")
    _print("Mở tệp Word, điền các chỗ tô vàng [...] (số, ngày, nguyên nhân, người ký) trước khi trình ký.")
    for notice in result.notices:
        click.echo(f"Lưu ý: {notice}", err=True)


@main.command(options_metavar=OPTIONS_METAVAR)
@global_options(workspace_help="Thư mục cho dữ liệu minh hoạ (mặc định ./demo).")
@pass_context
def demo(ctx: Context) -> None:
    """Chạy thử cả quy trình trên dữ liệu minh hoạ (không đụng tới thư mục làm việc thật)."""
    from ctre_xl.demo.run import run_demo
    from ctre_xl.output.console import console_summary

    root = ctx.workspace.root if ctx.workspace_given else Path("demo")
    _print(console_summary(run_demo(ctx.catalog, Workspace(root)), ctx.catalog))


def _progress_bar(total: int):  # noqa: ANN202 - returns click's progress bar
    return click.progressbar(length=total, label="Đang đọc tệp", file=sys.stderr, show_pos=True)


from ctre_xl.cli_history import history  # noqa: E402 - it builds on the names above

main.add_command(history)

if __name__ == "__main__":  # pragma: no cover
    main()
