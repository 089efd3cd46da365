"""Backups, restores and retention.

- SQLite: Python's sqlite3 online backup API copies the database page by page while the bot runs
  (readers and the writer go on; a page written meanwhile is copied again).
- PostgreSQL: `pg_dump --format=custom` (and `pg_restore` back), when the client tools are
  installed (Debian: postgresql-client, the same major version as the server or newer).
- Files are created 0600: a backup holds every contact and message.
- Purge removes what is no longer needed past the retention: sent outbox rows, handled inbox rows
  (the messages people wrote) and the attached files' references of reports on finished
  assignments. The audit log, the reports' statuses and percentages stay: they are the summary.
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, delete, inspect, or_, select, update
from sqlalchemy.engine import make_url

from bot.i18n import N_
from storage.models import DONE, Assignment, AuditLog, Inbox, Outbox, ProgressReport

PRIVATE = 0o600


class BackupError(Exception):
    """A failure the Office can act on: `msgid` is the English sentence, `values` its fields."""

    def __init__(self, msgid: str, **values: object):
        super().__init__(msgid.format(**values))
        self.msgid, self.values = msgid, values


def _create_private(path: Path) -> None:
    """Create `path` empty, readable by its owner only; never overwrite a file."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        raise BackupError(N_("{path} already exists: give a new file name."), path=str(path)) from None
    except OSError as exc:
        raise BackupError(N_("Cannot write {path}: {error}"), path=str(path), error=exc.strerror) from None


def _sqlite_path(url) -> Path | None:
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError(N_("An in-memory database cannot be backed up."))
    return Path(url.database)


def find_tool(name: str) -> str | None:
    """pg_dump / pg_restore on PATH, or in Debian's versioned folders (the newest)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


def _libpq(url) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (it would show in `ps`), and the password as PGPASSWORD."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str, args: list[str], url) -> None:
    tool = find_tool(name)
    if tool is None:
        raise BackupError(N_("{tool} was not found: install the PostgreSQL client tools "
                             "(Debian: postgresql-client) or run it yourself, see the README."), tool=name)
    target, env = _libpq(url)
    done = subprocess.run([tool, *args, "--dbname", target], env=env, capture_output=True, text=True,
                          umask=0o077)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise BackupError(N_("{tool} failed: {error}"), tool=name, error=last)


def backup(database_url: str, dest: Path) -> None:
    url = make_url(database_url)
    source = _sqlite_path(url)
    if source is not None and not source.is_file():
        raise BackupError(N_("There is no database at {path}."), path=str(source))
    _create_private(dest)
    try:
        if source is not None:
            _copy(sqlite3.connect(f"file:{source}?mode=ro", uri=True), dest)
        else:
            _pg_tool("pg_dump", ["--format=custom", "--no-owner", "--no-acl", "--file", str(dest)], url)
    except BaseException:
        dest.unlink(missing_ok=True)  # no half-written backup left behind
        raise


def _copy(src: sqlite3.Connection, dest: Path) -> None:
    """SQLite's online backup of `src` into the file `dest`; closes both."""
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _has_tables(conn) -> bool:
    return bool(inspect(conn).get_table_names())


async def restore(engine, database_url: str, source: Path) -> None:
    """Into an empty database only: a restore never mixes with data already there."""
    if not source.is_file():
        raise BackupError(N_("Cannot read {path}: {error}"), path=str(source), error="not a file")
    async with engine.connect() as conn:
        if await conn.run_sync(_has_tables):
            raise BackupError(N_("The database is not empty: a backup is restored only into an "
                                 "empty database."))
    await engine.dispose()  # nothing of ours holds the database while it is written
    url = make_url(database_url)
    target = _sqlite_path(url)
    if target is not None:
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            src.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise BackupError(N_("{path} is not a backup of this bot's database."), path=str(source)) from None
        _copy(src, target)
        os.chmod(target, PRIVATE)
    else:
        _pg_tool("pg_restore", ["--no-owner", "--no-acl", "--exit-on-error", str(source)], url)


def parse_age(text: str) -> timedelta:
    """`400d` → 400 days (days only: retention is counted in days)."""
    value = text.strip().lower()
    if not (value.endswith("d") and value[:-1].isdigit() and int(value[:-1]) > 0):
        raise BackupError(N_("--older-than must be a number of days such as 400d, got «{value}»."),
                          value=text)
    return timedelta(days=int(value[:-1]))


@dataclass
class Purged:
    outbox: int = 0
    inbox: int = 0
    evidence: int = 0


async def purge(session, now: datetime, older_than: timedelta) -> Purged:
    cutoff = now - older_than
    result = Purged()
    old_inbox = select(Inbox.id).where(Inbox.handled_at.is_not(None), Inbox.received_at < cutoff)
    # The audit trail and the reports stay; they only lose the link to the message text.
    for table in (ProgressReport, AuditLog):
        await session.execute(update(table).where(table.inbox_id.in_(old_inbox)).values(inbox_id=None))
    result.inbox = (await session.execute(delete(Inbox).where(Inbox.id.in_(old_inbox)))).rowcount
    result.outbox = (await session.execute(delete(Outbox).where(
        Outbox.status == "sent", or_(Outbox.sent_at < cutoff,
                                     and_(Outbox.sent_at.is_(None), Outbox.created_at < cutoff))))).rowcount
    finished = select(Assignment.id).where(Assignment.status == DONE, Assignment.done_at < cutoff)
    reports = (await session.scalars(select(ProgressReport).where(
        ProgressReport.assignment_id.in_(finished), ProgressReport.created_at < cutoff)))
    for report in reports:
        if report.evidence:
            report.evidence = []
            result.evidence += 1
    await session.commit()
    return result
