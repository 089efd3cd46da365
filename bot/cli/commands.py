"""What each `nhacviec` command does. Output speaks the Office's language (NHACVIEC_LOCALE)."""
from __future__ import annotations

import json
import sys
from collections import OrderedDict
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.config import Settings
from bot.dates.timeutil import fmt_date, quiet_until, utcnow
from bot.directory.registry import (
    RegistryError,
    add_unit,
    add_units,
    all_units,
    create_invite,
    invite_link,
    unit_entries,
)
from bot.i18n import t
from bot.reports import status as views
from bot.tasks.store import DuplicateDocument, NewDocument, NewTask, queue_new_task_notices, store
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Outbox

TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm"}


class CommandError(Exception):
    def __init__(self, msgid: str, **values: object):
        super().__init__(msgid.format(**values))
        self.msgid = msgid
        self.values = values


@asynccontextmanager
async def database(settings: Settings):
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def _say(settings: Settings, msgid: str, /, **values) -> None:
    print(t(settings.default_locale, msgid, **values))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError("File not found: {path}", path=str(path)) from None
    except OSError as exc:
        raise CommandError("Cannot read {path}: {error}", path=str(path), error=exc.strerror) from None


async def migrate(settings: Settings, args) -> int:
    async with database(settings):
        pass
    _say(settings, "The database is up to date.")
    return 0


async def health(settings: Settings, args) -> int:
    """Looks only: never migrates (a database behind the latest migration is a failure)."""
    from bot.ops.health import check

    report = await check(settings, offline=args.offline)
    if report.problem is not None:
        print(t(settings.default_locale, report.problem.msgid, **report.problem.values), file=sys.stderr)
        return 1
    lang = settings.default_locale
    if args.offline:
        channels = t(lang, "channels not checked (--offline)")
    elif report.channels:
        channels = ", ".join(f"{name} @{who}" if name == "Telegram" else f"{name} {who}"
                             for name, who in report.channels.items())
    else:
        channels = t(lang, "no channel configured")
    _say(settings, "Healthy: database at migration {revision}; {channels}.", revision=report.revision,
         channels=channels)
    return 0


def _ops_error(exc) -> CommandError:
    return CommandError(exc.msgid, **exc.values)


async def backup(settings: Settings, args) -> int:
    from bot.ops.backup import BackupError
    from bot.ops.backup import backup as copy

    try:
        copy(settings.database_url, Path(args.file))
    except BackupError as exc:
        raise _ops_error(exc) from None
    _say(settings, "Backup written to {path}.", path=args.file)
    return 0


async def restore(settings: Settings, args) -> int:
    from bot.ops.backup import BackupError
    from bot.ops.backup import restore as put_back

    engine = make_engine(settings.database_url)  # not database(): that would create the tables
    try:
        await put_back(engine, settings.database_url, Path(args.file))
    except BackupError as exc:
        raise _ops_error(exc) from None
    finally:
        await engine.dispose()
    _say(settings, "Restored from {path}.", path=args.file)
    return 0


async def purge(settings: Settings, args, now: datetime | None = None) -> int:
    from bot.ops.backup import BackupError, parse_age
    from bot.ops.backup import purge as remove

    try:
        age = parse_age(args.older_than)
    except BackupError as exc:
        raise _ops_error(exc) from None
    async with database(settings) as sm, sm() as session:
        done = await remove(session, now or utcnow(), age)
    _say(settings, "Removed {outbox} sent messages, {inbox} handled incoming messages and the files "
                   "of {evidence} reports older than {days} days; the audit trail is kept.",
         outbox=done.outbox, inbox=done.inbox, evidence=done.evidence, days=age.days)
    return 0


