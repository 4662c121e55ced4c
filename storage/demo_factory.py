"""A realistic demo factory: custom furniture and sheet metal, in plain domain objects.

`gongdan demo` seeds a fresh database with it, so a first-time user can chat
about believable orders (SO-31, SO-77 ...) without importing anything. The
data is built from a fixed random seed relative to `today`, so the same day
always gives the same factory, and tests can check its invariants.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.model.capacity import Shift, WorkCalendar, WorkCenter
from core.model.materials import Item, PurchaseOrder
from core.model.parties import ContractPolicy, Customer, FreezePoint, Person, Role, Tier
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from core.model.work_order import OperationProgress, OrderStatus, Priority, WorkOrder
from core.variants import line_item

FACTORY_TZ = ZoneInfo("Asia/Shanghai")
SEED = 20261122

# Short refs that chat examples and the contract use ("SO-31 改成500件").
CHAT_REFS = ("SO-12", "SO-31", "SO-77", "SO-2024-031")

FURNITURE_COLORS = ("胡桃木色", "白橡木", "象牙白", "黑胡桃", "浅灰")
BOARD_MATERIALS = {"MLP": "多层板", "PB": "颗粒板"}
SHEET_MATERIALS = {"CR": "冷轧板", "SS": "不锈钢304", "GI": "镀锌板"}
POWDER_COLORS = {"7035": "浅灰", "9005": "黑色", "9016": "白色", "5015": "蓝色"}
_COLOR_CODES = {
    "胡桃木色": "WAL",
    "白橡木": "WOAK",
    "象牙白": "IVY",
    "黑胡桃": "BWAL",
    "浅灰": "LGRY",
}


@dataclass(slots=True)
class DemoFactory:
    """Everything the demo database holds, in insertion order (referenced things first)."""

    work_centers: list[WorkCenter] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    purchase_orders: list[PurchaseOrder] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    boms: list[Bom] = field(default_factory=list)
    routings: list[Routing] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    orders: list[WorkOrder] = field(default_factory=list)
    holidays: dict[date, str] = field(default_factory=dict)
    extra_days: dict[date, str] = field(default_factory=dict)

    def bom(self, product_code: str, version: int) -> Bom:
        return next(
            b for b in self.boms if b.product_code == product_code and b.version == version
        )

    def routing(self, product_code: str, version: int) -> Routing:
        return next(
            r for r in self.routings if r.product_code == product_code and r.version == version
        )


def build_demo_factory(today: date) -> DemoFactory:
    """The whole demo factory as of `today` (progress lies strictly before it)."""
    rng = random.Random(SEED)
    demo = DemoFactory()
    demo.holidays, demo.extra_days = _holidays_near(today)
    calendars = _calendars(demo.holidays, demo.extra_days)
    demo.work_centers = _work_centers(calendars)
    demo.items = _items()
    demo.products, demo.boms, demo.routings = _catalog()
    demo.customers = _customers()
    demo.people = _people(demo.customers)
    demo.orders = _orders(today, rng, demo)
    _stock_levels(demo, today, rng)
    return demo


# calendars ---------------------------------------------------------------------------------

_FIXED_HOLIDAYS = ((1, 1, 1, "元旦"), (5, 1, 5, "劳动节"), (10, 1, 7, "国庆节"))


def _holidays_near(today: date) -> tuple[dict[date, str], dict[date, str]]:
    """Statutory holidays around today, a plant shutdown day and the Saturday worked for it.

    The shutdown (设备年检) falls on a Friday two to three weeks out; the
    Saturday of the week before is worked instead (调休), as Chinese plants do
    to make a long weekend.
    """
    holidays: dict[date, str] = {}
    for year in (today.year - 1, today.year, today.year + 1):
        for month, first, days, name in _FIXED_HOLIDAYS:
            for k in range(days):
                day = date(year, month, first + k)
                if today - timedelta(days=30) <= day <= today + timedelta(days=75):
                    holidays[day] = name
    shutdown = today + timedelta(days=14 + (4 - today.weekday()) % 7)
    while shutdown in holidays or shutdown - timedelta(days=6) in holidays:
        shutdown += timedelta(days=7)  # keep clear of statutory holidays
    holidays[shutdown] = "设备年检停产"
    return holidays, {shutdown - timedelta(days=6): "调休上班(补设备年检)"}


def _calendars(holidays: dict[date, str], extra: dict[date, str]) -> dict[str, WorkCalendar]:
    hol, ext = frozenset(holidays), frozenset(extra)
    day = (Shift(time(8), time(12)), Shift(time(13), time(17)))
    two = day + (Shift(time(18), time(22)),)
    line = (Shift(time(7, 30), time(19, 30)),)  # paint lines run through lunch with relief crews
    return {
        name: WorkCalendar(shifts=shifts, holidays=hol, extra_days=ext)
        for name, shifts in (("day", day), ("two", two), ("line", line))
    }


# work centers ------------------------------------------------------------------------------

# code, name, machines, calendar, can_pause, alternatives, hourly cost
_WORK_CENTERS: tuple[tuple[str, str, tuple[str, ...], str, bool, tuple[str, ...], float], ...] = (
    ("CUT", "开料", ("电子开料锯1号", "电子开料锯2号"), "two", True, (), 85.0),
    ("EDGE", "封边", ("全自动封边机1号", "全自动封边机2号"), "two", True, (), 75.0),
    ("CNC-DRILL", "数控钻孔", ("六面钻1号", "六面钻2号"), "day", True, ("DRILL",), 110.0),
    ("DRILL", "钻床", ("排钻1号", "排钻2号", "台钻3号"), "day", True, ("CNC-DRILL",), 55.0),
    ("SAND", "砂光", ("宽带砂光机",), "day", True, (), 60.0),
    ("PAINT", "喷涂", ("木器喷漆线",), "line", False, (), 120.0),
    ("LASER", "激光切割", ("光纤激光6kW", "光纤激光3kW"), "two", True, ("PUNCH",), 150.0),
    ("PUNCH", "数控冲床", ("数控转塔冲床",), "day", True, ("LASER",), 95.0),
    ("BEND", "折弯", ("数控折弯机1号", "数控折弯机2号", "数控折弯机3号"), "day", True, (), 90.0),
    (
        "WELD",
        "焊接",
        ("氩弧焊工位1", "氩弧焊工位2", "二保焊工位3", "二保焊工位4"),
        "day",
        True,
        ("WELD-R",),
        80.0,
    ),
    ("WELD-R", "机器人焊接", ("焊接机器人",), "two", True, ("WELD",), 130.0),
    ("GRIND", "打磨", ("打磨工位1", "打磨工位2", "打磨工位3"), "day", True, (), 50.0),
    ("BLAST", "喷砂", ("喷砂房",), "day", True, (), 70.0),
    ("POWDER", "喷粉", ("静电喷粉线",), "line", False, (), 115.0),
    ("BRUSH", "拉丝", ("拉丝机",), "day", True, (), 65.0),
    ("PLATE", "电镀", (), "day", True, (), 0.0),  # outsourced to 顺德镀锌厂: no machines of ours
    ("ASSY", "组装", ("装配线A", "装配线B", "装配工位C", "装配工位D"), "day", True, (), 60.0),
    ("QC", "质检", ("终检台1", "终检台2"), "day", True, (), 70.0),
    ("PACK", "包装", ("包装线1", "包装线2"), "day", True, (), 45.0),
)

_LEADS = {"CUT": "op.zhangwei", "LASER": "op.liqiang", "WELD": "op.zhaolei", "ASSY": "op.sunli"}


def _work_centers(calendars: dict[str, WorkCalendar]) -> list[WorkCenter]:
    return [
        WorkCenter(code, name, machines, calendars[cal], pause, alts, _LEADS.get(code), cost)
        for code, name, machines, cal, pause, alts, cost in _WORK_CENTERS
    ]


# items -------------------------------------------------------------------------------------

# code, name, unit, unit cost, lead days, attributes
_PLAIN_ITEMS: tuple[tuple[str, str, str, float, int], ...] = (
    ("SW-OAK", "白橡实木方料", "m³", 6800.0, 20),
    ("SW-BWAL", "黑胡桃实木方料", "m³", 16500.0, 30),
    ("PNT-PU-CLR", "PU清面漆", "kg", 38.0, 7),
    ("HW-HINGE", "阻尼铰链", "个", 6.5, 10),
    ("HW-SLIDE", "三节静音导轨", "副", 18.0, 10),
    ("HW-HANDLE", "铝合金拉手", "个", 9.0, 12),
    ("HW-CAM", "三合一连接件", "套", 0.8, 5),
    ("HW-LEG", "钢制桌腿", "套", 85.0, 15),
    ("HW-LIFT", "电动升降桌架", "套", 620.0, 25),
    ("HW-SLDOOR", "推拉门轨道套件", "套", 95.0, 15),
    ("GLS-5", "5mm钢化玻璃", "m²", 55.0, 12),
    ("HW-LOCK", "电柜门锁", "把", 22.0, 10),
    ("HW-SEAL", "发泡密封条", "m", 3.2, 7),
    ("HW-HINGE-IND", "工业门铰链", "个", 12.0, 10),
    ("FST-M6", "M6螺丝螺母包", "包", 2.5, 5),
    ("WLD-WIRE", "ER50-6焊丝", "kg", 11.0, 5),
    ("RAIL-19", "19英寸安装导轨", "副", 48.0, 15),
    ("PKG-CARTON", "五层瓦楞纸箱", "个", 12.0, 5),
    ("PKG-FOAM", "珍珠棉护角", "套", 3.5, 5),
    ("PKG-PALLET", "熏蒸木托盘", "个", 65.0, 7),
)


def _items() -> list[Item]:
    """Boards, edge band and paint per colour; sheet per material; powder per RAL colour."""
    out: list[Item] = []
    for color, cc in _COLOR_CODES.items():
        for mc, material in BOARD_MATERIALS.items():
            out.append(
                Item(
                    f"BRD-{mc}18-{cc}",
                    f"18mm{material}-{color}",
                    unit="张",
                    unit_cost=168.0 if mc == "MLP" else 112.0,
                    lead_days=10,
                    attributes={"family": f"BRD-{mc}18", "color": color, "material": material},
                )
            )
        out.append(
            Item(
                f"EB-{cc}",
                f"1mm封边条-{color}",
                unit="m",
                unit_cost=1.2,
                lead_days=7,
                attributes={"family": "EB", "color": color},
            )
        )
        out.append(
            Item(
                f"PNT-{cc}",
                f"木器色漆-{color}",
                unit="kg",
                unit_cost=46.0,
                lead_days=7,
                attributes={"family": "PNT", "color": color},
            )
        )
    for thickness in ("1.2", "1.5", "2.0"):
        for mc, material in SHEET_MATERIALS.items():
            cost = {"CR": 5.2, "SS": 17.5, "GI": 6.0}[mc] * float(thickness) * 7.85
            out.append(
                Item(
                    f"SHT-{mc}-{thickness}",
                    f"{material} {thickness}mm",
                    unit="m²",
                    unit_cost=round(cost, 1),
                    lead_days=12 if mc == "SS" else 8,
                    attributes={"family": f"SHT-{thickness}", "material": material},
                )
            )
    for ral, color in POWDER_COLORS.items():
        out.append(
            Item(
                f"PWD-{ral}",
                f"热固性粉末RAL{ral}-{color}",
                unit="kg",
                unit_cost=28.0,
                lead_days=6,
                attributes={"family": "PWD", "color": color},
            )
        )
    out.extend(
        Item(code, name, unit=unit, unit_cost=cost, lead_days=lead)
        for code, name, unit, cost, lead in _PLAIN_ITEMS
    )
    return out


# products, BOMs, routings ------------------------------------------------------------------

# a routing step as (name, work center, setup minutes, minutes per unit[, outsourced lead days])
Step = tuple[str, str, int, float] | tuple[str, str, int, float, int]


@dataclass(frozen=True, slots=True)
class _Spec:
    """One product's master data before it becomes Product, Bom and Routing."""

    code: str
    name: str
    family: str
    price: float
    lines: tuple[tuple[str, float, float, str | None], ...]  # item, qty per, scrap, spec key
    steps: tuple[Step, ...]
    options: dict[str, list[str]]


