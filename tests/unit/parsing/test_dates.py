"""Date reader: CONTRACT.md section 3 rules, shifts, English, chat corpus, robustness."""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bench.shared import CORPUS as CORPUS_DIR
from bot.parsing.dates import DateMention, find_dates, parse_date
from bot.parsing.numerals import find_numbers

TZ = ZoneInfo("Asia/Shanghai")
WED = datetime(2026, 11, 18, 9, 30, tzinfo=TZ)  # a Wednesday
SUN = datetime(2026, 12, 27, 15, 0, tzinfo=TZ)  # a Sunday, end of year
CHAT_DEV = CORPUS_DIR / "chat_dev.jsonl"


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=TZ)


def one(text: str, now: datetime = WED) -> DateMention:
    found = find_dates(text, now)
    assert len(found) == 1, (text, found)
    return found[0]


# ---------------------------------------------------------------- contract rules


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # 本周X / 这周X / 周X / 星期X / 礼拜X: the current week, even if past.
        ("周一", date(2026, 11, 16)),
        ("周三", date(2026, 11, 18)),
        ("周日", date(2026, 11, 22)),
        ("本周五", date(2026, 11, 20)),
        ("这周一", date(2026, 11, 16)),
        ("星期天", date(2026, 11, 22)),
        ("礼拜六", date(2026, 11, 21)),
        ("这个星期二", date(2026, 11, 17)),
        # 下周X / 下星期X: the following week; 下下周X two weeks on.
        ("下周三", date(2026, 11, 25)),
        ("下周一", date(2026, 11, 23)),
        ("下星期五", date(2026, 11, 27)),
        ("下个礼拜天", date(2026, 11, 29)),
        ("下周周六", date(2026, 11, 28)),
        ("下下周二", date(2026, 12, 1)),
        ("上周五", date(2026, 11, 13)),
        # 月底 / 下月底 / 下个月底
        ("月底", date(2026, 11, 30)),
        ("本月底", date(2026, 11, 30)),
        ("下月底", date(2026, 12, 31)),
        ("下个月底", date(2026, 12, 31)),
        # 12月5号 without a year: next such day on or after today
        ("12月5号", date(2026, 12, 5)),
        ("11月18号", date(2026, 11, 18)),
        ("11月17号", date(2027, 11, 17)),
        ("十二月五号", date(2026, 12, 5)),
        # N天后 / N天以后; 明天, 后天, 大后天; 今天
        ("三天后", date(2026, 11, 21)),
        ("10天以后", date(2026, 11, 28)),
        ("明天", date(2026, 11, 19)),
        ("后天", date(2026, 11, 20)),
        ("大后天", date(2026, 11, 21)),
        ("今天", date(2026, 11, 18)),
    ],
)
def test_contract_rules(text: str, want: date) -> None:
    assert parse_date(text, WED) == want


def test_month_day_rolls_over_the_year() -> None:
    assert parse_date("1月3号", at(2026, 12, 20)) == date(2027, 1, 3)
    assert parse_date("12月20号", at(2026, 12, 20)) == date(2026, 12, 20)
    assert parse_date("12月19号", at(2026, 12, 20)) == date(2027, 12, 19)


def test_month_end_in_february_and_next_month_end_in_december() -> None:
    assert parse_date("月底", at(2026, 2, 10)) == date(2026, 2, 28)
    assert parse_date("月底", at(2028, 2, 10)) == date(2028, 2, 29)
    assert parse_date("下个月底", at(2026, 1, 31)) == date(2026, 2, 28)
    assert parse_date("下个月底", at(2026, 12, 3)) == date(2027, 1, 31)
    assert parse_date("下月底", at(2026, 12, 31)) == date(2027, 1, 31)


def test_weekdays_across_month_and_year_ends() -> None:
    # Thursday 2026-12-31: this week runs Mon 12-28 .. Sun 2027-01-03.
    thu = at(2026, 12, 31)
    assert parse_date("周一", thu) == date(2026, 12, 28)
    assert parse_date("周日", thu) == date(2027, 1, 3)
    assert parse_date("下周三", thu) == date(2027, 1, 6)
    assert parse_date("下下周一", thu) == date(2027, 1, 11)
    # Sunday 2026-11-29: 下周X is December.
    assert parse_date("下周二", at(2026, 11, 29)) == date(2026, 12, 1)
    assert parse_date("下周五", SUN) == date(2027, 1, 1)
    assert parse_date("这周日", SUN) == date(2026, 12, 27)


def test_factory_time_zone_decides_today() -> None:
    late = datetime(2026, 11, 18, 23, 59, tzinfo=TZ)
    assert parse_date("明天", late) == date(2026, 11, 19)


