"""The history: one SQLite file in the workspace (``lich-su.sqlite``) that outlasts the inbox.

Every successful merge records, in one transaction, what it saw and what it concluded for its
year; merging a year again replaces that year's records and nothing else. Past values typed by
the commune (``ctre-xl history import``) sit beside them, marked as imported.

Schema (version 1; ``schema_version`` holds the version, ``migrate`` brings an older file up to
date, one step per version, each in its own transaction):

* ``schema_version(version)``: one row.
* ``merges(year PK, merged_at, tool_version)``: the years recorded by a merge.
* ``files(merge_year, path, sha256, first_seen, unit, year, status)``: every file the merge of
  ``merge_year`` saw (``year``: the report's own year, ``status``: accepted / rejected /
  superseded / skipped). ``first_seen`` (ISO time, UTC) is when ctre-xl first saw that content
  (sha256), in any merge: it is kept when a year is merged again.
* ``figures(year, unit, element, value, file, sheet, cell, sha256)``: every figure that counted.
* ``metrics(year, code, value, numerator, denominator, status, counted, expected, target,
  target_year)``: every metric of the year, with its coverage (units counted / expected).
* ``imported(year, code, value, numerator, denominator, source, row, imported_at)``: past
  commune values from a sheet (one per metric and year: a new import replaces the old one).

In a series, a year's merged value wins over an imported one; the import fills the years the
tool did not see (2021-2025).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ctre_xl import __version__
from ctre_xl.files import Workspace, os_reason
from ctre_xl.merge.model import MergeResult
from ctre_xl.plan.catalog import Catalog

HISTORY_FILE = "lich-su.sqlite"
MERGE, IMPORT = "merge", "import"  # SeriesPoint.source

MIGRATIONS: tuple[str, ...] = (
    # version 1
    """
    CREATE TABLE merges (year INTEGER PRIMARY KEY, merged_at TEXT NOT NULL, tool_version TEXT NOT NULL);
    CREATE TABLE files (merge_year INTEGER NOT NULL, path TEXT NOT NULL, sha256 TEXT, first_seen TEXT NOT NULL,
                        unit TEXT, year INTEGER, status TEXT NOT NULL, PRIMARY KEY (merge_year, path));
    CREATE INDEX files_sha256 ON files (sha256);
    CREATE TABLE figures (year INTEGER NOT NULL, unit TEXT NOT NULL, element TEXT NOT NULL, value REAL,
                          file TEXT NOT NULL, sheet TEXT NOT NULL, cell TEXT NOT NULL, sha256 TEXT,
                          PRIMARY KEY (year, unit, element));
    CREATE TABLE metrics (year INTEGER NOT NULL, code TEXT NOT NULL, value REAL, numerator REAL,
                          denominator REAL, status TEXT NOT NULL, counted INTEGER, expected INTEGER,
                          target REAL, target_year INTEGER, PRIMARY KEY (year, code));
    CREATE TABLE imported (year INTEGER NOT NULL, code TEXT NOT NULL, value REAL, numerator REAL,
                           denominator REAL, source TEXT NOT NULL, row INTEGER NOT NULL,
                           imported_at TEXT NOT NULL, PRIMARY KEY (year, code));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class SeriesPoint:
    """One value of a metric's series: from a merge of that year or imported from a past report."""

    year: int
    code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str  # a MetricStatus value for a merge; "" for an imported value (never judged)
    source: str  # MERGE or IMPORT
    target: float | None = None
    target_year: int | None = None
    counted: int | None = None  # coverage: units counted / expected (merges only)
    expected: int | None = None


# What reading or writing a damaged history raises: sqlite's own errors, and values of another
# type than ctre-xl wrote (a date that is not one: ``datetime.fromisoformat``).
HISTORY_ERRORS = (sqlite3.Error, ValueError, TypeError)
UNREADABLE = "tệp bị hỏng, không phải tệp lịch sử của ctre-xl, hoặc đang bị chương trình khác khoá"  # why, to a person


def history_problem(exc: BaseException | None) -> str:
    """Why the history could not be used, to a person: the system's reason, or a damaged file."""
    return os_reason(exc) if isinstance(exc, OSError) else UNREADABLE


def history_path(workspace: Workspace | Path) -> Path:
    """Where the history of ``workspace`` lives (a Workspace or its folder)."""
    root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
    return root / HISTORY_FILE