def _furniture_options(solid: bool = False) -> dict[str, list[str]]:
    materials = ["多层板", "颗粒板"] + (["实木"] if solid else [])
    return {
        "color": list(FURNITURE_COLORS),
        "material": materials,
        "finish": ["免漆", "开放漆", "封闭漆"],
        "packaging": ["纸箱", "木架包装"],
    }


def _metal_options(finishes: tuple[str, ...] = ("喷粉", "拉丝", "电镀")) -> dict[str, list[str]]:
    return {
        "material": list(SHEET_MATERIALS.values()),
        "finish": list(finishes),
        "color": list(POWDER_COLORS.values()),
        "packaging": ["纸箱", "木托盘"],
    }


_PANEL = (("开料", "CUT", 25, 1.6), ("封边", "EDGE", 20, 1.4), ("数控钻孔", "CNC-DRILL", 15, 1.2))
_TAIL = (("组装", "ASSY", 10, 4.0), ("质检", "QC", 5, 0.6), ("包装", "PACK", 10, 0.8))
_SHEET = (("激光切割", "LASER", 20, 0.9), ("折弯", "BEND", 30, 1.5))


def _board(qty: float, mat: str = "MLP") -> tuple[str, float, float, str | None]:
    return (f"BRD-{mat}18-WAL", qty, 0.06, "color")


