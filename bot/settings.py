"""Settings from the environment and `.env` (SPEC section 1). Built in main, never at import."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of SPEC section 1; see `.env.example` for what each one means."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: str = Field(default="", description="the bot token")
    database_url: str = "sqlite:///data/concord.db"
    dev_guild_id: int | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    shard_count: int | None = None
    shard_ids: list[int] | None = None
    log_level: str = "INFO"
    discord_global_rate: float = Field(default=50.0, gt=0)
    # Messages per 5 s the reminder engine sends to one channel (Discord's limit is 5); 0 leaves
    # the pacing to discord.py's buckets alone.
    discord_channel_rate: int = Field(default=5, ge=0)
    reminder_lease_seconds: float = Field(default=30.0, ge=1)
    # The calendar outside Discord (SPEC 11): the feed's web server and outside subscriptions.
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=0, le=65535)  # 0: any free port (tests)
    public_url: str | None = None
    subscription_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    subscriptions_allow_private: bool = False

    @field_validator("http_port", "public_url", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("PUBLIC_URL must start with http:// or https://")
        return value

    @field_validator("dev_guild_id", "shard_count", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        """Accept `0,1`, `0 1` or a JSON list."""
        if value is None or value == "":
            return None
        if isinstance(value, int):
            return [value]
        if isinstance(value, str) and not value.strip().startswith("["):
            return [int(part) for part in value.replace(",", " ").split()]
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}:
            raise ValueError("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value
