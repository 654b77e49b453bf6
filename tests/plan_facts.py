"""The plan's facts, held in the repository so that no test reads anything outside it.

Source: the commune plan ``ke-hoach-tre-em-xuan-truong-2030.txt`` (kept outside the repository,
beside ``indicators.md``; never read by the tests). Every fact carries the line number(s) of that text
it is quoted from and the quote itself; ``python tests/plan_facts.py PATH/TO/ke-hoach-....txt``
checks every quote against the text after a change of either.

``basis`` says how sure a fact is:
- PLAN: the plan says it.
- NO_SIGN: the plan says "xuống X" (reduce to X) without a comparison sign, as the national decision
  23/QĐ-TTg it copies does: read as ≤ X (indicators.md, "(*)").
- INFERENCE: the plan is silent; indicators.md's *inference* (must be labelled where users see it).
- DEFINITION: the plan names the indicator; how it is computed is the national statistics
  definition indicators.md gives (the quote is the plan's indicator).

Operators are what the target requires of the commune value; a target is (operator, value) or
None for "no target that year". For CT13 and CT21 the value is a percentage of the commune's
own previous-year value.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

PLAN, NO_SIGN, INFERENCE, DEFINITION = "plan", "no sign", "inference", "definition"
PLAN_LINES = 447  # lines of ke-hoach-tre-em-xuan-truong-2030.txt


@dataclass(frozen=True)
class Fact:
    value: Any
    lines: tuple[int, ...]
    quote: str = ""  # the plan's words over ``lines`` (whitespace collapsed); "" for an inference
    basis: str = PLAN
    why: str = ""  # the reading, where the words alone do not give the value


@dataclass(frozen=True)
class MetricFacts:
    code: str
    indicator: Fact  # int
    name: Fact  # the metric as the plan words it
    targets: dict[int, Fact]  # year -> (operator, value) | None
    scale: Fact  # percent / per_mille / per_100000 / count / yes_no
    lead: Fact  # unit id, school level id or "schools"
    versus_previous_year: bool = False  # judged against the commune's previous-year value


def _lines(lines: int | tuple[int, int]) -> tuple[int, ...]:
    """One line, or (first, last) inclusive."""
    return (lines,) if isinstance(lines, int) else tuple(range(lines[0], lines[1] + 1))


def _fact(value: Any, lines: int | tuple[int, int], quote: str = "", basis: str = PLAN, why: str = "") -> Fact:
    return Fact(value, _lines(lines), quote, basis, why)


def _target(op: str, value: float, lines: int | tuple[int, int], quote: str, basis: str = PLAN,
            why: str = "") -> Fact:
    return _fact((op, value), lines, quote, basis, why)


def _none(lines: int | tuple[int, int], quote: str) -> Fact:
    """No target that year: the quote is where the plan names only the other year."""
    return _fact(None, lines, quote)


# ----------------------------------------------------------------------------- section VI: units

VHXH = _fact(frozenset({1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 21, 22, 23, 24}), (264, 267),
             "1. Phòng Văn hoá - Xã hội xã Chủ trì xây dựng, hướng dẫn thực hiện Kế hoạch và các chỉ tiêu "
             "1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 21, 22, 23, 24 của Kế hoạch")
SCHOOLS = _fact(frozenset({7, 15, 16, 17, 18, 19, 20}), (375, 378),
                "5. Các trường học trên địa bàn Thực hiện các giải pháp đảm bảo thực hiện có hiệu quả "
                "các Chỉ tiêu 07, 15, 16, 17, 18, 19, 20 của Kế hoạch")
SCHOOLS_WITH_VHXH = _fact(frozenset({22, 23, 24}), (379, 381),
                          "Phối hợp với Phòng Văn hóa - Xã Hội xã và các đơn vị liên quan thực hiện "
                          "Chỉ tiêu 22, 23, 24 của Kế hoạch")

# The indicators each department reports on (the templates hold exactly their metrics).
UNIT_INDICATORS: dict[str, Fact] = {
    "vhxh": VHXH,
    "kinh-te": _fact(frozenset(), (329, 333), "2. Phòng Kinh tế xã Căn cứ khả năng cân đối ngân sách địa phương",
                     why="arranges the budget (section V), no indicator"),
    "van-phong": _fact(frozenset({14}), (335, 336),
                       "3. Văn phòng HĐND-UBND xã Hướng dẫn thực hiện chỉ tiêu 14 của Kế hoạch"),
    "cong-an": _fact(frozenset({9}), 357, "quả Chỉ tiêu 9 của Kế hoạch"),
    "mttq": _fact(frozenset(), (412, 420), "6. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã",
                  why="monitors and evaluates the plan, no indicator"),
}

# Which school level feeds what: the plan only says "các trường học" (by age and subject).
_LEVELS = "indicators.md: *inference* by age and subject"
SCHOOL_LEVEL_INDICATORS: dict[str, Fact] = {
    "mam-non": _fact(frozenset({7, 15, 16, 19, 20}), (375, 378), SCHOOLS.quote, INFERENCE, _LEVELS),
    "tieu-hoc": _fact(frozenset({7, 17, 19, 20, 22, 23}), (375, 381), SCHOOLS.quote, INFERENCE, _LEVELS),
    "thcs": _fact(frozenset({7, 18, 19, 20, 22, 23, 24}), (375, 381), SCHOOLS.quote, INFERENCE, _LEVELS),
}

_VHXH_LEAD = _fact("vhxh", (264, 267), VHXH.quote)
_SCHOOLS_LEAD = _fact("schools", (375, 378), SCHOOLS.quote)


def _level_lead(level: str) -> Fact:
    return _fact(level, (375, 378), SCHOOLS.quote, INFERENCE, _LEVELS)


# ----------------------------------------------------------------------------- section II.2: metrics

_NO_SIGN_WHY = "no comparison sign in the plan: reduce to X, read as ≤ X"

METRICS: tuple[MetricFacts, ...] = (
    MetricFacts(
        "CT01", _fact(1, 38, "Chỉ tiêu 1:"),
        _fact("Xã đạt tiêu chuẩn phù hợp với trẻ em", 38, "Xã đạt tiêu chuẩn phù hợp với trẻ em"),
        {2026: _target("=", 1, 38, "Xã đạt tiêu chuẩn phù hợp với trẻ em vào năm 2026", why="Đạt = 1"),
         2030: _target("=", 1, 38, "", INFERENCE, "the plan names 2026 only; indicators.md: keep = Đạt")},
        _fact("yes_no", 38, "Xã đạt tiêu chuẩn phù hợp với trẻ em"), _VHXH_LEAD),
    MetricFacts(
        "CT02", _fact(2, 39, "Chỉ tiêu 2:"),
        _fact("Tỷ lệ trẻ em đến 8 tuổi được tiếp cận các dịch vụ hỗ trợ chăm sóc phát triển toàn diện",
              (39, 41), "Tỷ lệ trẻ em đến 8 tuổi được tiếp cận các dịch vụ hỗ trợ chăm sóc phát triển toàn diện"),
        {2026: _target(">=", 90, 41, "đạt 90% vào năm 2026"), 2030: _target(">=", 95, 41, "và 95% vào năm 2030")},
        _fact("percent", 41, "đạt 90%"), _VHXH_LEAD),
    MetricFacts(
        "CT03a", _fact(3, 42, "Chỉ tiêu 3:"),
        _fact("Tỷ suất tử vong trẻ sơ sinh", 42, "tỷ suất tử vong trẻ sơ sinh"),
        {2026: _target("<", 5.0, 42, "xuống <5,0‰ vào năm 2026"), 2030: _target("<", 4.8, 44, "và < 4,8‰ vào năm 2030")},
        _fact("per_mille", 42, "<5,0‰"), _VHXH_LEAD),
    MetricFacts(
        "CT03b", _fact(3, 42, "Chỉ tiêu 3:"),
        _fact("Tỷ suất tử vong của trẻ em dưới 1 tuổi", 44, "tỷ suất tử vong của trẻ em dưới 1 tuổi"),
        {2026: _target("<=", 6.0, (44, 45), "xuống 6,0‰ vào năm 2026", NO_SIGN, _NO_SIGN_WHY),
         2030: _target("<=", 5.8, 45, "và 5,8‰ vào năm 2030", NO_SIGN, _NO_SIGN_WHY)},
        _fact("per_mille", 45, "6,0‰"), _VHXH_LEAD),
    MetricFacts(
        "CT03c", _fact(3, 42, "Chỉ tiêu 3:"),
        _fact("Tỷ suất tử vong trẻ em dưới 5 tuổi", (45, 46), "tỷ suất tử vong trẻ em dưới 5 tuổi"),
        {2026: _target("<", 9.0, 46, "xuống < 9,0‰ vào năm 2026"), 2030: _target("<", 8.8, 46, "và < 8,8‰ vào năm 2030")},
        _fact("per_mille", 46, "< 9,0‰"), _VHXH_LEAD),
    MetricFacts(
        "CT04a", _fact(4, 48, "Chỉ tiêu 4:"),
        _fact("Tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể cân nặng theo tuổi", (48, 49),
              "tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể cân nặng theo tuổi"),
        {2026: _target("<", 9, 49, "xuống < 9% vào năm 2026"), 2030: _target("<", 6, 49, "và < 6% vào năm 2030")},
        _fact("percent", 49, "< 9%"), _VHXH_LEAD),
    MetricFacts(
        "CT04b", _fact(4, 48, "Chỉ tiêu 4:"),
        _fact("Tỷ lệ trẻ em suy dinh dưỡng thể chiều cao theo tuổi", (49, 50),
              "tỷ lệ trẻ em suy dinh dưỡng thể chiều cao theo tuổi"),
        {2026: _target("<=", 15, 50, "xuống 15% vào năm 2026", NO_SIGN, _NO_SIGN_WHY),
         2030: _target("<", 13, (50, 51), "và < 13% vào năm 2030")},
        _fact("percent", 50, "15%"), _VHXH_LEAD),
    MetricFacts(
        "CT04c", _fact(4, 48, "Chỉ tiêu 4:"),
        _fact("Tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể béo phì", 51,
              "tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể béo phì"),
        {year: _target("<", 5, (51, 52), "xuống <5% đối với nông thôn và <10% đối với thành thị vào năm 2026 và năm 2030",
                       why="Xuân Trường is a rural commune (xã): the rural threshold")
         for year in (2026, 2030)},
        _fact("percent", 52, "<5%"), _VHXH_LEAD),
    MetricFacts(
        "CT05a", _fact(5, 54, "Chỉ tiêu 5:"),
        _fact("Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ 8 loại vắc xin", (54, 55),
              "tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ 8 loại vắc xin"),
        {2026: _target(">=", 97, 55, "đạt 97% vào năm 2026"), 2030: _target(">=", 98, 55, "và 98% vào năm 2030")},
        _fact("percent", 55, "đạt 97%"), _VHXH_LEAD),
    MetricFacts(
        "CT05b", _fact(5, 54, "Chỉ tiêu 5:"),
        _fact("Trẻ em dưới 5 tuổi được tiêm chủng đầy đủ các loại vắc xin", (55, 56),
              "trẻ em dưới 5 tuổi được tiêm chủng đầy đủ các loại vắc xin"),
        {2026: _none((55, 56), "98% trẻ em dưới 5 tuổi được tiêm chủng đầy đủ các loại vắc xin vào năm 2030"),
         2030: _target(">=", 98, (55, 56), "98% trẻ em dưới 5 tuổi được tiêm chủng đầy đủ các loại vắc xin vào năm 2030")},
        _fact("percent", 55, "98%"), _VHXH_LEAD),
    MetricFacts(
        "CT06", _fact(6, 58, "Chỉ tiêu 6:"),
        _fact("Tỷ lệ lây truyền HIV từ mẹ sang con", 58, "tỷ lệ lây truyền HIV từ mẹ sang con"),
        {2026: _none(58, "< 2% vào năm 2030."), 2030: _target("<", 2, 58, "< 2% vào năm 2030")},
        _fact("percent", 58, "< 2%"), _VHXH_LEAD),
    MetricFacts(
        "CT07", _fact(7, 59, "Chỉ tiêu 7:"),
        _fact("Cơ sở giáo dục cho trẻ em có công trình vệ sinh", (59, 61), "cơ sở giáo dục cho trẻ em có công trình vệ sinh"),
        {2026: _target("=", 100, (59, 61), "100% cơ sở giáo dục cho trẻ em có công trình vệ sinh vào năm 2026"),
         2030: _target("=", 100, 61, "và duy trì đến năm 2030", why="maintained: 100%")},
        _fact("percent", 59, "100% cơ sở giáo dục"), _SCHOOLS_LEAD),
    MetricFacts(
        "CT08a", _fact(8, 63, "Chỉ tiêu 8:"),
        _fact("Tỷ lệ trẻ em có hoàn cảnh đặc biệt", 63, "tỷ lệ trẻ em có hoàn cảnh đặc biệt"),
        {2026: _target("<", 5, (63, 65), "xuống <5% vào năm 2026"), 2030: _target("<", 4.5, 65, "và <4,5% vào năm 2030")},
        _fact("percent", 63, "<5%"), _VHXH_LEAD),
    MetricFacts(
        "CT08b", _fact(8, 63, "Chỉ tiêu 8:"),
        _fact("Trẻ em có hoàn cảnh đặc biệt được chăm sóc, nuôi dưỡng, trợ giúp", (65, 66),
              "trẻ em có hoàn cảnh đặc biệt được chăm sóc, nuôi dưỡng, trợ giúp"),
        {2026: _target(">=", 90, (65, 66), "90% trẻ em có hoàn cảnh đặc biệt được chăm sóc, nuôi dưỡng, trợ giúp vào năm 2026"),
         2030: _target(">=", 95, 66, "và 95% vào năm 2030")},
        _fact("percent", 65, "90%"), _VHXH_LEAD),
    MetricFacts(
        "CT09", _fact(9, 68, "Chỉ tiêu 9:"),
        _fact("Tỷ lệ trẻ em bị xâm hại", 68, "tỷ lệ trẻ em bị xâm hại"),
        {2026: _target("<", 3, 68, "<3% vào năm 2026"), 2030: _target("<", 2, (68, 69), "và <2% vào năm 2030")},
        _fact("percent", 68, "<3%"), _VHXH_LEAD),
    MetricFacts(
        "CT10", _fact(10, 71, "Chỉ tiêu 10:"),
        _fact("Tỷ lệ lao động trẻ em và người chưa thành niên từ 5 đến 17 tuổi", (71, 72),
              "tỷ lệ lao động trẻ em và người chưa thành niên từ 5 đến 17 tuổi"),
        {2026: _target("<", 4.9, 72, "xuống < 4,9% vào năm 2026"),
         2030: _target("<=", 4.5, 72, "và xuống 4,5% vào năm 2030", NO_SIGN, _NO_SIGN_WHY)},
        _fact("percent", 72, "< 4,9%"), _VHXH_LEAD),
    MetricFacts(
        "CT11a", _fact(11, 74, "Chỉ tiêu 11:"),
        _fact("Tỷ suất trẻ em bị tai nạn thương tích", 74, "tỷ suất trẻ em bị tai nạn thương tích"),
        {2026: _target("<=", 550, (74, 75), "xuống 550/100.000 trẻ em vào năm 2026", NO_SIGN, _NO_SIGN_WHY),
         2030: _target("<=", 500, 75, "và 500/100.000 trẻ em vào năm 2030", NO_SIGN, _NO_SIGN_WHY)},
        _fact("per_100000", 74, "550/100.000"), _VHXH_LEAD),
    MetricFacts(
        "CT11b", _fact(11, 74, "Chỉ tiêu 11:"),
        _fact("Tỷ suất trẻ em bị tử vong do tai nạn thương tích", (75, 76), "tỷ suất trẻ em bị tử vong do tai nạn thương tích"),
        {2026: _target("<=", 16, 76, "xuống còn 16/100.000 trẻ em vào năm 2026", NO_SIGN, _NO_SIGN_WHY),
         2030: _target("<=", 15, 77, "xuống còn 15/100.000 vào năm 2030", NO_SIGN, _NO_SIGN_WHY)},
        _fact("per_100000", 76, "16/100.000 trẻ em"), _VHXH_LEAD),
    MetricFacts(
        "CT12", _fact(12, 79, "Chỉ tiêu 12:"),
        _fact("Trẻ em gặp thiên tai, thảm họa được cứu trợ, hỗ trợ kịp thời", (79, 80),
              "trẻ em gặp thiên tai, thảm họa được cứu trợ, hỗ trợ kịp thời"),
        {year: _target("=", 100, (79, 80), "Phấn đấu 100% trẻ em gặp thiên tai, thảm họa được cứu trợ, hỗ trợ kịp thời.",
                       why="no year named: a standing target, in force in both target years")
         for year in (2026, 2030)},
        _fact("percent", 79, "100% trẻ em"), _VHXH_LEAD),
    MetricFacts(
        "CT13", _fact(13, 82, "Chỉ tiêu 13:"),
        _fact("Phấn đấu giảm cuộc tảo hôn từ 2 đến 3% hằng năm", (82, 83),
              "phấn đấu giảm cuộc tảo hôn từ 2 đến 3% hằng năm"),
        {year: _target("<=", 98, (82, 83), "giảm cuộc tảo hôn từ 2 đến 3% hằng năm giai đoạn từ năm 2026 đến năm 2030",
                       why="a fall of at least 2% a year: at most 98% of the previous year's number")
         for year in (2026, 2030)},
        _fact("count", (82, 83), "cuộc tảo hôn"), _VHXH_LEAD, versus_previous_year=True),
    MetricFacts(
        "CT14", _fact(14, 85, "Chỉ tiêu 14:"),
        _fact("Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh", 85, "Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh"),
        {2026: _target(">=", 98.5, (85, 86), "đạt 98,5% vào năm 2026"), 2030: _target("=", 100, 86, "và đạt 100% vào năm 2030")},
        _fact("percent", 85, "98,5%"), _fact("van-phong", (335, 336), UNIT_INDICATORS["van-phong"].quote)),
    MetricFacts(
        "CT15", _fact(15, 89, "Chỉ tiêu 15:"),
        _fact("Tỷ lệ trẻ em dưới 5 tuổi được phát triển phù hợp về sức khỏe, học tập và tâm lý xã hội", (89, 91),
              "tỷ lệ trẻ em dưới 5 tuổi được phát triển phù hợp về sức khỏe, học tập và tâm lý xã hội"),
        {2026: _target(">=", 99.1, 91, "đạt 99,1% vào năm 2026"), 2030: _target(">=", 99.3, 91, "và 99,3% vào năm 2030")},
        _fact("percent", 91, "99,1%"), _level_lead("mam-non")),
    MetricFacts(
        "CT16", _fact(16, 92, "Chỉ tiêu 16:"),
        _fact("Tỷ lệ huy động trẻ em 5 tuổi đi học mẫu giáo", 92, "Tỷ lệ huy động trẻ em 5 tuổi đi học mẫu giáo"),
        {2026: _target(">=", 99.1, (92, 94), "đạt 99,1% vào năm 2026"), 2030: _target(">=", 99.3, 94, "và 99,3% vào năm 2030")},
        _fact("percent", 92, "99,1%"), _level_lead("mam-non")),
    MetricFacts(
        "CT17a", _fact(17, 95, "Chỉ tiêu 17:"),
        _fact("Tỷ lệ trẻ em hoàn thành cấp tiểu học", 95, "Tỷ lệ trẻ em hoàn thành cấp tiểu học"),
        {2026: _target(">=", 97, 95, "đạt 97% vào năm 2026"), 2030: _target(">=", 99, 96, "và đạt 99% vào năm 2030")},
        _fact("percent", 95, "97%"), _level_lead("tieu-hoc")),
    MetricFacts(
        "CT17b", _fact(17, 95, "Chỉ tiêu 17:"),
        _fact("Tỷ lệ trẻ em bỏ học cấp tiểu học", 96, "tỷ lệ trẻ em bỏ học cấp tiểu học"),
        {2026: _target("<", 0.12, 97, "< 0,12% vào năm 2026"), 2030: _target("<", 0.1, 97, "và <0,1% vào năm 2030")},
        _fact("percent", 97, "< 0,12%"), _level_lead("tieu-hoc")),
    MetricFacts(
        "CT18a", _fact(18, 99, "Chỉ tiêu 18:"),
        _fact("Tỷ lệ trẻ em hoàn thành trung học cơ sở", 99, "Tỷ lệ trẻ em hoàn thành trung học cơ sở"),
        {2026: _target(">=", 88, (99, 100), "đạt 88% vào năm 2026"), 2030: _target(">=", 93, 100, "và đạt 93% vào năm 2030")},
        _fact("percent", 99, "88%"), _level_lead("thcs")),
    MetricFacts(
        "CT18b", _fact(18, 99, "Chỉ tiêu 18:"),
        _fact("Tỷ lệ trẻ em bỏ học cấp trung học cơ sở", (100, 101), "tỷ lệ trẻ em bỏ học cấp trung học cơ sở"),
        {2026: _target("<", 0.14, 101, "< 0,14% vào năm 2026"), 2030: _target("<", 0.05, 101, "và < 0,05% vào năm 2030")},
        _fact("percent", 101, "< 0,14%"), _level_lead("thcs")),
    MetricFacts(
        "CT19", _fact(19, 103, "Chỉ tiêu 19:"),
        _fact("Trường học có dịch vụ hỗ trợ tâm lý cho trẻ em", 103, "trường học có dịch vụ hỗ trợ tâm lý cho trẻ em"),
        {2026: _target(">=", 95, (103, 104), "95% trường học có dịch vụ hỗ trợ tâm lý cho trẻ em vào năm 2026"),
         2030: _target(">=", 95, 104, "và duy trì 95% trở lên đến năm 2030")},
        _fact("percent", 103, "95% trường học"), _SCHOOLS_LEAD),
    MetricFacts(
        "CT20a", _fact(20, 106, "Chỉ tiêu 20:"),
        _fact("Tỷ lệ trường học có cơ sở hạ tầng và tài liệu phù hợp với học sinh khuyết tật", (106, 107),
              "Tỷ lệ trường học có cơ sở hạ tầng và tài liệu phù hợp với học sinh khuyết tật"),
        {2026: _target(">=", 55, 107, "đạt 55% vào năm 2026"), 2030: _target(">=", 60, 107, "và 60% vào năm 2030")},
        _fact("percent", 107, "55%"), _SCHOOLS_LEAD),
    MetricFacts(
        "CT20b", _fact(20, 106, "Chỉ tiêu 20:"),
        _fact("Tỷ lệ trẻ em khuyết tật có nhu cầu học tập được tiếp cận giáo dục chuyên biệt, giáo dục hòa nhập "
              "và hỗ trợ phục hồi chức năng phù hợp", (107, 109),
              "tỷ lệ trẻ em khuyết tật có nhu cầu học tập được tiếp cận giáo dục chuyên biệt, giáo dục hòa nhập "
              "và hỗ trợ phục hồi chức năng phù hợp"),
        {2026: _target(">=", 80, 109, "đạt 80% vào năm 2026"), 2030: _target(">=", 90, 109, "và đạt 90% vào năm 2030")},
        _fact("percent", 109, "80%"), _SCHOOLS_LEAD),
    MetricFacts(
        "CT21", _fact(21, 111, "Chỉ tiêu 21:"),
        _fact("Duy trì, bổ sung điểm văn hóa, vui chơi dành cho trẻ em", 111,
              "Duy trì, bổ sung điểm văn hóa, vui chơi dành cho trẻ em"),
        {year: _target(">=", 100, 111, "Duy trì, bổ sung điểm văn hóa, vui chơi",
                       why="maintained and added to: at least the previous year's number")
         for year in (2026, 2030)},
        _fact("count", 111, "điểm văn hóa, vui chơi"), _VHXH_LEAD, versus_previous_year=True),
    MetricFacts(
        "CT22", _fact(22, 113, "Chỉ tiêu 22:"),
        _fact("Trẻ em từ 07 tuổi trở lên được hỏi ý kiến về các vấn đề của trẻ em với các hình thức phù hợp",
              (113, 115), "trẻ em từ 07 tuổi trở lên được hỏi ý kiến về các vấn đề của trẻ em với các hình thức phù hợp"),
        {2026: _target(">=", 30, (113, 115), "30% trẻ em từ 07 tuổi trở lên"),
         2030: _target(">=", 35, 115, "vào năm 2026 và 35% vào năm 2030")},
        _fact("percent", 113, "30%"), _VHXH_LEAD),
    MetricFacts(
        "CT23", _fact(23, 116, "Chỉ tiêu 23:"),
        _fact("Trẻ em được nâng cao nhận thức, năng lực về quyền tham gia của trẻ em", (116, 118),
              "trẻ em được nâng cao nhận thức, năng lực về quyền tham gia của trẻ em"),
        {2026: _target(">=", 85, (116, 118), "85% trẻ em được nâng cao nhận thức"),
         2030: _target(">=", 90, 118, "vào năm 2026 và 90% vào năm 2030")},
        _fact("percent", 116, "85%"), _VHXH_LEAD),
    MetricFacts(
        "CT24", _fact(24, 119, "Chỉ tiêu 24:"),
        _fact("Tỷ lệ trẻ em từ 11 tuổi trở lên được tham gia vào các mô hình, hoạt động thúc đẩy quyền tham gia "
              "của trẻ em", (119, 121),
              "Tỷ lệ trẻ em từ 11 tuổi trở lên được tham gia vào các mô hình, hoạt động thúc đẩy quyền tham gia của trẻ em"),
        {2026: _target(">=", 30, 121, "đạt 30% vào năm 2026"), 2030: _target(">=", 35, (121, 122), "và 35% vào năm 2030")},
        _fact("percent", 121, "30%"), _VHXH_LEAD),
)

BY_CODE: dict[str, MetricFacts] = {m.code: m for m in METRICS}


# ----------------------------------------------------------------------------- definitions of the parts
# What a rate divides by, and who enters it. The plan names the indicator; the definition is the
# national statistics office's (indicators.md, "Definitions from national statistics") or, where
# the plan gives no age (CT23), indicators.md's *inference*. The value names the catalogue's
# element, so the test can hold the catalogue to it.


@dataclass(frozen=True)
class Part:
    element: str  # the catalogue's element code
    providers: frozenset[str]  # unit ids / school level ids that enter it
    years_back: int = 0  # a cohort's starting school year: t−4 (primary), t−3 (lower secondary)
    age: str = ""  # the age group its label must name ("7 tuổi"), if any


_GSO = "indicators.md, Definitions from national statistics (GSO)"
_RESIDENTS = ("indicators.md: the commune's resident children (records of the culture-social office), "
              "not the sum of school catchments; schools give the numerators")

DENOMINATORS: dict[str, Fact] = {
    "CT16": _fact(Part("age5_children", frozenset({"vhxh"})), 92,
                  "Tỷ lệ huy động trẻ em 5 tuổi đi học mẫu giáo", DEFINITION, _RESIDENTS),
    "CT17a": _fact(Part("primary_grade1_cohort", frozenset({"tieu-hoc"}), years_back=4), 95,
                   "Tỷ lệ trẻ em hoàn thành cấp tiểu học", DEFINITION,
                   f"{_GSO}: completers in school year t / grade-1 pupils of school year t−4"),
    "CT18a": _fact(Part("lower_secondary_grade6_cohort", frozenset({"thcs"}), years_back=3), 99,
                   "Tỷ lệ trẻ em hoàn thành trung học cơ sở", DEFINITION,
                   f"{_GSO}: graduates in school year t / grade-6 pupils of school year t−3"),
    "CT20b": _fact(Part("disabled_learning_need", frozenset({"vhxh"})), (107, 109),
                   "trẻ em khuyết tật có nhu cầu học tập", DEFINITION, _RESIDENTS),
    "CT22": _fact(Part("children_age7plus", frozenset({"vhxh"}), age="7 tuổi"), (113, 115),
                  "trẻ em từ 07 tuổi trở lên"),
    "CT23": _fact(Part("children_age7plus", frozenset({"vhxh"}), age="7 tuổi"), (116, 118), "", INFERENCE,
                  "the plan gives no age; the programmes reach children 7+ (indicators.md *inference*)"),
    "CT24": _fact(Part("children_age11plus", frozenset({"vhxh"}), age="11 tuổi"), (119, 121),
                  "trẻ em từ 11 tuổi trở lên"),
}

# The numerators the schools give for the denominators above (CT16, CT20b: their own pupils reached;
# CT17a, CT18a: the completers of the same school year t).
NUMERATORS: dict[str, Fact] = {
    "CT16": _fact(Part("age5_enrolled", frozenset({"mam-non"})), 92, DENOMINATORS["CT16"].quote, DEFINITION,
                  _RESIDENTS),
    "CT17a": _fact(Part("primary_completers", frozenset({"tieu-hoc"})), 95, DENOMINATORS["CT17a"].quote,
                   DEFINITION, _GSO),
    "CT18a": _fact(Part("lower_secondary_completers", frozenset({"thcs"})), 99, DENOMINATORS["CT18a"].quote,
                   DEFINITION, _GSO),
    "CT20b": _fact(Part("disabled_learning_access", frozenset({"mam-non", "tieu-hoc", "thcs"})), (107, 109),
                   DENOMINATORS["CT20b"].quote, DEFINITION, _RESIDENTS),
}


def metrics_of(indicators: frozenset[int]) -> set[str]:
    """The metric codes of the given indicator numbers."""
    return {m.code for m in METRICS if m.indicator.value in indicators}


def facts() -> list[Fact]:
    """Every fact above, for the quote check."""
    found = list(UNIT_INDICATORS.values()) + list(SCHOOL_LEVEL_INDICATORS.values()) + [SCHOOLS_WITH_VHXH]
    for metric in METRICS:
        found += [metric.indicator, metric.name, metric.scale, metric.lead, *metric.targets.values()]
    return found + list(DENOMINATORS.values()) + list(NUMERATORS.values())


def check_quotes(plan_text: str) -> list[str]:
    """Facts whose quote is not in the plan's text over their lines (whitespace collapsed, case ignored)."""
    lines = plan_text.splitlines()
    problems = [] if len(lines) == PLAN_LINES else [f"the plan has {len(lines)} lines, not {PLAN_LINES}"]
    for fact in facts():
        if fact.basis == INFERENCE and not fact.quote:
            continue
        first, last = min(fact.lines), max(fact.lines)
        span = " ".join(" ".join(lines[first - 1:last]).split()).casefold()
        if " ".join(fact.quote.split()).casefold() not in span:
            problems.append(f"lines {first}-{last}: {fact.quote!r} not found in {span!r}")
    return problems


if __name__ == "__main__":  # python tests/plan_facts.py PATH/TO/ke-hoach-tre-em-xuan-truong-2030.txt
    with open(sys.argv[1], encoding="utf-8") as handle:
        found = check_quotes(handle.read())
    print("\n".join(found) or f"all {len(facts())} facts quote the plan at their lines")
    sys.exit(1 if found else 0)