def _furniture_specs() -> list[_Spec]:
    eb = ("EB-WAL", 0.0, 0.05, "color")
    paint = (("喷涂", "PAINT", 40, 1.8),)

    def f(
        code: str,
        name: str,
        price: float,
        boards: float,
        edge: float,
        extra: tuple[tuple[str, float, float, str | None], ...],
        painted: bool,
        sand: bool = False,
        tail: tuple[Step, ...] = _TAIL,
        solid: bool = False,
    ) -> _Spec:
        steps: tuple[Step, ...] = _PANEL + ((("砂光", "SAND", 15, 0.8),) if sand else ())
        steps += (paint if painted else ()) + tail
        lines: tuple[tuple[str, float, float, str | None], ...] = (
            _board(boards),
            (eb[0], edge, eb[2], eb[3]),
        )
        lines += (("PNT-WAL", round(boards * 0.35, 2), 0.1, "color"),) if painted else ()
        return _Spec(
            code,
            name,
            "furniture",
            price,
            lines
            + extra
            + (("HW-CAM", round(boards * 8), 0.02, None), ("PKG-CARTON", 2, 0.0, None)),
            steps,
            _furniture_options(solid),
        )

    return [
        f(
            "F-WARD-2D",
            "两门衣柜",
            2380,
            3.2,
            42,
            (("HW-HINGE", 4, 0.0, None), ("HW-HANDLE", 2, 0.0, None)),
            painted=False,
        ),
        f(
            "F-WARD-3D",
            "三门衣柜",
            3280,
            4.5,
            58,
            (("HW-HINGE", 6, 0.0, None), ("HW-HANDLE", 3, 0.0, None)),
            painted=True,
            sand=True,
        ),
        f("F-WARD-SL", "推拉门衣柜", 4580, 5.2, 66, (("HW-SLDOOR", 1, 0.0, None),), painted=True),
        f("F-BOOK-5", "五层书柜", 1280, 2.1, 30, (), painted=False),
        f(
            "F-BOOK-GL",
            "玻璃门书柜",
            1980,
            2.4,
            34,
            (("GLS-5", 1.2, 0.03, None), ("HW-HINGE", 4, 0.0, None)),
            painted=True,
        ),
        f(
            "F-DESK-14",
            "办公桌1400",
            1180,
            1.3,
            16,
            (("HW-LEG", 1, 0.0, None), ("HW-SLIDE", 1, 0.0, None)),
            painted=False,
        ),
        f(
            "F-DESK-L",
            "L型办公桌",
            1880,
            2.0,
            24,
            (("HW-LEG", 1, 0.0, None), ("HW-SLIDE", 2, 0.0, None)),
            painted=False,
        ),
        f(
            "F-DESK-LIFT",
            "电动升降桌",
            2680,
            0.8,
            6,
            (("HW-LIFT", 1, 0.0, None),),
            painted=False,
            tail=(("组装", "ASSY", 15, 6.0), ("质检", "QC", 5, 1.5), ("包装", "PACK", 10, 1.0)),
        ),
        f(
            "F-CAB-KIT",
            "整体橱柜地柜单元",
            1650,
            1.8,
            22,
            (("HW-HINGE", 2, 0.0, None), ("HW-SLIDE", 1, 0.0, None)),
            painted=True,
            sand=True,
        ),
        f("F-CAB-WALL", "橱柜吊柜单元", 980, 1.0, 14, (("HW-HINGE", 2, 0.0, None),), painted=True),
        f("F-SHOE", "鞋柜", 880, 1.2, 15, (("HW-HINGE", 2, 0.0, None),), painted=False),
        f("F-TV", "电视柜", 1380, 1.5, 18, (("HW-SLIDE", 2, 0.0, None),), painted=True),
        f(
            "F-NIGHT",
            "床头柜",
            520,
            0.6,
            9,
            (("HW-SLIDE", 2, 0.0, None), ("HW-HANDLE", 2, 0.0, None)),
            painted=True,
            sand=True,
            solid=True,
        ),
        f(
            "F-DRAWER5",
            "五斗柜",
            1580,
            1.7,
            24,
            (("HW-SLIDE", 5, 0.0, None), ("HW-HANDLE", 5, 0.0, None)),
            painted=True,
            solid=True,
        ),
        f(
            "F-MEET-24",
            "会议桌2400",
            3680,
            2.2,
            20,
            (("SW-OAK", 0.08, 0.08, None), ("HW-LEG", 2, 0.0, None)),
            painted=True,
            sand=True,
            solid=True,
        ),
        f(
            "F-FILE",
            "木质文件柜",
            1450,
            1.9,
            26,
            (("HW-LOCK", 1, 0.0, None), ("HW-HINGE", 4, 0.0, None)),
            painted=False,
        ),
    ]


