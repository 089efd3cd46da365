"""The `nhacviec` command line: the Office's tools, and `run` for the bot itself."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.i18n import t


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nhacviec", description=(
        "Nhắc việc — theo dõi, đôn đốc nhiệm vụ qua Telegram và Zalo / follows up directives in chat."))
    p.add_argument("--debug", action="store_true",
                   help="on an error, show the whole traceback instead of one line")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="run the bot on every configured channel")
    sub.add_parser("demo", help="tell the whole story offline on a temporary database")
    sub.add_parser("migrate", help="bring the database to the latest schema")
    health = sub.add_parser("health", help="exit 0 if the database and the channels' tokens are fine")
    health.add_argument("--offline", action="store_true", help="skip asking the platforms (getMe)")
    bak = sub.add_parser("backup", help="copy the database to FILE (SQLite backup API, or pg_dump)")
    bak.add_argument("file")
    res = sub.add_parser("restore", help="restore FILE into an empty database")
    res.add_argument("file")
    pur = sub.add_parser("purge", help="remove sent, handled and finished data older than the retention")
    pur.add_argument("--older-than", required=True, metavar="DAYS", help="e.g. 400d")

    inv = sub.add_parser("invite", help="create a one-time invite code")
    inv.add_argument("unit", nargs="?", help="the unit (needed for officers)")
    inv.add_argument("--role", choices=["officer", "leader", "admin"], default="officer")
    inv.add_argument("--json", action="store_true")

    units = sub.add_parser("units", help="the unit directory")
    usub = units.add_subparsers(dest="units_command", required=True)
    add = usub.add_parser("add", help="add a unit")
    add.add_argument("name")
    add.add_argument("--alias", action="append", default=[])
    add.add_argument("--kind", default="department",
                     choices=["department", "office", "agency", "center", "council", "commune",
                              "ward", "town", "collective", "other"])
    add.add_argument("--member", action="append", default=[], help="member unit of a collective")
    usub.add_parser("list", help="list the units")
    uimp = usub.add_parser("import", help="load units from a CSV file")
    uimp.add_argument("file")

    imp = sub.add_parser("import", help="load tasks from a task table (CSV/XLSX) or a notice")
    imp.add_argument("file")
    imp.add_argument("--yes", action="store_true", help="store without asking")

    parse = sub.add_parser("parse", help="show what a notice says, storing nothing")
    parse.add_argument("file")
    parse.add_argument("--json", action="store_true")
    parse.add_argument("--explain", action="store_true",
                       help="for each task, the rule that found it and why its units and deadline were chosen")

    rem = sub.add_parser("remind", help="one planning and sending pass as if it were --at")
    rem.add_argument("--at", required=True, help='local time "YYYY-MM-DD HH:MM"')
    rem.add_argument("--dry-run", action="store_true")

    st = sub.add_parser("status", help="the overall picture")
    st.add_argument("--json", action="store_true")

    rep = sub.add_parser("report", help="the consolidated report as an Excel workbook")
    rep.add_argument("file", help="where to write it, e.g. bao-cao.xlsx")

    sub.add_parser("intent", help="classify replies: one per line on stdin, JSON lines out")

    meet = sub.add_parser("meeting", help="set the date of the next monthly meeting")
    meet.add_argument("date", help="DD/MM/YYYY")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(t("vi", "Configuration error: {error}", error=str(exc)), file=sys.stderr)
        return 2
    from bot.ops.logs import setup_logging

    # The other commands print their own results; their log speaks only of trouble.
    level = settings.log_level if args.command == "run" else max(settings.log_level, "WARNING",
                                                                 key=logging.getLevelName)
    setup_logging(level, settings.log_format, secrets=[
        settings.telegram_token, settings.zalo_token, settings.telegram_webhook_secret,
        settings.zalo_webhook_secret])
    try:
        return _dispatch(settings, args)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # one line for people; the traceback with --debug
        if args.debug:
            raise
        print(_one_line(settings, exc), file=sys.stderr)
        return 1


def _one_line(settings, exc: Exception) -> str:
    """What went wrong, in one line of the command line's language, without any password."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.engine import make_url

    lang = settings.default_locale
    detail = " ".join(str(exc).split())[:300]
    try:
        url = make_url(settings.database_url).render_as_string(hide_password=True)
    except Exception:  # not even a URL
        url = settings.database_url.split("@")[-1]
    else:
        detail = detail.replace(settings.database_url, url)
    hint = t(lang, "(run again with --debug for the details)")
    if isinstance(exc, (sa_exc.ArgumentError, sa_exc.NoSuchModuleError)):
        return t(lang, "NHACVIEC_DATABASE_URL is not a database address this bot can use: "
                       "{url}. Example: sqlite+aiosqlite:///nhacviec.db", url=url)
    if isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror, sa_exc.OperationalError,
                        sa_exc.InterfaceError)):
        return t(lang, "Cannot use the database {url}: {error} {hint}", url=url, error=detail,
                 hint=hint)
    return t(lang, "Error: {kind}: {error} {hint}", kind=type(exc).__name__, error=detail,
             hint=hint)


def _dispatch(settings, args) -> int:
    from bot.cli import commands  # the implementations; imported late so --help stays fast

    if args.command == "demo":
        from bot.demo.story import run_demo
        return run_demo()
    if args.command == "intent":
        return commands.intent(sys.stdin, sys.stdout)
    if args.command == "parse":
        return commands.parse(settings, Path(args.file), args.json, args.explain)
    if args.command == "run":
        return _run(settings)
    handler = {
        "migrate": commands.migrate, "invite": commands.invite, "units": commands.units,
        "import": commands.import_file, "remind": commands.remind, "status": commands.status,
        "meeting": commands.meeting, "report": commands.report, "health": commands.health,
        "backup": commands.backup, "restore": commands.restore, "purge": commands.purge,
    }[args.command]
    try:
        return asyncio.run(handler(settings, args))
    except commands.CommandError as exc:
        print(t(settings.default_locale, exc.msgid, **exc.values), file=sys.stderr)
        return 1


def _run(settings) -> int:
    from bot.app import App, ChannelStopped, NoChannel

    async def go() -> None:
        app = App(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await app.run(stop)

    try:
        asyncio.run(go())
    except ChannelStopped as exc:
        print(f"channel stopped receiving: {exc} (see the log); exiting so that the supervisor "
              "restarts the bot", file=sys.stderr)
        return 1
    except NoChannel as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0
