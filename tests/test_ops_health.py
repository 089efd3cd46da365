"""`nhacviec health [--offline]`: exit 0 when the database answers, is at the latest migration and
(unless offline) every configured token is accepted; otherwise exit 1 and one line saying why."""
from __future__ import annotations

import argparse
import socket

import pytest
from alembic.script import ScriptDirectory

from bot.cli import commands
from bot.config import load_settings
from storage.db import make_engine
from storage.migrate import alembic_config, downgrade, upgrade
from tests.fakes.fake_telegram import FakeTelegram
from tests.fakes.fake_zalo import FakeZaloServer

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _settings(url: str, **env: str):
    return load_settings(env={"NHACVIEC_DATABASE_URL": url, **env}, dotenv=None)


async def _migrated(tmp_path, revision: str = "head") -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    if revision != "head":
        await downgrade(engine, revision)
    await engine.dispose()
    return url


async def _health(settings, capsys, offline: bool = False) -> tuple[int, list[str], list[str]]:
    code = await commands.health(settings, argparse.Namespace(offline=offline))
    out, err = capsys.readouterr()
    return code, out.strip().splitlines(), err.strip().splitlines()


async def test_healthy_offline(tmp_path, capsys):
    code, out, err = await _health(_settings(await _migrated(tmp_path)), capsys, offline=True)
    assert code == 0 and err == []
    assert len(out) == 1 and out[0].startswith(f"Tốt: cơ sở dữ liệu ở phiên bản {HEAD}")


async def test_healthy_with_both_tokens_checked(tmp_path, capsys):
    async with FakeTelegram(limits=None) as tg, FakeZaloServer() as zalo:
        settings = _settings(await _migrated(tmp_path), TELEGRAM_BOT_TOKEN=tg.token,
                             TELEGRAM_API_BASE_URL=tg.base_url, ZALO_BOT_TOKEN=zalo.token,
                             ZALO_API_BASE_URL=zalo.base_url)
        code, out, err = await _health(settings, capsys)
    assert code == 0 and err == [], err
    assert "Telegram @nhacviec_test_bot" in out[0] and "Zalo bot.NhacViec" in out[0]


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_a_refused_token_fails_and_is_not_printed(tmp_path, capsys, channel):
    async with FakeTelegram(limits=None) as tg, FakeZaloServer() as zalo:
        wrong = "999999:WRONG-token-value"
        env = ({"TELEGRAM_BOT_TOKEN": wrong, "TELEGRAM_API_BASE_URL": tg.base_url} if channel == "telegram"
               else {"ZALO_BOT_TOKEN": wrong, "ZALO_API_BASE_URL": zalo.base_url})
        code, out, err = await _health(_settings(await _migrated(tmp_path), **env), capsys)
        # Offline skips the platforms: the same settings are healthy then.
        offline_code, _, _ = await _health(_settings(await _migrated(tmp_path), **env), capsys, offline=True)
    assert code == 1 and out == [] and len(err) == 1
    assert err[0].startswith(f"{channel.capitalize()} từ chối token của bot") and "Unauthorized" in err[0]
    assert "WRONG-token-value" not in err[0]
    assert offline_code == 0


async def test_an_unreachable_platform_fails(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    settings = _settings(await _migrated(tmp_path), TELEGRAM_BOT_TOKEN="1:abcdefgh",
                         TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}")
    code, out, err = await _health(settings, capsys)
    assert code == 1 and err == ["Không kết nối được Telegram: ConnectError"]


async def test_a_database_behind_the_latest_migration_fails(tmp_path, capsys):
    code, out, err = await _health(_settings(await _migrated(tmp_path, "0001")), capsys, offline=True)
    assert code == 1 and len(err) == 1
    assert "0001" in err[0] and str(HEAD) in err[0] and "nhacviec migrate" in err[0]


async def test_an_empty_database_fails_and_is_not_migrated_by_the_check(tmp_path, capsys):
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    code, _, err = await _health(_settings(url), capsys, offline=True)
    assert code == 1 and "nhacviec migrate" in err[0]
    code, _, err = await _health(_settings(url), capsys, offline=True)
    assert code == 1  # still behind: health only looks


async def test_an_unreachable_database_fails(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = await _health(_settings(f"postgresql+asyncpg://nobody@127.0.0.1:{port}/x"), capsys,
                                   offline=True)
    assert code == 1 and len(err) == 1 and err[0].startswith("Không kết nối được cơ sở dữ liệu:")


def test_the_command_exits_non_zero(tmp_path, monkeypatch, capsys):
    from bot import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NHACVIEC_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert cli.main(["health", "--offline"]) == 1
    assert cli.main(["migrate"]) == 0
    assert cli.main(["health", "--offline"]) == 0
