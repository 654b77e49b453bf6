"""Several accepted files of one unit and year: which one counts, and why the others do not.

The latest return wins, judged by the same evidence as "on time" (``returns.latest_key``): the
file's own last-saved time, then the report date typed, then the file's modification time, then
the path (so two runs always agree). A blank return never wins over a filled one (it is not a
return at all). The others are superseded with a reason that names the winner and what changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Collection

from ctre_xl.merge.model import Change
from ctre_xl.merge.reading import FileRead
from ctre_xl.merge.returns import is_typed, latest_key
from ctre_xl.plan.catalog import Catalog, nfc
from ctre_xl.read.model import CellValue, Submission
from ctre_xl.read.values import shown
from ctre_xl.plan.vocab import FileStatus
from ctre_xl.text import format_date, format_number

CHANGES_LISTED = 5  # how many changed figures a "superseded" reason names


def pick_latest(reads: list[FileRead]) -> FileRead:
    """The file that counts among several of one unit and year."""
    def key(read: FileRead) -> tuple[datetime, date, float, float, str]:
        sub = read.submission
        assert sub is not None
        return latest_key(sub)
    return max(reads, key=key)


def supersede(loser: FileRead, winner: FileRead, catalog: Catalog | None = None) -> None:
    """Mark ``loser`` superseded by ``winner``, naming the figures that differ by their label."""
    old, new = loser.submission, winner.submission
    assert old is not None and new is not None
    labels = {code: e.label for code, e in catalog.elements.items()} if catalog is not None else {}
    changes = [f"{labels.get(c.element, c.element)}: {_shown(c.before)} → {_shown(c.after)}"
               for c in figure_changes(old, new) if c.before != c.after]
    when = (f", lưu lần cuối ngày {format_date(new.saved_at.astimezone().date())}" if new.saved_at else "") \
        + (f", ngày lập {format_date(new.report_date)}" if new.report_date else "")
    what = ("; khác nhau: " + "; ".join(changes[:CHANGES_LISTED])
            + (f"; và {len(changes) - CHANGES_LISTED} số liệu khác" if len(changes) > CHANGES_LISTED else "")
            ) if changes else "; số liệu giống nhau"
    loser.record.status = FileStatus.SUPERSEDED
    loser.record.reason = f"Đã có tệp mới hơn của đơn vị: {new.path}{when}{what}."


def figure_changes(old: Submission, new: Submission, old_problems: Collection[str] = (),
                   new_problems: Collection[str] = ()) -> list[Change]:
    """The figures that differ from ``old`` to ``new`` (by value, or by what was typed where it could not
    be read), in code order; ``*_problems``: the codes each return had a finding on."""
    found = []
    for code in sorted(set(old.values) | set(new.values)):
        before, after = old.values.get(code), new.values.get(code)
        was, now = _value(before), _value(after)
        if was == now:
            continue
        found.append(Change(element=code, before=was[0], after=now[0], before_typed=was[1], after_typed=now[1],
                            fixed=code in old_problems and code not in new_problems,
                            new_problem=code in new_problems and code not in old_problems))
    return found


def _value(cell: CellValue | None) -> tuple[float | None, str]:
    """(value, what was typed when that is not a value): "abc" and "abd" differ, empty and None do not."""
    if cell is None:
        return None, ""
    if cell.value is not None or not is_typed(cell.raw):
        return cell.value, ""
    return None, nfc(shown(cell.raw)).strip()


def _shown(value: float | None) -> str:
    return "trống" if value is None else format_number(value)
