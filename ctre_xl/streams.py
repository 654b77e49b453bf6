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
from typing import Any, Iterator, TextIO


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


def json_chunks(data: Any, stream: TextIO | None = None) -> Iterator[str]:
    """``data`` as indented JSON, in pieces of about ``JSON_PIECE`` characters: Vietnamese letters
    as they are when ``stream`` (default: standard output) is UTF-8, UTF-16 or UTF-32 (every file
    and pipe here, ``make_output_safe``), ASCII escapes otherwise (``\\u1ed5``): valid JSON either
    way, never a "?" in place of a letter."""
    encoding = getattr(sys.stdout if stream is None else stream, "encoding", None) or "utf-8"
    try:
        letters = codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        letters = False
    pieces: list[str] = []
    size = 0
    for piece in json.JSONEncoder(ensure_ascii=not letters, indent=2).iterencode(data):
        pieces.append(piece)
        size += len(piece)
        if size >= JSON_PIECE:  # (each text is one piece of the encoder's, never cut)
            yield "".join(pieces)
            pieces, size = [], 0
    yield "".join(pieces)


def json_text(data: Any, stream: TextIO | None = None) -> str:
    """``json_chunks`` as one text (small outputs, tests)."""
    return "".join(json_chunks(data, stream))