# ---------------------------------------------------------------- the other forms


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2026-12-05", date(2026, 12, 5)),
        ("2026/12/5", date(2026, 12, 5)),
        ("2026.12.5", date(2026, 12, 5)),
        ("12/5", date(2026, 12, 5)),
        ("交期改为12.5", date(2026, 12, 5)),
        ("二〇二六年十二月五日", date(2026, 12, 5)),
        ("2027年1月8号", date(2027, 1, 8)),
        ("明年3月5号", date(2027, 3, 5)),
        ("下个月5号", date(2026, 12, 5)),
        ("下月九号", date(2026, 12, 9)),
        ("本月25日", date(2026, 11, 25)),
        ("月中", date(2026, 11, 15)),
        ("下个月中", date(2026, 12, 15)),
        ("年底", date(2026, 12, 31)),
        ("明年底", date(2027, 12, 31)),
        ("12月底", date(2026, 12, 31)),
        ("下周", date(2026, 11, 23)),
        ("两周后", date(2026, 12, 2)),
        ("一个月后", date(2026, 12, 18)),
        ("半个月后", date(2026, 12, 3)),
        ("3个星期之后", date(2026, 12, 9)),
        ("5天内", date(2026, 11, 23)),
        ("25号", date(2026, 11, 25)),
        ("5号", date(2026, 12, 5)),
        ("12月的第一个周二", date(2026, 12, 1)),
        ("12月5日（周六）前交货", date(2026, 12, 5)),
        ("12.5号", date(2026, 12, 5)),
        ("12.5前交货", date(2026, 12, 5)),
        ("12/05/2027", date(2027, 12, 5)),
        ("元旦前", date(2027, 1, 1)),
        ("明年国庆", date(2027, 10, 1)),
        ("双十一之前", date(2027, 11, 11)),
        ("5个工作日内发货", date(2026, 11, 25)),
        ("by the 15th", date(2026, 12, 15)),
        ("明早", date(2026, 11, 19)),
        ("周二十点开会", date(2026, 11, 17)),
        ("99年3月5日", date(1999, 3, 5)),
        ("再过三天交货", date(2026, 11, 21)),
        # traditional script
        ("三天後交貨", date(2026, 11, 21)),
        ("下個月底", date(2026, 12, 31)),
        ("這週五", date(2026, 11, 20)),
        ("12月5號", date(2026, 12, 5)),
        ("零七年八月二十九号", date(2007, 8, 29)),
        ("最早3天后", date(2026, 11, 21)),
        ("Friday next week", date(2026, 11, 27)),
        ("next week on Monday", date(2026, 11, 23)),
        ("due Fri", date(2026, 11, 20)),
        # English
        ("tomorrow", date(2026, 11, 19)),
        ("next Wednesday", date(2026, 11, 25)),
        ("this Friday", date(2026, 11, 20)),
        ("by Friday", date(2026, 11, 20)),
        ("by Tuesday", date(2026, 11, 24)),
        ("Dec 5", date(2026, 12, 5)),
        ("December 5th, 2027", date(2027, 12, 5)),
        ("5 December", date(2026, 12, 5)),
        ("end of month", date(2026, 11, 30)),
        ("end of next month", date(2026, 12, 31)),
        ("in 3 days", date(2026, 11, 21)),
        ("2 weeks from now", date(2026, 12, 2)),
    ],
)
def test_other_forms(text: str, want: date) -> None:
    assert parse_date(text, WED) == want


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("提前三天", -3),
        ("提前3天交货", -3),
        ("推迟一周", 7),
        ("延后7天", 7),
        ("晚两天", 2),
        ("早两天", -2),
        ("往后推5天", 5),
        ("交期往前挪两天", -2),
        ("延后两周", 14),
        ("推迟交期3天", 3),
        ("顺延一个星期", 7),
        ("3 days earlier", -3),
        ("two days later", 2),
        ("push it back a week", 7),
        ("push ##### back by 3 days", 3),
        ("bring ##### forward by 2 days", -2),
        ("delay ###### by one week", 7),
        ("delay 3 days", 3),
        ("延後兩天", 2),
        ("move it up a week", -7),
        ("push out 2 weeks", 14),
    ],
)
def test_shifts_of_the_stored_due_date(text: str, delta: int) -> None:
    mention = one(text)
    assert mention.delta_days == delta
    assert mention.date is None


def test_shift_with_a_target_date_is_absolute() -> None:
    mention = one("交期提前到本周五")
    assert mention.date == date(2026, 11, 20) and mention.delta_days is None
    assert one("推迟到下周三").date == date(2026, 11, 25)


def test_spans_index_into_the_text() -> None:
    text = "#####数量改成500件，交期改到下周三，再提前两天"
    found = find_dates(text, WED)
    assert [text[m.start:m.end] for m in found] == [m.raw for m in found]
    assert [m.raw for m in found] == ["下周三", "提前两天"]


