"""Load shedding for agent runs woken by outside events.

A circuit breaker (closed; open after repeated failures or timeouts; half-open with
a single probe), a bounded queue in front of the run slots, and a per-source rate
limit. Hand-written rather than a library because it must follow Home Assistant's
clock (``dt_util``), which tests freeze, and hand out exactly one half-open probe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from homeassistant.util import dt as dt_util


class BreakerState(StrEnum):
    """The state of the circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class CircuitBreaker:
    """Opens after ``threshold`` failures in a row; probes again after ``recovery``."""

    threshold: int = 5
    recovery: timedelta = timedelta(seconds=60)
    failures: int = 0
    opened_at: datetime | None = None
    probing: bool = False
    trips: int = 0
    # Called after every recorded outcome, e.g. to update the breaker's entity.
    on_change: Callable[[], None] | None = None

    @property
    def state(self) -> BreakerState:
        """Return the state now."""
        if self.opened_at is None:
            return BreakerState.CLOSED
        if dt_util.utcnow() - self.opened_at < self.recovery and not self.probing:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def retry_after(self) -> int:
        """Return the seconds until a probe may run (at least 1)."""
        if self.opened_at is None:
            return 1
        left = self.opened_at + self.recovery - dt_util.utcnow()
        return max(1, int(left.total_seconds() + 0.999))

    def allow(self) -> bool:
        """Return whether a run may start now; in half-open, only one probe may."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self.probing:
            self.probing = True
            return True
        return False

    def record(self, ok: bool) -> None:
        """Record the outcome of an agent run."""
        self._record(ok)
        if self.on_change is not None:
            self.on_change()

    def _record(self, ok: bool) -> None:
        if ok:
            self.failures = 0
            self.opened_at = None
            self.probing = False
            return
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            if self.opened_at is None or self.probing:
                self.trips += 1
            self.opened_at = dt_util.utcnow()
            self.probing = False


@dataclass(slots=True)
class RateLimiter:
    """A token bucket per source: ``rate`` requests a minute, bursts up to ``burst``."""

    rate: float = 120.0
    burst: float = 30.0
    _buckets: dict[str, tuple[float, datetime]] = field(default_factory=dict)

    def take(self, source: str) -> bool:
        """Take a token for a source; False when it is over its rate."""
        now = dt_util.utcnow()
        tokens, last = self._buckets.get(source, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last).total_seconds() * self.rate / 60)
        if tokens < 1:
            self._buckets[source] = (tokens, now)
            return False
        self._buckets[source] = (tokens - 1, now)
        return True