async def invite(settings: Settings, args) -> int:
    async with database(settings) as sm, sm() as session:
        try:
            inv = await create_invite(session, args.role, args.unit, utcnow(), settings.invite_ttl_days)
        except RegistryError as exc:
            raise CommandError(exc.msgid, **exc.values) from None
        await session.commit()
    link = invite_link(settings.bot_username, inv.code)
    if args.json:
        print(json.dumps({"code": inv.code, "link": link}, ensure_ascii=False))
    else:
        _say(settings, "Invite code: {code}", code=inv.code)
        _say(settings, "Link: {link}", link=link)
        _say(settings, "Or send the bot: /start {code} — valid until {date}, for one person.",
             code=inv.code, date=fmt_date(inv.expires_at.astimezone(settings.tz).date()))
    return 0


UNIT_BATCH = 500  # units per transaction: the write lock is held for a moment only


async def units(settings: Settings, args) -> int:
    from bot.tasks.table import TaskTableError, read_units_csv

    now = utcnow()
    async with database(settings) as sm, sm() as session:
        if args.units_command == "list":
            for unit in await all_units(session):
                extra = ", ".join(unit.aliases or [])
                members = ", ".join(m.name for m in unit.members)
                line = f"{unit.name}  [{unit.kind}]"
                if extra:
                    line += f"  — {extra}"
                if members:
                    line += f"  ⊃ {members}"
                print(line)
            return 0
        try:
            if args.units_command == "add":
                unit = await add_unit(session, args.name, now, args.alias, args.kind, args.member)
                await session.commit()
                _say(settings, "Added unit «{name}».", name=unit.name)
                return 0
            try:
                rows = read_units_csv(_read(Path(args.file)), Path(args.file).name)
            except TaskTableError as exc:
                raise CommandError(exc.message(settings.default_locale).replace("{", "{{").replace("}", "}}")) from None
            def progress(done: int, total: int) -> None:
                if total > UNIT_BATCH:  # a long import shows that it moves
                    _say(settings, "Stored {done} of {total} units…", done=done, total=total)

            count = await add_units(session, rows, now, batch=UNIT_BATCH, progress=progress)
            _say(settings, "Added {count} units.", count=count)
            return 0
        except RegistryError as exc:
            await session.rollback()
            raise CommandError(exc.msgid, **exc.values) from None


