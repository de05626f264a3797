"""Refusals of unauthenticated requests, logged as a count, not one line each.

Anyone can send a forged webhook; a warning per request lets one client grow
Home Assistant's log (which does not roll over while it runs) without bound.
The first refusal is logged at once, later ones as one line per interval.
"""

from dataclasses import dataclass, field
import time

from ..const import LOGGER

REPORT_INTERVAL = 300.0  # seconds


@dataclass(slots=True)
class RefusalLog:
    """Counts refusals of one kind and reports them at most once per interval."""

    what: str
    interval: float = REPORT_INTERVAL
    total: int = 0
    _unreported: int = 0
    _next_report: float = field(default=0.0)

    def refused(self) -> None:
        """Count a refusal; log if the interval since the last line has passed."""
        self.total += 1
        self._unreported += 1
        now = time.monotonic()
        if now < self._next_report:
            return
        LOGGER.warning(
            "%s: %s refused since the last report (%s in all); the next report"
            " comes in %d s at the earliest",
            self.what,
            self._unreported,
            self.total,
            self.interval,
        )
        self._unreported = 0
        self._next_report = now + self.interval
