"""`GET /metrics` (Prometheus text, prometheus-client) and `GET /healthz`, on the webhook server.

The counts come from the database at each scrape, so they survive restarts and agree with what
`nhacviec status` sees: updates received and handled (inbox), outbox rows by status, the age of the
oldest row waiting to be sent. What only the running process knows is counted here: 429 answers
and the time of the last planning pass (the composition root reports both).
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select, text

from storage.models import Inbox, Outbox

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "expired", "dropped")


class Metrics:
    def __init__(self, sessionmaker, clock: Callable[[], datetime]):
        self.sessionmaker, self.clock = sessionmaker, clock
        self.registry = registry = CollectorRegistry()
        self.updates_received = Gauge("nhacviec_updates_received", "Updates stored in the inbox",
                                      registry=registry)
        self.updates_handled = Gauge("nhacviec_updates_handled", "Inbox updates handled",
                                     registry=registry)
        self.outbox = Gauge("nhacviec_outbox_messages", "Outbox rows by status", ["status"],
                            registry=registry)
        self.oldest_pending = Gauge("nhacviec_outbox_oldest_pending_age_seconds",
                                    "How long the oldest due, unsent outbox row has waited",
                                    registry=registry)
        self.rate_limited = Counter("nhacviec_rate_limited", "429 answers from the platforms "
                                    "since start", registry=registry)
        self.last_plan = Gauge("nhacviec_last_planning_pass_timestamp_seconds",
                               "When the last planning pass finished (Unix time; 0: none yet)",
                               registry=registry)

    # -- what the running process reports --

    def planned(self, at: datetime) -> None:
        self.last_plan.set(at.timestamp())

    def dispatched(self, result) -> None:
        if result.rate_limited:
            self.rate_limited.inc(result.rate_limited)

    # -- what the database says, at each scrape --

    async def refresh(self) -> None:
        now = self.clock()
        async with self.sessionmaker() as session:
            received, handled = (await session.execute(select(
                func.count(Inbox.id), func.count(Inbox.handled_at)))).one()
            by_status = dict((await session.execute(
                select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status))).all())
            oldest = await session.scalar(select(func.min(Outbox.due_at)).where(
                Outbox.status == "pending", Outbox.due_at <= now))
        self.updates_received.set(received)
        self.updates_handled.set(handled)
        for status in {*OUTBOX_STATUSES, *by_status}:
            self.outbox.labels(status=status).set(by_status.get(status, 0))
        if isinstance(oldest, str):  # SQLite hands back text for a MIN() over the UTC type
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        self.oldest_pending.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)

    async def render(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)

    # -- the HTTP side --

    async def _metrics(self, request: web.Request) -> web.Response:
        body = await self.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        """200 while the database answers; the platforms are not asked at every probe."""
        try:
            async with self.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any driver's error
            return web.json_response({"status": "error", "database": type(exc).__name__}, status=503)
        return web.json_response({"status": "ok"})

    def mount(self, app: web.Application) -> None:
        """Add the two routes to a webhook server's aiohttp app (the channels call this)."""
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
