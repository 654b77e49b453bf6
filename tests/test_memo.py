"""``memo.Memo``: what the reader and the summary's lists keep of what they made, and its bounds."""

from __future__ import annotations

import pytest

from ctre_xl import sheetxml
from ctre_xl.memo import Memo


@pytest.mark.parametrize("sizes, kept", [
    ([1, 1, 1], [0, 1, 2]),  # within every bound: all kept
    ([1, 1, 1, 1], [3]),  # a fourth entry past ``entries`` (3): emptied, then the fourth kept
    ([2, 9, 1], [0, 2]),  # an entry longer than ``longest`` (8) is not kept, and empties nothing
    ([6, 5, 1], [1, 2]),  # past ``total`` (10): emptied before the second
])
def test_a_memo_keeps_within_its_bounds_and_starts_afresh(sizes: list[int], kept: list[int]) -> None:
    memo = Memo(entries=3, longest=8, total=10)
    for key, size in enumerate(sizes):
        memo.keep(key, f"answer {key}", size)
    assert sorted(memo) == kept and memo.size == sum(sizes[key] for key in kept)
    memo.clear()
    assert not memo and memo.size == 0


def test_the_lists_keep_the_inline_text_of_every_name_of_a_large_province() -> None:
    """A list writes each unit's name once per metric, in the same order: with 66,000 units a memo
    of 50,000 entries missed every name in every block. Now each name is made once."""
    sheetxml._INLINE.clear()
    names = [f"Trường Mầm non số {number}" for number in range(66_004)]
    for name in names:
        sheetxml.inline_xml(name)
    made = sheetxml._INLINE.size
    for name in names:  # the next metric's block: every name found, none made again
        assert name in sheetxml._INLINE
        sheetxml.inline_xml(name)
    assert sheetxml._INLINE.size == made and len(sheetxml._INLINE) == len(names)
    sheetxml._INLINE.clear()


def test_the_inline_text_memo_stays_bounded_in_characters() -> None:
    """Texts of 256 characters: no more are kept than 50,000 × 256 characters with their XML."""
    sheetxml._INLINE.clear()
    for number in range(120_000):
        sheetxml.inline_xml(f"{number:07d}" + "ý" * 249)
        assert sheetxml._INLINE.size <= sheetxml._INLINE.total
    assert len(sheetxml._INLINE) < 30_000
    sheetxml._INLINE.clear()
