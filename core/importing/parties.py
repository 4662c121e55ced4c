"""Validation of onboarding sheets: customers, and the people the bot talks to.

Unlike master data, both are upserts: a code or id already in the database
updates that record, so the same sheet can be imported again after an edit.
A blank cell keeps what is stored. A person's platform ids must stay unique
across everyone, counting the database and the file together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from core.importing.cells import BadCell, RowReader, choice, duplicate, parse_flag, parse_names
from core.importing.plan import State
from core.importing.sheets import Kind, SourceRow, cell_text
from core.model.parties import Customer, Person, Role, Tier

_TIERS: Mapping[str, Tier] = {
    **{k: Tier.STRATEGIC for k in ("a", "strategic", "战略", "战略客户", "a级")},
    **{k: Tier.KEY for k in ("b", "key", "重点", "重点客户", "b级")},
    **{k: Tier.STANDARD for k in ("c", "standard", "普通", "一般", "普通客户", "c级")},
}

_ROLES: Mapping[str, Role] = {
    **{r.value: r for r in Role},
    **{k: Role.SALES for k in ("销售", "业务员", "业务", "销售员", "客户经理")},
    **{k: Role.CUSTOMER for k in ("客户", "客户联系人", "客户对接人", "contact")},
    **{k: Role.SUPERVISOR for k in ("主管", "车间主管", "生产主管", "经理", "厂长")},
    **{k: Role.PLANNER for k in ("计划", "计划员", "生管", "pmc")},
    **{k: Role.OPERATOR for k in ("操作工", "操作员", "工人", "班组长", "员工")},
    **{k: Role.PURCHASING for k in ("采购", "采购员", "buyer")},
    **{k: Role.WAREHOUSE for k in ("仓库", "仓管", "库管", "仓管员")},
    **{k: Role.QC for k in ("质检", "品检", "质检员", "品管")},
    **{k: Role.ADMIN for k in ("管理员", "系统管理员", "administrator")},
}

_LANGS: Mapping[str, str] = {"zh": "zh", "zh-cn": "zh", "zh_cn": "zh", "中文": "zh",
                             "chinese": "zh", "en": "en", "英文": "en", "english": "en"}

# platform id columns, each unique across all people
PLATFORM_IDS = ("wecom_userid", "dingtalk_staff_id", "wecom_external_userid")


def customers(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    for source in rows:
        row = RowReader(Kind.CUSTOMERS, source, state.plan.errors)
        code, name = row.text("code", True), row.text("name", True)
        if code is not None:
            duplicate(row, "code", code, seen, (), "customer")
        tier = row.get("tier", choice(_TIERS, "tier (A, B or C)"))
        if row.bad or code is None or name is None:
            continue
        known = state.existing.customers.get(code)
        if known is None:
            state.plan.new_customers.append(Customer(code, name, tier or Tier.STANDARD))
        else:
            state.plan.updated_customers.append(replace(known, name=name,
                                                        tier=tier or known.tier))
        state.customers[code] = name


def people(rows: Sequence[SourceRow], state: State) -> None:
    seen: dict[str, int] = {}
    by_name = {name: code for code, name in state.customers.items()}
    accepted: list[tuple[RowReader, Person]] = []
    for source in rows:
        row = RowReader(Kind.PEOPLE, source, state.plan.errors)
        person_id = row.text("id", True)
        if person_id is not None:
            duplicate(row, "id", person_id, seen, (), "person")
        person = _person(row, person_id, state, by_name)
        if person is not None and not row.bad:
            accepted.append((row, person))
    if _unique_platform_ids(accepted, state):
        _plan_people([p for _, p in accepted], state)


def _person(row: RowReader, person_id: str | None, state: State,
            by_name: Mapping[str, str]) -> Person | None:
    """The row as a Person: a new one, or the stored one with the cells given overriding it."""
    name = row.text("name", True)
    role = row.get("role", _role, required=True)
    codes = _customer_codes(row, state.customers, by_name)
    lang = row.get("lang", choice(_LANGS, "lang (zh or en)"))
    work_center = row.text("work_center")
    if work_center is not None and work_center not in state.work_centers:
        row.error(f"unknown work center {work_center!r}", "work_center")
    active = row.get("active", parse_flag)
    if row.bad or person_id is None or name is None or role is None:
        return None
    base = state.existing.people.get(person_id) or Person(person_id, name, role)
    return replace(base, name=name, role=role, customers=codes or base.customers,
                   lang=lang or base.lang, work_center=work_center or base.work_center,
                   active=base.active if active is None else active,
                   wecom_userid=row.text("wecom_userid") or base.wecom_userid,
                   dingtalk_staff_id=row.text("dingtalk_staff_id") or base.dingtalk_staff_id,
                   wecom_external_userid=(row.text("wecom_external_userid")
                                          or base.wecom_external_userid))


def _role(value: object) -> Role:
    text = cell_text(value)
    role = _ROLES.get(text.lower())
    if role is None:
        raise BadCell(f"unknown role {text!r}; use one of {', '.join(Role)}")
    return role


def _customer_codes(row: RowReader, codes: Mapping[str, str],
                    by_name: Mapping[str, str]) -> tuple[str, ...] | None:
    values = row.get("customers", parse_names)
    if values is None:
        return None
    found = tuple(v if v in codes else by_name.get(v, "") for v in values)
    unknown = [v for v, code in zip(values, found, strict=True) if not code]
    if unknown:
        row.error("unknown customer " + ", ".join(repr(v) for v in unknown), "customers")
    return tuple(dict.fromkeys(found))


def _unique_platform_ids(accepted: Sequence[tuple[RowReader, Person]], state: State) -> bool:
    """Every platform id names one person once the file is in: the file's rows override the
    stored people with the same id, so ids may move from one person to another."""
    in_file = {p.id for _, p in accepted}
    ok = True
    for key in PLATFORM_IDS:
        owners = {getattr(p, key): p for p in state.existing.people.values()
                  if p.id not in in_file and getattr(p, key)}
        rows: dict[str, int] = {}
        for row, person in accepted:
            value = getattr(person, key)
            if not value:
                continue
            if value in rows:
                row.error(f"{key} {value!r} is also on row {rows[value]}", key)
                ok = False
            elif value in owners:
                other = owners[value]
                row.error(f"{key} {value!r} is already used by {other.id} ({other.name})", key)
                ok = False
            rows.setdefault(value, row.number)
    return ok


def _plan_people(people: Sequence[Person], state: State) -> None:
    for person in people:
        known = state.existing.people.get(person.id)
        if known is None:
            state.plan.new_people.append(person)
            continue
        if any(getattr(known, k) and getattr(known, k) != getattr(person, k)
               for k in PLATFORM_IDS):
            state.plan.released_people.append(replace(
                known, wecom_userid=None, dingtalk_staff_id=None, wecom_external_userid=None))
        state.plan.updated_people.append(person)
