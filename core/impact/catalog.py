"""Bilingual text of the impact card and the risk reasons (zh default, en)."""

from __future__ import annotations

from core.i18n import Catalog

CATALOG: Catalog = {
    # risk levels
    "level.low": {"zh": "低", "en": "low"},
    "level.medium": {"zh": "中", "en": "medium"},
    "level.high": {"zh": "高", "en": "high"},
    "level.blocked": {"zh": "禁止", "en": "blocked"},
    # risk reasons
    "risk.change_limit": {
        "zh": "变更次数已用完（{used}/{max}）",
        "en": "change limit reached ({used}/{max})",
    },
    "risk.frozen": {
        "zh": "{op}已开工，合同不允许改{kind}",
        "en": "{op} has started: the contract freezes {kind}",
    },
    "risk.late": {"zh": "订单将延期{late}", "en": "order becomes late by {late}"},
    "risk.still_late": {"zh": "订单仍延期{late}", "en": "order is still late by {late}"},
    "risk.others_slip_day": {
        "zh": "{n}张其他订单推迟，最多{worst}",
        "en": "{n} other orders slip, up to {worst}",
    },
    "risk.others_slip": {
        "zh": "{n}张其他订单推迟，最多{worst}",
        "en": "{n} other orders slip, up to {worst}",
    },
    "risk.scrap": {"zh": "报废{qty}件", "en": "{qty} pcs scrapped"},
    "risk.rework": {"zh": "返工{minutes}分钟", "en": "{minutes} min of rework"},
    "risk.short_past_due": {
        "zh": "缺料{items}，到料晚于交期",
        "en": "short of {items}, arriving after the due date",
    },
    "risk.short_late_start": {
        "zh": "缺料{items}，到料晚于计划开工",
        "en": "short of {items}, arriving after the planned start",
    },
    "risk.short": {"zh": "缺料{items}，需采购", "en": "short of {items}: purchasing needed"},
    "risk.new_material": {
        "zh": "无现成物料：{items}，需新采购",
        "en": "no such material: {items} must be bought",
    },
    "risk.cost": {"zh": "额外成本约¥{cost}", "en": "extra cost about ¥{cost}"},
    "risk.none": {"zh": "无明显影响", "en": "no notable impact"},
    # card lines
    "card.eta": {"zh": "交期{due}，预计{eta}（{state}）", "en": "Due {due}, ETA {eta} ({state})"},
    "card.eta_unplanned": {"zh": "交期{due}，未重新排产", "en": "Due {due}, not replanned"},
    "card.cancelled": {"zh": "订单取消，产能释放", "en": "Order cancelled, capacity freed"},
    "card.late": {"zh": "晚{d}", "en": "{d} late"},
    "card.early": {"zh": "提前{d}", "en": "{d} early"},
    "card.on_time": {"zh": "准时", "en": "on time"},
    "card.others": {
        "zh": "其他订单：{n}张推迟，最多{worst}（{ref}）；{moved}道工序调整",
        "en": "Others: {n} slip, up to {worst} ({ref}); {moved} ops moved",
    },
    "card.others_none": {
        "zh": "其他订单不受影响；{moved}道工序调整",
        "en": "No other order slips; {moved} ops moved",
    },
    "card.short": {"zh": "缺{name}{qty}{unit}，{when}", "en": "Short {qty} {unit} {name}, {when}"},
    "card.short_more": {"zh": "另有{n}项缺料", "en": "{n} more items short"},
    "card.arrives": {"zh": "{date}到", "en": "in by {date}"},
    "card.po_expedite": {"zh": "催{po}提前到{date}", "en": "expedite {po} to {date}"},
    "card.po_increase": {"zh": "{po}加量{qty}，{date}到", "en": "raise {po} by {qty}, in {date}"},
    "card.po_new": {"zh": "新下采购单{qty}，{date}到", "en": "new PO for {qty}, in {date}"},
    "card.rework": {"zh": "返工：{ops}，报废{scrap}件", "en": "Rework: {ops}; scrap {scrap} pcs"},
    "card.policy": {
        "zh": "合同：已变更{used}/{max}次{frozen}，手续费¥{fee}",
        "en": "Contract: {used}/{max} changes used{frozen}, fee ¥{fee}",
    },
    "card.frozen": {"zh": "，{op}后冻结", "en": ", frozen after {op}"},
    "card.cost": {
        "zh": "成本约¥{total}（料{material} 返工{rework} 加急{rush} 费{fee}）",
        "en": "Cost ~¥{total} (mat {material}, rework {rework}, rush {rush}, fee {fee})",
    },
    "card.risk": {"zh": "风险：{level}｜{reasons}", "en": "Risk: {level} | {reasons}"},
    # durations
    "dur.days_hours": {"zh": "{d}天{h}小时", "en": "{d}d {h}h"},
    "dur.days": {"zh": "{d}天", "en": "{d}d"},
    "dur.hours": {"zh": "{h}小时", "en": "{h}h"},
    "dur.minutes": {"zh": "{m}分钟", "en": "{m} min"},
}

KIND_NAMES: dict[str, dict[str, str]] = {
    "spec": {"zh": "规格", "en": "specs"},
    "color": {"zh": "颜色", "en": "colour"},
    "material": {"zh": "材质", "en": "material"},
    "size": {"zh": "尺寸", "en": "size"},
    "finish": {"zh": "表面处理", "en": "finish"},
    "packaging": {"zh": "包装", "en": "packaging"},
    "other": {"zh": "其他规格", "en": "other specs"},
    "quantity": {"zh": "数量", "en": "quantity"},
    "due_date": {"zh": "交期", "en": "due date"},
    "priority": {"zh": "优先级", "en": "priority"},
    "add_operation": {"zh": "工序", "en": "operations"},
    "remove_operation": {"zh": "工序", "en": "operations"},
    "cancel": {"zh": "订单", "en": "the order"},
    "*": {"zh": "任何内容", "en": "anything"},
}
"""Names of change kinds inside sentences such as "the contract freezes colour"."""