def test_weekday_note_after_a_date_is_part_of_it() -> None:
    mention = one("10月12号(星期一)")
    assert mention.raw == "10月12号(星期一)" and mention.date == date(2027, 10, 12)
    assert one("Dec 5 (Sat)").date == date(2026, 12, 5)
    # A comma starts a new clause for the grammar: no mention spans it.
    assert [m.raw for m in find_dates("10月12号，星期一", WED)] == ["10月12号", "星期一"]
    assert [m.raw for m in find_dates("周一, 周三", WED)] == ["周一", "周三"]


def test_traditional_script_spans_are_the_original_text() -> None:
    mention = one("交期改到下個禮拜一")
    assert mention.raw == "下個禮拜一" and mention.date == date(2026, 11, 23)


def test_masked_order_refs_are_not_dates() -> None:
    assert find_dates("##### 数量改成500", WED) == []
    assert parse_date("######下周五要货", WED) == date(2026, 11, 27)


@pytest.mark.parametrize(
    "text",
    ["数量改成500件", "2号机坏了", "3号线停了", "再加两千个", "两周三天", "每周一开会",
     "单价12.5元", "规格3-5mm", "1/2的量", "查一下", "5千克", "提前两三天", "sat down",
     "end of next week",
     "数量改为12.5", "1/10的量", "提前天数", "以后天气",
     "the 5 may arrive late", "late next week",
     "十一点开会", "下周末", "12月中旬"],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text, WED) == []


def test_invalid_calendar_dates_are_dropped() -> None:
    assert parse_date("2026年2月30日", WED) is None
    assert parse_date("2月29日", at(2026, 3, 1)) == date(2028, 2, 29)


def test_every_mention_has_exactly_one_answer() -> None:
    text = "下周三, 提前三天, 12月5号, push back a week, 月底, 3天后"
    for mention in find_dates(text, WED):
        assert (mention.date is None) != (mention.delta_days is None)


# ---------------------------------------------------------------- chat corpus

# Order references as written in chat_dev.jsonl (SO-2025-0042, SO88, so-77,
# A-1020, PO240311, 订单号 7781023); the real masking is the grammar's job.
_REF_RE = re.compile(r"(?i)(?<![A-Za-z0-9])[A-Z]{1,4}-?[0-9]{2,}(?:-[0-9]+)*(?![0-9])"
                     r"|(?<![0-9])[0-9]{7,}(?![0-9])")


def _mask(text: str) -> str:
    return _REF_RE.sub(lambda m: "#" * len(m.group()), text)


def _chat_due_dates() -> list[tuple[str, datetime, list[str | int]]]:
    rows = [json.loads(line) for line in CHAT_DEV.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    cases = []
    for row in rows:
        due = [c for c in row.get("changes") or [] if c["field"] == "due_date"]
        if due:
            want = [c["value"] if "value" in c else c["delta_days"] for c in due]
            cases.append((row["text"], datetime.fromisoformat(row["now"]), want))
    return cases


@pytest.mark.skipif(not CHAT_DEV.exists(), reason="chat corpus not mounted")
def test_chat_dev_due_dates() -> None:
    import unicodedata

    cases = _chat_due_dates()
    failures = []
    for text, now, want in cases:
        masked = _mask(unicodedata.normalize("NFKC", text))
        got = [m.date.isoformat() if m.date else m.delta_days for m in find_dates(masked, now)]
        if got != want:
            failures.append(f"{text!r}: want {want} got {got}")
    print(f"\nchat_dev due dates: {len(cases) - len(failures)}/{len(cases)}")
    for line in failures:
        print("  FAIL", line)
    assert not failures


# ---------------------------------------------------------------- robustness and speed


def test_never_raises_on_odd_input() -> None:
    rng = random.Random(7)
    texts = ["", " ", "😂🙏👍", "\x00\x01\x02", "下" * 5000, "SO-12 交期改到下周三 " * 300,
             "99999999天后", "推迟99999999周", "9999年12月31日", "0000-00-00", "13/45",
             "ＳＯ－８８ 十二月五号 mixed English 3 days later", "١٢٣٤ 天后", "²³号"]
    texts += [os.urandom(rng.randint(1, 300)).decode("utf-8", "replace") for _ in range(200)]
    texts += ["".join(chr(rng.randint(32, 0x9FFF)) for _ in range(60)) for _ in range(200)]
    for text in texts:
        find_dates(text, WED)
        parse_date(text, WED)
        find_numbers(text)


@pytest.mark.parametrize(("now", "text", "expected"), [
    # National Day 2026: Oct 1-7 off, Sat Oct 10 a make-up working day (调休)
    ("2026-09-28T10:00:00+08:00", "SO-1 5个工作日内交", "2026-10-10"),
    # an ordinary week: Monday to Friday
    ("2026-12-04T10:00:00+08:00", "SO-1 3个工作日内交", "2026-12-09"),
])
def test_working_days_follow_chinas_official_calendar(now: str, text: str, expected: str) -> None:
    from datetime import datetime as _dt

    from bot.parsing import parse_text

    result = parse_text(text, _dt.fromisoformat(now), "Asia/Shanghai")
    assert [c.value for c in result.command.changes] == [expected]
