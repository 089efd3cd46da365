"""`nhacviec demo`: the whole story, offline, on a temporary SQLite database and a simulated clock.

A fictional town (thị xã Hòa An) over three weeks of April–May 2026: the Office sets up units and
invites, officers register, a task table is loaded, reminders go out (moved off weekends and the
Hùng Kings / 30-4 / 1-5 holidays), officers answer in a few words, an extension is approved, an
overdue task escalates to the unit's leader, the weekly nudge, /status and the leaders' digest.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from bot.app import App
from bot.channels.base import Incoming, Outgoing
from bot.channels.console import ConsoleChannel
from bot.config import load_settings
from bot.delivery.dispatch import RateLimits
from handlers.callbacks import Decision, Report, decode
from storage.models import Assignment, SentMessage

DATA = files("bot.demo") / "data"  # package data: found the same way in a checkout and a wheel
WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Transcript:
    """Prints the chat as it happens; knows who each chat id is."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self.width = 100

    def header(self, text: str) -> None:
        print(f"\n━━ {text} " + "━" * max(3, self.width - len(text) - 4))

    def narrate(self, text: str) -> None:
        print(f"   ({text})")

    def person(self, chat_id: str, text: str) -> None:
        print(f"👤 {self.names.get(chat_id, chat_id)}: {text}")

    def bot(self, chat_id: str, out: Outgoing) -> None:
        who = self.names.get(chat_id, chat_id)
        lines = out.text.split("\n")
        print(f"🤖 → {who}: {lines[0]}")
        for line in lines[1:]:
            print(f"      {line}")
        for row in out.buttons:
            print("      " + "  ".join(f"[{b.text}]" for b in row))