def _metal_specs() -> list[_Spec]:
    pwd = ("PWD-7035", 0.0, 0.12, "color")
    powder = (("喷粉", "POWDER", 40, 1.1),)
    plate = (("电镀", "PLATE", 0, 0.0, 5),)
    weld = (("焊接", "WELD", 20, 3.0), ("打磨", "GRIND", 10, 1.6))

    def m(
        code: str,
        name: str,
        price: float,
        sheet: float,
        thick: str,
        steps: tuple[Step, ...],
        extra: tuple[tuple[str, float, float, str | None], ...] = (),
        powder_kg: float = 0.0,
        finishes: tuple[str, ...] = ("喷粉", "拉丝", "电镀"),
    ) -> _Spec:
        lines: tuple[tuple[str, float, float, str | None], ...] = (
            (f"SHT-CR-{thick}", sheet, 0.08, "material"),
        )
        if powder_kg:
            lines += ((pwd[0], powder_kg, pwd[2], pwd[3]),)
        return _Spec(
            code,
            name,
            "sheet-metal",
            price,
            lines + extra + (("FST-M6", 1, 0.0, None),),
            steps,
            _metal_options(finishes),
        )

    return [
        m(
            "M-CHS-1U",
            "1U服务器机箱",
            420,
            0.9,
            "1.2",
            _SHEET + (("钻孔攻丝", "DRILL", 15, 0.8),) + powder + _TAIL,
            (("RAIL-19", 1, 0.0, None),),
            powder_kg=0.25,
        ),
        m(
            "M-CHS-4U",
            "4U工控机箱",
            860,
            1.8,
            "1.2",
            _SHEET + weld + powder + _TAIL,
            (("RAIL-19", 1, 0.0, None),),
            powder_kg=0.5,
        ),
        m(
            "M-DIST-CAB",
            "低压配电柜",
            4800,
            7.5,
            "2.0",
            _SHEET + (("焊接", "WELD", 20, 3.0), ("喷砂", "BLAST", 20, 2.0)) + powder + _TAIL,
            (
                ("HW-LOCK", 2, 0.0, None),
                ("HW-HINGE-IND", 4, 0.0, None),
                ("HW-SEAL", 8, 0.05, None),
                ("PKG-PALLET", 1, 0.0, None),
            ),
            powder_kg=2.2,
        ),
        m(
            "M-CTRL-CAB",
            "控制电柜",
            3200,
            5.2,
            "1.5",
            _SHEET + weld + powder + _TAIL,
            (
                ("HW-LOCK", 1, 0.0, None),
                ("HW-HINGE-IND", 2, 0.0, None),
                ("HW-SEAL", 6, 0.05, None),
                ("PKG-PALLET", 1, 0.0, None),
            ),
            powder_kg=1.6,
        ),
        m(
            "M-NET-CAB",
            "42U网络机柜",
            2600,
            6.0,
            "1.5",
            _SHEET + (("焊接", "WELD", 20, 2.5),) + powder + _TAIL,
            (("RAIL-19", 2, 0.0, None), ("HW-LOCK", 1, 0.0, None), ("PKG-PALLET", 1, 0.0, None)),
            powder_kg=1.8,
        ),
        m(
            "M-BRKT-L",
            "L型钣金支架",
            38,
            0.12,
            "2.0",
            _SHEET + plate + (("包装", "PACK", 10, 0.15),),
            finishes=("电镀", "喷粉"),
        ),
        m(
            "M-BRKT-W",
            "壁挂支架",
            65,
            0.2,
            "2.0",
            (
                ("激光切割", "LASER", 15, 0.5),
                ("折弯", "BEND", 20, 0.6),
                ("喷粉", "POWDER", 30, 0.4),
            ),
            powder_kg=0.06,
            finishes=("喷粉",),
        ),
        m(
            "M-SHELF",
            "仓储货架单元",
            980,
            4.0,
            "2.0",
            (
                ("激光切割", "LASER", 20, 1.2),
                ("数控冲孔", "PUNCH", 25, 1.5),
                ("折弯", "BEND", 30, 2.0),
            )
            + weld
            + powder
            + (("包装", "PACK", 10, 1.0),),
            powder_kg=1.2,
            finishes=("喷粉", "电镀"),
        ),
        m(
            "M-GUARD",
            "设备防护罩",
            1250,
            3.2,
            "1.5",
            _SHEET + weld + (("拉丝", "BRUSH", 20, 2.5),) + _TAIL,
            finishes=("拉丝", "喷粉"),
        ),
        m(
            "M-JBOX",
            "不锈钢接线盒",
            180,
            0.35,
            "1.2",
            _SHEET
            + (
                ("焊接", "WELD", 15, 1.2),
                ("拉丝", "BRUSH", 15, 0.8),
                ("质检", "QC", 5, 0.3),
                ("包装", "PACK", 10, 0.2),
            ),
            (("HW-SEAL", 1.2, 0.05, None),),
            finishes=("拉丝",),
        ),
        m(
            "M-FILE-CAB",
            "钢制文件柜",
            980,
            3.6,
            "1.2",
            _SHEET + (("焊接", "WELD", 20, 1.8),) + powder + _TAIL,
            (("HW-LOCK", 1, 0.0, None),),
            powder_kg=1.1,
        ),
        m(
            "M-LOCKER",
            "九门更衣柜",
            1380,
            4.8,
            "1.2",
            _SHEET + (("焊接", "WELD", 20, 2.0),) + powder + _TAIL,
            (("HW-LOCK", 9, 0.0, None), ("HW-HINGE-IND", 18, 0.0, None)),
            powder_kg=1.4,
        ),
        m(
            "M-TRAY",
            "槽式电缆桥架(2m)",
            145,
            0.8,
            "1.5",
            (("激光切割", "LASER", 15, 0.4), ("折弯", "BEND", 20, 0.8))
            + plate
            + (("包装", "PACK", 10, 0.3),),
            finishes=("电镀",),
        ),
        m(
            "M-PANEL",
            "设备操作面板",
            360,
            0.5,
            "1.5",
            _SHEET
            + (("钻孔攻丝", "DRILL", 15, 1.5), ("喷砂", "BLAST", 15, 0.8))
            + powder
            + (("质检", "QC", 5, 0.8), ("包装", "PACK", 10, 0.3)),
            powder_kg=0.2,
        ),
    ]


