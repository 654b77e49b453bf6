"""Command line: parse options, call one library function, turn expected problems into messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ctre_xl import __version__
from ctre_xl import cli_vi
from ctre_xl.plan.catalog import Catalog, load_catalog
from ctre_xl.errors import CtreError
from ctre_xl.files import Workspace
from ctre_xl.plan.units import Registry, load_registry


class UserError(click.ClickException):
    """An expected problem (bad file, bad option value, unwritable folder): exit code 2."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"Lỗi: {self.format_message()}", err=True)


class Context:
    def __init__(self, workspace: Path, catalog_path: Path | None, workspace_given: bool) -> None:
        self.workspace = Workspace(workspace)
        self.workspace_given = workspace_given
        self._catalog_path = catalog_path
        self._catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog(self._catalog_path)
        return self._catalog

    @property
    def registry(self) -> Registry:
        return load_registry(self.workspace.root, self.catalog)


pass_context = click.make_pass_decorator(Context)
OPTIONS_METAVAR = "[TUỲ CHỌN]"
cli_vi.install()


def _year_option(func):  # noqa: ANN001, ANN202 - decorator
    return click.option("--year", "year", type=click.IntRange(2000, 2100), required=True,
                        metavar="NĂM", help="Năm báo cáo, ví dụ 2026.")(func)


@click.group(options_metavar="[TUỲ CHỌN]", subcommand_metavar="LỆNH [THAM SỐ]...")
@click.help_option("-h", "--help", help="Hiện hướng dẫn này rồi thoát.")
@click.version_option(__version__, "--version", message="ctre-xl %(version)s", help="In phiên bản rồi thoát.")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default="thư mục hiện tại", help="Thư mục làm việc (templates/, inbox/, outbox/, don-vi.xlsx).")
@click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tệp danh mục chỉ tiêu (.toml) của xã khác; mặc định: kế hoạch xã Xuân Trường.")
@click.pass_context
def main(ctx: click.Context, workspace: Path, catalog_path: Path | None) -> None:
    """ctre-xl — tổng hợp báo cáo hằng năm Kế hoạch thực hiện Chương trình hành động vì trẻ em.

    \b
    Ba bước mỗi năm:
      1. ctre-xl templates --year 2026   tạo biểu mẫu cho từng đơn vị (thư mục templates/)
      2. các đơn vị điền và gửi lại; chép mọi tệp nhận được vào thư mục inbox/
      3. ctre-xl merge --year 2026       kiểm tra, tổng hợp, ghi báo cáo vào outbox/
    """
    from ctre_xl.read.security import require_defusedxml

    try:
        require_defusedxml()
    except CtreError as exc:
        raise UserError(str(exc)) from exc
    given = ctx.get_parameter_source("workspace") is not click.core.ParameterSource.DEFAULT
    ctx.obj = Context(workspace, catalog_path, given)


@main.command(options_metavar=OPTIONS_METAVAR)
@pass_context
def init(ctx: Context) -> None:
    """Tạo thư mục làm việc và tệp danh sách trường don-vi.xlsx."""
    from ctre_xl.plan.units import write_registry_workbook

    try:
        ctx.workspace.ensure()
        created = not ctx.workspace.registry_path.exists()
        if created:
            write_registry_workbook(ctx.workspace.registry_path, ctx.catalog)
    except CtreError as exc:
        raise UserError(str(exc)) from exc
    click.echo(f"Thư mục làm việc: {ctx.workspace.root.resolve()}")
    if created:
        click.echo(f"Đã tạo {ctx.workspace.registry_path.name}: nhập danh sách các trường của xã vào tệp này.")
    else:
        click.echo(f"Đã có {ctx.workspace.registry_path.name}: giữ nguyên.")


@main.command(options_metavar=OPTIONS_METAVAR)
@_year_option
@click.option("--unit", "unit_ids", multiple=True, metavar="MÃ",
              help="Chỉ tạo biểu mẫu cho đơn vị này (lặp lại được). Mặc định: mọi đơn vị.")
@pass_context
def templates(ctx: Context, year: int, unit_ids: tuple[str, ...]) -> None:
    """Tạo biểu mẫu báo cáo (.xlsx) cho từng đơn vị vào templates/NĂM/."""
    from ctre_xl.template.writer import write_templates

    try:
        written = write_templates(ctx.catalog, ctx.registry, ctx.workspace, year, list(unit_ids) or None)
    except CtreError as exc:
        raise UserError(str(exc)) from exc
    folder = ctx.workspace.templates_dir(year)
    click.echo(f"Đã tạo {len(written)} biểu mẫu năm {year} trong {folder}:")
    for path in written:
        click.echo(f"  {path.name}")
    click.echo(f"Gửi mỗi đơn vị tệp của mình; hạn nộp trước ngày "
               f"{ctx.catalog.deadline_day:02d}/{ctx.catalog.deadline_month:02d}/{year}.")


@main.command(options_metavar=OPTIONS_METAVAR)
@click.option("--json", "as_json", is_flag=True, help="In dạng JSON cho máy đọc.")
@pass_context
def catalog(ctx: Context, as_json: bool) -> None:
    """Xem danh mục chỉ tiêu, mục tiêu và đơn vị báo cáo."""
    from ctre_xl.output.describe import catalog_as_dict, catalog_table

    try:
        registry = ctx.registry
        if as_json:
            click.echo(json.dumps(catalog_as_dict(ctx.catalog, registry), ensure_ascii=False, indent=2))
        else:
            click.echo(catalog_table(ctx.catalog, registry))
    except CtreError as exc:
        raise UserError(str(exc)) from exc


@main.command(options_metavar=OPTIONS_METAVAR)
@_year_option
@click.option("--strict", is_flag=True, help="Bỏ mọi số liệu của đơn vị có lỗi; thoát với mã 1 nếu có lỗi.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho máy đọc.")
@pass_context
def merge(ctx: Context, year: int, strict: bool, as_json: bool) -> None:
    """Đọc mọi tệp trong inbox/, kiểm tra, tổng hợp và ghi báo cáo vào outbox/NĂM/."""
    from ctre_xl.merge.merge import run_merge
    from ctre_xl.output.report import console_summary, result_as_dict

    progress = None if as_json or not sys.stderr.isatty() else _progress_bar
    try:
        result = run_merge(ctx.catalog, ctx.registry, ctx.workspace, year, strict=strict, progress=progress,
                           allow_sample=ctx.workspace.is_demo)
    except CtreError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result_as_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(console_summary(result, ctx.catalog))
    if strict and result.errors:
        sys.exit(1)


@main.command(options_metavar=OPTIONS_METAVAR)
@click.option("--workspace", "demo_workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục cho dữ liệu minh hoạ (mặc định ./demo).")
@pass_context
def demo(ctx: Context, demo_workspace: Path | None) -> None:
    """Chạy thử cả quy trình trên dữ liệu minh hoạ (không đụng tới thư mục làm việc thật)."""
    from ctre_xl.demo.run import run_demo
    from ctre_xl.output.report import console_summary

    root = demo_workspace or (ctx.workspace.root if ctx.workspace_given else Path("demo"))
    try:
        result = run_demo(ctx.catalog, Workspace(root))
    except CtreError as exc:
        raise UserError(str(exc)) from exc
    click.echo(console_summary(result, ctx.catalog))


def _progress_bar(total: int):  # noqa: ANN202 - returns click's progress bar
    return click.progressbar(length=total, label="Đang đọc tệp", file=sys.stderr, show_pos=True)


if __name__ == "__main__":  # pragma: no cover
    main()
