"""``ctre-xl history``: the commands on the history ``lich-su.sqlite`` (``import`` of past values).

Registered on the main group by ``cli.py``. Exit codes as for the other commands: 0 when every
row was imported, 1 when some rows had errors (the good ones are imported all the same), 2 for a
file that cannot be read or is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ctre_xl.cli_base import OPTIONS_METAVAR, Context, CtreCommand, global_options, pass_context, print_out


@click.group(name="history", options_metavar=OPTIONS_METAVAR, subcommand_metavar="LỆNH [THAM SỐ]...")
def history() -> None:
    """Lịch sử số liệu các năm của xã (tệp lich-su.sqlite trong thư mục làm việc)."""


@history.command(name="import", cls=CtreCommand, options_metavar=OPTIONS_METAVAR)
@click.argument("file", metavar="TỆP.xlsx", type=click.Path(dir_okay=False, path_type=Path))
@global_options()
@pass_context
def import_command(ctx: Context, file: Path) -> None:
    """Nhập số liệu của xã các năm trước (bảng theo mẫu lich-su-nhap.xlsx do “ctre-xl init” tạo)."""
    from ctre_xl.history.importer import import_past_values

    found = import_past_values(file, ctx.catalog, ctx.workspace)
    years = sorted({value.year for value in found.values})
    span = f" (năm {years[0]}–{years[-1]})" if len(years) > 1 else (f" (năm {years[0]})" if years else "")
    print_out(f"Đã nhập {len(found.values)} số liệu{span} từ {file.name} vào lịch sử số liệu của xã.")
    for finding in found.findings:
        print_out(f"  {finding.severity.label}: {finding.message}")
    if found.findings:
        print_out(f"Sửa {len(found.findings)} dòng trên trong {file.name} rồi chạy lại lệnh: các dòng đã nhập "
                   "sẽ được ghi đè bằng số mới, không bị trùng.")
        sys.exit(1)
