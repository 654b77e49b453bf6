"""Several accepted files of one unit and year: which one counts, and why the others do not.

The latest return wins, judged by the same evidence as "on time" (``returns.latest_key``): the
file's own last-saved time, then the report date typed, then the file's modification time, then
the path (so two runs always agree). A blank return never wins over a filled one (it is not a
return at all). The others are superseded with a reason that names the winner and what changed.
"""

from __future__ import annotations

from datetime import date, datetime

from ctre_xl.merge.reading import FileRead
from ctre_xl.merge.returns import latest_key
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.text import format_date, format_number

CHANGES_LISTED = 5  # how many changed figures a "superseded" reason names


def pick_latest(reads: list[FileRead]) -> FileRead:
    """The file that counts among several of one unit and year."""
    def key(read: FileRead) -> tuple[datetime, date, float, str]:
        sub = read.submission
        assert sub is not None
        return latest_key(sub)
    return max(reads, key=key)


def supersede(loser: FileRead, winner: FileRead) -> None:
    """Mark ``loser`` superseded by ``winner``, naming the figures that differ."""
    old, new = loser.submission, winner.submission
    assert old is not None and new is not None
    changes = []
    for code in sorted(set(old.values) | set(new.values)):
        before = old.values[code].value if code in old.values else None
        after = new.values[code].value if code in new.values else None
        if before != after:
            changes.append(f"{code}: {_shown(before)} → {_shown(after)}")
    when = (f", lưu lần cuối ngày {format_date(new.saved_at.astimezone().date())}" if new.saved_at else "") \
        + (f", ngày lập {format_date(new.report_date)}" if new.report_date else "")
    what = ("; khác nhau: " + "; ".join(changes[:CHANGES_LISTED])
            + (f"; và {len(changes) - CHANGES_LISTED} số liệu khác" if len(changes) > CHANGES_LISTED else "")
            ) if changes else "; số liệu giống nhau"
    loser.record.status = FileStatus.SUPERSEDED
    loser.record.reason = f"Đã có tệp mới hơn của đơn vị: {new.path}{when}{what}."


def _shown(value: float | None) -> str:
    return "trống" if value is None else format_number(value)
