"""Settings from the environment (KEFU_*) and an optional kefu.toml, validated once at start."""

import contextlib
import os
import secrets
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from kefu.errors import ConfigError

Language = Literal["en", "zh_Hans"]
LANGUAGES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文"}


def config_file_path() -> Path:
    """kefu.toml in the working directory, or the file KEFU_CONFIG names."""
    return Path(os.environ.get("KEFU_CONFIG", "kefu.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KEFU_", extra="forbid")

    data_dir: Path = Path("data")
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    default_language: Language = "en"
    time_zone: str = "UTC"
    worker_in_process: bool = True
    worker_threads: int = Field(default=2, ge=1, le=64)
    smtp_url: str | None = None
    mail_from: str = "kefu <kefu@localhost>"
    session_days: int = Field(default=14, ge=1, le=365)
    login_attempts_per_minute: int = Field(default=5, ge=1, le=1000)
    max_attachment_bytes: int = Field(default=25_000_000, ge=1_000)
    # processes that parse incoming mail beside the one that stores it; None: one fewer than
    # the machine's cores (at most 4), 0: parse in the storing process
    ingest_workers: int | None = Field(default=None, ge=0, le=32)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return init_settings, env_settings, toml

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def load_settings(**overrides: Any) -> Settings:
    """Validate the configuration, fill derived defaults, or raise ConfigError with one line."""
    path = config_file_path()
    if path.exists():
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: malformed TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigError(
            f"invalid setting {field} (KEFU_{field.upper()}): {first['msg']}"
        ) from None
    settings.data_dir = settings.data_dir.expanduser().resolve()
    if not settings.database_url:
        settings.database_url = f"sqlite:///{settings.data_dir / 'kefu.db'}"
    return settings


def ensure_data_dir(settings: Settings) -> None:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create data directory {settings.data_dir}: {exc}") from None


def secret_key(settings: Settings) -> str:
    """The instance key: KEFU_SECRET_KEY, or one generated on first run and kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key
    ensure_data_dir(settings)
    path = settings.data_dir / "secret_key"
    if not path.exists():
        fresh = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):
            os.link(fresh, path)  # atomic: two first runs at once agree on one key
        fresh.unlink()
    settings.secret_key = path.read_text().strip()
    return settings.secret_key