def _catalog() -> tuple[list[Product], list[Bom], list[Routing]]:
    """Products with BOM and routing v1; three were revised to v2 since older orders started."""
    products: list[Product] = []
    boms: list[Bom] = []
    routings: list[Routing] = []
    for spec in _furniture_specs() + _metal_specs():
        lines = tuple(BomLine(code, qty, scrap, key) for code, qty, scrap, key in spec.lines)
        steps = tuple(_step((i + 1) * 10, s) for i, s in enumerate(spec.steps))
        products.append(
            Product(spec.code, spec.name, spec.family, spec.price, spec_options=spec.options)
        )
        boms.append(Bom(spec.code, 1, lines))
        routings.append(Routing(spec.code, 1, steps))
    _revise(products, boms, routings)
    return products, boms, routings


def _step(seq: int, s: Step) -> RoutingStep:
    lead = s[4] if len(s) == 5 else 0
    return RoutingStep(seq, s[0], s[1], s[2], s[3], outsourced=lead > 0, lead_days=lead)


def _revise(products: list[Product], boms: list[Bom], routings: list[Routing]) -> None:
    """New versions: thicker board on the 3-door wardrobe, robot welding on two cabinets."""
    by_code = {p.code: p for p in products}
    old = next(b for b in boms if b.product_code == "F-WARD-3D")
    boms.append(
        old.revise(
            tuple(
                BomLine(ln.item_code, round(ln.qty_per * 1.1, 2), ln.scrap_rate, ln.spec_key)
                if ln.item_code.startswith("BRD")
                else ln
                for ln in old.lines
            )
        )
    )
    by_code["F-WARD-3D"].current_bom = 2
    for code in ("M-DIST-CAB", "M-CTRL-CAB"):
        r = next(x for x in routings if x.product_code == code)
        steps = tuple(
            RoutingStep(s.seq, s.name, "WELD-R", s.setup_minutes, s.minutes_per_unit * 0.7)
            if s.work_center == "WELD"
            else s
            for s in r.steps
        )
        routings.append(Routing(code, 2, steps))
        by_code[code].current_routing = 2


# customers and people ----------------------------------------------------------------------

