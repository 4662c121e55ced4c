"""Master data: items, purchase orders, work centers, products, BOMs and routings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.capacity import WorkCenter
from core.model.materials import Item, ItemKind, PurchaseOrder
from core.model.products import Bom, BomLine, Product, Routing, RoutingStep
from storage.codecs import calendar_from_json, calendar_to_json
from storage.tables import (
    bom_lines,
    boms,
    items,
    products,
    purchase_orders,
    routing_steps,
    routings,
)
from storage.tables import work_centers as wc_t


class SqlCatalogRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    # items and stock -------------------------------------------------------
    async def add_item(self, item: Item) -> None:
        await self._conn.execute(insert(items).values(**_item_row(item)))

    async def save_item(self, item: Item) -> None:
        await self._conn.execute(
            update(items).where(items.c.code == item.code).values(**_item_row(item)))

    async def items(self) -> dict[str, Item]:
        rows = (await self._conn.execute(select(items).order_by(items.c.code))).mappings()
        return {
            r["code"]: Item(r["code"], r["name"], ItemKind(r["kind"]), r["unit"], r["on_hand"],
                            r["unit_cost"], r["lead_days"], r["attributes"])
            for r in rows
        }

    async def add_purchase_order(self, po: PurchaseOrder) -> None:
        await self._conn.execute(insert(purchase_orders).values(
            ref=po.ref, item_code=po.item_code, quantity=po.quantity, supplier=po.supplier,
            expected=po.expected, received=po.received))

    async def purchase_orders(self, open_only: bool = True) -> list[PurchaseOrder]:
        query = select(purchase_orders).order_by(purchase_orders.c.expected, purchase_orders.c.ref)
        if open_only:
            query = query.where(purchase_orders.c.received.is_(False))
        rows = (await self._conn.execute(query)).mappings()
        return [PurchaseOrder(r["ref"], r["item_code"], r["quantity"], r["supplier"],
                              r["expected"], r["received"]) for r in rows]

    # work centers ----------------------------------------------------------
    async def add_work_center(self, wc: WorkCenter) -> None:
        await self._conn.execute(insert(wc_t).values(
            code=wc.code, name=wc.name, machines=list(wc.machines),
            calendar=calendar_to_json(wc.calendar), can_pause=wc.can_pause,
            alternatives=list(wc.alternatives), lead_person=wc.lead_person,
            hourly_cost=wc.hourly_cost))

    async def work_centers(self) -> dict[str, WorkCenter]:
        rows = (await self._conn.execute(select(wc_t).order_by(wc_t.c.code))).mappings()
        return {
            r["code"]: WorkCenter(r["code"], r["name"], tuple(r["machines"]),
                                  calendar_from_json(r["calendar"]), r["can_pause"],
                                  tuple(r["alternatives"]), r["lead_person"], r["hourly_cost"])
            for r in rows
        }

    # products, BOMs, routings ---------------------------------------------
    async def add_product(self, product: Product) -> None:
        await self._conn.execute(insert(products).values(**_product_row(product)))

    async def save_product(self, product: Product) -> None:
        await self._conn.execute(
            update(products).where(products.c.code == product.code)
            .values(**_product_row(product)))

    async def products(self) -> dict[str, Product]:
        rows = (await self._conn.execute(select(products).order_by(products.c.code))).mappings()
        return {r["code"]: Product(r["code"], r["name"], r["family"], r["unit_price"],
                                   r["current_bom"], r["current_routing"], dict(r["spec_options"]))
                for r in rows}

    async def add_bom(self, bom: Bom) -> None:
        await self._conn.execute(insert(boms).values(
            product_code=bom.product_code, version=bom.version, locked=bom.locked))
        if bom.lines:
            await self._conn.execute(insert(bom_lines), [
                {"product_code": bom.product_code, "version": bom.version, "line_no": i + 1,
                 "item_code": ln.item_code, "qty_per": ln.qty_per, "scrap_rate": ln.scrap_rate,
                 "spec_key": ln.spec_key}
                for i, ln in enumerate(bom.lines)])

    async def lock_bom(self, product_code: str, version: int) -> None:
        await self._conn.execute(update(boms).where(
            boms.c.product_code == product_code, boms.c.version == version).values(locked=True))

    async def boms(self) -> dict[tuple[str, int], Bom]:
        heads = (await self._conn.execute(select(boms))).mappings().all()
        lines = (await self._conn.execute(
            select(bom_lines).order_by(bom_lines.c.product_code, bom_lines.c.version,
                                       bom_lines.c.line_no)
        )).mappings().all()
        grouped: dict[tuple[str, int], list[BomLine]] = {}
        for ln in lines:
            grouped.setdefault((ln["product_code"], ln["version"]), []).append(
                BomLine(ln["item_code"], ln["qty_per"], ln["scrap_rate"], ln["spec_key"]))
        out: dict[tuple[str, int], Bom] = {}
        for h in heads:
            key = (h["product_code"], h["version"])
            out[key] = Bom(key[0], key[1], tuple(grouped.get(key, [])), h["locked"])
        return out

    async def add_routing(self, routing: Routing) -> None:
        await self._conn.execute(insert(routings).values(
            product_code=routing.product_code, version=routing.version, locked=routing.locked))
        if routing.steps:
            await self._conn.execute(insert(routing_steps), [
                {"product_code": routing.product_code, "version": routing.version, "seq": s.seq,
                 "name": s.name, "work_center": s.work_center, "setup_minutes": s.setup_minutes,
                 "minutes_per_unit": s.minutes_per_unit, "outsourced": s.outsourced,
                 "lead_days": s.lead_days}
                for s in routing.steps])

    async def lock_routing(self, product_code: str, version: int) -> None:
        await self._conn.execute(update(routings).where(
            routings.c.product_code == product_code, routings.c.version == version)
            .values(locked=True))

    async def routings(self) -> dict[tuple[str, int], Routing]:
        heads = (await self._conn.execute(select(routings))).mappings().all()
        steps = (await self._conn.execute(
            select(routing_steps).order_by(routing_steps.c.product_code, routing_steps.c.version,
                                           routing_steps.c.seq))).mappings().all()
        grouped: dict[tuple[str, int], list[RoutingStep]] = {}
        for s in steps:
            grouped.setdefault((s["product_code"], s["version"]), []).append(RoutingStep(
                s["seq"], s["name"], s["work_center"], s["setup_minutes"], s["minutes_per_unit"],
                s["outsourced"], s["lead_days"]))
        out: dict[tuple[str, int], Routing] = {}
        for h in heads:
            key = (h["product_code"], h["version"])
            out[key] = Routing(key[0], key[1], tuple(grouped.get(key, [])), h["locked"])
        return out


def _item_row(item: Item) -> dict[str, Any]:
    return {"code": item.code, "name": item.name, "kind": item.kind.value, "unit": item.unit,
            "on_hand": item.on_hand, "unit_cost": item.unit_cost, "lead_days": item.lead_days,
            "attributes": item.attributes}


def _product_row(p: Product) -> dict[str, Any]:
    return {"code": p.code, "name": p.name, "family": p.family, "unit_price": p.unit_price,
            "current_bom": p.current_bom, "current_routing": p.current_routing,
            "spec_options": p.spec_options}
