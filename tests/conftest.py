"""Fixtures: a test conversation agent and the integration set up on a temp folder."""

# Import our package first, or Home Assistant's test config supplies custom_components.
import custom_components  # noqa: F401  # isort: skip

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
import re
import threading
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import (
    CONF_DEFAULT_AGENT,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from custom_components.dland_assistant.runtime import DlandRuntimeData
from homeassistant.components import ai_task, conversation
from homeassistant.config_entries import ConfigFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .scripted_model import MODEL, ScriptedModel

type Behaviour = Callable[[conversation.ConversationInput], Awaitable[str | None]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    enable_custom_integrations: None,
) -> Generator[None]:
    """Load custom integrations in every test."""
    return


@pytest.fixture(autouse=True)
def immediate_view_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refresh Mission Control's view at every change.

    Under load the view waits up to half a second between re-reads (real time),
    which frozen-clock tests would never see pass; test_coordinator covers it.
    """
    from custom_components.dland_assistant import coordinator

    monkeypatch.setattr(coordinator, "BUSY_REFRESH_GAP", 0.0)


@pytest.fixture(autouse=True)
def immediate_delivery_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Try a failing channel again at once (real seconds under a frozen clock);
    test_retries covers the pauses."""
    from custom_components.dland_assistant.engine import delivery

    monkeypatch.setattr(delivery, "RETRY_DELAYS", (0.0, 0.0))


@dataclass
class AgentCall:
    """One call the test agent received."""

    at: datetime
    text: str
    conversation_id: str | None
    extra_system_prompt: str | None
    user_id: str | None


@dataclass
class RecordingAgent(conversation.AbstractConversationAgent):
    """A conversation agent that records calls and does what the test says."""

    agent_id: str = ""
    calls: list[AgentCall] = field(default_factory=list)
    behaviour: Behaviour | None = None
    running: int = 0
    max_running: int = 0

    @property
    def supported_languages(self) -> str:
        """Accept every language."""
        return "*"

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        """Record the call, then answer per the behaviour (echo by default)."""
        self.calls.append(
            AgentCall(
                dt_util.utcnow(),
                user_input.text,
                user_input.conversation_id,
                user_input.extra_system_prompt,
                user_input.context.user_id,
            )
        )
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            speech = await self.behaviour(user_input) if self.behaviour else None
        finally:
            self.running -= 1
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(
            speech if speech is not None else f"Done: {user_input.text}"
        )
        return conversation.ConversationResult(
            response=response, conversation_id=user_input.conversation_id
        )


@dataclass
class OutsideCall(AgentCall):
    """One outside run the test AI task entity received, and the tools it had."""

    tools: list[str] = field(default_factory=list)


class RecordingAITask(ai_task.AITaskEntity):
    """An AI task entity that records outside runs and answers like RecordingAgent."""

    _attr_name = "Outside model"
    _attr_unique_id = "outside_model"
    _attr_supported_features = ai_task.AITaskEntityFeature.GENERATE_DATA

    def __init__(self) -> None:
        self.calls: list[OutsideCall] = []
        self.behaviour: Callable[[str], Awaitable[str]] | None = None

    async def _async_generate_data(
        self, task: ai_task.GenDataTask, chat_log: conversation.ChatLog
    ) -> ai_task.GenDataTaskResult:
        self.calls.append(
            OutsideCall(
                at=dt_util.utcnow(),
                text=task.instructions,
                conversation_id=None,
                extra_system_prompt=None,
                user_id=self._context.user_id if self._context else None,
                tools=[tool.name for tool in chat_log.llm_api.tools]
                if chat_log.llm_api
                else [],
            )
        )
        answer = (
            await self.behaviour(task.instructions)
            if self.behaviour
            else f"Done: {task.instructions}"
        )
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id, data=answer
        )


class _OutsideModelFlow(ConfigFlow, domain="test_outside"):
    """Makes test_outside a config entry integration."""

    VERSION = 1