_CUSTOMERS: tuple[tuple[str, str, Tier], ...] = (
    ("C01", "宏景装饰工程有限公司", Tier.STRATEGIC),
    ("C02", "金拓数据科技有限公司", Tier.STRATEGIC),
    ("C03", "华兴电气成套设备有限公司", Tier.STRATEGIC),
    ("C04", "悦居家居连锁有限公司", Tier.STRATEGIC),
    ("C05", "筑家精装工程有限公司", Tier.STRATEGIC),
    ("C06", "博远办公家具有限公司", Tier.KEY),
    ("C07", "星辰酒店管理有限公司", Tier.KEY),
    ("C08", "瑞丰智能装备股份有限公司", Tier.KEY),
    ("C09", "明德实验学校", Tier.KEY),
    ("C10", "恒通物流设备有限公司", Tier.KEY),
    ("C11", "凯瑞医疗器械有限公司", Tier.KEY),
    ("C12", "绿岛度假酒店", Tier.KEY),
    ("C13", "李记全屋定制(龙华店)", Tier.STANDARD),
    ("C14", "安居装饰设计工作室", Tier.STANDARD),
    ("C15", "顺达五金机电商行", Tier.STANDARD),
    ("C16", "永盛电子厂", Tier.STANDARD),
    ("C17", "新城社区服务中心", Tier.STANDARD),
    ("C18", "蓝海网络科技有限公司", Tier.STANDARD),
    ("C19", "美家软装设计有限公司", Tier.STANDARD),
    ("C20", "诚信机械维修部", Tier.STANDARD),
)

_APPROVAL_ALWAYS = frozenset({"C03", "C11"})  # their contracts require a supervisor's signature


def _policy(code: str, tier: Tier, index: int) -> ContractPolicy:
    """Contract terms by tier: strategic customers get more changes, standard ones pay fees."""
    if tier is Tier.STRATEGIC:
        return ContractPolicy(
            5,
            (
                FreezePoint("spec", "开料"),
                FreezePoint("quantity", "激光切割"),
                FreezePoint("*", "包装"),
            ),
            0.0,
            0.05,
            code in _APPROVAL_ALWAYS,
        )
    if tier is Tier.KEY:
        return ContractPolicy(
            3,
            (
                FreezePoint("spec", "开料"),
                FreezePoint("color", "喷涂"),
                FreezePoint("color", "喷粉"),
                FreezePoint("*", "包装"),
            ),
            200.0 if index % 2 else 300.0,
            0.10,
            code in _APPROVAL_ALWAYS,
        )
    return ContractPolicy(
        2,
        (
            FreezePoint("spec", "开料"),
            FreezePoint("quantity", "激光切割"),
            FreezePoint("color", "喷涂"),
            FreezePoint("*", "质检"),
        ),
        500.0,
        0.15,
    )


def _customers() -> list[Customer]:
    return [
        Customer(code, name, tier, _policy(code, tier, i), weekly_summary=i % 3 == 0)
        for i, (code, name, tier) in enumerate(_CUSTOMERS)
    ]


# id, name, role, customers, work center
_PEOPLE: tuple[tuple[str, str, Role, tuple[str, ...], str | None], ...] = (
    ("sales.wangfang", "王芳", Role.SALES, ("C01", "C04", "C07", "C13", "C19"), None),
    ("sales.liuyang", "刘洋", Role.SALES, ("C02", "C08", "C16", "C18", "C20"), None),
    ("sales.chenjing", "陈静", Role.SALES, ("C03", "C10", "C11", "C15", "C17"), None),
    ("sales.zhoujie", "周杰", Role.SALES, ("C05", "C06", "C09", "C12", "C14"), None),
    ("cust.huangmin", "黄敏(宏景)", Role.CUSTOMER, ("C01",), None),
    ("cust.wutao", "吴涛(金拓)", Role.CUSTOMER, ("C02",), None),
    ("cust.xuli", "徐丽(华兴)", Role.CUSTOMER, ("C03",), None),
    ("cust.majun", "马俊(博远)", Role.CUSTOMER, ("C06",), None),
    ("cust.lijia", "李佳(李记)", Role.CUSTOMER, ("C13",), None),
    ("cust.guohui", "郭辉(永盛)", Role.CUSTOMER, ("C16",), None),
    ("sup.zhanggang", "张刚", Role.SUPERVISOR, (), None),
    ("sup.yangxue", "杨雪", Role.SUPERVISOR, (), None),
    ("plan.hejun", "何军", Role.PLANNER, (), None),
    ("op.zhangwei", "张伟", Role.OPERATOR, (), "CUT"),
    ("op.liqiang", "李强", Role.OPERATOR, (), "LASER"),
    ("op.zhaolei", "赵磊", Role.OPERATOR, (), "WELD"),
    ("op.sunli", "孙丽", Role.OPERATOR, (), "ASSY"),
    ("buy.linna", "林娜", Role.PURCHASING, (), None),
    ("wh.zhengkai", "郑凯", Role.WAREHOUSE, (), None),
    ("qc.fengyan", "冯燕", Role.QC, (), "QC"),
    ("admin.tanbo", "谭波", Role.ADMIN, (), None),
)


def _people(customers: list[Customer]) -> list[Person]:
    """Everyone the bot serves; WeCom userids are pinyin, DingTalk staffIds are numeric."""
    known = {c.code for c in customers}
    out: list[Person] = []
    for i, (pid, name, role, owns, wc) in enumerate(_PEOPLE):
        owns = tuple(code for code in owns if code in known)
        wecom = "".join(part.capitalize() for part in pid.split(".", 1)[1].split("_"))
        out.append(
            Person(
                pid,
                name,
                role,
                wecom_userid=wecom,
                dingtalk_staff_id=f"0{1325 + i * 37:04d}{(i * 7919) % 10000:04d}",
                customers=owns,
                work_center=wc,
            )
        )
    return out


# orders ------------------------------------------------------------------------------------

_CLOSED = (
    OrderStatus.DONE,
    OrderStatus.DONE,
    OrderStatus.SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.CANCELLED,
    OrderStatus.CANCELLED,
)
_NOTES = (
    "",
    "",
    "",
    "客户要求分两批送货",
    "送货前电话联系",
    "样品已确认",
    "同批次色差要一致",
    "工地地址变更待确认",
    "出口订单,唛头另附",
)


