"""Configuration of the Slack side: credentials, queue, access control, ports.

Secrets are `SecretStr` so a repr or a validation error never prints them.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.core.settings import CsvList, _csv

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, validation_alias="SLACK_API_URL")
    redis_url: SecretStr | None = Field(default=None, validation_alias="REDIS_URL")
    job_key: SecretStr | None = Field(default=None, validation_alias="AUTHCHECK_JOB_KEY")
    allowed_channels: CsvList = Field(
        default_factory=list, validation_alias="AUTHCHECK_ALLOWED_CHANNELS"
    )
    allowed_users: CsvList = Field(default_factory=list, validation_alias="AUTHCHECK_ALLOWED_USERS")
    allowed_usergroups: CsvList = Field(
        default_factory=list, validation_alias="AUTHCHECK_ALLOWED_USERGROUPS"
    )
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")
    #: Unset: 8080 for `serve`, 8081 for `worker` (bot/startup.py), so both fit on one host.
    health_port: int | None = Field(
        default=None, ge=0, le=65535, validation_alias="AUTHCHECK_HEALTH_PORT"
    )
    worker_concurrency: int = Field(
        default=8, ge=1, le=256, validation_alias="AUTHCHECK_WORKER_CONCURRENCY"
    )
    #: Commands one user may start per minute.
    user_rate_per_minute: int = Field(default=20, ge=1, validation_alias="AUTHCHECK_USER_RATE")
    #: How often a job is tried before it goes to the dead-letter list.
    max_attempts: int = Field(default=3, ge=1, le=20, validation_alias="AUTHCHECK_MAX_ATTEMPTS")
    #: A job not finished this long after it was taken is given to another worker.
    job_visibility_seconds: float = Field(
        default=60.0, gt=0, validation_alias="AUTHCHECK_JOB_VISIBILITY"
    )
    #: A whole command is stopped after this long (each check also has AUTHCHECK_CHECK_TIMEOUT).
    job_timeout_seconds: float = Field(
        default=120.0, gt=0, le=3600, validation_alias="AUTHCHECK_JOB_TIMEOUT"
    )
    #: Jobs older than this are answered with "expired" instead of being run.
    job_ttl_seconds: float = Field(default=900.0, gt=0, validation_alias="AUTHCHECK_JOB_TTL")
    #: Messages per second per channel the bot allows itself (Slack allows about one).
    channel_rate: float = Field(default=1.0, gt=0, validation_alias="AUTHCHECK_CHANNEL_RATE")

    @field_validator("allowed_channels", "allowed_users", "allowed_usergroups", mode="before")
    @classmethod
    def _split(cls, value: object) -> list[str]:
        return _csv(value)