class Demo:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.tz_name = "Asia/Ho_Chi_Minh"
        settings = load_settings(env={
            "NHACVIEC_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'demo.db'}",
            "NHACVIEC_TIMEZONE": self.tz_name,
            "TELEGRAM_BOT_USERNAME": "nhacviec_hoaan_bot",
        }, dotenv=None)
        self.settings = settings
        self.tz = settings.tz
        self.clock = Clock(datetime(2026, 4, 13, 7, 30, tzinfo=self.tz))
        self.out = Transcript()
        self.console = ConsoleChannel(show=self.out.bot)
        # The console has no platform limits; pacing would only slow the simulated weeks down.
        self.app = App(settings, channels={"console": self.console}, clock=self.clock,
                       limits=RateLimits(per_second=10_000, private_interval=0.0,
                                         group_per_minute=1_000_000))
        self.ids = itertools.count(1)
        self.workdir = workdir

    # --- people ------------------------------------------------------------------------------

    async def says(self, chat_id: str, text: str = "", *, button: str | None = None,
                   reply_to: str | None = None, name: str = "",
                   chat_type: Literal["private", "group"] = "private") -> None:
        shown = f"[{button_label(button)}]" if button else text
        if reply_to:
            shown += "   ↩ (trả lời tin nhắc việc)"
        self.out.person(chat_id, shown)
        n = next(self.ids)
        msg = Incoming(channel="console", chat_id=chat_id, user_id=chat_id, text=text,
                       user_name=name or self.out.names.get(chat_id, chat_id),
                       chat_type=chat_type, message_id=f"in{n}", update_id=f"u{n}",
                       reply_to=reply_to, button_data=button,
                       kind="button" if button else "text")
        for reply in await self.app.core.handle(msg):
            self.out.bot(chat_id, reply)

    async def tick(self) -> None:
        await self.app.tick(self.clock.now)

    def data_file(self, name: str) -> Path:
        """The demo's CSV copied into the work folder: the commands read files by path."""
        path = self.workdir / name
        path.write_bytes((DATA / name).read_bytes())
        return path

    def at(self, day: int, month: int, hour: int, minute: int = 0) -> None:
        self.clock.now = datetime(2026, month, day, hour, minute, tzinfo=self.tz)
        local = self.clock.now
        self.out.header(f"{WEEKDAYS_VI[local.weekday()]} {local:%d/%m/%Y %H:%M}")

    async def last_reminder_id(self, chat_id: str, assignment_id: int) -> str | None:
        async with self.app.sessionmaker() as s:
            return await s.scalar(select(SentMessage.message_id).where(
                SentMessage.chat_id == chat_id, SentMessage.assignment_id == assignment_id
            ).order_by(SentMessage.id.desc()).limit(1))

    async def code_of(self, unit_name: str, words: str) -> int:
        async with self.app.sessionmaker() as s:
            for a in (await s.scalars(select(Assignment))).all():
                if a.unit.name == unit_name and words in a.task.text:
                    return a.id
        raise LookupError(f"no task «{words}» for {unit_name}")

    # --- the story ---------------------------------------------------------------------------

    async def run(self) -> None:
        from bot.cli import commands
        from bot.directory.registry import create_invite

        out = self.out
        await self.app.migrate()
        self.at(13, 4, 7, 30)
        out.narrate("Văn phòng HĐND và UBND thị xã Hòa An (hư cấu) nạp danh bạ đơn vị và tạo mã mời")
        args = argparse.Namespace(units_command="import", file=str(self.data_file("units.csv")))
        await commands.units(self.settings, args)

        people = [
            ("c-lan", "Chị Lan", "officer", "Phòng Kinh tế thị xã"),
            ("c-hung", "Anh Hùng", "officer", "Phòng Tài chính - Kế hoạch thị xã"),
            ("c-mai", "Chị Mai", "officer", "Phòng Văn hóa và Thông tin thị xã"),
            ("c-tuan", "Anh Tuấn", "officer", "Trung tâm Y tế thị xã"),
            ("c-p1", "Anh Phúc (P.1)", "officer", "UBND Phường 1"),
            ("c-p2", "Chị Hoa (P.2)", "officer", "UBND Phường 2"),
            ("c-tl", "Anh Dũng (Tân Lập)", "officer", "UBND xã Tân Lập"),
            ("c-vh-lead", "Trưởng phòng VH&TT", "leader", "Phòng Văn hóa và Thông tin thị xã"),
            ("c-chair", "Chủ tịch UBND thị xã", "leader", None),
            ("g-leaders", "Nhóm Thường trực UBND", "leader", None),
            ("c-office", "Chị Thảo (Văn phòng)", "admin", None),
        ]
        codes = {}
        async with self.app.sessionmaker() as s:
            for chat_id, name, role, unit in people:
                invite = await create_invite(s, role, unit, self.clock(), 7)
                codes[chat_id] = invite.code
                out.names[chat_id] = name
            await s.commit()
        out.names["stranger"] = "Người lạ"
        print("   nhacviec invite 'Phòng Kinh tế thị xã' --role officer  →  "
              f"https://t.me/nhacviec_hoaan_bot?start={codes['c-lan']}")

        out.header("Đăng ký bằng mã mời")
        await self.says("stranger", "xin chào, cho hỏi tiến độ các nhiệm vụ?")
        await self.says("c-lan", "/start SAI-MA")
        for chat_id, *_ in people:
            await self.says(chat_id, f"/start {codes[chat_id]}",
                            chat_type="group" if chat_id.startswith("g-") else "private")
        await self.says("c-hung", f"/start {codes['c-hung']}")  # a used code

        self.at(13, 4, 8, 30)
        out.narrate("Văn phòng nạp bảng nhiệm vụ")
        print("   $ nhacviec import tasks.csv --yes")
        await commands.import_file(self.settings, argparse.Namespace(
            file=str(self.data_file("tasks.csv")), yes=True), now=self.clock())
        await self.says("c-office", "/meeting 05/05/2026")
        await self.tick()

        code_kt = await self.code_of("Phòng Kinh tế thị xã", "Khảo sát")
        code_tckh = await self.code_of("Phòng Tài chính - Kế hoạch thị xã", "giải ngân")
        code_vh = await self.code_of("Phòng Văn hóa và Thông tin thị xã", "tuyên truyền")
        code_yt = await self.code_of("Trung tâm Y tế thị xã", "tiêm chủng")
        code_p1 = await self.code_of("UBND Phường 1", "vỉa hè")

        # Three weeks, two looks at the clock a day; people answer in between.
        day = datetime(2026, 4, 13, tzinfo=self.tz)
        end = datetime(2026, 5, 6, tzinfo=self.tz)
        while day <= end:
            for hour in (8, 16):
                if day.replace(hour=hour) < self.clock.now:
                    continue  # the first morning has already begun
                self.clock.now = day.replace(hour=hour)
                await self.tick()
                await self.scenes(day.day, day.month, hour, code_kt, code_tckh, code_vh,
                                  code_yt, code_p1)
            day += timedelta(days=1)

        out.header("Cuối kỳ: nhacviec status")
        from bot.reports import status as views
        from bot.reports.queries import load_rows

        async with self.app.sessionmaker() as s:
            summary = views.summarize(await load_rows(s), self.clock(), self.tz)
        print(views.render_status(summary, "vi", self.tz))

    async def scenes(self, d, m, hour, kt, tckh, vh, yt, p1) -> None:
        """What people do on given days (after the scheduler's tick at that hour)."""
        when = (d, m, hour)
        if when == (13, 4, 16):
            self.at(13, 4, 16, 5)
            await self.says("c-lan", "/tasks")
        elif when == (14, 4, 8):
            self.at(14, 4, 10, 12)
            ref = await self.last_reminder_id("c-lan", kt)
            await self.says("c-lan", "Dạ báo cáo anh, phòng em đã hoàn thành, đã trình Thường trực rồi ạ",
                            reply_to=ref)
        elif when == (15, 4, 8):
            self.at(15, 4, 9, 30)
            await self.says("c-p1", f"#{p1} dang lam 70% a")
            await self.says("c-p1", f"#{kt} xong")  # another unit's task: refused
            self.at(15, 4, 14, 0)
            await self.says("c-p2", "xong r")
            await self.says("c-p2", "/undo")
        elif when == (16, 4, 8):
            self.at(16, 4, 9, 0)
            await self.says("c-tuan", "anh ơi, kinh phí chưa về, xin gia hạn đến 30/4 được không ạ")
            await self.tick()
        elif when == (16, 4, 16):
            self.at(16, 4, 16, 20)
            async with self.app.sessionmaker() as s:
                from storage.models import ExtensionRequest
                req = await s.scalar(select(ExtensionRequest.id).order_by(ExtensionRequest.id.desc()))
            await self.says("c-office", "/extensions")
            await self.says("c-office", button=Decision("ok", req).encode())
            await self.tick()
        elif when == (17, 4, 8):
            self.at(17, 4, 8, 40)
            await self.says("c-mai", "chua xong a")
        elif when == (20, 4, 16):
            self.at(20, 4, 16, 30)
            await self.says("c-hung", "", button=Report("progress", tckh).encode())
            await self.says("c-hung", f"#{tckh} đạt 80%, còn chờ số liệu Kho bạc")
        elif when == (21, 4, 16):
            self.at(21, 4, 16, 5)
            await self.says("c-chair", "/status")
            await self.says("c-chair", "/overdue")
        elif when == (22, 4, 8):
            self.at(22, 4, 11, 0)
            await self.says("c-hung", "", button=Report("done", tckh).encode())
            await self.says("c-p1", f"#{p1} đã xong")
        elif when == (28, 4, 16):
            self.at(28, 4, 15, 45)
            await self.says("c-tuan", "đã xong ạ")
            await self.says("c-p2", "ok ạ")
            await self.says("c-tl", "đã hoàn thành, báo cáo đã gửi Văn phòng")
        elif when == (4, 5, 16):
            self.at(4, 5, 16, 10)
            await self.says("c-mai", f"#{vh} xong rồi ạ, em xin lỗi chậm")
            await self.says("c-vh-lead", "/status Phòng VH&TT")


def button_label(data: str | None) -> str:
    """The words on the button the story presses (read from its payload, not parsed by hand)."""
    if not data:
        return ""
    press = decode(data)
    kinds = {"done": "Đã xong", "progress": "Đang thực hiện", "blocked": "Vướng mắc",
             "extend": "Xin gia hạn", "ok": "Đồng ý", "no": "Từ chối"}
    if isinstance(press, (Report, Decision)):
        return kinds.get(press.action, data)
    return data


async def _main() -> None:
    with tempfile.TemporaryDirectory(prefix="nhacviec-demo-") as tmp:
        demo = Demo(Path(tmp))
        try:
            await demo.run()
        finally:
            await demo.app.close()


def run_demo() -> int:
    asyncio.run(_main())
    print("\n(Demo xong / demo finished: exit 0)")
    return 0
