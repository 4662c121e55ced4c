"""Phrasings met beyond chat_dev, with the command each must read as.

Same comparison as the corpus test (intent, order, changes / operation /
quantity / scrap / ref); `now` is 2026-11-18 09:30 +08:00, a Wednesday.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bench.parse import comparable
from bot.parsing import parse_text

NOW = datetime.fromisoformat("2026-11-18T09:30:00+08:00")


def chg(order: str, *items: dict[str, Any], intent: str = "change") -> dict[str, Any]:
    return {"intent": intent, "order": order, "changes": list(items)}


def qty(value: int | None = None, delta: int | None = None,
        unit: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"field": "quantity"}
    out.update({"value": value} if delta is None else {"delta": delta})
    return out | ({"unit": unit} if unit else {})


def due(value: str | None = None, days: int | None = None) -> dict[str, Any]:
    return {"field": "due_date", **({"value": value} if days is None else {"delta_days": days})}


def spec(key: str, value: str) -> dict[str, Any]:
    return {"field": "spec", "key": key, "value": value}


def op(kind: str, value: str) -> dict[str, Any]:
    return {"field": f"{kind}_operation", "value": value}


RUSH = {"field": "priority", "value": "rush"}
NORMAL = {"field": "priority", "value": "normal"}

CASES: list[tuple[str, dict[str, Any]]] = [
    ("SO-31 数量调整为800套", chg("SO-31", qty(800, unit="套"))),
    ("SO-31 数量从500改成800", chg("SO-31", qty(800))),
    ("SO-12 数量 500 → 800", chg("SO-12", qty(800))),
    ("SO-31 再来200件", chg("SO-31", qty(delta=200, unit="件"))),
    ("SO-31 少要50个", chg("SO-31", qty(delta=-50, unit="个"))),
    ("SO-12 数量改成伍佰件", chg("SO-12", qty(500, unit="件"))),
    ("so88数量+100", chg("SO88", qty(delta=100))),
    ("so88 数量-50", chg("SO88", qty(delta=-50))),
    ("SO-12 数量改为1.5k", chg("SO-12", qty(1500))),
    ("decrease SO-12 by 50", chg("SO-12", qty(delta=-50))),
    ("set SO-12 quantity to 700", chg("SO-12", qty(700))),
    ("SO-12 数量改成500 交期改到下周三", chg("SO-12", qty(500), due("2026-11-25"))),
    ("SO-12 qty 500 due 12/20", chg("SO-12", qty(500), due("2026-12-20"))),
    ("so88 加急 再加一百件 颜色换成白色",
     chg("SO88", RUSH, qty(delta=100, unit="件"), spec("color", "白色"))),
    ("SO-31 交期延期到1月10日", chg("SO-31", due("2027-01-10"))),
    ("SO-31 交货期改为2027年1月10日", chg("SO-31", due("2027-01-10"))),
    ("SO-31 晚一周交", chg("SO-31", due(days=7))),
    ("SO-31 早两天交", chg("SO-31", due(days=-2))),
    ("SO-31 交期往后延一个星期", chg("SO-31", due(days=7))),
    ("SO-12 交期顺延3天", chg("SO-12", due(days=3))),
    ("SO-31 改成下个月15号交", chg("SO-31", due("2026-12-15"))),
    ("SO-31 交期改成12月底", chg("SO-31", due("2026-12-31"))),
    ("SO-12 最晚下周三要", chg("SO-12", due("2026-11-25"))),
    ("SO-12 希望下周五前交货", chg("SO-12", due("2026-11-27"))),
    ("postpone SO-12 by 2 weeks", chg("SO-12", due(days=14))),
    ("SO-12 deliver 3 days earlier", chg("SO-12", due(days=-3))),
    ("move SO-31 due date to Dec 24", chg("SO-31", due("2026-12-24"))),
    ("SO-31 颜色要白色的", chg("SO-31", spec("color", "白色"))),
    ("SO-12 颜色要求改成哑光黑", chg("SO-12", spec("color", "哑光黑"))),
    ("SO-31 改用不锈钢材质", chg("SO-31", spec("material", "不锈钢"))),
    ("SO-31 尺寸 1200*600", chg("SO-31", spec("size", "1200*600"))),
    ("SO-12 color: white", chg("SO-12", spec("color", "white"))),
    ("SO-12 表面改成拉丝", chg("SO-12", spec("finish", "拉丝"))),
    ("SO-12 包装方式改为托盘", chg("SO-12", spec("packaging", "托盘"))),
    ("SO-12 需要加一道打磨", chg("SO-12", op("add", "打磨"))),
    ("SO-12 工序增加质检", chg("SO-12", op("add", "质检"))),
    ("SO-12 不需要电镀了", chg("SO-12", op("remove", "电镀"))),
    ("SO-12 电镀不做了", chg("SO-12", op("remove", "电镀"))),
    ("SO-12 no more welding", chg("SO-12", op("remove", "welding"))),
    ("SO-12 skip polishing", chg("SO-12", op("remove", "polishing"))),
    ("SO-12 帮忙加个急", chg("SO-12", RUSH)),
    ("SO-12 优先生产", chg("SO-12", RUSH)),
    ("SO-12 high priority", chg("SO-12", RUSH)),
    ("SO-12 改回正常", chg("SO-12", NORMAL)),
    ("what happens if SO-12 is rushed", chg("SO-12", RUSH, intent="what_if")),
    ("if SO-12 qty is 800 what happens", chg("SO-12", qty(800), intent="what_if")),
    ("SO-12 要是推迟三天呢", chg("SO-12", due(days=3), intent="what_if")),
    ("SO-12 现在什么情况", {"intent": "query_progress", "order": "SO-12"}),
    ("请问SO-12进展如何", {"intent": "query_progress", "order": "SO-12"}),
    ("SO-12 还要多久", {"intent": "query_progress", "order": "SO-12"}),
    ("when can SO-12 be delivered", {"intent": "query_progress", "order": "SO-12"}),
    ("SO-12 撤销", {"intent": "cancel", "order": "SO-12"}),
    ("帮我取消SO-12", {"intent": "cancel", "order": "SO-12"}),
    ("今天切割了300件", {"intent": "report", "order": None, "operation": "切割", "quantity": 300}),
    ("WO-15 焊接做完了 80个", {"intent": "report", "order": "WO-15", "operation": "焊接",
                            "quantity": 80}),
    ("WO-15 welding 80 done 3 scrap", {"intent": "report", "order": "WO-15",
                                       "operation": "welding", "quantity": 80, "scrap": 3}),
    ("焊接 80", {"intent": "report", "order": None, "operation": "焊接", "quantity": 80}),
    ("抛光 良品300 不良5", {"intent": "report", "order": None, "operation": "抛光",
                         "quantity": 300, "scrap": 5}),
    ("冲压 做了500 坏了3个", {"intent": "report", "order": None, "operation": "冲压",
                         "quantity": 500, "scrap": 3}),
    ("确认修改", {"intent": "confirm", "order": None}),
    ("没问题，改吧", {"intent": "confirm", "order": None}),
    ("yep", {"intent": "confirm", "order": None}),
    ("先不改了", {"intent": "reject", "order": None}),
    ("cancel that", {"intent": "reject", "order": None}),
    ("CR-12 准了", {"intent": "approve", "order": None, "ref": "CR-12"}),
    ("CR-12 不批", {"intent": "deny", "order": None, "ref": "CR-12"}),
    ("有哪些指令", {"intent": "help", "order": None}),
    ("help me", {"intent": "help", "order": None}),
    ("show my orders", {"intent": "query_progress", "order": None}),
    ("SO-12 qty500", chg("SO-12", qty(500))),
    ("SO-12 is no longer urgent", chg("SO-12", NORMAL)),
    ("Has SO-12 shipped yet?", {"intent": "query_progress", "order": "SO-12"}),
    ("SO-12: need 50 more sets", chg("SO-12", qty(delta=50, unit="sets"))),
    ("Could you move the due date of SO-12 to December 20?", chg("SO-12", due("2026-12-20"))),
    ("drop sandblasting from SO-12", chg("SO-12", op("remove", "sandblasting"))),
    ("done with cutting, 120 pcs, 3 scrap", {"intent": "report", "order": None,
                                              "operation": "cutting", "quantity": 120,
                                              "scrap": 3}),
    ("SO-12 500件 下周三交", chg("SO-12", qty(500, unit="件"), due("2026-11-25"))),
    ("SO-12 交期改到下周三 500件", chg("SO-12", due("2026-11-25"), qty(500, unit="件"))),
    ("SO-12 再加100件 推迟两天", chg("SO-12", qty(delta=100, unit="件"), due(days=2))),
    ("SO-12 交期从12月1号改到12月5号", chg("SO-12", due("2026-12-05"))),
    ("SO-12 加100件 加一道喷砂", chg("SO-12", qty(delta=100, unit="件"), op("add", "喷砂"))),
    ("SO-12 加一道喷砂 加100件", chg("SO-12", op("add", "喷砂"), qty(delta=100, unit="件"))),
    ("SO-12 颜色改成白色 500件", chg("SO-12", spec("color", "白色"), qty(500, unit="件"))),
    ("SO-12 数量500，颜色白色", chg("SO-12", qty(500), spec("color", "白色"))),
    ("SO-12 再加 100件", chg("SO-12", qty(delta=100, unit="件"))),
    ("SO-12 颜色是什么", {"intent": "unknown", "order": "SO-12"}),
    ("SO-12 加100件会影响交期吗", chg("SO-12", qty(delta=100, unit="件"), intent="what_if")),
    ("would SO-12 be late if we add 100 pcs",
     chg("SO-12", qty(delta=100, unit="pcs"), intent="what_if")),
    ("SO-12 加急对其他订单有影响吗", chg("SO-12", RUSH, intent="what_if")),
    ("SO-12 会不会延期", {"intent": "query_progress", "order": "SO-12"}),
    ("SO-12 交期改到20261208", chg("SO-12", due("2026-12-08"))),
    ("订单号 7781023 交期改到20261208", chg("7781023", due("2026-12-08"))),
    ("SO-12 把颜色改一下，改成灰色", chg("SO-12", spec("color", "灰色"))),
    ("SO-12 白色改成黑色", chg("SO-12", spec("color", "黑色"))),
    ("SO-12 喷涂改成喷粉", chg("SO-12", op("remove", "喷涂"), op("add", "喷粉"))),
    ("SO-12 颜色从胡桃木色换成白色", chg("SO-12", spec("color", "白色"))),
    ("SO-12 needs 200 more", chg("SO-12", qty(delta=200))),
    ("SO-12 200 more pcs", chg("SO-12", qty(delta=200, unit="pcs"))),
    ("SO-12 100 fewer", chg("SO-12", qty(delta=-100))),
    ("SO-12 remove the drilling step", chg("SO-12", op("remove", "drilling"))),
    ("SO-12 cancelled by customer", {"intent": "cancel", "order": "SO-12"}),
    ("QC passed 200, 6 rejected", {"intent": "report", "order": None, "operation": "QC",
                                   "quantity": 200, "scrap": 6}),
    ("SO-12 下周五要货，来得及吗", chg("SO-12", due("2026-11-27"), intent="what_if")),
    ("SO-12 来得及吗", {"intent": "query_progress", "order": "SO-12"}),
    ("SO-12 延期了吗", {"intent": "query_progress", "order": "SO-12"}),
    ("颜色改为RAL7035 SO-12", chg("SO-12", spec("color", "RAL7035"))),
    ("包装换成木箱 订单SO-12", chg("SO-12", spec("packaging", "木箱"))),
    ("change color to white for SO-12", chg("SO-12", spec("color", "white"))),
    ("M10螺栓 SO-12 加急", chg("SO-12", RUSH)),
    ("what if 99881234 qty goes to 500", chg("99881234", qty(500), intent="what_if")),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_phrasing(text: str, expected: dict[str, Any]) -> None:
    assert comparable(parse_text(text, NOW).to_contract_dict()) == comparable(expected)
