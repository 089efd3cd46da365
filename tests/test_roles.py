"""Roles declared once (bot/directory/roles.py): the table itself, role by action, and the same
table checked through the core, where each action is tried by each role and the handlers'
answer shows whether it was allowed. The expectations are today's behaviour, written out."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.directory.roles import ACTIONS, RIGHTS, may
from storage.models import ROLES, Contact, Inbox
from tests.world import TZ, World

ALLOWED = {  # role → action → allowed
    "officer": {"report": True, "see_all": False, "decide_extension": False,
                "set_meeting": False, "import_notice": False, "confirm_result": False},
    "leader": {"report": False, "see_all": True, "decide_extension": True,
               "set_meeting": False, "import_notice": False, "confirm_result": False},
    "admin": {"report": False, "see_all": True, "decide_extension": True,
              "set_meeting": True, "import_notice": True, "confirm_result": True},
}
CASES = [(role, action) for role in ROLES for action in ACTIONS]


def test_the_expectations_cover_every_role_and_action():
    assert set(ALLOWED) == set(ROLES) == set(RIGHTS)
    assert all(set(row) == set(ACTIONS) for row in ALLOWED.values())


@pytest.mark.parametrize("role,action", CASES)
def test_the_table(role, action):
    assert may(Contact(role=role), action) is ALLOWED[role][action]


@pytest.mark.parametrize("action", ACTIONS)
def test_nobody_unregistered_and_no_unknown_role_may_act(action):
    assert may(None, action) is False
    assert may(Contact(role="visitor"), action) is False


def test_an_unknown_action_is_an_error_not_a_silent_no():
    with pytest.raises(ValueError):
        may(Contact(role="admin"), "delete_everything")  # type: ignore[arg-type]


# ---- through the core ----------------------------------------------------------------------------

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)
OWN, OTHER = "Phòng Kinh tế thị xã", "UBND Phường 1"


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    await w.unit(OWN, "Phòng Kinh tế")
    await w.unit(OTHER, kind="commune")
    yield w
    await w.close()


async def _outcome(world: World, chat: str) -> str:
    async with world.app.sessionmaker() as s:
        return (await s.scalars(select(Inbox.outcome).where(Inbox.chat_id == chat)
                                .order_by(Inbox.id.desc()).limit(1))).one()


async def _try(world: World, chat: str, action: str, own: int, other: int) -> bool:
    """Try `action` as `chat`; True when the handlers let it through."""
    if action == "report":
        await world.text(chat, f"#{own} xong")
        return (await world.assignment(own)).status == "done"
    if action == "see_all":  # a task of a unit that is not the sender's
        await world.text(chat, f"/task {other}")
        return await _outcome(world, chat) != "unknown_task"
    if action == "decide_extension":
        await world.text(chat, "/extensions")
    elif action == "set_meeting":
        await world.text(chat, "/meeting 28/04/2026")
    elif action == "import_notice":
        await world.text(chat, button="i:no:999999")
    elif action == "confirm_result":
        await world.text(chat, f"/return {own} chưa đủ hồ sơ")
    return await _outcome(world, chat) not in ("forbidden", "not_officer")


@pytest.mark.parametrize("role,action", CASES)
async def test_the_handlers_follow_the_table(world, role, action):
    unit = "Phòng Kinh tế" if role == "officer" else None
    await world.register("who", role, unit)
    own, other = await world.tasks((OWN, "Nhiệm vụ của đơn vị", date(2026, 4, 20)),
                                   (OTHER, "Nhiệm vụ của đơn vị khác", date(2026, 4, 20)))
    assert await _try(world, "who", action, own, other) is ALLOWED[role][action]
