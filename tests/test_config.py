"""Settings are read once and validated with clear messages."""
import pytest

from bot.config import ConfigError, load_settings


def test_defaults_and_overrides(tmp_path):
    s = load_settings(env={}, dotenv=None)
    assert s.database_url == "sqlite+aiosqlite:///nhacviec.db" and s.timezone == "Asia/Ho_Chi_Minh"
    assert s.reminders.days_before == (7, 3, 1, 0) and s.reminders.send_at.hour == 8
    (tmp_path / ".env").write_text("NHACVIEC_REMIND_DAYS=5,2\nTELEGRAM_BOT_TOKEN='123:abc'\n")
    s = load_settings(env={"NHACVIEC_REMIND_AT": "07:30"}, dotenv=tmp_path / ".env")
    assert s.reminders.days_before == (5, 2) and s.reminders.send_at.minute == 30
    assert s.telegram_token == "123:abc" and "123:abc" not in repr(s)


@pytest.mark.parametrize("name,value", [("NHACVIEC_TIMEZONE", "Mars/Base"), ("NHACVIEC_REMIND_AT", "8h"),
                                        ("NHACVIEC_OVERDUE_EVERY", "two"), ("TELEGRAM_FRAMEWORK", "pyrogram"),
                                        ("NHACVIEC_REMIND_DAYS", "7,x"), ("NHACVIEC_LOCALE", "fr")])
def test_bad_values_are_named(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(env={name: value}, dotenv=None)
