"""Cron arithmetic across daylight-saving changes: every local time fires once."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.dland_assistant.engine.cron import is_valid_cron, next_cron_run


def _runs(expression: str, zone: str, start: str, end: str) -> list[str]:
    """Return every run between two UTC instants, as local ISO times."""
    after = datetime.fromisoformat(start).replace(tzinfo=UTC)
    stop = datetime.fromisoformat(end).replace(tzinfo=UTC)
    runs: list[str] = []
    while (
        after := next_cron_run(expression, zone, after)
    ) is not None and after < stop:  # type: ignore[assignment]
        runs.append(after.astimezone(ZoneInfo(zone)).isoformat())
    return runs


@pytest.mark.parametrize(
    ("zone", "start", "end", "expected"),
    [
        # Spring forward: 02:00 -> 03:00; 02:30 does not exist and runs at 03:30.
        (
            "Europe/Berlin",
            "2026-03-28 00:00",
            "2026-03-31 00:00",
            [
                "2026-03-28T02:30:00+01:00",
                "2026-03-29T03:30:00+02:00",
                "2026-03-30T02:30:00+02:00",
            ],
        ),
        # Fall back: 03:00 -> 02:00; 02:30 happens twice and runs the first time only.
        (
            "Europe/Berlin",
            "2026-10-24 00:00",
            "2026-10-27 00:00",
            [
                "2026-10-24T02:30:00+02:00",
                "2026-10-25T02:30:00+02:00",
                "2026-10-26T02:30:00+01:00",
            ],
        ),
        (
            "America/New_York",
            "2026-03-07 12:00",
            "2026-03-10 12:00",
            [
                "2026-03-08T03:30:00-04:00",
                "2026-03-09T02:30:00-04:00",
                "2026-03-10T02:30:00-04:00",
            ],
        ),
        (
            "America/New_York",
            "2026-10-31 12:00",
            "2026-11-03 12:00",
            [
                "2026-11-01T02:30:00-05:00",
                "2026-11-02T02:30:00-05:00",
                "2026-11-03T02:30:00-05:00",
            ],
        ),
    ],
)
def test_daily_task_across_dst(
    zone: str, start: str, end: str, expected: list[str]
) -> None:
    """A daily 02:30 task runs exactly once every day, transition days included."""
    assert _runs("30 2 * * *", zone, start, end) == expected


def test_lord_howe_half_hour_shift() -> None:
    """Lord Howe moves by 30 minutes: 02:00 -> 02:30 in October, back in April."""
    # 02:15 does not exist on 4 October 2026; it runs at 02:45 (+11:00).
    assert _runs(
        "15 2 * * *", "Australia/Lord_Howe", "2026-10-02 12:00", "2026-10-05 12:00"
    ) == [
        "2026-10-03T02:15:00+10:30",
        "2026-10-04T02:45:00+11:00",
        "2026-10-05T02:15:00+11:00",
    ]
    # 01:45 happens twice on 5 April 2026; it runs once.
    assert _runs(
        "45 1 * * *", "Australia/Lord_Howe", "2026-04-03 12:00", "2026-04-06 12:00"
    ) == [
        "2026-04-04T01:45:00+11:00",
        "2026-04-05T01:45:00+11:00",
        "2026-04-06T01:45:00+10:30",
    ]


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Berlin", "2026-03-29"),
        ("Europe/Berlin", "2026-10-25"),
        ("America/New_York", "2026-03-08"),
        ("America/New_York", "2026-11-01"),
        ("Australia/Lord_Howe", "2026-10-04"),
        ("Australia/Lord_Howe", "2026-04-05"),
    ],
)
def test_every_quarter_hour_follows_real_time(zone: str, day: str) -> None:
    """A wildcard expression runs every 15 real minutes through a change: twice in
    a repeated hour (at two instants), never inside a skipped one.
    """
    zone_info = ZoneInfo(zone)
    start = datetime.fromisoformat(f"{day} 00:00").replace(tzinfo=zone_info)
    first = start.astimezone(UTC)
    end = (start + timedelta(days=1)).astimezone(UTC)
    after = first - timedelta(minutes=1)
    runs: list[datetime] = []
    while (after := next_cron_run("*/15 * * * *", zone, after)) < end:  # type: ignore[assignment,operator]
        runs.append(after)
    quarters = int((end - first) / timedelta(minutes=15))
    assert runs == [first + timedelta(minutes=15 * n) for n in range(quarters)]
    # A repeated half hour adds two runs, a skipped hour removes four.
    change = start.utcoffset() - (start + timedelta(days=1)).utcoffset()  # type: ignore[operator]
    assert len(runs) == 96 + change // timedelta(minutes=15)
    assert len(runs) != 96


def test_hourly_task_in_the_spring_gap_runs_once() -> None:
    """The missing 02:00 and the real 03:00 share one run at 03:00."""
    assert _runs(
        "0 * * * *", "Europe/Berlin", "2026-03-29 00:30", "2026-03-29 03:30"
    ) == [
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
        "2026-03-29T05:00:00+02:00",
    ]


def test_no_run_is_returned_for_impossible_dates() -> None:
    """30 February never comes."""
    assert next_cron_run("0 0 30 2 *", "UTC", datetime(2026, 1, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("30 7 * * 1-5", True),
        ("*/5 * * * *", True),
        ("0 0 1 1 *", True),
        ("61 * * * *", False),
        ("* * * *", False),
        ("0 0 * * * *", False),
        ("@daily", False),
        ("", False),
        ("a b c d e", False),
        ("0 0 30 2 *", False),  # 30 February never comes
        ("10 " + ",".join(["1"] * 46) + " * * *", True),  # 100 characters
        ("10 " + ",".join(["1"] * 47) + " * * *", False),  # 102: over the bound
        ("0 0 * * " + ",".join(["1"] * 500_000), False),
    ],
)
def test_is_valid_cron(expression: str, valid: bool) -> None:
    """Only five-field expressions cronsim understands, up to 100 characters."""
    assert is_valid_cron(expression) is valid
