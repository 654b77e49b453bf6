"""Output that never breaks (issue 15): the CLI run as a program, its output redirected to a file, under
the code pages of Windows (cp1258 on a Vietnamese PC, cp1252 in the West) and plain ASCII."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ctre_xl.streams import can_encode, json_text, safe_stream

ENCODINGS = ("cp1258", "cp1252", "ascii")


def run_cli(args: list[str], cwd: Path, encoding: str, tmp_path: Path) -> tuple[int, str, str]:
    """``python -m ctre_xl ARGS`` with stdout and stderr redirected to files (as ``> out.txt`` does)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("PYTHONUTF8", None)
    out, err = tmp_path / f"out-{encoding}.txt", tmp_path / f"err-{encoding}.txt"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        done = subprocess.run([sys.executable, "-m", "ctre_xl", *args], cwd=cwd, env=env,
                              stdout=stdout, stderr=stderr, timeout=300)
    return done.returncode, out.read_bytes().decode("utf-8"), err.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo-enc")
    done = subprocess.run([sys.executable, "-m", "ctre_xl", "demo", "--workspace", str(root / "demo")],
                          cwd=root, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return root / "demo"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_merge_of_the_demo_writes_utf8_whatever_the_code_page(encoding, demo_root, tmp_path):
    code, out, err = run_cli(["merge", "--year", "2026"], demo_root, encoding, tmp_path)
    assert code == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert "Tổng hợp báo cáo năm 2026" in out  # "ổ": precomposed, not in cp1258
    assert "chỉ tiêu" in out


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_merge_json_is_valid_json_with_the_vietnamese_text(encoding, demo_root, tmp_path):
    code, out, err = run_cli(["merge", "--year", "2026", "--json"], demo_root, encoding, tmp_path)
    assert code == 0, err
    data = json.loads(out)
    assert "ổ" in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_catalog_help_and_an_error_message(encoding, demo_root, tmp_path):
    code, out, err = run_cli(["catalog"], demo_root, encoding, tmp_path)
    assert code == 0, err
    assert "Tỷ lệ" in out or "tỷ lệ" in out
    code, out, err = run_cli(["catalog", "--json"], demo_root, encoding, tmp_path)
    assert code == 0 and json.loads(out)
    code, out, err = run_cli(["--help"], demo_root, encoding, tmp_path)
    assert code == 0 and "tổng hợp báo cáo hằng năm" in out
    code, out, err = run_cli(["--workspace", "không-có", "merge", "--year", "2026"], demo_root, encoding, tmp_path)
    assert code == 2
    assert err.startswith("Lỗi: Không có thư mục làm việc không-có.")
    assert "Traceback" not in err


def test_a_terminal_keeps_its_encoding_and_replaces_what_it_cannot_show():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1258", errors="strict")
    stream.isatty = lambda: True  # type: ignore[method-assign]
    safe_stream(stream)
    stream.write("Tổng hợp\n")
    stream.flush()
    assert stream.encoding == "cp1258"
    assert raw.getvalue() == "T?ng h?p\n".encode("cp1258")


def test_a_file_gets_utf8():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    safe_stream(stream)
    stream.write("Tổng hợp\n")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "Tổng hợp\n"


def test_json_falls_back_to_ascii_escapes_when_the_stream_cannot_hold_the_letters():
    data = {"tên": "Tổng hợp"}
    ascii_stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    utf8_stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert not can_encode("ổ", ascii_stream)
    assert json.loads(json_text(data, ascii_stream)) == data
    assert json_text(data, ascii_stream).isascii()
    assert "Tổng hợp" in json_text(data, utf8_stream)


def test_json_is_written_piece_by_piece_and_reads_back_whole(monkeypatch, capsys):
    """A large merge's JSON is never held whole: written as encoded, each piece cleaned."""
    import click

    from ctre_xl import cli_base, streams

    monkeypatch.setattr(streams, "JSON_PIECE", 100)
    written = []
    echo = click.echo

    def recording(message="", nl=True, **kwargs):
        written.append(message)
        echo(message, nl=nl, **kwargs)

    monkeypatch.setattr(cli_base.click, "echo", recording)
    data = {"đơn vị": [{"tên": f"Trường số {i}", "ghi chú": "Tổng hợp \ud800"} for i in range(200)]}
    cli_base.print_json(data)
    out = capsys.readouterr().out
    assert len(written) > 50 and max(len(piece) for piece in written) < 400
    back = json.loads(out)
    assert back["đơn vị"][5]["tên"] == "Trường số 5" and len(back["đơn vị"]) == 200
    assert back["đơn vị"][0]["ghi chú"] == "Tổng hợp \ufffd"  # a lone surrogate never reaches the stream
    assert "Tổng hợp" in out  # letters as they are on a UTF-8 stream


def test_merge_json_gives_each_record_one_line_and_reads_back_as_the_data(tmp_path):
    """``merge --json`` lays the top object and its lists out one item per line and each record
    (a file, a unit, a metric) on one line, so that ``grep`` finds a file's whole record; the text
    is the data's JSON, whatever the layout."""
    data = {"year": 2026, "files": [{"path": f"inbox/Trường số {i}.xlsx", "status": "accepted", "year": 2026,
                                     "coverage": {"counted": ["mn-1", "th-2"], "nested": {"x": [1.5, None, True]}}}
                                    for i in range(3)],
            "totals": {"accepted": 3, "rejected": 0}, "notices": [], "outputs": {}, 7: "bảy"}
    text = json_text(data, io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
    assert json.loads(text) == json.loads(json.dumps(data))
    lines = text.splitlines()
    for i in range(3):
        record = [line for line in lines if f"Trường số {i}.xlsx" in line]
        assert len(record) == 1 and json.loads(record[0].strip().rstrip(",")) == data["files"][i]
    assert '  "totals": {' in lines and '    "accepted": 3,' in lines
    assert '  "notices": [],' in lines and '  "7": "bảy"' in lines
    keys = {True: 1, None: 2, 1.5: 3}
    assert json.loads(json_text(keys, io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))) == \
        json.loads(json.dumps(keys))  # named as json names them: "true", "null", "1.5"
    with pytest.raises(TypeError):  # as json refuses them
        json_text({(1, 2): "cặp"}, io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))
