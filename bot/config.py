"""Settings from the environment (and an optional .env file), validated once at start."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_DB_URL = "sqlite+aiosqlite:///nhacviec.db"


class ConfigError(ValueError):
    pass


def _load_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _hhmm(value: str, name: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ConfigError(f"{name} must be HH:MM, got {value!r}") from exc


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def _int_list(value: str, name: str) -> tuple[int, ...]:
    try:
        return tuple(sorted({int(v) for v in value.split(",") if v.strip()}, reverse=True))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a comma-separated list of days, got {value!r}") from exc


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders go out. Local times; offsets in days before the deadline."""

    days_before: tuple[int, ...] = (7, 3, 1, 0)
    send_at: time = time(8, 0)
    quiet_start: time = time(20, 0)
    quiet_end: time = time(7, 0)
    overdue_every_workdays: int = 2
    escalate_from_nudge: int = 2  # from this overdue nudge on, the unit's leaders are told too
    weekly_weekday: int = 0  # Monday
    digest_workdays_before: int = 2


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DB_URL
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_framework: str = "aiogram"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    zalo_token: str | None = field(default=None, repr=False)
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: str | None = field(default=None, repr=False)
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    bot_username: str = "nhacviec_bot"
    invite_ttl_days: int = 7
    confirm_done: bool = False
    max_file_mb: int = 20  # larger files are refused before they are downloaded
    meeting_date: str | None = None  # dd/mm/yyyy, can be changed in chat with /meeting
    reminders: ReminderPolicy = ReminderPolicy()
    # Reliability (issue 10): how long an update that cannot be stored is retried in memory
    # before the platform is left to resend it (or the sender asked to); how many failed
    # handlings set an inbox row aside; how long a proactive message without its own lifetime
    # is retried through transient failures; after how long an outage is reported.
    store_retry_seconds: float = 90.0
    inbox_max_attempts: int = 3
    outbox_ttl_hours: int = 24
    outage_alert_minutes: int = 10

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(env: dict[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Read NHACVIEC_* / TELEGRAM_* / ZALO_* variables; the process environment wins over .env."""
    merged: dict[str, str] = {}
    if dotenv is not None:
        merged.update(_load_dotenv(dotenv))
    merged.update(os.environ if env is None else env)
    get = merged.get

    timezone = get("NHACVIEC_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(timezone)
    except Exception as exc:  # zoneinfo raises several kinds
        raise ConfigError(f"NHACVIEC_TIMEZONE: unknown time zone {timezone!r}") from exc
    framework = get("TELEGRAM_FRAMEWORK", "aiogram").lower()
    if framework not in {"aiogram", "ptb"}:
        raise ConfigError("TELEGRAM_FRAMEWORK must be aiogram or ptb")
    locale = get("NHACVIEC_LOCALE", "vi")
    if locale not in {"vi", "en"}:
        raise ConfigError("NHACVIEC_LOCALE must be vi or en")

    policy = ReminderPolicy(
        days_before=_int_list(get("NHACVIEC_REMIND_DAYS", "7,3,1,0"), "NHACVIEC_REMIND_DAYS"),
        send_at=_hhmm(get("NHACVIEC_REMIND_AT", "08:00"), "NHACVIEC_REMIND_AT"),
        quiet_start=_hhmm(get("NHACVIEC_QUIET_START", "20:00"), "NHACVIEC_QUIET_START"),
        quiet_end=_hhmm(get("NHACVIEC_QUIET_END", "07:00"), "NHACVIEC_QUIET_END"),
        overdue_every_workdays=_int(get("NHACVIEC_OVERDUE_EVERY", "2"), "NHACVIEC_OVERDUE_EVERY"),
        digest_workdays_before=_int(get("NHACVIEC_DIGEST_WORKDAYS_BEFORE", "2"),
                                    "NHACVIEC_DIGEST_WORKDAYS_BEFORE"),
    )
    return Settings(
        database_url=get("NHACVIEC_DATABASE_URL", DEFAULT_DB_URL),
        timezone=timezone,
        default_locale=locale,
        telegram_token=get("TELEGRAM_BOT_TOKEN") or None,
        telegram_api_base_url=get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/"),
        telegram_framework=framework,
        telegram_webhook_url=get("TELEGRAM_WEBHOOK_URL") or None,
        telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET") or None,
        zalo_token=get("ZALO_BOT_TOKEN") or None,
        zalo_api_base_url=get("ZALO_API_BASE_URL", "https://bot-api.zaloplatforms.com").rstrip("/"),
        zalo_webhook_url=get("ZALO_WEBHOOK_URL") or None,
        zalo_webhook_secret=get("ZALO_WEBHOOK_SECRET") or None,
        webhook_host=get("NHACVIEC_WEBHOOK_HOST", "0.0.0.0"),
        webhook_port=_int(get("NHACVIEC_WEBHOOK_PORT", "8080"), "NHACVIEC_WEBHOOK_PORT"),
        bot_username=get("TELEGRAM_BOT_USERNAME", "nhacviec_bot").lstrip("@"),
        invite_ttl_days=_int(get("NHACVIEC_INVITE_TTL_DAYS", "7"), "NHACVIEC_INVITE_TTL_DAYS"),
        confirm_done=get("NHACVIEC_CONFIRM_DONE", "0").lower() in {"1", "true", "yes", "on"},
        max_file_mb=_int(get("NHACVIEC_MAX_FILE_MB", "20"), "NHACVIEC_MAX_FILE_MB"),
        meeting_date=get("NHACVIEC_MEETING_DATE") or None,
        reminders=policy,
        store_retry_seconds=_int(get("NHACVIEC_STORE_RETRY_SECONDS", "90"),
                                 "NHACVIEC_STORE_RETRY_SECONDS"),
        inbox_max_attempts=max(1, _int(get("NHACVIEC_INBOX_MAX_ATTEMPTS", "3"),
                                       "NHACVIEC_INBOX_MAX_ATTEMPTS")),
        outbox_ttl_hours=_int(get("NHACVIEC_OUTBOX_TTL_HOURS", "24"), "NHACVIEC_OUTBOX_TTL_HOURS"),
        outage_alert_minutes=_int(get("NHACVIEC_OUTAGE_ALERT_MINUTES", "10"),
                                  "NHACVIEC_OUTAGE_ALERT_MINUTES"),
    )
