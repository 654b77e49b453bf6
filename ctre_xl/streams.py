"""Console and redirected output that no character can break, set up once when the program starts.

On Windows, output redirected to a file or a pipe (``ctre-xl merge > ket-qua.txt``, a ``.bat``
file, a scheduled task) is encoded with the ANSI code page: cp1258 on a Vietnamese PC, which
cannot hold precomposed letters such as "ổ", so a plain ``print`` raises ``UnicodeEncodeError``.
``make_output_safe`` therefore writes UTF-8 to every file and pipe (Notepad and Excel read it),
keeps a terminal's own encoding (the Windows console takes Unicode anyway), and replaces what a
target still cannot hold instead of raising. ``json_chunks`` gives JSON that is valid in every case:
ASCII escapes (``\\u1ed5``) when the stream is not a Unicode one.
"""

from __future__ import annotations

import codecs
import io
import json
import sys
from typing import Any, Callable, Iterator, TextIO


def make_output_safe() -> None:
    """Reconfigure ``sys.stdout`` and ``sys.stderr``: UTF-8 when not a terminal, never raising."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, io.TextIOWrapper):
            safe_stream(stream)


def safe_stream(stream: io.TextIOWrapper) -> None:
    """UTF-8 for a file or a pipe, the terminal's encoding otherwise; unencodable text replaced."""
    try:
        interactive = stream.isatty()
    except (OSError, ValueError):
        interactive = False
    try:
        if interactive:
            stream.reconfigure(errors="replace")
        else:
            stream.reconfigure(encoding="utf-8", errors="replace")
    except (OSError, ValueError, io.UnsupportedOperation):  # already written to, or closed: keep it
        pass


def can_encode(text: str, stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default: standard output) can carry ``text`` as it is."""
    stream = sys.stdout if stream is None else stream
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        codecs.encode(text, encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


JSON_PIECE = 1 << 16  # characters written at a time: a large merge's JSON is never held whole
JSON_LAYOUT_DEPTH = 2  # levels laid out one item per line: the top object, its lists; deeper, one line each


def json_chunks(data: Any, stream: TextIO | None = None) -> Iterator[str]:
    """``data`` as JSON in pieces of about ``JSON_PIECE`` characters: Vietnamese letters as they
    are when ``stream`` (default: standard output) is UTF-8, UTF-16 or UTF-32 (every file and pipe
    here, ``make_output_safe``), ASCII escapes otherwise (``\\u1ed5``): valid JSON either way, never
    a "?" in place of a letter.

    Laid out with two spaces per level down to ``JSON_LAYOUT_DEPTH``; each deeper value (a file, a
    finding, a unit: one record) on one line, encoded by the C encoder. Python's encoder, which
    ``indent`` alone would use, cost a tenth of a second at 2,600 files; one record per line is also
    what ``grep`` finds.
    """
    encoding = getattr(sys.stdout if stream is None else stream, "encoding", None) or "utf-8"
    try:
        letters = codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        letters = False
    one_line = json.JSONEncoder(ensure_ascii=not letters, separators=(", ", ": ")).encode
    pieces: list[str] = []
    size = 0
    for piece in _laid_out(data, one_line, 0):
        pieces.append(piece)
        size += len(piece)
        if size >= JSON_PIECE:  # (each text is one piece of the layout's, never cut)
            yield "".join(pieces)
            pieces, size = [], 0
    yield "".join(pieces)


def _laid_out(value: Any, one_line: Callable[[Any], str], depth: int) -> Iterator[str]:
    """The pieces of ``value``'s JSON: an object or list above ``JSON_LAYOUT_DEPTH`` one item per
    line, indented; anything else (and an empty one) on one line."""
    if depth >= JSON_LAYOUT_DEPTH or not isinstance(value, (dict, list, tuple)) or not value:
        yield one_line(value)
        return
    inner = "\n" + "  " * (depth + 1)
    is_object = isinstance(value, dict)
    yield "{" if is_object else "["
    items = value.items() if is_object else ((None, item) for item in value)
    for position, (key, item) in enumerate(items):
        yield ("," if position else "") + inner
        if is_object:
            yield _key(key, one_line) + ": "
        yield from _laid_out(item, one_line, depth + 1)
    yield "\n" + "  " * depth + ("}" if is_object else "]")


def _key(key: Any, one_line: Callable[[Any], str]) -> str:
    """An object's key as ``json`` writes it: text as it is; a number, true, false or null as its JSON name."""
    if isinstance(key, str):
        return one_line(key)
    if key is None or isinstance(key, (int, float)):  # bool is an int
        return one_line(one_line(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def json_text(data: Any, stream: TextIO | None = None) -> str:
    """``json_chunks`` as one text (small outputs, tests)."""
    return "".join(json_chunks(data, stream))
