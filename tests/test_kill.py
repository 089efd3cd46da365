"""Issue 10: real bot processes killed with SIGKILL while consuming queued replies, restarted:
nothing lost, nothing recorded twice, at most one duplicate read-back per kill."""
from __future__ import annotations

import pytest

from tests.kill_scenarios import telegram_kill_run, zalo_webhook_kill_run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_telegram_polling_killed_four_times_loses_nothing(tmp_path, framework):
    outcome = await telegram_kill_run(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
                                      framework, replies=400, kills=4)
    assert (outcome.lost, outcome.recorded_twice) == (0, 0), outcome.line()
    assert outcome.answered_twice <= outcome.kills, outcome.line()


async def test_zalo_webhook_killed_four_times_loses_nothing(tmp_path):
    outcome = await zalo_webhook_kill_run(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'z.db'}",
                                          replies=400, kills=4)
    assert outcome.sent == 400
    assert (outcome.lost, outcome.recorded_twice) == (0, 0), outcome.line()
    assert outcome.answered_twice <= outcome.kills, outcome.line()
