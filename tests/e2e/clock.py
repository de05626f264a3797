"""Move a real hass process through time with libfaketime.

The process reads its clock offset from a file on every clock call
(``FAKETIME_NO_CACHE``), so a test shifts it while it runs or between runs. Wall
clock and monotonic clock move together, so Home Assistant's timers stay consistent:
after a jump forward, every timer due in the skipped span fires at the loop's next
wake-up (Home Assistant wakes at least every few seconds).
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from .harness import HassProcess

LIBRARY_NAME = "libfaketimeMT.so.1"


def faketime_library() -> Path:
    """Return Debian's libfaketime (installed by scripts/setup)."""
    for path in sorted(Path("/usr/lib").glob(f"*/faketime/{LIBRARY_NAME}")):
        return path
    raise FileNotFoundError(
        "libfaketime is missing: run scripts/setup (apt-get install faketime)"
    )


class ShiftedClock:
    """The clock of one or more hass processes, ``offset`` seconds from real time."""

    def __init__(self, path: Path, offset: float = 0.0) -> None:
        self.path = path
        self.offset = 0.0
        self.set_offset(offset)

    def attach(self, process: HassProcess) -> HassProcess:
        """Make ``process`` run on this clock from its next start."""
        process.env.update(
            {
                "LD_PRELOAD": str(faketime_library()),
                "FAKETIME_TIMESTAMP_FILE": str(self.path),
                "FAKETIME_NO_CACHE": "1",
            }
        )
        return process

    def set_offset(self, seconds: float) -> None:
        """Put the clock ``seconds`` away from real time (atomically)."""
        self.offset = seconds
        partial = self.path.with_suffix(".partial")
        partial.write_text(f"{seconds:+.3f}\n")
        partial.replace(self.path)

    def advance(self, delta: timedelta) -> None:
        """Jump the clock forward (or back) by ``delta``."""
        self.set_offset(self.offset + delta.total_seconds())

    def move_to(self, instant: datetime) -> None:
        """Jump the clock so that it reads ``instant`` now."""
        self.set_offset((instant - datetime.now(UTC)).total_seconds())

    def now(self) -> datetime:
        """Return what the shifted clock reads now."""
        return datetime.now(UTC) + timedelta(seconds=self.offset)
