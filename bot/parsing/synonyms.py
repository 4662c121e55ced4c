"""Every word the grammar reacts to, as data.

New phrasings are added here, not as new regular expressions: each table maps
what people type (Chinese, English, shorthand) to a tag the grammar knows.
Tables are compiled once into `Lexicon`s at import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.parsing.lexicon import Lexicon


def _tagged(**groups: Iterable[str]) -> dict[str, str]:
    """{"tag": [phrases]} written as keyword args -> {phrase: tag}."""
    return {phrase: tag for tag, phrases in groups.items() for phrase in phrases}


# --- whole-message answers -------------------------------------------------------------

HELP = ["帮助", "help", "/help", "help me", "你会干啥", "会干啥", "有哪些指令", "哪些指令",
        "使用方法", "怎么用这个机器人", "usage", "commands", "有什么功能", "帮助菜单", "怎么用",
        "如何使用", "你能做什么", "能做什么", "你会什么", "使用说明", "菜单", "指令", "命令列表",
        "what can you do", "how to use", "?", "/start", "你能干啥", "能干啥", "你能干嘛", "能干嘛",
        "干啥用的", "怎么使用", "怎么操作", "有啥功能", "都能干什么", "能帮我做什么", "能帮我干啥",
        "你是干什么的", "你是干啥的", "怎么问", "可以问什么", "能问什么", "how do i use",
        "how does this work", "what do you do", "what can i ask", "what can i say",
        "what are the commands", "how do i use this", "instructions"]

ANSWERS = _tagged(
    confirm=["确认修改", "同意修改", "就这样", "就这么办", "按这个来", "改吧", "yep", "yeah",
             "yup", "确认", "确定", "好的", "好", "可以", "没问题", "行", "对", "是", "是的",
             "嗯", "嗯嗯", "同意", "1", "yes", "y", "ok", "okay", "sure", "confirm", "confirmed",
             "go ahead", "👌", "好滴", "好嘞", "ok的", "就这么改", "就按这个改", "按这个改",
             "照这个改", "按这个", "就这样改", "就这么定", "就这样吧", "没毛病", "可以的", "行的",
             "好的呀", "确认无误", "同意修改", "可以改", "sounds good", "looks good", "lgtm",
             "do it", "proceed", "go for it", "sure thing", "that's right", "correct",
             "yes do it"],
    reject=["不要了", "不做了", "不要取消", "别取消", "先别取消", "不取消", "变更取消",
            "修改取消", "取消变更", "撤回修改", "撤销修改", "取消修改", "不改了", "不用改了",
            "不要改了", "别改了", "先不改", "不用改", "不用了", "算了", "不要", "不行", "否",
            "不", "不对", "拒绝", "取消", "2", "no", "n", "nope", "cancel",
            "keep it as is", "keep as is", "never mind", "don't", "dont", "cancel that",
            "取消吧", "no thanks", "保持原样", "维持原样", "保持不变", "照旧", "放弃", "先放弃",
            "别动", "先别动", "不用变", "撤回", "不换了", "不调了", "还是原来的", "按原来的",
            "don't change it", "don't change", "do not change", "leave it", "leave it as is",
            "forget it", "no need", "not now", "hold off", "scrap that", "don't do it"],
)
#: Answers that, next to an order number, cancel the order ("SO-12 取消").
CANCEL_ANSWERS = frozenset({"取消", "取消吧", "cancel", "cancel it", "不要了", "不做了"})
#: Politeness and particles ignored when deciding a message is "only" an answer.
FILLER = ["这个机器人", "机器人", "me", "的", "了", "吧", "啊", "呀", "哈", "呢", "那就", "就",
          "先", "please", "pls", "thanks", "thank you", "谢谢", "麻烦", "这个", "it", "请",
          "一下", "这次的修改", "这次修改", "这个变更", "这次的", "这次", "变更", "修改", "这样",
          "那", "还是", "the change", "change", "that", "呗", "哦", "嗯", "啦", "哟"]
#: Chit-chat: answered politely, never read as an order or a command.
SMALLTALK = _tagged(
    thanks=["谢谢", "多谢", "谢了", "感谢", "辛苦了", "辛苦", "谢谢你", "谢谢啦", "thanks",
            "thank you", "thx", "ty", "cheers", "辛苦啦", "麻烦了"],
    greeting=["早上好", "早安", "早", "你好", "您好", "大家好", "下午好", "晚上好", "中午好",
              "哈喽", "嗨", "hi", "hello", "hey", "good morning", "good afternoon",
              "good evening", "morning"],
    ping=["在吗", "在不在", "有人吗", "在么", "在嘛", "在", "are you there", "anyone there",
          "you there", "ping"],
)

# --- supervisor decisions (need a CR reference) ---------------------------------------

DECISIONS = _tagged(
    approve=["批准", "同意", "批了", "准了", "通过", "可以", "approve", "approved", "accept",
             "ok"],
    deny=["驳回", "不同意", "拒绝", "不批", "否决", "不通过", "deny", "denied", "reject",
          "rejected", "decline"],
)

#: Decisions no one types to answer a confirmation: alone, they deny a change
#: request (whose reference is then asked), whereas 拒绝 / no reject a card.
SUPERVISOR_DENY = ["驳回", "不同意", "不批", "否决", "不通过", "deny", "denied", "decline"]

# --- intents -----------------------------------------------------------------------------

WHAT_IF = _tagged(
    hypothetical=["会怎样", "会怎么样", "会如何", "如果", "要是", "假如", "假设", "万一", "若是",
                  "what if", "what happens", "what would", "suppose", "supposing",
                  "hypothetically", "would it", "could we"],
    # Feasibility questions: what-ifs after a change, progress queries alone.
    feasibility=["会影响", "影响交期", "有影响吗", "会不会", "会延误", "be late if",
                 "still make it", "impact", "affect", "来得及吗", "来得及不", "赶得上吗",
                 "赶得及吗", "能赶上吗", "能不能赶上"],
)
CANCEL = ["cancelled", "canceled", "cancellation", "取消订单", "取消", "作废", "撤单", "不要了",
          "不做了", "撤销", "退单", "cancel", "call off", "drop the order"]
QUERY = ["shipped yet", "delivered yet", "ready yet", "done yet", "shipped", "是多少", "多少",
         "数量是", "延期了吗", "会延期吗", "会晚吗", "准时吗", "能准时", "没发货", "发了没",
         "出货没", "什么情况", "进展", "几号能", "哪天能", "交期是", "还要多久", "多久能",
         "能按时", "按时交", "做好没", "好了吗", "完成了吗", "check", "when can", "when is",
         "how long", "到哪", "进度", "什么时候", "啥时候", "怎么样", "几时", "状态", "查下",
         "查一下", "能好", "做好了吗", "发货了吗", "出货了吗", "好了没", "where is", "where's",
         "status", "update", "progress", "when will", "eta", "how is", "how's", "track",
         "where are we", "how are we doing", "any news", "how far along", "做到哪", "到哪一步",
         "生产到哪"]
#: Without an order number, a progress question must be about orders
#: ("我的订单怎么样了"), not the weather ("今天天气怎么样").
ORDERISH = ["订单", "单子", "单", "货", "进度", "生产", "交期", "发货", "出货", "order", "orders",
            "shipment", "delivery", "production"]
MY_ORDERS = ["我的订单", "我的单", "我下的单", "我的所有订单", "我负责的", "我跟的单",
             "我跟进的", "我所有的订单", "my orders", "my order", "all my orders", "我所有订单",
             "我所有的单", "我全部订单", "我的全部订单", "我的单子", "我的货", "我手上的单",
             "我手头的订单", "all of my orders", "our orders"]
#: Cues that make a message a report even before a count is given.
REPORT_EXPLICIT = ["报工", "报产量", "report"]
REPORT = ["良品", "合格品", "合格", "报工", "完成", "做完", "完工", "干完", "搞定", "做好",
          "通过", "做了", "干了", "生产了", "产出", "done", "finished", "completed", "complete",
          "produced", "passed"]
SCRAP = ["rejected", "报废", "废品", "废", "不良品", "不良", "不合格", "次品", "坏了", "scrap",
         "scrapped", "scraps", "rejects", "defective", "ng"]

# --- list and shop questions (query_orders, query_shop) -------------------------------

ORDER_FILTERS = _tagged(
    late=["延误", "会延误", "会晚", "要晚", "晚交", "会迟", "迟交", "拖期", "逾期", "超期", "延期",
          "赶不上", "来不及", "交不了", "交不上", "误期", "脱期", "不能按时", "late", "overdue",
          "behind", "delayed", "at risk", "slipping", "running late"],
    due_today=["今天要交", "今天交", "今天到期", "今日交", "今日到期", "今天出货", "今天发货",
               "今天该交", "今天得交", "今天交货", "due today", "shipping today", "ship today"],
    due_this_week=["这周要交", "本周要交", "这周交", "本周交", "这周到期", "本周到期", "这周出货",
                   "本周出货", "这周发货", "本周发货", "这个星期要交", "这礼拜要交", "这周交货",
                   "本周交货", "due this week", "this week", "shipping this week"],
    rush=["加急单", "加急的", "急单", "加急", "特急", "紧急订单", "rush", "rushed", "urgent",
          "expedited"],
)
#: What makes a filter word a list question ("有哪些加急单", "which orders").
LIST_CUES = ["哪些", "哪几个", "哪几单", "有没有", "几个", "多少个", "多少单", "列一下", "列出",
             "清单", "列表", "所有", "全部", "which", "what's", "what is", "what are", "list",
             "show", "any", "how many"]
#: Load and capacity questions about the shop.
SHOP_LOAD = ["瓶颈", "产能", "负荷", "负载", "排产情况", "排得满", "忙不忙", "多忙", "利用率",
             "工作中心", "哪台机器", "设备忙", "机器忙", "车间忙", "车间情况", "车间怎么样",
             "bottleneck", "capacity", "utilization", "utilisation", "workload", "work center",
             "work centre", "how busy", "shop load", "machine load"]

# --- quotes and new orders (quote, new_order) -------------------------------------------

NEW_ORDER = ["新单", "新订单", "下单", "下个单", "下一单", "开单", "开个单", "来个单", "新增订单",
             "新建订单", "录单", "录个单", "加个新单", "new order", "place an order",
             "create an order", "book an order", "new po"]
#: How soon could it be made (capable-to-promise).
QUOTE = ["最早什么时候能交", "最早什么时候交", "最早什么时候", "最早哪天", "最早几号",
         "最快什么时候", "最快多久", "最快几天", "多久能做好", "多久能交", "多久能做完",
         "多久能出货", "多久可以交", "要多久", "需要多久", "几天能做好", "几天能交", "几天能做完",
         "什么时候能交", "什么时候能做好",
         "能多快", "报个交期", "给个交期", "能不能做", "能做吗", "交期多久", "how soon",
         "how fast", "earliest", "how long to make", "how long would", "when could we deliver",
         "when can we deliver", "lead time", "can we make", "could we make"]

# --- change fields -----------------------------------------------------------------------

PRIORITY = _tagged(
    normal=["不是很急", "不太急", "不怎么急", "不着急", "没那么急", "不赶", "不用赶", "不用加急",
            "不用急", "不急了", "不急", "不加急", "取消加急", "按正常排", "正常排", "按正常",
            "改回正常", "普通单", "按普通", "正常生产", "low priority", "恢复正常", "正常交期",
            "normal priority", "no rush", "not urgent", "de-expedite", "normal"],
    rush=["加急", "急单", "特急", "加快", "优先安排", "优先排", "优先生产", "优先", "赶工",
          "紧急", "急件", "加个急", "很急", "急", "尽快安排", "尽快", "rush", "rushed",
          "expedite", "expedited", "urgent", "asap", "hurry", "high priority", "top priority",
          "prioritize", "prioritise"],
)
QTY_CUES = ["数量", "件数", "套数", "台数", "个数", "总数", "qty", "quantity", "amount",
            "pieces"]
UNITS = ["件", "台", "套", "个", "米", "只", "张", "块", "箱", "把", "根", "条", "支", "片",
         "卷", "包", "公斤", "千克", "吨", "kg", "pcs", "pc", "pieces", "piece", "units", "unit",
         "sets", "set", "m", "meters", "boxes"]
QTY_VERBS = _tagged(
    # Words containing a verb character that are not verbs ("多少" is not "少").
    none=["多少", "至少", "最少", "不少", "减少了吗", "加工", "加班"],
    set=["→", "->", "=>", "改成", "改为", "改到", "加到", "减到", "降到", "提到", "增加到",
         "增到", "调整为", "调整到", "调到", "变成", "变为", "改", "为", "成", "到", "to",
         "goes to", "go to", "=", "make it", "set"],
    inc=["再加", "加", "增加", "追加", "多做", "多加", "再要", "再做", "再来", "多来", "加做",
         "补做", "补", "添", "多要", "add", "more", "plus", "increase", "extra"],
    dec=["少做", "减少", "减", "少", "扣", "砍", "少要", "reduce", "cut", "minus", "less",
         "fewer", "decrease", "lower"],
)
DUE_CUES = ["交期", "交货", "交付", "交", "到货", "要货", "出货", "发货", "货期", "due",
            "deliver", "delivery", "ship", "deadline", "date"]
#: Verbs that turn a bare date into a new due date when an order is named.
DATE_SET = ["推到", "挪到", "放到", "延至", "改至", "改到", "改成", "改为", "改在", "提前到",
            "提早到", "提前至", "推迟至", "延后到", "推后到",
            "推迟到", "延到", "延期到", "改", "定在", "提前", "推迟", "延后", "延期", "推后",
            "往后推", "往前挪", "提早", "最晚", "最迟", "之前", "前", "要", "move", "moves to",
            "to", "by"]
#: Which way a date-setting verb moves the due date (see Change.direction).
DUE_DIRECTION = _tagged(
    earlier=["提前到", "提前", "提早", "往前挪", "提早到", "提前至", "bring forward",
             "brought forward", "move up", "pull in", "expedite to", "earlier"],
    later=["推到", "延至", "推迟到", "延到", "延期到", "推迟", "延后", "延期", "推后", "往后推",
           "推迟至", "延后到", "推后到", "往后挪", "postpone", "postponed", "delay", "delayed",
           "push back", "pushed back", "push out", "later"],
)
#: Any verb of changing; with an order but no readable field, the bot asks what to change.
CHANGE_VERBS = ["翻倍", "翻番", "翻一番", "减半", "double", "halve", "改", "换", "调整", "变更",
                "修改", "调", "change", "modify", "amend", "adjust"]
#: Verbs that move the due date by themselves; without an amount the bot asks.
DUE_SHIFT = ["提前", "推迟", "延后", "延期", "推后", "提早", "往后推", "往前挪", "postpone",
             "delay"]
#: English shifts of the stored due date ("push ... back by 3 days").
SHIFT_EN = _tagged(
    later=["push back", "pushed back", "back", "delay", "postpone", "later", "extend"],
    earlier=["bring forward", "forward", "earlier", "advance", "pull in", "sooner"],
)
EN_DAY_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
              "seven": 7, "eight": 8, "nine": 9, "ten": 10, "couple of": 2}

SPEC_KEYS = _tagged(
    color=["颜色", "顏色", "色号", "配色", "色", "colour", "color"],
    material=["材质", "材料", "板材", "用料", "面料", "原料", "material"],
    size=["尺寸", "规格", "大小", "外形尺寸", "size", "dimension", "dimensions"],
    finish=["表面处理", "表面工艺", "表处", "表面", "finish", "surface", "surface finish"],
    packaging=["包装方式", "包装", "packaging", "packing", "package"],
    other=["说明书", "标签", "标贴", "铭牌", "logo", "印字", "唛头", "label", "labels", "manual",
           "marking", "备注"],
)
SPEC_VERBS = ["换成", "改成", "改为", "改用", "换为", "换用", "用", "变成", "调整为", "要用",
              "做成", "要", "改", "换", "to", "change to", ":", "=",
              # corrections: "颜色改回原来的白色", "还是用不锈钢"
              "改回", "换回", "改回成", "换回成", "改回到", "恢复成", "恢复为", "还原成", "变回",
              "做", "走", "采用", "选", "选用", "make it", "switch to", "go with", "use",
              "change it to", "go back to", "revert to", "back to"]
#: Spec values most factories use, by kind: a value typed without its key
#: ("SO-12 改成不锈钢", "make it walnut") is read as that kind. The factory's
#: own vocabulary is consulted first; any word ending in 色 is a colour.
SPEC_WORDS = _tagged(
    color=["white", "black", "grey", "gray", "red", "blue", "green", "yellow", "orange",
           "purple", "pink", "brown", "beige", "silver", "gold", "walnut", "oak", "cherry",
           "maple", "teak", "ivory", "natural", "wenge", "本色", "原木色"],
    material=["不锈钢", "铝合金", "碳钢", "冷轧板", "热轧板", "镀锌板", "铝板", "铝型材", "黄铜",
              "紫铜", "铜", "实木", "松木", "橡木", "密度板", "多层板", "颗粒板", "胶合板",
              "亚克力", "钢化玻璃", "玻璃", "大理石", "岩板", "PVC", "ABS", "尼龙",
              "stainless steel", "stainless", "steel", "aluminium", "aluminum", "brass",
              "copper", "plywood", "mdf", "solid wood", "acrylic", "glass", "marble"],
    finish=["拉丝", "哑光", "亚光", "亮光", "镜面", "磨砂", "烤漆", "喷塑", "氧化", "钝化面",
            "matte", "matt", "glossy", "gloss", "brushed", "satin", "polished", "mirror",
            "powder coated", "anodized", "anodised"],
    packaging=["木箱", "纸箱", "托盘", "木托", "气泡膜", "缠绕膜", "珍珠棉", "泡沫箱", "散装",
               "wooden crate", "wooden case", "crate", "carton", "cartons", "pallet",
               "bubble wrap"],
)
#: "数量不变", "交期照旧": the field is named to say it stays as it is.
NO_CHANGE = ["不变", "不改", "不动", "照旧", "保持不变", "维持不变", "保持原样", "维持原样",
             "还是原来的", "按原来的", "unchanged", "stays the same", "stay the same",
             "as before", "stays", "the same"]

OP_ADD = ["增加一道", "多加一道", "再加一道", "加一道", "增加", "添加", "需要加", "加个", "加上",
          "加道", "多加", "加", "add", "include", "plus"]
OP_REMOVE = ["去掉", "取消", "不需要", "不用做", "no more", "no longer", "不用", "不要", "删掉",
             "删除", "省掉", "省去", "免去", "不做", "拿掉", "别做", "别", "减掉", "去除",
             "remove", "skip", "drop", "delete", "without"]
#: "喷涂改成喷粉": one operation replaced by another.
OP_SWAP = ["替换成", "替换为", "换成", "改成", "改为", "换为", "变成"]
OP_REMOVE_AFTER = ["不要了", "去掉", "取消", "不用了", "不做了", "删掉", "省了", "拿掉",
                   "不用做了", "不需要了", "不要做了", "不用做", "不需要做了", "免了", "就不做了"]

#: Operations most factories share; the database's own list (Vocabulary) extends it.
DEFAULT_OPERATIONS: Mapping[str, tuple[str, ...]] = {
    "激光切割": ("laser cutting", "激光", "镭射切割"),
    "切割": ("cutting", "下料", "开料"),
    "折弯": ("bending", "折边"),
    "焊接": ("welding", "电焊", "氩弧焊"),
    "喷砂": ("sandblasting", "sand blasting"),
    "抛光": ("polishing",),
    "电镀": ("plating", "electroplating"),
    "喷涂": ("spraying", "painting", "喷漆"),
    "喷粉": ("powder coating",),
    "丝印": ("silk screen", "screen printing", "丝网印刷"),
    "钻孔": ("drilling",),
    "攻丝": ("tapping",),
    "质检": ("qc", "inspection", "检验", "品检"),
    "包装": ("packing",),
    "组装": ("assembly", "装配"),
    "冲压": ("stamping",),
    "打磨": ("grinding", "sanding"),
    "阳极氧化": ("anodizing",),
    "热处理": ("heat treatment",),
    "车削": ("turning",),
    "铣削": ("milling",),
    "封边": ("edge banding",),
    "清洗": ("cleaning",),
}

# --- compiled -----------------------------------------------------------------------------

HELP_LEX = Lexicon(HELP)
ANSWER_LEX = Lexicon(ANSWERS)
FILLER_LEX = Lexicon(FILLER)
SMALLTALK_LEX = Lexicon(SMALLTALK)
ORDERISH_LEX = Lexicon(ORDERISH)
ORDER_FILTER_LEX = Lexicon(ORDER_FILTERS)
LIST_CUE_LEX = Lexicon(LIST_CUES)
SHOP_LOAD_LEX = Lexicon(SHOP_LOAD)
NEW_ORDER_LEX = Lexicon(NEW_ORDER)
QUOTE_LEX = Lexicon(QUOTE)
DECISION_LEX = Lexicon(DECISIONS)
SUPERVISOR_DENY_LEX = Lexicon(SUPERVISOR_DENY)
WHAT_IF_LEX = Lexicon(WHAT_IF)
CANCEL_LEX = Lexicon(CANCEL)
QUERY_LEX = Lexicon(QUERY)
MY_ORDERS_LEX = Lexicon(MY_ORDERS)
REPORT_LEX = Lexicon(REPORT)
SCRAP_LEX = Lexicon(SCRAP)
PRIORITY_LEX = Lexicon(PRIORITY)
QTY_CUE_LEX = Lexicon(QTY_CUES)
UNIT_LEX = Lexicon(UNITS)
QTY_VERB_LEX = Lexicon(QTY_VERBS)
DUE_CUE_LEX = Lexicon(DUE_CUES)
DATE_SET_LEX = Lexicon(DATE_SET)
CHANGE_VERB_LEX = Lexicon(CHANGE_VERBS)
DUE_SHIFT_LEX = Lexicon(DUE_SHIFT)
DUE_DIRECTION_LEX = Lexicon(DUE_DIRECTION)
REPORT_EXPLICIT_LEX = Lexicon(REPORT_EXPLICIT)
SHIFT_EN_LEX = Lexicon(SHIFT_EN)
SPEC_KEY_LEX = Lexicon(SPEC_KEYS)
SPEC_VERB_LEX = Lexicon(SPEC_VERBS)
SPEC_WORD_LEX = Lexicon(SPEC_WORDS)
NO_CHANGE_LEX = Lexicon(NO_CHANGE)
OP_ADD_LEX = Lexicon(OP_ADD)
OP_REMOVE_LEX = Lexicon(OP_REMOVE)
OP_REMOVE_AFTER_LEX = Lexicon(OP_REMOVE_AFTER)
OP_SWAP_LEX = Lexicon(OP_SWAP)
OPERATION_LEX = Lexicon({alias: canon for canon, aliases in DEFAULT_OPERATIONS.items()
                         for alias in (canon, *aliases)})
