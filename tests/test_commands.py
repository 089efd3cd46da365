"""The one command registry (handlers/commands.py): /help for each role, the router's dispatch
and what the composition root gives the channels are all made from it."""
from __future__ import annotations

from datetime import datetime

import pytest
import pytest_asyncio

from bot.app import build_channels
from bot.channels.zalo import as_command
from bot.config import load_settings
from bot.directory.roles import ACTIONS, RIGHTS
from handlers.commands import COMMANDS, channel_commands, find, for_role
from storage.models import ROLES
from tests.world import TZ, World

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    yield w
    await w.close()


def test_names_and_aliases_are_unique_and_fit_a_telegram_menu():
    words = [w for c in COMMANDS for w in (c.name, *c.aliases)]
    assert len(words) == len(set(words))
    for command in COMMANDS:
        assert command.name.isascii() and command.name.islower() and command.name.isalpha()
        assert command.action is None or command.action in ACTIONS
        for lang in ("vi", "en"):
            assert 1 <= len(command.summary(lang)) <= 256
    assert find("STATUS").name == "status" and find("nothing") is None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_help_lists_every_command_of_the_role_and_no_other(world, role, lang):
    await world.register("p", role, "Phòng Kinh tế" if role == "officer" else None)
    if lang == "en":
        await world.text("p", "/lang en")
    answer = await world.text("p", "/help")
    listed = {line.split()[0] for line in answer.splitlines() if line.startswith("/")}
    assert listed == {f"/{c.name}" for c in for_role(role)}
    for command in for_role(role):
        assert command.help_line(lang) in answer.splitlines()
    assert ("Báo cáo ngắn gọn" in answer or "Report in a few words" in answer) == (role == "officer")


def test_help_follows_the_one_table_of_rights():
    """Whom /help shows a command to is RIGHTS (bot/directory/roles.py), not a list of its own."""
    for role in ROLES:
        assert {c.name for c in for_role(role)} == {
            c.name for c in COMMANDS if c.action is None or c.action in RIGHTS[role]}
    assert for_role(None) == []


async def test_roles_see_different_commands():
    assert {c.name for c in for_role("officer")} >= {"tasks", "undo", "task", "lang"}
    assert "meeting" not in {c.name for c in for_role("officer")}
    assert {"meeting", "return", "status"} <= {c.name for c in for_role("admin")}


async def test_the_router_dispatches_every_registered_command(world):
    await world.register("office", "admin")
    for command in COMMANDS:
        answer = await world.text("office", f"/{command.name}")
        assert "Không có lệnh" not in answer, (command.name, answer)
    unknown = await world.text("office", "/khongco")
    assert unknown.startswith("Không có lệnh /khongco.") and "/meeting" in unknown


def test_the_composition_root_gives_the_registry_to_the_channels():
    settings = load_settings(env={"TELEGRAM_BOT_TOKEN": "123:abc", "ZALO_BOT_TOKEN": "456:def",
                                  "NHACVIEC_DATABASE_URL": "sqlite+aiosqlite:///:memory:"}, dotenv=None)
    channels = build_channels(settings)
    assert channels["telegram"].commands == channel_commands("vi")
    assert build_channels(settings, commands=channel_commands("en"))["telegram"].commands == \
        channel_commands("en")
    zalo = channels["zalo"]
    assert all(as_command(c.name, zalo.commands) == f"/{c.name}" for c in COMMANDS)
