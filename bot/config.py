"""Settings from the environment, an optional .env file and defaults (pydantic-settings), validated
once at start. The process environment wins over .env; every variable is in the README's table.

A wrong value is a `ConfigError` whose text is one Vietnamese line naming the variable
(`exc.message("en")` gives the English one).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import N_, t

DEFAULT_DB_URL = "sqlite+aiosqlite:///nhacviec.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A wrong setting: `msgid` is the English sentence, str() the Vietnamese line."""

    def __init__(self, msgid: str, **values: object):
        self.msgid, self.values = msgid, values
        super().__init__(self.message("vi"))

    def message(self, lang: str | None) -> str:
        return t(lang, self.msgid, **self.values)


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


# What a wrong value of each kind should look like, said to the person who set it.
HINTS = {
    "hhmm": N_("{name} must be a time HH:MM, got «{value}»."),
    "int": N_("{name} must be a whole number, got «{value}»."),
    "days": N_("{name} must be a comma-separated list of days, got «{value}»."),
    "bool": N_("{name} must be 0 or 1, got «{value}»."),
    "timezone": N_("{name}: unknown time zone «{value}»."),
    "choice": N_("{name} must be one of {choices}, got «{value}»."),
    "other": N_("{name} has a wrong value «{value}»."),
}


KINDS: dict[str, str] = {}  # variable → kind of value (for the error message)
CHOICES: dict[str, tuple[str, ...]] = {}  # variable → the values it may take


def _var(name: str, kind: str, default: Any = None, choices: tuple[str, ...] = ()) -> Any:
    KINDS[name] = kind
    if choices:
        CHOICES[name] = choices
    return Field(default, validation_alias=name)


