"""Fuzzy matching against the values the database knows: take it, or ask."""

from __future__ import annotations

from datetime import datetime

from bot.parsing import Vocabulary, parse_text

NOW = datetime.fromisoformat("2026-11-18T09:30:00+08:00")
VOCAB = Vocabulary(
    colors={"胡桃木色": ["walnut"], "白色": ["white"], "灰色": ["grey", "gray"]},
    materials={"304不锈钢": ["304 stainless", "SUS304"], "E0级颗粒板": []},
    operations={"喷砂": ["sandblasting"], "抛光": ["polishing"], "激光切割": ["laser cutting"]},
)


def test_exact_alias_gives_canonical_and_keeps_value_as_written() -> None:
    out = parse_text("SO-12 change color to Walnut", NOW, vocabulary=VOCAB).to_contract_dict()
    assert out["changes"] == [
        {"field": "spec", "key": "color", "value": "Walnut", "canonical": "胡桃木色"}]


def test_confident_fuzzy_match_with_margin() -> None:
    result = parse_text("SO-12 材质改成304 stainles", NOW, vocabulary=VOCAB)
    assert result.question is None
    assert result.command.changes[0].canonical == "304不锈钢"


def test_near_miss_is_asked_back_not_guessed() -> None:
    result = parse_text("SO-12 颜色改成胡桃", NOW, vocabulary=VOCAB)
    assert result.command.changes[0].canonical is None
    assert result.question is not None and result.question.kind == "choice"
    assert result.question.options == ("胡桃木色",)
    assert "issues" not in result.to_contract_dict() and "uncertain_match" in result.issues


def test_runner_up_too_close_is_asked() -> None:
    vocab = Vocabulary(colors=["深灰色", "浅灰色"])
    result = parse_text("SO-12 颜色改成中灰色", NOW, vocabulary=vocab)
    assert result.question is not None and set(result.question.options) == {"深灰色", "浅灰色"}


def test_new_value_far_from_everything_is_kept() -> None:
    result = parse_text("SO-12 颜色改为RAL7035", NOW, vocabulary=VOCAB)
    assert result.question is None
    assert result.to_contract_dict()["changes"] == [
        {"field": "spec", "key": "color", "value": "RAL7035"}]


def test_operation_typo_is_asked() -> None:
    result = parse_text("SO-12 加一道喷沙工序", NOW, vocabulary=VOCAB)
    assert result.question is not None and result.question.options == ("喷砂",)


def test_report_operation_canonical() -> None:
    text = "laser cutting done 150 pcs, scrap 4"
    out = parse_text(text, NOW, vocabulary=VOCAB).to_contract_dict()
    assert out["operation"] == "laser cutting" and out["operation_canonical"] == "激光切割"


def test_spec_key_inferred_from_a_known_value() -> None:
    out = parse_text("SO-12 改成胡桃木色", NOW, vocabulary=VOCAB).to_contract_dict()
    assert out["changes"] == [
        {"field": "spec", "key": "color", "value": "胡桃木色", "canonical": "胡桃木色"}]


def test_vocabulary_from_database_rows() -> None:
    vocab = Vocabulary.from_entries([("color", "胡桃木色", ["walnut"]), ("operation", "喷砂", []),
                                     ("color", "胡桃木色", ["walnut brown"]), ("unit", "件", [])])
    assert vocab.match("color", "walnut brown").canonical == "胡桃木色"
    assert vocab.names("operation") == ["喷砂"]
