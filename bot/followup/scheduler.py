"""APScheduler 3 fires periodic, in-memory ticks only. What is due lives in the database:
the planner computes it from there at every tick and the outbox remembers what was queued,
so there is never one job per reminder, nor a shared job store to keep in step."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

PLAN_EVERY_SECONDS = 60
DISPATCH_EVERY_SECONDS = 3
RECOVER_EVERY_SECONDS = 30


def start_scheduler(app) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)

    async def plan_tick():
        try:
            result = await app.plan()
            if result.total:
                log.info("queued %s reminders, %s weekly nudges, %s digests",
                         result.reminders, result.weekly, result.digest)
        except Exception:
            log.exception("planning tick failed")

    async def dispatch_tick():
        try:
            await app.dispatch()
        except Exception:
            log.exception("dispatch tick failed")

    async def recover_tick():  # stored updates never handled (a crash, a database fault)
        await app.recover()

    now = datetime.now(timezone.utc)
    # next_run_time=now: the first tick runs at start, so what fell due while down goes out.
    scheduler.add_job(plan_tick, "interval", seconds=PLAN_EVERY_SECONDS, next_run_time=now,
                      max_instances=1, coalesce=True, id="plan")
    scheduler.add_job(dispatch_tick, "interval", seconds=DISPATCH_EVERY_SECONDS,
                      next_run_time=now, max_instances=1, coalesce=True, id="dispatch")
    scheduler.add_job(recover_tick, "interval", seconds=RECOVER_EVERY_SECONDS,
                      max_instances=1, coalesce=True, id="recover")
    scheduler.start()
    return scheduler