def open_history(path: Path) -> sqlite3.Connection:
    """Open (creating it when missing) the history at ``path``, migrated to ``SCHEMA_VERSION``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn)
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The version of the file's schema; 0 for an empty database."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    if row and not isinstance(row[0], int):
        raise sqlite3.DatabaseError(f"schema version {row[0]!r}")  # a damaged file: sqlite's kind of error
    return row[0] if row else 0


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration the file has not had yet, each in one transaction; the version reached.

    A file written by a newer ctre-xl is left as it is (its extra tables are not ours to drop).
    """
    version = schema_version(conn)
    for number in range(version, SCHEMA_VERSION):
        try:
            conn.executescript("BEGIN;" + MIGRATIONS[number] + (
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                "DELETE FROM schema_version;"
                f"INSERT INTO schema_version VALUES ({number + 1});"
                "COMMIT;"))
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            raise
    return max(version, SCHEMA_VERSION)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def record_merge(conn: sqlite3.Connection, result: MergeResult, catalog: Catalog) -> None:
    """Replace the records of ``result.year`` by this merge's, in one transaction (all or nothing).

    A file whose content (sha256) was seen before keeps its first ``first_seen``.
    """
    year, now = result.year, _now()
    with conn:
        seen = first_seen_times(conn)
        for table, column in (("files", "merge_year"), ("figures", "year"), ("metrics", "year"),
                              ("merges", "year")):
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (year,))
        conn.execute("INSERT INTO merges VALUES (?, ?, ?)", (year, now, __version__))
        # Rows made as they are stored, never a list of them all (a million and a half figures at
        # 66,000 files, while the whole merge result is still held).
        conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (year, r.path, r.sha256, seen[r.sha256].isoformat() if r.sha256 in seen else now,
             r.unit, r.year, str(r.status)) for r in result.files))
        conn.executemany("INSERT OR REPLACE INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (
            (f.year, f.unit, f.element, f.value, f.file, f.sheet, f.cell, f.sha256)
            for f in result.facts if f.element in catalog.elements))
        conn.executemany("INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (year, m.code, m.value, m.numerator, m.denominator, str(m.status),
             len(m.coverage.counted) if m.coverage else None, len(m.coverage.expected) if m.coverage else None,
             m.target, m.target_year) for m in result.metrics))


def record_import(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, float | None, float | None,
                                                                 float | None, int]], source: str) -> int:
    """Store imported past values ``(year, code, value, numerator, denominator, row)``; each
    replaces an earlier import of the same metric and year. The number stored."""
    now = _now()
    stored = [(year, code, value, num, den, source, row, now) for year, code, value, num, den, row in rows]
    with conn:
        conn.executemany("INSERT OR REPLACE INTO imported VALUES (?, ?, ?, ?, ?, ?, ?, ?)", stored)
    return len(stored)


def first_seen_times(conn: sqlite3.Connection) -> dict[str, datetime]:
    """sha256 -> when ctre-xl first saw a file with that content (aware, UTC)."""
    rows = conn.execute("SELECT sha256, MIN(first_seen) FROM files WHERE sha256 IS NOT NULL GROUP BY sha256")
    return {sha: datetime.fromisoformat(when) for sha, when in rows}


def merged_years(conn: sqlite3.Connection) -> list[int]:
    return [year for (year,) in conn.execute("SELECT year FROM merges ORDER BY year")]


def previous_contributions(conn: sqlite3.Connection, year: int) -> dict[str, dict[str, float]]:
    """The figures that counted in the year BEFORE ``year``: element -> {unit -> value}; empty
    when that year was never merged (what ``merge_inbox(previous=...)`` takes)."""
    found: dict[str, dict[str, float]] = {}
    rows = conn.execute("SELECT element, unit, value FROM figures WHERE year = ? AND value IS NOT NULL "
                        "ORDER BY element, unit", (year - 1,))
    for element, unit, value in rows:
        if not (isinstance(value, (int, float)) and isinstance(element, str) and isinstance(unit, str)):
            raise sqlite3.DatabaseError(f"figure {element!r}, {unit!r}: {value!r}")  # damaged, never summed
        found.setdefault(element, {})[unit] = value
    return found


def metric_series(conn: sqlite3.Connection, code: str | None = None) -> list[SeriesPoint]:
    """Every metric's values by year (or ``code``'s only), ordered by code then year.

    A merged value wins over an imported one of the same year; a merge that found no value
    (``no_data``) gives way to an imported value of that year.
    """
    where, args = ("WHERE code = ?", (code,)) if code is not None else ("", ())
    points: dict[tuple[str, int], SeriesPoint] = {}
    for row in conn.execute(f"SELECT year, code, value, numerator, denominator FROM imported {where}", args):
        points[(row[1], row[0])] = SeriesPoint(*row, status="", source=IMPORT)
    query = ("SELECT year, code, value, numerator, denominator, status, target, target_year, counted, expected "
             f"FROM metrics {where}")
    for row in conn.execute(query, args):
        year, code_, value = row[0], row[1], row[2]
        if value is None and (code_, year) in points:
            continue
        points[(code_, year)] = SeriesPoint(year, code_, value, row[3], row[4], row[5], MERGE,
                                            target=row[6], target_year=row[7], counted=row[8], expected=row[9])
    return [points[key] for key in sorted(points)]


def stored_series(workspace: Workspace) -> list[SeriesPoint] | None:
    """Every metric's stored series of ``workspace``; None without a history or when it cannot be
    read (then the outputs that use it say there is no history rather than fail)."""
    path = history_path(workspace)
    if not path.is_file():
        return None
    try:
        conn = open_history(path)
        try:
            return metric_series(conn)
        finally:
            conn.close()
    except HISTORY_ERRORS:
        return None


def figure_rows(conn: sqlite3.Connection, year: int) -> list[dict[str, Any]]:
    """The figures that counted in ``year``, with their source (file, sheet, cell)."""
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT year, unit, element, value, file, sheet, cell FROM figures WHERE year = ? "
                            "ORDER BY unit, element", (year,)).fetchall()
        return [dict(row) for row in rows]
    finally:
        conn.row_factory = None
