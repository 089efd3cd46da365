"""Is the bot fit to run? The database answers and is at the latest migration, and (unless offline)
each configured channel's token is accepted by its platform (getMe).

`check()` returns the first problem as a translatable sentence, or None; `nhacviec health` prints
it on one line and exits non-zero, and the container's HEALTHCHECK runs that command.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.config import Settings
from bot.i18n import N_
from storage.db import make_engine
from storage.migrate import alembic_config

NETWORK_TIMEOUT = 10.0  # seconds for each platform's getMe


@dataclass
class Problem:
    msgid: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class Report:
    problem: Problem | None = None
    revision: str | None = None
    channels: dict[str, str] = field(default_factory=dict)  # channel → the bot's name there


def head_revision() -> str:
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


async def database_problem(engine) -> tuple[Problem | None, str | None]:
    """(problem, current revision): the database answers and is at the latest migration."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision())
    except Exception as exc:  # noqa: BLE001 - any driver's error means "not reachable"
        return Problem(N_("The database cannot be reached: {error}"),
                       {"error": _one_line(f"{type(exc).__name__}: {exc}")}), None
    head = head_revision()
    if current != head:
        return Problem(N_("The database is at migration {current}, not the latest {head}: run "
                          "`nhacviec migrate`."), {"current": current or "—", "head": head}), current
    return None, current


async def _get_me(client: httpx.AsyncClient, channel: str, url: str, token: str) -> tuple[Problem | None, str]:
    try:
        # Telegram accepts GET and POST; the Zalo Bot Platform only POST.
        response = await client.post(url, json={})
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        return Problem(N_("{channel} cannot be reached: {error}"),
                       {"channel": channel, "error": type(exc).__name__}), ""
    if not (isinstance(body, dict) and body.get("ok") is True and response.status_code < 400):
        description = body.get("description") if isinstance(body, dict) else None
        detail = str(description or response.reason_phrase or response.status_code).replace(token, "<token>")
        return Problem(N_("{channel} refuses the bot's token: {error}"),
                       {"channel": channel, "error": _one_line(detail)}), ""
    me = body.get("result") or {}
    name = me.get("username") or me.get("account_name") or me.get("name") or me.get("id") or ""
    return None, str(name)


async def channel_problems(settings: Settings) -> tuple[Problem | None, dict[str, str]]:
    names: dict[str, str] = {}
    checks = []
    if settings.telegram_token:
        checks.append(("Telegram", f"{settings.telegram_api_base_url}/bot{settings.telegram_token}/getMe",
                       settings.telegram_token))
    if settings.zalo_token:
        checks.append(("Zalo", f"{settings.zalo_api_base_url}/bot{settings.zalo_token}/getMe",
                       settings.zalo_token))
    async with httpx.AsyncClient(timeout=NETWORK_TIMEOUT) as client:
        for channel, url, token in checks:
            problem, name = await _get_me(client, channel, url, token)
            if problem is not None:
                return problem, names
            names[channel] = name
    return None, names


async def check(settings: Settings, offline: bool = False) -> Report:
    engine = make_engine(settings.database_url)
    try:
        problem, revision = await database_problem(engine)
    finally:
        await engine.dispose()
    report = Report(problem=problem, revision=revision)
    if problem is None and not offline:
        report.problem, report.channels = await channel_problems(settings)
    return report


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
