"""The real redis-server fixtures of tests/bot, for the security tests too."""

from tests.bot.conftest import redis_db, redis_server  # noqa: F401
