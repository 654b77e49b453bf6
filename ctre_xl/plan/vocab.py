"""The plan's vocabulary: every closed set of words the catalogue and the JSON output use.

Each set is a ``StrEnum`` whose values are the strings of the catalogue TOML and of the JSON
contract, so members compare, hash and serialise exactly like those strings. What a word means
(its sign, its comparison, its suffix, its Vietnamese label) is declared beside it: adding an
operator, a scale or a status is one edit here.
"""

from __future__ import annotations

import operator as _py
from enum import StrEnum
from typing import Callable, TypeVar

_E = TypeVar("_E", bound=StrEnum)

ALL_SCHOOLS = "schools"  # a metric's lead may be every school


class Operator(StrEnum):
    """How a value compares with a target or a rule's right side.

    The value is also what Excel formulas use ("D5<=E5"), so it is written into formulas as is.
    """

    #    value  sign  failed  compare  higher_is_better  for_targets
    LT = "<", "<", "≥", _py.lt, False, True
    LE = "<=", "≤", ">", _py.le, False, True
    GE = ">=", "≥", "<", _py.ge, True, True
    GT = ">", ">", "≤", _py.gt, True, False
    EQ = "=", "=", "≠", _py.eq, True, True

    sign: str  # as people read it: "≤"
    failed_sign: str  # what was found when the comparison fails: "≤" fails as ">", "=" as "≠"
    higher_is_better: bool  # a value above the target is the better side ("=": reaching it)
    for_targets: bool  # a metric's target may use it (">" only appears in consistency rules)
    _compare: Callable[[float, float], bool]

    def __new__(cls, value: str, sign: str, failed_sign: str, compare: Callable[[float, float], bool],
                higher_is_better: bool, for_targets: bool) -> "Operator":
        member = str.__new__(cls, value)
        member._value_ = value
        member.sign = sign
        member.failed_sign = failed_sign
        member._compare = compare
        member.higher_is_better = higher_is_better
        member.for_targets = for_targets
        return member

    def holds(self, value: float, target: float) -> bool:
        """``value <op> target`` (callers round both sides to ignore floating-point noise)."""
        return self._compare(value, target)


class Scale(StrEnum):
    """How a metric's value is expressed: its multiplication factor and its Vietnamese suffix."""

    PERCENT = "percent", 100, "%"
    PER_MILLE = "per_mille", 1000, "‰"
    PER_100000 = "per_100000", 100_000, "/100.000"
    COUNT = "count", None, ""
    YES_NO = "yes_no", None, ""

    factor: int | None  # numerator / denominator × factor; None: not a rate
    suffix: str

    def __new__(cls, value: str, factor: int | None, suffix: str) -> "Scale":
        member = str.__new__(cls, value)
        member._value_ = value
        member.factor = factor
        member.suffix = suffix
        return member


class Method(StrEnum):
    """How a metric is computed from the figures."""

    RATIO = "ratio"  # sum of numerators / sum of denominators × the scale's factor
    SHARE_OF_SCHOOLS = "share_of_schools"  # % of the schools answering "yes"
    YES_NO = "yes_no"  # the commune's own yes/no answer
    CHANGE_VS_PREVIOUS = "change_vs_previous"  # a count judged against a share of last year's


class LabelledWord(StrEnum):
    """A word of the vocabulary with the Vietnamese text people read for it."""

    label: str

    def __new__(cls, value: str, label: str) -> "LabelledWord":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class ElementKind(LabelledWord):
    """What a figure typed into a template is; its label is the unit of measure the template shows."""

    COUNT = "count", "số lượng"
    YES_NO = "yes_no", "Có/Không"
    MONEY = "money", "đồng"

    @property
    def unit_of_measure(self) -> str:
        return self.label


class Severity(LabelledWord):
    ERROR = "error", "Lỗi"
    WARNING = "warning", "Cảnh báo"


class MetricStatus(LabelledWord):
    """How a metric stands against its target (in this order on the summary's overview and the
    console: the two verdicts first, then why there is none)."""

    MET = "met", "Đạt"
    NOT_MET = "not_met", "Chưa đạt"
    INCOMPLETE = "incomplete", "Chưa đủ số liệu"  # a value on what came in: no verdict
    NO_DATA = "no_data", "Thiếu số liệu"
    NOT_DUE = "not_due", "Chưa đến hạn"  # a year between milestones (2027-2029)
    BASELINE = "baseline", "Năm gốc"  # the plan's first year: the starting point, no verdict
    NOT_APPLICABLE = "not_applicable", "Không phát sinh"
    NO_TARGET = "no_target", "Chưa có mục tiêu"

    @property
    def is_verdict(self) -> bool:
        """Met or not met: the only statuses judged against a target (and coloured green / red)."""
        return self in (MetricStatus.MET, MetricStatus.NOT_MET)


class TrackStatus(LabelledWord):
    """How a metric stands, in a year between milestones, against the straight path from its
    baseline (the first year of the history with a value) to the next milestone's target."""

    ON_TRACK = "on_track", "Đúng lộ trình"
    OFF_TRACK = "off_track", "Chậm so với lộ trình"
    TOO_LITTLE = "too_little", "Chưa đủ số liệu các năm"  # no value of an earlier year to start from


class FileStatus(LabelledWord):
    """What became of one file of the inbox."""

    ACCEPTED = "accepted", "Hợp lệ"
    REJECTED = "rejected", "Từ chối"
    SUPERSEDED = "superseded", "Thay thế"
    SKIPPED = "skipped", "Bỏ qua"


class ReturnState(LabelledWord):
    """Where a unit stands with its return for a year (``ctre-xl status``), the ones to chase first."""

    NOT_SENT = "not_sent", "Chưa nộp"
    BLANK = "blank", "Gửi biểu mẫu trống"
    ERRORS = "errors", "Có lỗi"
    LATE = "late", "Nộp muộn"
    FINE = "fine", "Đủ và đúng hạn"
    OPTIONAL = "optional", "Không bắt buộc"  # the MTTQ and the đoàn thể: a narrative is welcome, never due

    @property
    def to_chase(self) -> bool:
        """The unit must still send something: a return, figures, corrections."""
        return self in (ReturnState.NOT_SENT, ReturnState.BLANK, ReturnState.ERRORS)


def parse(kind: type[_E], text: object) -> _E | None:
    """The member of ``kind`` whose value is ``text``; None for anything else."""
    try:
        return kind(text)
    except ValueError:
        return None
