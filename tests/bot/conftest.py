from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.redis_server import RedisServer, running_redis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


@pytest.fixture
def redis_db(redis_server: RedisServer) -> Iterator[RedisServer]:
    """The session's server, emptied before each test."""
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server