@dataclass(frozen=True, slots=True)
class _OrderPlan:
    ref: str
    status: OrderStatus
    product: str | None = None
    customer: str | None = None


def _order_plans(today: date) -> list[_OrderPlan]:
    """Refs and target states: 80 open orders (4 with chat refs) and 7 closed ones."""
    year = today.year
    statuses = (
        [OrderStatus.DRAFT] * 12 + [OrderStatus.RELEASED] * 36 + [OrderStatus.IN_PROGRESS] * 28
    )
    plans = [
        _OrderPlan("SO-12", OrderStatus.RELEASED, "M-CTRL-CAB", "C03"),
        _OrderPlan("SO-31", OrderStatus.RELEASED, "F-WARD-3D", "C13"),
        _OrderPlan("SO-77", OrderStatus.IN_PROGRESS, "M-NET-CAB", "C02"),
        _OrderPlan("SO-2024-031", OrderStatus.RELEASED, "F-DESK-14", "C06"),
    ]
    plans += [_OrderPlan(f"SO-{year}-{n + 1:04d}", s) for n, s in enumerate(statuses)]
    plans += [
        _OrderPlan(f"SO-{year}-{len(statuses) + n + 1:04d}", s) for n, s in enumerate(_CLOSED)
    ]
    return plans


def _orders(today: date, rng: random.Random, demo: DemoFactory) -> list[WorkOrder]:
    products = {p.code: p for p in demo.products}
    codes = sorted(products)
    customer_codes = [c.code for c in demo.customers]
    out: list[WorkOrder] = []
    for plan in _order_plans(today):
        product = products[plan.product or rng.choice(codes)]
        customer = plan.customer or _customer_for(product, customer_codes, rng)
        out.append(_order(plan, product, customer, today, rng, demo))
    return out


def _customer_for(product: Product, customers: list[str], rng: random.Random) -> str:
    """Furniture goes to fit-out, hotels and shops; sheet metal to electrical and IT buyers."""
    furniture = ["C01", "C04", "C05", "C06", "C07", "C09", "C12", "C13", "C14", "C17", "C19"]
    metal = [c for c in customers if c not in furniture]
    return rng.choice(furniture if product.family == "furniture" else metal)


def _order(
    plan: _OrderPlan,
    product: Product,
    customer: str,
    today: date,
    rng: random.Random,
    demo: DemoFactory,
) -> WorkOrder:
    routing = demo.routing(product.code, product.current_routing)
    if plan.status in (OrderStatus.IN_PROGRESS, OrderStatus.DONE, OrderStatus.SHIPPED):
        # started before a revision: some older orders still run on version 1
        bom_v = 1 if rng.random() < 0.5 else product.current_bom
        routing = demo.routing(product.code, 1 if rng.random() < 0.5 else product.current_routing)
    else:
        bom_v = product.current_bom
    quantity = _quantity(product, routing, rng)
    order = WorkOrder(
        ref=plan.ref,
        customer_code=customer,
        product_code=product.code,
        quantity=quantity,
        due_date=_due(plan.status, today, rng),
        priority=Priority.RUSH if rng.random() < 0.1 else Priority.NORMAL,
        specs=_specs(product, rng),
        note=rng.choice(_NOTES),
        status=plan.status,
        bom_version=bom_v,
        routing_version=routing.version,
        created_at=_at(today - timedelta(days=rng.randint(12, 30)), 10, rng),
        operations=[OperationProgress(s.seq, s.name, s.work_center) for s in routing.steps],
    )
    if plan.ref == "SO-31":
        order.specs.update(color="白橡木", material="多层板")
        order.quantity, order.due_date = 120, today + timedelta(days=18)
    if plan.status is OrderStatus.IN_PROGRESS:
        finished = rng.randint(0, len(routing.steps) - 2)
        _progress(order, routing, demo, today, rng, finished=finished)
    elif plan.status in (OrderStatus.DONE, OrderStatus.SHIPPED):
        _progress(order, routing, demo, today, rng, finished=len(routing.steps))
    return order


def _quantity(product: Product, routing: Routing, rng: random.Random) -> int:
    """A batch size that a non-pausable step (painting) can finish inside one shift."""
    if product.unit_price >= 2000:
        quantity = rng.choice((2, 3, 4, 6, 8, 10, 12, 16, 20, 30))
    elif product.unit_price >= 500:
        quantity = rng.choice((6, 8, 10, 12, 15, 20, 24, 30, 40, 50, 60, 80))
    else:
        quantity = rng.choice((50, 80, 100, 120, 150, 200, 300, 500, 800))
    for step in routing.steps:
        if step.work_center in ("PAINT", "POWDER") and step.minutes_per_unit:
            quantity = min(quantity, int((600 - step.setup_minutes) / step.minutes_per_unit))
    return max(quantity, 1)


def _due(status: OrderStatus, today: date, rng: random.Random) -> date:
    """In-progress orders fall due soonest (a few already overdue); drafts up to six weeks out."""
    if status is OrderStatus.IN_PROGRESS:
        return today + timedelta(days=rng.randint(-4, 14))
    if status is OrderStatus.RELEASED:
        return today + timedelta(days=rng.randint(5, 35))
    if status is OrderStatus.DRAFT:
        return today + timedelta(days=rng.randint(20, 42))
    return today - timedelta(days=rng.randint(1, 20))


