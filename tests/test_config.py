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


def test_dotenv_export_and_inline_comments(tmp_path):
    (tmp_path / ".env").write_text(
        "# the Office's settings\n"
        "export NHACVIEC_REMIND_AT=07:15   # before the morning meeting\n"
        "NHACVIEC_REMIND_DAYS=5,1 # two reminders\n"
        "export TELEGRAM_BOT_TOKEN='123:a#b'  # quoted: the # belongs to the value\n"
        "NHACVIEC_LOG_FORMAT=json\n", encoding="utf-8")
    s = load_settings(env={}, dotenv=tmp_path / ".env")
    assert s.reminders.send_at.hour == 7 and s.reminders.send_at.minute == 15
    assert s.reminders.days_before == (5, 1)
    assert s.telegram_token == "123:a#b" and s.log_format == "json"


def test_process_environment_wins_over_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("NHACVIEC_LOCALE=en\nNHACVIEC_INVITE_TTL_DAYS=3\n")
    monkeypatch.setenv("NHACVIEC_LOCALE", "vi")
    monkeypatch.delenv("NHACVIEC_INVITE_TTL_DAYS", raising=False)
    s = load_settings(dotenv=tmp_path / ".env")
    assert s.default_locale == "vi" and s.invite_ttl_days == 3


def test_empty_values_mean_the_default():
    s = load_settings(env={"TELEGRAM_BOT_TOKEN": "", "NHACVIEC_WEBHOOK_PORT": ""}, dotenv=None)
    assert s.telegram_token is None and s.webhook_port == 8080


def test_wrong_value_is_one_vietnamese_line_from_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("NHACVIEC_")}
    env["NHACVIEC_QUIET_END"] = "7 giờ"
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Cấu hình sai: NHACVIEC_QUIET_END phải là giờ dạng HH:MM, đang là «7 giờ»."]
