"""Customers and people."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.parties import Customer, Person, Role, Tier
from storage.codecs import policy_from_json, policy_to_json
from storage.tables import customers, people


class SqlPartyRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_customer(self, customer: Customer) -> None:
        await self._conn.execute(insert(customers).values(**_customer_row(customer)))

    async def save_customer(self, customer: Customer) -> None:
        await self._conn.execute(update(customers).where(customers.c.code == customer.code)
                                 .values(**_customer_row(customer)))

    async def customers(self) -> dict[str, Customer]:
        rows = (await self._conn.execute(select(customers).order_by(customers.c.code))).mappings()
        return {r["code"]: Customer(r["code"], r["name"], Tier(r["tier"]),
                                    policy_from_json(r["policy"]), r["weekly_summary"])
                for r in rows}

    async def customer(self, code: str) -> Customer | None:
        return (await self.customers()).get(code)

    async def add_person(self, person: Person) -> None:
        await self._conn.execute(insert(people).values(**_person_row(person)))

    async def save_person(self, person: Person) -> None:
        await self._conn.execute(update(people).where(people.c.id == person.id)
                                 .values(**_person_row(person)))

    async def people(self) -> list[Person]:
        query = select(people).order_by(people.c.role, people.c.id)
        return [_person(r) for r in (await self._conn.execute(query)).mappings()]

    async def person(self, person_id: str) -> Person | None:
        query = select(people).where(people.c.id == person_id)
        row = (await self._conn.execute(query)).mappings().first()
        return _person(row) if row else None

    async def person_by_platform(self, channel: str, platform_id: str) -> Person | None:
        """The person behind a WeCom UserID, a DingTalk staffId, a WeCom Customer Service
        external_userid ("wecom_kf"), or a web id."""
        col = _PLATFORM_COLUMNS.get(channel, people.c.id)
        query = select(people).where(col == platform_id, people.c.active.is_(True))
        row = (await self._conn.execute(query)).mappings().first()
        return _person(row) if row else None

    async def by_role(self, *roles: Role) -> list[Person]:
        rows = (await self._conn.execute(select(people).where(
            people.c.role.in_([r.value for r in roles]), people.c.active.is_(True)))).mappings()
        return [_person(r) for r in rows]


_PLATFORM_COLUMNS = {"wecom": people.c.wecom_userid, "dingtalk": people.c.dingtalk_staff_id,
                     "wecom_kf": people.c.wecom_external_userid}


def _customer_row(c: Customer) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "tier": c.tier.value,
            "policy": policy_to_json(c.policy), "weekly_summary": c.weekly_summary}


def _person_row(p: Person) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "role": p.role.value, "wecom_userid": p.wecom_userid,
            "dingtalk_staff_id": p.dingtalk_staff_id, "customers": list(p.customers),
            "work_center": p.work_center, "lang": p.lang, "active": p.active,
            "wecom_external_userid": p.wecom_external_userid}


def _person(m: RowMapping) -> Person:
    return Person(
        id=m["id"], name=m["name"], role=Role(m["role"]), wecom_userid=m["wecom_userid"],
        dingtalk_staff_id=m["dingtalk_staff_id"], customers=tuple(m["customers"] or ()),
        work_center=m["work_center"], lang=m["lang"], active=m["active"],
        wecom_external_userid=m["wecom_external_userid"],
    )