def _specs(product: Product, rng: random.Random) -> dict[str, str]:
    specs = {
        key: rng.choice(values)
        for key, values in product.spec_options.items()
        if key != "packaging" or rng.random() < 0.4
    }
    if product.family == "furniture" and rng.random() < 0.5:
        specs["size"] = rng.choice(
            ("1800×600×2200", "1200×450×2000", "1600×580×2400", "按现场尺寸", "900×400×1800")
        )
    if product.code.startswith("M-CHS") or product.code == "M-NET-CAB":
        specs["size"] = rng.choice(("19英寸标准", "600×600", "600×800"))
    return specs


def _at(day: date, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, rng.choice((0, 10, 20, 30, 40))), FACTORY_TZ)


def _working_days_before(day: date, cal: WorkCalendar, count: int) -> list[date]:
    """The `count` working days before `day`, oldest first."""
    out: list[date] = []
    d = day - timedelta(days=1)
    while len(out) < count:
        if cal.is_working_day(d):
            out.append(d)
        d -= timedelta(days=1)
    return out[::-1]


def _progress(
    order: WorkOrder,
    routing: Routing,
    demo: DemoFactory,
    today: date,
    rng: random.Random,
    finished: int,
) -> None:
    """Report the first `finished` operations done and, if open, the next one under way.

    Each touched operation gets its own working day, oldest first, ending on the
    last working day before today; an outsourced step spans its lead time.
    """
    cal = demo.work_centers[0].calendar
    steps = list(routing.steps)
    touched = steps[: finished + (1 if finished < len(steps) else 0)]
    span = sum(max(1, s.lead_days) for s in touched)
    days = _working_days_before(
        today - timedelta(days=0 if finished < len(steps) else 3), cal, span
    )
    centers = {wc.code: wc for wc in demo.work_centers}
    cursor = 0
    for i, step in enumerate(touched):
        op = order.operations[i]
        start_day = days[cursor]
        cursor += max(1, step.lead_days)
        end_day = days[cursor - 1]
        op.started_at = _at(start_day, 8, rng)
        if not step.outsourced:
            op.machine = rng.choice(centers[step.work_center].machines)
        if i < finished:
            op.finished_at = _at(end_day, 16, rng)
            op.qty_scrap = rng.choice((0, 0, 0, 1, 2)) if not step.outsourced else 0
            op.qty_done = order.quantity
        elif not step.outsourced:  # sent out for plating: nothing back yet
            op.qty_done = max(1, int(order.quantity * rng.uniform(0.2, 0.8)))
    first = order.operations[0].started_at
    if first is not None and order.created_at is not None and order.created_at > first:
        order.created_at = first - timedelta(days=2)


# stock and purchase orders -----------------------------------------------------------------

# items deliberately short against open demand, and how late their supply is
_SHORT_ITEMS = ("BRD-MLP18-WOAK", "PWD-7035", "SHT-SS-1.2", "HW-LIFT", "RAIL-19", "HW-LOCK")
_SUPPLIERS = {
    "BRD": "佛山兔宝宝板材经销部",
    "EB": "东莞华辰封边条厂",
    "PNT": "中山大宝化工",
    "SHT": "宝钢(广州)钢材加工中心",
    "PWD": "阿克苏诺贝尔粉末涂料代理",
    "HW": "广东东泰五金",
    "GLS": "南玻玻璃加工厂",
    "SW": "满洲里木业进口商",
    "PKG": "深圳裕同包装",
    "RAIL": "宁波通用机柜配件",
    "FST": "广东东泰五金",
    "WLD": "金桥焊材",
}


def open_demand(demo: DemoFactory) -> dict[str, float]:
    """Material still needed by open orders, with colour/material-following lines resolved."""
    need: dict[str, float] = {}
    items = {i.code: i for i in demo.items}
    for order in demo.orders:
        if not order.status.is_open:
            continue
        for line in demo.bom(order.product_code, order.bom_version).lines:
            code = line_item(line, order.specs, items)
            qty = line.qty_per * order.quantity * (1 + line.scrap_rate)
            need[code] = need.get(code, 0.0) + qty
    return need


def _stock_levels(demo: DemoFactory, today: date, rng: random.Random) -> None:
    """On-hand stock covering most demand, a few items short, and purchase orders coming in."""
    need = open_demand(demo)
    po_no = 1
    for item in demo.items:
        demand = need.get(item.code, 0.0)
        if item.code in _SHORT_ITEMS:
            item.on_hand = _round(demand * rng.uniform(0.25, 0.6), item)
        else:
            item.on_hand = _round(demand * rng.uniform(1.1, 1.8) + rng.randint(5, 40), item)
        short = demand - item.on_hand
        if short > 0 or rng.random() < 0.25:
            gap = max(short, demand * 0.5, 10.0)
            late = item.code in _SHORT_ITEMS[:3]
            expected = today + timedelta(days=rng.randint(9, 16) if late else rng.randint(2, 8))
            if item.code == _SHORT_ITEMS[0]:
                expected = today - timedelta(days=2)  # overdue from the supplier, not yet received
            supplier = _SUPPLIERS.get(item.code.split("-", 1)[0], "深圳市综合物资公司")
            demo.purchase_orders.append(
                PurchaseOrder(
                    f"PO-{today.year}-{po_no:04d}",
                    item.code,
                    _round(gap * 1.1, item),
                    supplier,
                    expected,
                )
            )
            po_no += 1


def _round(qty: float, item: Item) -> float:
    """Whole units for counted things, one decimal for kg, m, m² and m³."""
    return (
        float(round(qty)) if item.unit in ("张", "个", "副", "套", "把", "包") else round(qty, 1)
    )
