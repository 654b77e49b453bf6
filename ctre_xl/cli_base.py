"""The CLI's plumbing: the one error handler, the shared options and the context every command gets.

``cli.py`` holds the commands; command groups of their own (``cli_history``) build on these names too.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from ctre_xl import __version__
from ctre_xl import cli_vi
from ctre_xl.plan.catalog import Catalog
from ctre_xl.plan.load import load_catalog
from ctre_xl.errors import CtreError, WorkspaceError, interrupt_within
from ctre_xl.files import Workspace, enclosing_inbox, os_reason, remove_own_temporaries
from ctre_xl.plan.units import Registry, load_registry
from ctre_xl.streams import json_chunks
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

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        """The options read (the context made around them), a Ctrl-C meanwhile reported as any other."""
        try:
            return super().make_context(info_name, args, parent, **extra)
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
            _clean_up()
            raise _stopped(exc) from None
        except Exception as exc:  # a bug: tell the user where the details went, not a traceback
            _clean_up()
            interrupt = interrupt_within(exc)
            if interrupt is not None:  # a Ctrl-C that Python or a library wrapped in another error
                raise _stopped(interrupt) from None
            raise ProgramError(_program_error_message(exc)) from exc


def _clean_up() -> None:
    """After a command stopped (Ctrl-C or an error): no worker of it left, then no temporary."""
    workers = sys.modules.get("ctre_xl.workers")  # not imported (17 ms at every start): no worker started
    if workers is not None:
        workers.stop_workers()
    remove_own_temporaries()


def _stopped(exc: KeyboardInterrupt) -> click.exceptions.Exit:
    """Ctrl-C: one Vietnamese line (``Interrupted`` says which outputs were updated), exit code 130."""
    click.echo(clean_text(getattr(exc, "message", INTERRUPTED)), err=True)
    return click.exceptions.Exit(INTERRUPTED_EXIT)


def print_out(text: str) -> None:
    """A command's output on stdout. One that cannot be written (``--json > /dev/full``, a closed
    pipe) is the user's matter: exit code 2 with a line on stderr, never a traceback."""
    print_pieces((text,))


def print_json(data: Any) -> None:
    """``data`` as JSON on stdout, written as it is encoded (``streams.json_chunks``): the JSON of
    a large merge is never held whole (tens of MB at 10,000 files), as ``print_out`` otherwise."""
    print_pieces(json_chunks(data, sys.stdout))


def print_pieces(pieces: Iterable[str]) -> None:
    """The pieces of one output, then a new line (see ``print_out``)."""
    try:
        for piece in pieces:
            click.echo(clean_text(piece), nl=False)
        click.echo("")
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


class YearRange(click.IntRange):
    """The years a report can be for, said as a person says it ("từ 2000 đến 2100", not "2000<=x<=2100")."""

    def _describe_range(self) -> str:
        return f"từ {self.min} đến {self.max}"


YEARS = YearRange(2000, 2100)


def year_option(func):  # noqa: ANN001, ANN202 - decorator
    return click.option("--year", "year", type=YEARS, required=True,
                        metavar="NĂM", help="Năm báo cáo, ví dụ 2026.")(func)
