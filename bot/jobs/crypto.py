"""Job payloads hold tokens and secrets, so they are encrypted before they touch Redis."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

MIN_KEY_LENGTH = 16


class JobKeyError(ValueError):
    """The job key is missing or too weak; the message says how to make one."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


class JobCipher:
    """Fernet (AES-128-CBC + HMAC) keyed from AUTHCHECK_JOB_KEY.

    Any string of 16+ characters is accepted and stretched with SHA-256, so a Fernet key and a
    long random passphrase both work; bot and worker only need the same value.
    """

    def __init__(self, key: str) -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise JobKeyError(
                "AUTHCHECK_JOB_KEY must be at least 16 characters; generate one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
                ".decode())'`"
            )
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, data: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(data, separators=(",", ":")).encode())

    def open(self, blob: bytes | str, ttl: int | None = None) -> dict[str, Any]:
        raw = blob.encode() if isinstance(blob, str) else blob
        try:
            data = json.loads(self._fernet.decrypt(raw, ttl=ttl))
        except InvalidToken:
            raise ValueError("job payload cannot be decrypted (wrong AUTHCHECK_JOB_KEY?)") from None
        if not isinstance(data, dict):
            raise ValueError("job payload is not an object")
        return data
