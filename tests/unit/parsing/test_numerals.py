"""Numeral reader: textbook and colloquial forms, spans, garbage."""

from __future__ import annotations

import random

import pytest

from bot.parsing.numerals import NumberMention, find_numbers, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500", 500),
        ("五百", 500),
        ("一千二", 1200),
        ("1千2", 1200),
        ("两万", 20000),
        ("三十五", 35),
        ("万五", 15000),
        ("两万五", 25000),
        ("三百五", 350),
        ("一千零二", 1002),
        ("一百零五", 105),
        ("一千零二十", 1020),
        ("俩", 2),
        ("仨", 3),
        ("3k", 3000),
        ("3K", 3000),
        ("2w", 20000),
        ("1.5万", 15000),
        ("三点五万", 35000),
        ("3.5", 3.5),
        ("半", 0.5),
        ("两个半", 2.5),
        ("一百", 100),
        ("十", 10),
        ("十五", 15),
        ("1万2000", 12000),
        ("1,200", 1200),
        ("壹仟贰佰", 1200),
        ("三千五百万", 35_000_000),
        ("一亿两千万", 120_000_000),
        ("二〇二六", 2026),
        ("零七", 7),
        ("０５００", 500),  # full-width digits
        ("五 百", 500),
        ("两百十四", 214),
        ("两万零六百五", 20650),
        ("一六零", 160),
        ("一千二百五", 1250),
        ("三万五千二", 35200),
        ("一万零五", 10005),
        ("0.5k", 500),
        ("1W2", 12000),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    got = parse_number(text)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "k", "w", "件", "五百件", "3kg", "SO-12", "十十", "😂", "\x00",
     "一二三四五" * 20],
)
def test_parse_number_rejects_non_numerals(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_agrees_with_cn2an_on_textbook_forms() -> None:
    cn2an = pytest.importorskip("cn2an")
    rng = random.Random(3)
    values = list(range(1000)) + [rng.randint(1000, 10**9) for _ in range(300)]
    for value in values:
        written = cn2an.an2cn(value)
        assert parse_number(written) == value, written


def test_find_numbers_spans_and_values() -> None:
    text = "#####数量改成一千二件，再加3k个，单价12.5元"
    found = find_numbers(text)
    assert [(m.raw, m.value) for m in found] == [("一千二", 1200), ("3k", 3000), ("12.5", 12.5)]
    assert all(text[m.start:m.end] == m.raw for m in found)
    assert found[0] == NumberMention(9, 12, 1200, "一千二")


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("查一下进度", []),
        ("万一来不及", []),
        ("一起发货", []),
        ("5千克的料", [5]),
        ("万向轮两百个", [200]),
        ("半成品一百件", [100]),
        ("再加两千个，交期延后两周", [2000, 2]),
        ("数量改成500,交期12月5号", [500, 12, 5]),
        ("1,200件", [1200]),
        ("万达广场", []),
        ("一点五万件", [15000]),
        ("有点急", []),
        ("改成50一箱", [50, 1]),
        ("贴二维码的六角螺丝五百个", [500]),
        ("打洞3个", [3]),
        ("1万2000件", [12000]),
        ("提前两三天", []),
    ],
)
def test_find_numbers_skips_words_that_are_not_numbers(text: str, values: list[float]) -> None:
    assert [m.value for m in find_numbers(text)] == values


def test_find_numbers_never_raises() -> None:
    rng = random.Random(11)
    for _ in range(300):
        text = "".join(chr(rng.randint(0, 0x9FFF)) for _ in range(rng.randint(0, 80)))
        for mention in find_numbers(text):
            assert text[mention.start:mention.end] == mention.raw
    assert find_numbers("五" * 5000) == []  # a 5,000-digit run is no quantity
