"""Vietnamese for click's own texts ("Usage:", "Missing option", ...).

click marks its messages for gettext (``from gettext import gettext as _`` in each module) but
ships no translations. Rather than install a process-wide gettext catalogue, the names ``_`` and
``ngettext`` inside click's modules are pointed at this table; a text not listed stays English.
"""

from __future__ import annotations

import importlib

VIETNAMESE = {
    "Usage:": "Cách dùng:",
    "Options": "Tuỳ chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Aborted!": "Đã dừng.",
    "Missing command.": "Thiếu lệnh.",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tuỳ chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tuỳ chọn {name!r}.",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "Option {name!r} requires an argument.": "Tuỳ chọn {name!r} cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": "Tuỳ chọn {name!r} cần {nargs} giá trị.",
    "Option {name!r} does not take a value.": "Tuỳ chọn {name!r} không nhận giá trị.",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Got unexpected extra arguments ({args})": "Thừa các tham số ({args})",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{name} {filename!r} does not exist.": "{filename!r} không tồn tại.",
    "{name} {filename!r} is a directory.": "{filename!r} là thư mục, cần một tệp.",
    "{name} {filename!r} is a file.": "{filename!r} là tệp, cần một thư mục.",
    "{name} {filename!r} is not readable.": "Không đọc được {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {filename!r}.",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "deprecated": "không còn dùng",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tuỳ lúc chạy)",
    "unknown error": "lỗi không rõ",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng chỉ có 1.",
    "Takes {nargs} values but {len} were given.": "Cần {nargs} giá trị nhưng có {len}.",
    "Argument {name!r} takes {nargs} values.": "Tham số {name!r} cần {nargs} giá trị.",
    "Invalid start character for option ({option})": "Tuỳ chọn bắt đầu bằng ký tự không hợp lệ ({option})",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value!r} is not {choice}.": "{value!r} không phải là {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không thuộc {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} không đúng dạng {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} không đúng dạng nào trong {formats}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải là giá trị có/không. Các giá trị nhận: {states}",
    "{value!r} is not a valid UUID.": "{value!r} không phải là UUID hợp lệ.",
    "{name} {filename!r} is not executable.": "Không chạy được {filename!r}.",
    "Do you want to continue?": "Tiếp tục?",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không khớp nhau.",
    "Error: invalid input": "Lỗi: nhập không hợp lệ",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục…",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
}

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def _gettext(message: str) -> str:
    return VIETNAMESE.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _gettext(singular if count == 1 else plural)


def install() -> None:
    """Point click's message look-ups at the Vietnamese table (idempotent)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
