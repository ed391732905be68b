"""Configuration the checks need, read from the environment names fixed by the contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _csv(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


#: A comma-separated environment value, kept out of pydantic-settings' JSON decoding.
CsvList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """What the checks may reach and how long they may wait; defaults suit a Kyma cluster."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    issuer: str | None = Field(default=None, validation_alias="AUTHCHECK_ISSUER")
    introspect_url: str | None = Field(default=None, validation_alias="AUTHCHECK_INTROSPECT_URL")
    hydra_admin_url: str = Field(
        default="http://ory-hydra-admin.kyma-system.svc.cluster.local:4445",
        validation_alias="AUTHCHECK_HYDRA_ADMIN_URL",
    )
    hydra_public_url: str = Field(
        default="http://ory-hydra-public.kyma-system.svc.cluster.local:4444",
        validation_alias="AUTHCHECK_HYDRA_PUBLIC_URL",
    )
    hydra_namespace: str = Field(
        default="kyma-system", validation_alias="AUTHCHECK_HYDRA_NAMESPACE"
    )
    introspect_secret: str | None = Field(
        default=None, validation_alias="AUTHCHECK_INTROSPECT_SECRET"
    )
    introspect_client_id: str | None = Field(
        default=None, validation_alias="AUTHCHECK_INTROSPECT_CLIENT_ID"
    )
    introspect_client_secret: str | None = Field(
        default=None, validation_alias="AUTHCHECK_INTROSPECT_CLIENT_SECRET", repr=False
    )
    url_allowlist: CsvList = Field(default_factory=list, validation_alias="AUTHCHECK_URL_ALLOWLIST")
    timeout: float = Field(default=5.0, gt=0, le=120, validation_alias="AUTHCHECK_TIMEOUT")
    check_timeout: float = Field(
        default=30.0, gt=0, le=600, validation_alias="AUTHCHECK_CHECK_TIMEOUT"
    )
    kubeconfig: str | None = Field(default=None, validation_alias=AliasChoices("KUBECONFIG"))

    @field_validator("url_allowlist", mode="before")
    @classmethod
    def _split_allowlist(cls, value: object) -> list[str]:
        return _csv(value)