@pytest.fixture
async def outside_agent(hass: HomeAssistant) -> RecordingAITask:
    """Home Assistant's preferred AI task entity: where outside runs go."""
    from pytest_homeassistant_custom_component.common import (
        MockModule,
        MockPlatform,
        mock_integration,
        mock_platform,
    )

    from homeassistant.components.ai_task.const import DATA_PREFERENCES
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.const import Platform
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    assert await async_setup_component(hass, "ai_task", {})
    entity = RecordingAITask()

    async def setup_entry(hass: HomeAssistant, config_entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(
            config_entry, [Platform.AI_TASK]
        )
        return True

    async def setup_platform(
        hass: HomeAssistant, _: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([entity])

    mock_integration(hass, MockModule("test_outside", async_setup_entry=setup_entry))
    mock_platform(
        hass, "test_outside.ai_task", MockPlatform(async_setup_entry=setup_platform)
    )
    mock_platform(hass, "test_outside.config_flow")
    model_entry = MockConfigEntry(domain="test_outside")
    model_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(model_entry.entry_id)
    await hass.async_block_till_done()
    hass.data[DATA_PREFERENCES].async_set_preferences(
        gen_data_entity_id=entity.entity_id
    )
    return entity


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Keep the database of each test in its own folder."""
    hass.config.config_dir = str(tmp_path)
    (tmp_path / "configuration.yaml").write_text("")
    return tmp_path


@pytest.fixture
async def test_agent(hass: HomeAssistant) -> RecordingAgent:
    """Register the recording agent with the conversation integration."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    agent_entry = MockConfigEntry(domain="test", title="Test agent")
    agent_entry.add_to_hass(hass)
    agent = RecordingAgent(agent_id=agent_entry.entry_id)
    conversation.async_set_agent(hass, agent_entry, agent)
    return agent


@pytest.fixture
def entry_options(test_agent: RecordingAgent) -> dict[str, Any]:
    """Options of the integration's entry (tests may override)."""
    return {**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: test_agent.agent_id}


@pytest.fixture
async def entry(
    hass: HomeAssistant, config_dir: Path, entry_options: dict[str, Any]
) -> AsyncGenerator[MockConfigEntry]:
    """Set up the integration and unload it afterwards."""
    # Minor version 2: no built-in routines are added (tests add what they need).
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        title="dland assistant",
        options=entry_options,
        minor_version=2,
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    yield config_entry
    # Let reloads that subentry changes scheduled finish before unloading.
    await hass.async_block_till_done()
    if config_entry.state.recoverable:
        await hass.config_entries.async_unload(config_entry.entry_id)


def runtime(entry: MockConfigEntry) -> DlandRuntimeData:
    """Return the runtime data of a loaded entry."""
    data: DlandRuntimeData = entry.runtime_data
    return data


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any] | None = None
) -> Any:
    """Call one of the integration's services, with the response when it has one."""
    return_response = service not in {
        "cancel_task",
        "forget_fact",
        "set_routine_enabled",
    }
    return await hass.services.async_call(
        DOMAIN, service, data or {}, blocking=True, return_response=return_response
    )


async def settle(hass: HomeAssistant) -> None:
    """Let timers, claims and runs (background tasks) finish."""
    for _ in range(3):
        await hass.async_block_till_done(wait_background_tasks=True)
        await asyncio.sleep(0)


async def wait_until(
    hass: HomeAssistant, predicate: Callable[[], bool], attempts: int = 400
) -> None:
    """Wait (in real time, whatever the frozen clock says) until predicate holds."""
    loop = asyncio.get_running_loop()
    for _ in range(attempts):
        await hass.async_block_till_done()
        if predicate():
            return
        # The store's thread needs real time; the event loop's clock may be frozen.
        await loop.run_in_executor(None, threading.Event().wait, 0.005)
    raise AssertionError("condition not reached")


def add_subentry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    kind: str,
    title: str,
    data: dict[str, Any],
) -> str:
    """Add a persona or recipient subentry the way the UI does, and return its id."""
    from homeassistant.config_entries import ConfigSubentry

    subentry = ConfigSubentry(
        data=data, subentry_type=kind, title=title, unique_id=None
    )
    hass.config_entries.async_add_subentry(entry, subentry)
    return subentry.subentry_id


async def second_agent(hass: HomeAssistant) -> RecordingAgent:
    """Register one more recording agent."""
    agent_entry = MockConfigEntry(domain="test", title="Second agent")
    agent_entry.add_to_hass(hass)
    agent = RecordingAgent(agent_id=agent_entry.entry_id)
    conversation.async_set_agent(hass, agent_entry, agent)
    return agent


