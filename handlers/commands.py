"""The one command registry. Each command is declared once — name, aliases, whom it is for, its
arguments and a description — and everything else is made from the declaration: /help for each
role, Telegram's command menu, the words Zalo takes as commands without the slash, and the
router's dispatch.

`action` is the right a command needs, one of bot/directory/roles.py's actions (None: anyone
registered); /help lists a command to whoever `may` do its action, so who sees what follows the
one table of rights (RIGHTS) and is never a second list of roles here. The handlers still check
the rights themselves (a leader may ask /meeting for the date, only the Office may set it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from bot.channels.base import CommandInfo
from bot.directory.roles import Action, HasRole, may
from bot.i18n import N_, t
from handlers import admin, extensions, progress, start, status, taskinfo, tasks
from handlers.context import Ctx

Handler = Callable[[Ctx], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str  # what follows the slash: lower-case letters (Telegram's rule for a menu)
    handler: Handler
    action: Action | None  # the right it needs (bot/directory/roles.py); None: anyone registered
    description: str  # msgid: what it does
    usage: str = ""  # its arguments as shown ("N", "DD/MM"), a msgid when it has words
    aliases: tuple[str, ...] = ()  # other words for it, with or without the slash

    def offered_to(self, contact: HasRole | None) -> bool:
        """Whether /help lists it to this contact: whoever `may` do its action."""
        if self.action is None:
            return contact is not None
        return may(contact, self.action)

    def summary(self, lang: str) -> str:
        """'N — one task, its reports and files': the menu's description."""
        description = t(lang, self.description)
        return f"{t(lang, self.usage)} — {description}" if self.usage else description

    def help_line(self, lang: str) -> str:
        return f"/{self.name} {self.summary(lang)}" if self.usage else f"/{self.name} — {self.summary(lang)}"


async def handle_help(ctx: Ctx, unknown: str | None = None) -> None:
    """What the sender can do: the registry's commands for their role."""
    lines = []
    if unknown:
        lines.append(ctx.tr("Unknown command: /{name}.", name=unknown))
    lines.append(ctx.tr("What you can do:"))
    if ctx.may("report"):  # not a command: what most of a reporter's messages are
        lines.append(ctx.tr("Report in a few words: \"#17 xong\", \"#17 đang làm 70%\", "
                            "\"#17 xin gia hạn đến 15/5\", or answer a reminder."))
    lines += [command.help_line(ctx.lang) for command in offered_to(ctx.contact)]
    ctx.say("\n".join(lines))


COMMANDS: tuple[Command, ...] = (
    Command("tasks", tasks.handle_tasks, "report", N_("your unit's open tasks")),
    Command("task", taskinfo.handle_task, None, N_("one task, its reports and files"), N_("N")),
    Command("undo", progress.handle_undo_command, "report",
            N_("undo your last report (within 10 minutes)")),
    Command("status", status.handle_status, "see_all",
            N_("the overall picture; /status UNIT — one unit")),
    Command("overdue", status.handle_overdue, "see_all", N_("overdue tasks")),
    Command("extensions", extensions.handle_list, "decide_extension",
            N_("pending extension requests")),
    Command("extend", extensions.handle_extend_command, "decide_extension",
            N_("approve extension request N, with another date if you wish"), N_("N DD/MM/YYYY")),
    Command("reject", extensions.handle_reject_command, "decide_extension",
            N_("refuse extension request N, saying why"), N_("N reason")),
    Command("meeting", admin.handle_meeting, "set_meeting",
            N_("set the date of the next monthly meeting"), N_("DD/MM")),
    Command("return", progress.handle_return_command, "confirm_result",
            N_("send a reported result back to the unit"), N_("N comment")),
    Command("lang", admin.handle_lang, None, N_("change the language"), "vi|en"),
    Command("start", start.handle_start, None,
            N_("register with an invite code from the Office"), N_("CODE")),
    Command("help", handle_help, None, N_("what you can do")),
)

_BY_WORD = {word: command for command in COMMANDS for word in (command.name, *command.aliases)}


def find(word: str) -> Command | None:
    """The command a word names (its name or an alias), any case."""
    return _BY_WORD.get(word.lower())


def offered_to(contact: HasRole | None) -> list[Command]:
    """The commands /help lists to this contact (None: not registered), in the registry's order."""
    return [command for command in COMMANDS if command.offered_to(contact)]


@dataclass
class _Role:
    role: str


def for_role(role: str | None) -> list[Command]:
    """The commands /help lists to someone of this role (None: not registered)."""
    return offered_to(None if role is None else _Role(role))


def channel_commands(lang: str) -> tuple[CommandInfo, ...]:
    """The registry as channels see it: names, aliases and the menu's descriptions in `lang`."""
    return tuple(CommandInfo(c.name, c.summary(lang), c.aliases) for c in COMMANDS)
