"""Load shedding for agent runs woken by outside events.

A circuit breaker per conversation agent (closed; open after repeated failures or
timeouts; half-open with a single probe), a bounded queue in front of the run
slots, and a rate limit per caller (a user, or a source). A failing agent sheds
only its own runs, and a noisy caller only its own requests. Hand-written rather
than a library because it must follow Home Assistant's clock (``dt_util``), which
tests freeze, and hand out exactly one half-open probe.
"""

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
    # Called after a recorded outcome changes a breaker, e.g. to update its entity.
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
        """Record the outcome of an agent run; say so only if it changed anything.

        A success of a healthy agent changes nothing: its entity is not written
        again for every run.
        """
        before = (self.failures, self.opened_at, self.probing, self.trips)
        self._record(ok)
        changed = before != (self.failures, self.opened_at, self.probing, self.trips)
        if changed and self.on_change is not None:
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


_WORST_FIRST = (BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED)


@dataclass(slots=True)
class AgentBreakers:
    """One circuit breaker per conversation agent, made when first used.

    Agents are checked to exist before they get one, so there are as many as the
    home has agents; at most ``limit`` are kept, the healthy ones dropped first.
    """

    threshold: int = 5
    recovery: timedelta = timedelta(seconds=60)
    limit: int = 256
    # Called after a recorded outcome changes a breaker, e.g. to update its entity.
    on_change: Callable[[], None] | None = None
    _by_agent: dict[str, CircuitBreaker] = field(default_factory=dict)

    def for_agent(self, agent: str) -> CircuitBreaker:
        """Return the agent's breaker."""
        if (breaker := self._by_agent.get(agent)) is None:
            if len(self._by_agent) >= self.limit:
                self._forget_healthy()
            breaker = self._by_agent[agent] = CircuitBreaker(
                self.threshold, self.recovery, on_change=self._changed
            )
            self._changed()  # one more agent to show
        return breaker

    def _forget_healthy(self) -> None:
        for agent, breaker in list(self._by_agent.items()):
            if breaker.opened_at is None and not breaker.failures:
                del self._by_agent[agent]
        while len(self._by_agent) >= self.limit:  # every one failing: oldest goes
            del self._by_agent[next(iter(self._by_agent))]

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    @property
    def state(self) -> BreakerState:
        """Return the worst state of any agent's breaker."""
        states = {breaker.state for breaker in self._by_agent.values()}
        return next(
            (state for state in _WORST_FIRST if state in states), BreakerState.CLOSED
        )

    @property
    def trips(self) -> int:
        """Return how often any breaker opened."""
        return sum(breaker.trips for breaker in self._by_agent.values())

    def by_agent(self) -> dict[str, dict[str, str | int]]:
        """Return each agent's breaker, as shown on entities and the card."""
        return {
            agent: {
                "state": breaker.state.value,
                "failures": breaker.failures,
                "trips": breaker.trips,
            }
            for agent, breaker in self._by_agent.items()
        }


@dataclass(slots=True)
class RateLimiter:
    """A token bucket per caller: ``rate`` requests a minute, bursts up to ``burst``.

    At most ``limit`` buckets are kept: full ones are dropped first (they are what
    a new bucket would be), then the longest unused.
    """

    rate: float = 120.0
    burst: float = 30.0
    limit: int = 4096
    _buckets: dict[str, tuple[float, datetime]] = field(default_factory=dict)

    def take(self, caller: str) -> bool:
        """Take a token for a caller; False when it is over its rate."""
        now = dt_util.utcnow()
        tokens, last = self._buckets.pop(caller, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last).total_seconds() * self.rate / 60)
        if len(self._buckets) >= self.limit:
            self._drop_full(now)
        # Re-inserted: the dict stays ordered from least to most recently used.
        if tokens < 1:
            self._buckets[caller] = (tokens, now)
            return False
        self._buckets[caller] = (tokens - 1, now)
        return True

    def _drop_full(self, now: datetime) -> None:
        refill = self.burst * 60 / self.rate
        for caller, (tokens, last) in list(self._buckets.items()):
            if (now - last).total_seconds() >= refill or tokens >= self.burst:
                del self._buckets[caller]
        while len(self._buckets) >= self.limit:
            del self._buckets[next(iter(self._buckets))]
