"""Property: a relative amount never yields a number or a date in `changes`.

Generated messages combine an order reference, filler particles, separators
and one relative phrase: a multiplier (翻倍, 加到三倍, x4, 减半, ...), a vague
shift (往后推一点, 早几天, a bit later), or a month / week without a day
(改到下个月, 提前到下周). Whatever the wrapping, the contract JSON must carry
no quantity or due-date item -- the parser asks or leaves it to the service.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import parse_text

NOW = datetime.fromisoformat("2026-12-06T10:00:00+08:00")

_CN = ["两", "三", "四", "五", "十"]
_N = st.one_of(st.sampled_from(_CN), st.integers(2, 9).map(str))

MULTIPLIERS = st.one_of(
    st.sampled_from(["翻倍", "翻一番", "加倍", "减半", "少一半", "砍一半", "数量翻倍",
                     "数量减半", "double it", "halve the qty", "triple the quantity"]),
    _N.map(lambda n: f"数量加到{n}倍"), _N.map(lambda n: f"变成{n}倍"),
    _N.map(lambda n: f"数量乘以{n}"), _N.map(lambda n: f"qty x{n}"),
    _N.map(lambda n: f"数量增加{n}倍"), st.integers(1, 9).map(lambda n: f"多做{n}0%"),
    st.integers(1, 9).map(lambda n: f"数量减少{n}成"),
)
VAGUE_SHIFTS = st.sampled_from([
    "交期往后推一点", "往后推一点", "交期推迟一些", "晚几天交", "晚点交", "早点交", "提前一点",
    "交期提前几天", "交货往前挪一点", "再多做一些", "少做一点", "push it back a bit",
    "deliver a bit later", "a few days earlier",
])
NO_DAY = st.sampled_from([
    "交期改到下个月", "改到下月", "提前到下周", "推迟到下个星期", "下周交", "交期定在下个月",
    "move it to next month", "due next week",
])
REFS = st.sampled_from(["SO-7", "so-88", "A-1020", "PO240311", "SO-2026-0028", "订单7781023"])
FILLERS = st.sampled_from(["", "麻烦", "帮忙", "那个", "hi ", "老板说"])
TAILS = st.sampled_from(["", "吧", "哈", "，谢谢", "呗", " thx", "!", "。", "🙏"])
SEPS = st.sampled_from([" ", "", "，", ", ", "：", "  "])


@settings(max_examples=300, deadline=None)
@given(head=FILLERS, ref=REFS, sep=SEPS, phrase=st.one_of(MULTIPLIERS, VAGUE_SHIFTS, NO_DAY),
       tail=TAILS, ref_last=st.booleans())
def test_relative_amounts_emit_no_number_or_date(head: str, ref: str, sep: str, phrase: str,
                                                 tail: str, ref_last: bool) -> None:
    if not sep.strip() and phrase[:1].isascii():
        sep = " "  # "SO-7halve" is one token, no order number: Latin words need a space
    text = f"{head}{phrase}{sep}{ref}{tail}" if ref_last else f"{head}{ref}{sep}{phrase}{tail}"
    out = parse_text(text, NOW).to_contract_dict()
    guessed = [c for c in out.get("changes", []) if c["field"] in ("quantity", "due_date")]
    assert guessed == [], (text, out)
