"""Demo factories scaled up for benchmarks: the seeded demo plus cloned open orders."""

from __future__ import annotations

import copy
import random
from datetime import date, datetime, timedelta

from core.model.work_order import OrderStatus
from storage.seed import seed_demo
from storage.uow import SqlUnitOfWorkFactory


async def seeded_with_orders(
    uow_factory: SqlUnitOfWorkFactory, today: date, now: datetime, open_orders: int, seed: int = 7
) -> int:
    """Seed the demo, then clone released orders up to `open_orders`.

    Clones get fresh refs and spread due dates.
    """
    await seed_demo(uow_factory, today, now)
    rng = random.Random(seed)
    async with uow_factory() as uow:
        existing = await uow.orders.list(open_only=True)
        templates = [o for o in existing if o.status is OrderStatus.RELEASED]
        count = len(existing)
        n = 0
        while count < open_orders:
            clone = copy.deepcopy(rng.choice(templates))
            n += 1
            clone.ref = f"SO-X{n:05d}"
            clone.due_date = today + timedelta(days=rng.randint(3, 60))
            clone.version = 1
            clone.events.clear()
            await uow.orders.add(clone)
            count += 1
        await uow.commit()
        return count
