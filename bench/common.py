"""What every benchmark shares: an in-process Home Assistant, a no-op agent,
loop-lag sampling, percentiles and the results file.

The Home Assistant here is a real one (its event loop, bus, services, time helpers
and our integration's real store on a temp folder); only the agent is a stand-in
that answers at once, so what is measured is the scheduler, not a model.
"""

# Our package first, or pytest-homeassistant-custom-component's test config's.
import custom_components  # noqa: F401  # isort: skip

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
import json
import math
from pathlib import Path
import platform
import time
from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_test_home_assistant,
    mock_integration,
    mock_platform,
)

from custom_components.dland_assistant.config_flow import DEFAULT_OPTIONS
from custom_components.dland_assistant.const import CONF_DEFAULT_AGENT, DOMAIN
from homeassistant import loader
from homeassistant.components import ai_task, conversation
from homeassistant.components.ai_task.const import DATA_PREFERENCES
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform, __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component

RESULTS = Path(__file__).parents[1] / "docs" / "bench-results.json"
# The no-op agent's id, known before Home Assistant starts (tasks stored ahead).
AGENT_ID = "noop_agent"


class NoopAgent(conversation.AbstractConversationAgent):
    """Answers at once; remembers when each prompt arrived (wall clock)."""

    def __init__(self) -> None:
        """Start with no calls."""
        self.calls: list[tuple[float, str]] = []
        self.on_call: Callable[[str], None] | None = None

    @property
    def supported_languages(self) -> str:
        """Accept every language."""
        return "*"

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Record and answer."""
        self.calls.append((time.time(), user_input.text))
        if self.on_call:
            self.on_call(user_input.text)
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech("ok")
        return conversation.ConversationResult(
            response=response, conversation_id=user_input.conversation_id
        )


class NoopAITask(ai_task.AITaskEntity):
    """Home Assistant's AI task entity for outside runs: answers at once, counts."""

    _attr_name = "No-op model"
    _attr_unique_id = "noop_model"
    _attr_supported_features = ai_task.AITaskEntityFeature.GENERATE_DATA

    def __init__(self) -> None:
        """Start with no calls."""
        self.calls: list[tuple[float, str]] = []

    async def _async_generate_data(
        self, task: ai_task.GenDataTask, chat_log: conversation.ChatLog
    ) -> ai_task.GenDataTaskResult:
        self.calls.append((time.time(), task.instructions))
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id, data="ok"
        )


class _NoopModelFlow(ConfigFlow, domain="bench_model"):
    """Makes bench_model a config entry integration (its AI task platform)."""


async def _async_add_outside_model(hass: HomeAssistant) -> NoopAITask:
    """Set up the no-op AI task entity and make it Home Assistant's preferred one."""
    assert await async_setup_component(hass, "ai_task", {})
    entity = NoopAITask()

    async def setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(entry, [Platform.AI_TASK])
        return True

    async def setup_platform(
        hass: HomeAssistant, _: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([entity])

    mock_integration(hass, MockModule("bench_model", async_setup_entry=setup_entry))
    mock_platform(
        hass, "bench_model.ai_task", MockPlatform(async_setup_entry=setup_platform)
    )
    mock_platform(hass, "bench_model.config_flow")
    model_entry = MockConfigEntry(domain="bench_model")
    model_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(model_entry.entry_id)
    await hass.async_block_till_done()
    hass.data[DATA_PREFERENCES].async_set_preferences(
        gen_data_entity_id=entity.entity_id
    )
    return entity


@dataclass
class Bench:
    """A running Home Assistant with the integration, the no-op agent and model."""

    hass: HomeAssistant
    agent: NoopAgent
    # Where outside runs (feeds, SMS, …) go: Home Assistant's AI task entity.
    outside: NoopAITask | None = None
    entry: MockConfigEntry | None = None


@asynccontextmanager
async def bench_hass(
    folder: Path,
    *,
    options: dict[str, Any] | None = None,
    integration: bool = True,
    http_port: int | None = None,
    outside_model: bool = False,
) -> AsyncIterator[Bench]:
    """Start Home Assistant on a folder, with the integration unless told not to.

    With ``http_port``, Home Assistant's own HTTP server listens on that loopback
    port once everything is set up; with ``outside_model``, a no-op AI task entity
    takes outside runs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text("")
    async with async_test_home_assistant(config_dir=str(folder)) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await hass.config.async_set_time_zone("UTC")
        assert await async_setup_component(hass, "homeassistant", {})
        if http_port is not None:
            http = {"server_host": "127.0.0.1", "server_port": http_port}
            assert await async_setup_component(hass, "http", {"http": http})
        assert await async_setup_component(hass, "conversation", {})
        agent_entry = MockConfigEntry(
            domain="bench_agent", title="No-op agent", entry_id=AGENT_ID
        )
        agent_entry.add_to_hass(hass)
        agent = NoopAgent()
        conversation.async_set_agent(hass, agent_entry, agent)
        bench = Bench(hass, agent)
        if outside_model:
            bench.outside = await _async_add_outside_model(hass)
        if integration:
            bench.entry = MockConfigEntry(
                domain=DOMAIN,
                options={
                    **DEFAULT_OPTIONS,
                    CONF_DEFAULT_AGENT: agent_entry.entry_id,
                    **(options or {}),
                },
                minor_version=2,  # no built-in routines: only the workload runs
            )
            bench.entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(bench.entry.entry_id)
            await hass.async_block_till_done()
        if http_port is not None:
            await hass.http.start()
        try:
            yield bench
        finally:
            if bench.entry is not None:
                await hass.config_entries.async_unload(bench.entry.entry_id)
            await hass.async_stop(force=True)


@dataclass
class LagMonitor:
    """Samples how late the event loop wakes a sleeper (event-loop lag)."""

    interval: float = 0.005
    lags: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sampling."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> list[float]:
        """Stop and return the lags in ms."""
        assert self._task is not None
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task
        return [lag * 1000 for lag in self.lags]

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - before - self.interval))


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    """Return p50, p99, max and count."""
    return {
        "p50": percentile(values, 0.50),
        "p99": percentile(values, 0.99),
        "max": max(values) if values else math.nan,
        "n": len(values),
    }


def save(section: str, data: dict[str, Any]) -> None:
    """Merge one scenario's results into docs/bench-results.json."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[section] = data
    results["machine"] = machine()
    RESULTS.write_text(json.dumps(results, indent=1, default=str) + "\n")


def machine() -> dict[str, Any]:
    """Describe where the numbers come from."""
    import apscheduler

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import os

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "home_assistant": HA_VERSION,
        "apscheduler": apscheduler.__version__,
        "os": platform.platform(),
    }


def rss_mb() -> float:
    """Return this process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def fmt(value: float, digits: int = 1) -> str:
    """Format a number for a table."""
    return "–" if math.isnan(value) else f"{value:,.{digits}f}"
