"""Files and photos sent as evidence: kept with the report they belong to.

A file sent with a caption belongs to the report in the caption; a file sent alone belongs to
the sender's report of the last 30 minutes, or, failing that, waits for their next report."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import PurePath

from sqlalchemy import bindparam, select, update

from bot.channels.base import Attachment
from bot.i18n import N_, t
from handlers.context import Ctx
from storage.models import ProgressReport

WINDOW = timedelta(minutes=30)
ALLOWED_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".jpg", ".jpeg",
                    ".png", ".zip", ".rar"}
ALLOWED_MIME_PREFIXES = ("image/", "application/pdf", "application/msword",
                         "application/vnd.openxmlformats-officedocument",
                         "application/vnd.ms-excel", "application/vnd.oasis.opendocument",
                         "application/zip", "application/x-rar")
PENDING = "evidence_pending"


def too_large(att: Attachment, max_mb: int) -> bool:
    """Larger than NHACVIEC_MAX_FILE_MB, by the size the platform gives in the update."""
    return att.size is not None and att.size > max_mb * 1024 * 1024


def problem(att: Attachment, max_mb: int = 20) -> str | None:
    """The msgid of what is wrong with a file, or None when it may be kept."""
    if too_large(att, max_mb):
        return N_("The file is larger than {mb} MB: please send a smaller file or a link.")
    if att.kind == "photo":
        return None
    suffix = PurePath(att.file_name or "").suffix.lower()
    if suffix in ALLOWED_SUFFIXES or (att.mime_type or "").startswith(ALLOWED_MIME_PREFIXES):
        return None
    return N_("This kind of file is not accepted: send PDF, Word, Excel or a photo.")


def record_of(att: Attachment, channel: str, inbox_id: int) -> dict:
    return {"kind": att.kind, "file_id": att.file_id, "file_name": att.file_name,
            "mime_type": att.mime_type, "size": att.size, "channel": channel, "inbox_id": inbox_id}


def describe(evidence: list[dict], lang: str) -> str:
    return ", ".join(e.get("file_name") or t(lang, "photo") for e in evidence)


_REPORTS = ProgressReport.__table__
_SET_EVIDENCE = (update(_REPORTS).where(_REPORTS.c.id == bindparam("report_id"))
                 .values(evidence=bindparam("items")))


async def _attach(report: ProgressReport, items: list[dict]) -> None:
    report.evidence = [*(report.evidence or []), *items]


async def with_report(ctx: Ctx) -> None:
    """After the text of a message was handled: give its file, and files waiting, to its reports."""
    assert ctx.contact is not None  # route() lets only registered contacts here
    reports = ctx.recorded
    if not reports:
        return
    items = []
    if (ctx.msg.attachment is not None
            and problem(ctx.msg.attachment, ctx.settings.max_file_mb) is None):
        items.append(record_of(ctx.msg.attachment, ctx.msg.channel, ctx.inbox_id))
    # Files that came first wait on the contact row (already loaded: no query on the hot path).
    waiting = ctx.contact.pending_files or []
    items += [item for item in waiting
              if datetime.fromisoformat(item["received_at"]) > ctx.now - WINDOW]
    if waiting:
        ctx.contact.pending_files = []
    if items:
        for report_id in reports:  # made by this message, so without evidence until now
            await ctx.session.execute(_SET_EVIDENCE, {"report_id": report_id, "items": items})
        ctx.say(ctx.tr("Kept with the report: {files}.", files=describe(items, ctx.lang)))


async def alone(ctx: Ctx) -> None:
    """A file without words: attach it to the sender's recent report, or keep it waiting."""
    assert ctx.contact is not None  # route() lets only registered contacts here
    att = ctx.msg.attachment
    assert att is not None  # _handle_text() calls this only for a file
    wrong = problem(att, ctx.settings.max_file_mb)
    if wrong:
        ctx.outcome = "evidence_refused"
        ctx.say(ctx.tr(wrong, mb=ctx.settings.max_file_mb))
        return
    recent = await ctx.session.scalar(select(ProgressReport).where(
        ProgressReport.contact_id == ctx.contact.id,
        ProgressReport.created_at > ctx.now - WINDOW).order_by(ProgressReport.id.desc()).limit(1))
    if recent is None:
        ctx.outcome = PENDING
        item = {**record_of(att, ctx.msg.channel, ctx.inbox_id), "received_at": ctx.now.isoformat()}
        ctx.contact.pending_files = [*(ctx.contact.pending_files or []), item]
        ctx.say(ctx.tr("File received. Now tell me which task it is for and how it stands, "
                       "e.g. \"#17 xong\": the file will be kept with that report."))
        return
    await _attach(recent, [record_of(att, ctx.msg.channel, ctx.inbox_id)])
    ctx.outcome = "evidence_attached"
    ctx.say(ctx.tr("Kept with your report on task #{code}: {files}.", code=recent.assignment_id,
                   files=describe([record_of(att, ctx.msg.channel, ctx.inbox_id)], ctx.lang)))
