"""Times as people read them: UTC for logs, relative for "how long ago"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.core.timefmt import from_epoch, relative, utc

NOW = datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)


def test_utc_format_and_conversion() -> None:
    assert utc(NOW) == "2026-11-25 10:31:40 UTC"
    plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
    assert utc(plus_two) == "2026-11-25 10:31:40 UTC"
    assert utc(NOW.replace(tzinfo=None)) == "2026-11-25 10:31:40 UTC"


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(hours=-3, minutes=-10), "3 h ago"),
        (timedelta(minutes=5, seconds=10), "in 5 min"),
        (timedelta(days=-2, hours=-5), "2 d ago"),
        (timedelta(seconds=2), "just now"),
        (timedelta(seconds=-4), "just now"),
        (timedelta(seconds=-42), "42 s ago"),
        (timedelta(seconds=59), "in 59 s"),
        (timedelta(minutes=60), "in 1 h"),
    ],
)
def test_relative(offset: timedelta, expected: str) -> None:
    assert relative(NOW + offset, NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (1795602700, datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)),
        (1795602700.5, datetime(2026, 11, 25, 10, 31, 40, 500000, tzinfo=UTC)),
        ("1795602700", datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)),
        (" 1795602700 ", datetime(2026, 11, 25, 10, 31, 40, tzinfo=UTC)),
    ],
)
def test_from_epoch_numbers(value: object, expected: datetime) -> None:
    result = from_epoch(value)
    assert result == expected
    assert result is not None
    assert result.tzinfo is not None


@pytest.mark.parametrize(
    "value",
    [True, False, None, "soon", "", [1], {"exp": 1}, -1, float("nan"), float("inf"), 1795602700000],
)
def test_from_epoch_rejects_non_numbers_and_absurd_values(value: object) -> None:
    # 1795602700000 is milliseconds: year ~58870, which no token means.
    assert from_epoch(value) is None


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.integers(), st.floats(allow_nan=True), st.text(max_size=30), st.none()))
def test_from_epoch_never_raises(value: object) -> None:
    result = from_epoch(value)
    assert result is None or result.tzinfo is not None