def add_phone_recipient(
    hass: HomeAssistant, entry: MockConfigEntry, person: str = "person.dan"
) -> list[Any]:
    """Give a person a mobile app channel as default; return the calls it gets."""
    from pytest_homeassistant_custom_component.common import async_mock_service

    calls = async_mock_service(hass, "notify", "mobile_app_dans_phone")
    add_subentry(
        hass,
        entry,
        "recipient",
        "Dan",
        {
            "person": person,
            "default_channel": "mobile_app",
            "mobile_app": "notify.mobile_app_dans_phone",
        },
    )
    return calls


@pytest.fixture
async def persona(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> str:
    """A persona named Nikki on the test agent."""
    add_subentry(
        hass, entry, "agent", "Nikki", {"conversation_agent": test_agent.agent_id}
    )
    await hass.async_block_till_done()
    return "Nikki"


class _TestAIFlow(ConfigFlow, domain="test_ai"):
    """Makes test_ai a config entry integration (for add_ai_task_entities)."""

    VERSION = 1


async def add_ai_task_entities(
    hass: HomeAssistant, entities: list[Any], cameras: list[Any] | None = None
) -> None:
    """Set up AI task entities (and cameras) through a test integration's entry."""
    from pytest_homeassistant_custom_component.common import (
        MockModule,
        MockPlatform,
        mock_integration,
        mock_platform,
    )

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.const import Platform
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    assert await async_setup_component(hass, "ai_task", {})
    platforms = [Platform.AI_TASK]
    if cameras:
        assert await async_setup_component(hass, "camera", {})
        platforms.append(Platform.CAMERA)

    async def setup_entry(hass: HomeAssistant, config_entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(config_entry, platforms)
        return True

    def platform_adding(items: list[Any]) -> MockPlatform:
        async def setup_platform(
            hass: HomeAssistant, _: ConfigEntry, add: AddConfigEntryEntitiesCallback
        ) -> None:
            add(items)

        return MockPlatform(async_setup_entry=setup_platform)

    mock_integration(hass, MockModule("test_ai", async_setup_entry=setup_entry))
    mock_platform(hass, "test_ai.ai_task", platform_adding(entities))
    mock_platform(hass, "test_ai.camera", platform_adding(cameras or []))
    mock_platform(hass, "test_ai.config_flow")
    ai_entry = MockConfigEntry(domain="test_ai")
    ai_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ai_entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def scripted_model(
    hass: HomeAssistant, socket_enabled: None
) -> AsyncGenerator[ScriptedModel]:
    """A gullible model behind Ollama's API on loopback (see scripted_model.py)."""
    model = ScriptedModel()
    await model.async_start()
    yield model
    await model.async_stop()


@dataclass(frozen=True)
class Ollama:
    """Home Assistant's ollama integration on the scripted model."""

    conversation: str
    ai_task: str


async def add_ollama(
    hass: HomeAssistant, model: ScriptedModel, *, assist: bool = True
) -> Ollama:
    """Set up Home Assistant's real ollama integration against ``model``.

    Its conversation agent offers the Assist API (home control, and this
    integration's tools) when ``assist``; its AI task entity is the one outside
    runs go to.
    """
    for component in ("homeassistant", "conversation", "llm", "ai_task", "intent"):
        assert await async_setup_component(hass, component, {})
    ollama_entry = MockConfigEntry(
        domain="ollama",
        data={"url": model.url},
        version=3,
        minor_version=3,
        subentries_data=[
            {
                "subentry_type": "conversation",
                "data": {
                    "model": MODEL,
                    "prompt": "You run a home.",
                    **({"llm_hass_api": ["assist"]} if assist else {}),
                },
                "title": "Scripted",
                "unique_id": None,
            },
            {
                "subentry_type": "ai_task_data",
                "data": {"model": MODEL},
                "title": "Scripted task",
                "unique_id": None,
            },
        ],
    )
    ollama_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ollama_entry.entry_id)
    await hass.async_block_till_done()
    return Ollama(conversation="conversation.scripted", ai_task="ai_task.scripted_task")


async def post_in_two_writes(
    client: Any, path: str, headers: dict[str, str], body: bytes
) -> bytes:
    """POST over a real socket with the body split in two writes a moment apart,
    as clients and proxies send bodies; return the response's status line."""
    reader, writer = await asyncio.open_connection(
        client.server.host, client.server.port
    )
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{head}"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[: len(body) // 2]
    )
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.write(body[len(body) // 2 :])
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return status_line


def entity_state(hass: HomeAssistant, entity_id: str) -> Any:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def task_entity(hass: HomeAssistant, domain: str, task_id: str, what: str) -> str:
    """Return the entity id of a task's entity of a platform (``what``: its key)."""
    registry = er.async_get(hass)
    entries = [
        e
        for e in registry.entities.values()
        if e.domain == domain and e.unique_id.endswith(f"task_{task_id}_{what}")
    ]
    assert len(entries) == 1, (domain, task_id, entries)
    return entries[0].entity_id


# Entry, subentry, task and run ids: ULIDs, new each run.
_ULID = re.compile(r"(?<![0-9A-Z])[0-9A-HJKMNP-TV-Z]{26}(?![0-9A-Z])")
# Mission Control's pinned moment: a Monday, 10:00 UTC (03:00 in the tests' zone).
MISSION_CONTROL_NOW = "2026-06-15 10:00:00+00:00"


def without_ids(value: Any) -> Any:
    """Return JSON-like data with each ULID named by its first appearance.

    Ids are new each run; numbering them in order keeps which refers to which.
    """
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id {len(names) + 1}>")

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return _ULID.sub(name, item)
        if isinstance(item, dict):
            return {walk(key): walk(val) for key, val in item.items()}
        if isinstance(item, list | tuple):
            return [walk(val) for val in item]
        if isinstance(item, datetime):
            return item.isoformat()
        return item

    return walk(value)


def platform_snapshot(
    hass: HomeAssistant, entry: MockConfigEntry, domain: str
) -> dict[str, Any]:
    """Return each entity of a platform: its registry entry, state and attributes."""
    registry = er.async_get(hass)
    entities = sorted(
        (e for e in er.async_entries_for_config_entry(registry, entry.entry_id)),
        key=lambda e: e.entity_id,
    )
    shown: dict[str, Any] = {}
    for registered in entities:
        if registered.domain != domain:
            continue
        state = hass.states.get(registered.entity_id)
        shown[registered.entity_id] = {
            "unique_id": registered.unique_id,
            "translation_key": registered.translation_key,
            "device_class": registered.device_class or registered.original_device_class,
            "entity_category": registered.entity_category,
            "state": state.state if state else None,
            "name": state.name if state else None,
            "attributes": dict(state.attributes) if state else None,
        }
    assert shown, f"no {domain} entity"
    return without_ids(shown)  # type: ignore[no-any-return]


def add_tidy_up_routine(
    hass: HomeAssistant, entry: MockConfigEntry, persona: str
) -> str:
    """Add a daily 09:00 routine "Tidy-up" on a persona, delivering nothing."""
    return add_subentry(
        hass,
        entry,
        "routine",
        "Tidy-up",
        {
            "schedule": "daily",
            "time": "09:00:00",
            "agent": persona,
            "prompt": "What needs tidying?",
            "enabled": True,
            "deliver": False,
        },
    )


@pytest.fixture
async def mission_control(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: Any,
) -> MockConfigEntry:
    """An entry at a pinned moment with a routine, a cron task, a one-off task,
    one succeeded run and one failed run."""
    freezer.move_to(MISSION_CONTROL_NOW)
    add_tidy_up_routine(hass, entry, persona)
    await settle(hass)
    await call(
        hass,
        "schedule_task",
        {"prompt": "brief me", "cron": "30 7 * * 1-5", "name": "Morning briefing"},
    )
    await call(
        hass, "schedule_task", {"prompt": "tea", "in": {"hours": 2}, "name": "Tea"}
    )
    await call(
        hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "hi", "wait": True}
    )

    async def broken(_: Any) -> str:
        raise RuntimeError("model crashed")

    test_agent.behaviour = broken
    await call(
        hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "x", "wait": True}
    )
    await settle(hass)
    await entry.runtime_data.coordinator.async_refresh()
    await settle(hass)
    return entry