def _confirm(settings: Settings, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        _say(settings, "Nothing stored. Run again with --yes to store without being asked.")
        return False
    answer = input(t(settings.default_locale, "Store these tasks? [y/N] ")).strip().lower()
    return answer in {"y", "yes", "c", "co", "có"}


async def import_file(settings: Settings, args, now: datetime | None = None) -> int:
    """`now`: when the tasks are given (the demo's simulated clock); the real time otherwise."""
    path = Path(args.file)
    data = _read(path)
    now = now or utcnow()
    if path.suffix.lower() in TABLE_SUFFIXES:
        return await _import_table(settings, path, data, args.yes, now)
    return await _import_notice(settings, path, data, args.yes, now)


# All or nothing in one transaction, so bounded: the bot waits for the write lock meanwhile.
MAX_TASKS_PER_IMPORT = 5_000


async def _import_table(settings: Settings, path: Path, data: bytes, yes: bool,
                        now: datetime) -> int:
    from bot.tasks.table import TaskTableError, read_task_table

    lang = settings.default_locale
    today = now.astimezone(settings.tz).date()
    async with database(settings) as sm, sm() as session:
        units = await all_units(session)
        by_name = {u.name: u for u in units}
        try:
            # The one unit matcher, as for notices and /status (collectives come as members).
            table = read_task_table(data, path.name, unit_entries(units), today)
        except TaskTableError as exc:
            print(exc.message(lang), file=sys.stderr)
            return 1
        if table.errors:
            for error in table.errors:
                print(error.message(lang), file=sys.stderr)
            _say(settings, "Nothing was stored: correct the rows above and import again.")
            return 1
        if not table.rows:
            raise CommandError("The table has no tasks.")
        # Rows sharing a row number are one task (several units in one cell).
        grouped: OrderedDict[int, NewTask] = OrderedDict()
        for row in table.rows:
            task = grouped.get(row.row_number)
            if task is None:
                task = grouped[row.row_number] = NewTask(
                    text=row.task, lead=[], deadline=row.deadline,
                    deadline_text=row.deadline_text, recurrence=row.recurrence,
                    section=row.section)
            (task.coordinate if row.role == "coordinate" else task.lead).append(by_name[row.unit].id)
        tasks = list(grouped.values())
        if len(tasks) > MAX_TASKS_PER_IMPORT:
            raise CommandError("The table has {count} tasks; at most {limit} are imported at once, "
                               "so nothing was stored. Please split it into smaller tables.",
                               count=len(tasks), limit=MAX_TASKS_PER_IMPORT)
        _say(settings, "{tasks} tasks for {units} units from {file}.", tasks=len(tasks),
             units=len({u for task in tasks for u in task.lead + task.coordinate}), file=path.name)
        if not _confirm(settings, yes):
            return 1
        return await _store_and_tell(settings, session, None, tasks, now)


async def _store_and_tell(settings: Settings, session, doc: NewDocument | None,
                          tasks: list[NewTask], now: datetime) -> int:
    """Store the tasks, queue each unit's notice of its new tasks, commit, say what was done."""
    try:
        stored = await store(session, doc, tasks, now)
    except DuplicateDocument as exc:
        raise CommandError("This notice ({number}) has already been imported.",
                           number=exc.document.number or exc.document.source) from None
    quiet = settings.reminders  # the units are told after the quiet hours if it is night now
    notices = await queue_new_task_notices(session, stored.assignments, now, quiet_until(
        now, settings.tz, quiet.quiet_start, quiet.quiet_end))
    await session.commit()
    _say(settings, "Stored {tasks} tasks ({assignments} assignments); {notices} messages queued "
                   "for the units.", tasks=len(stored.tasks), assignments=len(stored.assignments),
         notices=notices)
    return 0


def _read_notice(settings: Settings, path: Path, data: bytes):
    from bot.notices import NoticeReadError, parse_notice, read_document

    try:
        text = read_document(data, path.name)
        return text, parse_notice(text)
    except NoticeReadError as exc:
        raise CommandError(exc.message(settings.default_locale).replace("{", "{{").replace("}", "}}")) from None


def parse(settings: Settings, path: Path, as_json: bool, explain: bool = False) -> int:
    try:
        _, notice = _read_notice(settings, path, _read(path))
    except CommandError as exc:
        print(t(settings.default_locale, exc.msgid, **exc.values), file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(notice.to_json(), ensure_ascii=False, indent=2))
        return 0
    if explain:
        from bot.notices.explain import render_explanation

        print(render_explanation(notice, settings.default_locale))
        return 0
    from bot.notices.review import render_summary, render_tasks

    print(render_summary(notice, settings.default_locale))
    print()
    print(render_tasks(notice, settings.default_locale))
    return 0


async def _import_notice(settings: Settings, path: Path, data: bytes, yes: bool,
                         now: datetime) -> int:
    from bot.notices.review import plan_import, render_summary

    lang = settings.default_locale
    text, notice = _read_notice(settings, path, data)
    async with database(settings) as sm, sm() as session:
        units = await all_units(session)
        plan = plan_import(notice, units)
        print(render_summary(notice, lang, plan))
        if plan.unknown:
            _say(settings, "Nothing was stored: these units are not in the directory. Add them "
                           "(nhacviec units add NAME, or as an alias of a known unit) and import again:")
            for name in plan.unknown:
                print(f"  - {name}")
            return 1
        if not plan.tasks:
            raise CommandError("No directives were found in this document.")
        if not _confirm(settings, yes):
            return 1
        return await _store_and_tell(settings, session, plan.document(source=path.name, content=text),
                                     plan.tasks, now)


def _local_instant(settings: Settings, text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=settings.tz)
    except ValueError:
        raise CommandError("--at must look like \"2026-11-30 08:00\" (local time).") from None


def _describe(row: Outbox) -> str:
    first = row.text.split("\n", 1)[0]
    return f"{row.channel}:{row.chat_id} [{row.kind}] {first}"


async def remind(settings: Settings, args) -> int:
    now = _local_instant(settings, args.at)
    from bot.app import App  # after the argument check: it loads the platform libraries

    app = App(settings)
    try:
        await app.migrate()
        if args.dry_run:
            async with app.sessionmaker() as session:
                from bot.followup.reminders import queue_reminders, queue_weekly
                from bot.reports.digest import queue_digest

                policy, tz = settings.reminders, settings.tz
                await queue_reminders(session, now, policy, app.calendar, tz)
                await queue_weekly(session, now, policy, app.calendar, tz)
                await queue_digest(session, now, settings, app.calendar)
                rows = (await session.scalars(select(Outbox).where(
                    Outbox.status == "pending", Outbox.due_at <= now).order_by(Outbox.id))).all()
                for row in rows:
                    print(t(settings.default_locale, "would send: {what}", what=_describe(row)))
                _say(settings, "{count} messages would be sent (dry run: nothing stored).",
                     count=len(rows))
                await session.rollback()
            return 0
        if not app.channels:
            raise CommandError("No channel is configured: set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN "
                               "(or use --dry-run).")
        await app.plan(now)
        async with app.sessionmaker() as session:
            ready = (await session.scalars(select(Outbox.id).where(
                Outbox.status == "pending", Outbox.due_at <= now))).all()
        await app.dispatcher.run_once(now)
        async with app.sessionmaker() as session:
            sent = (await session.scalars(select(Outbox).where(
                Outbox.id.in_(ready), Outbox.status == "sent").order_by(Outbox.id))).all() if ready else []
        for row in sent:
            print(t(settings.default_locale, "sent: {what}", what=_describe(row)))
        _say(settings, "{count} messages sent.", count=len(sent))
        return 0
    finally:
        await app.close()  # closes each channel's HTTP session too (Channel.aclose)


async def status(settings: Settings, args) -> int:
    from bot.reports.queries import load_rows

    now = utcnow()
    async with database(settings) as sm, sm() as session:
        summary = views.summarize(await load_rows(session), now, settings.tz)
    if args.json:
        print(json.dumps(views.status_json(summary), ensure_ascii=False, indent=2))
    else:
        print(views.render_status(summary, settings.default_locale, settings.tz))
    return 0


async def report(settings: Settings, args) -> int:
    from bot.reports.queries import load_rows
    from bot.reports.xlsx import write_report

    path = Path(args.file)
    if path.suffix.lower() != ".xlsx":
        raise CommandError("The report is an Excel file: give a name ending in .xlsx.")
    now = utcnow()
    async with database(settings) as sm, sm() as session:
        summary = views.summarize(await load_rows(session), now, settings.tz)
    try:
        write_report(summary, path, settings.default_locale, settings.tz)
    except OSError as exc:
        raise CommandError("Cannot write {path}: {error}", path=str(path), error=exc.strerror) from None
    _say(settings, "Report written to {path} ({count} assignments).", path=str(path),
         count=summary.total)
    return 0


async def meeting(settings: Settings, args) -> int:
    from bot.dates.timeutil import parse_day
    from bot.reports.digest import MEETING_KEY
    from storage import kv

    today = utcnow().astimezone(settings.tz).date()
    try:
        day = parse_day(args.date, today)
    except ValueError:
        raise CommandError("I could not read the date «{text}». Please write it as DD/MM or DD/MM/YYYY.",
                           text=args.date) from None
    async with database(settings) as sm, sm() as session:
        await kv.put(session, MEETING_KEY, day.isoformat())
        await session.commit()
    _say(settings, "Next meeting set to {date}.", date=fmt_date(day))
    return 0


def intent(stdin, stdout) -> int:
    from zoneinfo import ZoneInfo

    from bot.config import load_settings
    from bot.replies import intent_lines

    today = utcnow().astimezone(ZoneInfo(load_settings().timezone)).date()
    for line in intent_lines((line.rstrip("\n") for line in stdin), today):
        stdout.write(line + "\n")
    return 0
