"""Button payloads (handlers/callbacks.py): the wire formats of buttons already in people's chats
still decode, every payload fits Telegram's 64 bytes with the largest ids, garbled data decodes
to None and gets a clear answer, and the answer buttons come from one builder."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import pytest_asyncio

from bot.followup.reminders import buttons as reminder_buttons
from handlers.callbacks import (
    MAX_BYTES,
    MAX_ID,
    SQLITE_MAX_ID,
    Decision,
    Pick,
    Report,
    ResultCheck,
    Review,
    Undo,
    answer_buttons,
    decode,
)
from tests.world import TZ, World

# Strings exactly as the bot wrote them before the payloads were typed (docs/ARCHITECTURE.md).
OLD_WIRE = {
    "r:done:17": Report("done", 17),
    "r:progress:17": Report("progress", 17),
    "r:blocked:17": Report("blocked", 17),
    "r:extend:17": Report("extend", 17),
    "p:17:4021": Pick(assignment_id=17, inbox_id=4021),
    "u:4021:17": Undo(inbox_id=4021, assignment_id=17),
    "x:ok:9": Decision("ok", 9),
    "x:no:9": Decision("no", 9),
    "x:other:9": Decision("other", 9),
    "c:ok:17": ResultCheck("ok", 17),
    "c:ret:17": ResultCheck("ret", 17),
    "i:ok:4021": Review("ok", 4021),
    "i:no:4021": Review("no", 4021),
    "i:more:4021:2": Review("more", 4021, 2),
    "i:more:4021": Review("more", 4021, 0),  # the first page, as the old reader took it
}

GARBLED = [
    "", ":", "r", "r:done", "r:done:", "r:finish:17", "r:done:17:3", "r:done:-1", "r:done:1.5",
    "r:done:²", "r:done:١٧", f"r:done:{MAX_ID + 1}", "r:done:99999999999999999999",
    "p:17", "p:a:b", "p:17:4021:1", "u::17", "x:maybe:9", "x:ok", "c:yes:17", "c:ok:x",
    "i:ok", "i:store:4021", "i:more:x:1", "z:ok:1", "R:done:17", " r:done:17", "r:done:17 ",
    "💥" * 20,
]

LONGEST = [Report("progress", MAX_ID), Report("blocked", MAX_ID), Pick(MAX_ID, MAX_ID),
           Undo(MAX_ID, MAX_ID), Decision("other", MAX_ID), ResultCheck("ret", MAX_ID),
           Review("more", MAX_ID, MAX_ID), Review("ok", MAX_ID)]
BIG = SQLITE_MAX_ID  # more than the database hands out, still within 64 bytes
LONGEST_SQLITE = [Report("progress", BIG), Pick(BIG, BIG), Undo(BIG, BIG),
                  Decision("other", BIG), ResultCheck("ret", BIG), Review("more", BIG, BIG)]


@pytest.mark.parametrize("data,payload", OLD_WIRE.items(), ids=list(OLD_WIRE))
def test_buttons_sent_before_the_upgrade_still_decode(data, payload):
    assert decode(data) == payload


@pytest.mark.parametrize("payload", [p for p in OLD_WIRE.values() if p != Review("more", 4021, 0)]
                         + LONGEST, ids=repr)
def test_encode_gives_the_same_wire_format_back(payload):
    assert decode(payload.encode()) == payload


def test_the_old_strings_are_what_encode_writes():
    for data, payload in OLD_WIRE.items():
        if data != "i:more:4021":  # written with its page since the beginning
            assert payload.encode() == data


@pytest.mark.parametrize("payload", LONGEST + LONGEST_SQLITE, ids=repr)
def test_the_longest_payloads_fit_telegrams_64_bytes(payload):
    assert len(payload.encode().encode("utf-8")) <= MAX_BYTES


@pytest.mark.parametrize("payload", LONGEST_SQLITE, ids=repr)
def test_ids_the_database_cannot_hold_decode_to_none(payload):
    assert decode(payload.encode()) is None


def test_encode_refuses_what_telegram_would_refuse():
    with pytest.raises(ValueError):
        Review("more", 10**40, 10**40).encode()


@pytest.mark.parametrize("data", GARBLED)
def test_garbled_or_unknown_data_decodes_to_none(data):
    assert decode(data) is None


def test_none_decodes_to_none():
    assert decode(None) is None


def test_one_builder_for_the_answer_buttons():
    two_by_two = answer_buttons("vi", 17)
    assert [[b.text for b in row] for row in two_by_two] == [
        ["Đã xong", "Đang thực hiện"], ["Vướng mắc", "Xin gia hạn"]]
    assert [decode(b.data) for row in two_by_two for b in row] == [
        Report("done", 17), Report("progress", 17), Report("blocked", 17), Report("extend", 17)]
    # The reminder's row in the outbox is the same four buttons, in one row.
    [row] = reminder_buttons("en", 17)
    assert row == [{"text": b.text, "data": b.data} for r in answer_buttons("en", 17) for b in r]
    assert [b["text"] for b in row] == ["Done", "In progress", "Blocked", "Ask for more time"]


# ---- through the core ---------------------------------------------------------------------------

START = datetime(2026, 4, 13, 9, 0, tzinfo=TZ)


@pytest_asyncio.fixture
async def world(tmp_path):
    w = await World(tmp_path, START).start()
    await w.unit("Phòng Kinh tế thị xã", "Phòng Kinh tế")
    yield w
    await w.close()


@pytest.mark.parametrize("data", ["r:done:abc", "x:maybe:1", "zz", "i:more:", "💥"])
async def test_a_garbled_press_gets_a_clear_answer_and_changes_nothing(world, data):
    await world.register("office", "admin")
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    for who in ("lan", "office"):
        assert await world.text(who, button=data) == "Nút này không còn hiệu lực."
    assert (await world.assignment(code)).status == "open"


async def test_an_old_answer_button_still_records(world):
    await world.register("lan", "officer", "Phòng Kinh tế")
    [code] = await world.tasks(("Phòng Kinh tế thị xã", "Nhiệm vụ A", date(2026, 4, 20)))
    answer = await world.text("lan", button=f"r:done:{code}")
    assert f"#{code}" in answer and (await world.assignment(code)).status == "done"