class Settings(BaseSettings):
    """The bot's settings; field names are what the code reads, aliases the variables."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False,
                                      env_ignore_empty=True, populate_by_name=True)

    database_url: str = _var("NHACVIEC_DATABASE_URL", "other", DEFAULT_DB_URL)
    timezone: str = _var("NHACVIEC_TIMEZONE", "timezone", "Asia/Ho_Chi_Minh")
    default_locale: str = _var("NHACVIEC_LOCALE", "choice", "vi", choices=("vi", "en"))
    log_level: str = _var("NHACVIEC_LOG_LEVEL", "choice", "INFO", choices=LOG_LEVELS)
    log_format: str = _var("NHACVIEC_LOG_FORMAT", "choice", "text", choices=("text", "json"))
    telegram_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN", repr=False)
    telegram_api_base_url: str = _var("TELEGRAM_API_BASE_URL", "other", "https://api.telegram.org")
    telegram_framework: str = _var("TELEGRAM_FRAMEWORK", "choice", "aiogram", choices=("aiogram", "ptb"))
    telegram_webhook_url: str | None = _var("TELEGRAM_WEBHOOK_URL", "other")
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET", repr=False)
    zalo_token: str | None = Field(None, validation_alias="ZALO_BOT_TOKEN", repr=False)
    zalo_api_base_url: str = _var("ZALO_API_BASE_URL", "other", "https://bot-api.zaloplatforms.com")
    zalo_webhook_url: str | None = _var("ZALO_WEBHOOK_URL", "other")
    zalo_webhook_secret: str | None = Field(None, validation_alias="ZALO_WEBHOOK_SECRET", repr=False)
    webhook_host: str = _var("NHACVIEC_WEBHOOK_HOST", "other", "0.0.0.0")
    webhook_port: int = _var("NHACVIEC_WEBHOOK_PORT", "int", 8080)
    bot_username: str = _var("TELEGRAM_BOT_USERNAME", "other", "nhacviec_bot")
    invite_ttl_days: int = _var("NHACVIEC_INVITE_TTL_DAYS", "int", 7)
    confirm_done: bool = _var("NHACVIEC_CONFIRM_DONE", "bool", False)
    max_file_mb: int = _var("NHACVIEC_MAX_FILE_MB", "int", 20)  # larger files are refused before download
    meeting_date: str | None = _var("NHACVIEC_MEETING_DATE", "other")  # dd/mm/yyyy; /meeting changes it
    remind_days: Annotated[tuple[int, ...], NoDecode] = _var("NHACVIEC_REMIND_DAYS", "days", (7, 3, 1, 0))
    remind_at: time = _var("NHACVIEC_REMIND_AT", "hhmm", time(8, 0))
    quiet_start: time = _var("NHACVIEC_QUIET_START", "hhmm", time(20, 0))
    quiet_end: time = _var("NHACVIEC_QUIET_END", "hhmm", time(7, 0))
    overdue_every: int = _var("NHACVIEC_OVERDUE_EVERY", "int", 2)
    digest_workdays_before: int = _var("NHACVIEC_DIGEST_WORKDAYS_BEFORE", "int", 2)
    # Reliability (issue 10): how long an update that cannot be stored is retried in memory
    # before the platform is left to resend it (or the sender asked to); how many failed
    # handlings set an inbox row aside; how long a proactive message without its own lifetime
    # is retried through transient failures; after how long an outage is reported.
    store_retry_seconds: float = _var("NHACVIEC_STORE_RETRY_SECONDS", "int", 90.0)
    inbox_max_attempts: int = _var("NHACVIEC_INBOX_MAX_ATTEMPTS", "int", 3)
    outbox_ttl_hours: int = _var("NHACVIEC_OUTBOX_TTL_HOURS", "int", 24)
    outage_alert_minutes: int = _var("NHACVIEC_OUTAGE_ALERT_MINUTES", "int", 10)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception:  # zoneinfo raises several kinds, KeyError among them
            raise ValueError(value) from None
        return value

    @field_validator("telegram_framework", "default_locale", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("default_locale", "log_level", "log_format", "telegram_framework")
    @classmethod
    def _one_of(cls, value: str, info) -> str:
        if value not in CHOICES[str(cls.model_fields[info.field_name].validation_alias)]:
            raise ValueError(value)
        return value

    @field_validator("remind_days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [int(v) for v in value.split(",") if v.strip()]
        return tuple(sorted(set(value), reverse=True))

    @field_validator("remind_at", "quiet_start", "quiet_end", mode="before")
    @classmethod
    def _hhmm(cls, value: Any) -> Any:
        if isinstance(value, str):
            hours, minutes = value.strip().split(":")  # "08:00"; "8h" is an error
            return time(int(hours), int(minutes))
        return value

    @field_validator("telegram_api_base_url", "zalo_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("inbox_max_attempts")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        return max(1, value)

    @field_validator("bot_username")
    @classmethod
    def _no_at(cls, value: str) -> str:
        return value.lstrip("@")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def reminders(self) -> ReminderPolicy:
        return ReminderPolicy(days_before=self.remind_days, send_at=self.remind_at,
                              quiet_start=self.quiet_start, quiet_end=self.quiet_end,
                              overdue_every_workdays=self.overdue_every,
                              digest_workdays_before=self.digest_workdays_before)


class _GivenOnly(Settings):
    """Settings from a given mapping (and .env) instead of the process environment: tests, the demo."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings):
        return init_settings, dotenv_settings


def _error(exc: ValidationError, given: dict[str, Any]) -> ConfigError:
    first = exc.errors()[0]
    loc = str(first["loc"][0]) if first["loc"] else ""
    field = next((f for n, f in Settings.model_fields.items()
                  if loc in (n, f.validation_alias)), None)
    if field is None:  # not a field's value: cannot happen with extra="ignore", but say something
        return ConfigError(HINTS["other"], name="?", value=str(first.get("input", "")))
    name = str(field.validation_alias)
    value = given.get(name, first.get("input", ""))
    choices = " / ".join(CHOICES.get(name, ()))
    return ConfigError(HINTS[KINDS.get(name, "other")], name=name, value=str(value), choices=choices)


def load_settings(env: dict[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
    """Read NHACVIEC_* / TELEGRAM_* / ZALO_* variables; `env` replaces the process environment.

    .env lines may start with `export ` and end with a `# comment` (python-dotenv's rules)."""
    env_file = dotenv if dotenv is not None and dotenv.is_file() else None
    try:
        if env is None:
            return Settings(_env_file=env_file)  # type: ignore[call-arg]
        known = {str(f.validation_alias).lower(): str(f.validation_alias) for f in Settings.model_fields.values()}
        given = {known[k.lower()]: v for k, v in env.items() if k.lower() in known and v != ""}
        return _GivenOnly(_env_file=env_file, **given)  # type: ignore[call-arg, arg-type]
    except ValidationError as exc:
        raise _error(exc, dict(env or {})) from None
