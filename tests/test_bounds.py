"""Bounds: one caller's flood or one agent's failures shed only their own work;
every stored or remembered thing has a limit, enforced with a translated error."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.dland_assistant import store as store_module
from custom_components.dland_assistant.const import MAX_CONTEXT_BYTES, MAX_ID_LENGTH
from custom_components.dland_assistant.engine.breaker import (
    AgentBreakers,
    BreakerState,
    RateLimiter,
)
from custom_components.dland_assistant.models import ExecutionSource, RunRequest, Trust
from custom_components.dland_assistant.personas import Persona, SessionTracker
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, runtime, settle


async def _user_client(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, name: str
) -> Any:
    """Return an HTTP client logged in as a new non-admin user."""
    user = await hass.auth.async_create_user(name, group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(user, "https://example.com/")
    return await hass_client(hass.auth.async_create_access_token(refresh))


async def test_one_users_flood_does_not_limit_the_owner(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each user has their own bucket: Liz's 35 wakeups answer 429 past her burst,
    while the owner's next wakeups are all accepted."""
    # The clock stands still (freezer): no tokens come back while she floods.
    runtime(entry).scheduler.rate_limiter = RateLimiter(rate=60, burst=30)
    liz = await _user_client(hass, hass_client, "Liz")
    statuses = [
        (await liz.post("/api/wakeup", json={"agent": "Nikki", "prompt": "x"})).status
        for _ in range(35)
    ]
    assert statuses.count(HTTPStatus.ACCEPTED) == 30
    assert statuses[30:] == [HTTPStatus.TOO_MANY_REQUESTS] * 5
    owner = await hass_client()
    for _ in range(3):
        response = await owner.post(
            "/api/wakeup", json={"agent": "Nikki", "prompt": "mine"}
        )
        assert response.status == HTTPStatus.ACCEPTED
    await settle(hass)


def test_rate_limiter_keeps_a_bounded_number_of_buckets(
    freezer: FrozenDateTimeFactory,
) -> None:
    """Past its limit the limiter forgets full buckets first, then the oldest."""
    limiter = RateLimiter(rate=60, burst=2, limit=3)
    assert limiter.take("a")
    assert limiter.take("a")
    assert not limiter.take("a")  # a is over its rate
    freezer.tick(timedelta(seconds=5))  # b and c will be full again
    for caller in ("b", "c", "d", "e"):
        assert limiter.take(caller)
    assert len(limiter._buckets) <= 3
    # a was the longest unused: forgotten, it starts again with a full bucket.
    assert limiter.take("a")


async def test_a_failing_agent_sheds_only_its_own_runs(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
) -> None:
    """Five failures open the test agent's breaker; the built-in agent still runs,
    and the entity names which agent is shed."""

    async def fail(_: conversation.ConversationInput) -> str:
        raise RuntimeError("LLM down")

    test_agent.behaviour = fail
    for _ in range(5):
        await call(hass, "wakeup", {"agent": "Nikki", "prompt": "x", "wait": True})
    breakers = runtime(entry).scheduler.breaker
    assert breakers.for_agent(test_agent.agent_id).state is BreakerState.OPEN
    with pytest.raises(Exception, match="breaker_open"):
        await call(hass, "wakeup", {"agent": "Nikki", "prompt": "x"})
    result = await call(
        hass,
        "wakeup",
        {"agent": "conversation.home_assistant", "prompt": "hello", "wait": True},
    )
    assert result["status"] == "succeeded"
    state = hass.states.get("binary_sensor.dland_assistant_agent_circuit_breaker")
    assert state is not None
    assert state.state == "on"
    assert state.attributes["agents"][test_agent.agent_id]["state"] == "open"
    assert state.attributes["agents"]["conversation.home_assistant"] == {
        "state": "closed",
        "failures": 0,
        "trips": 0,
    }


def test_agent_breakers_are_bounded() -> None:
    """Past its limit the healthy breakers are forgotten, failing ones kept."""
    breakers = AgentBreakers(limit=2)
    breakers.for_agent("failing").record(False)
    breakers.for_agent("healthy").record(True)
    breakers.for_agent("new")
    assert set(breakers.by_agent()) == {"failing", "new"}
    assert breakers.for_agent("failing").failures == 1


def _request(owner: str, trust: Trust = Trust.TRUSTED) -> RunRequest:
    return RunRequest(
        name="n",
        agent="persona:p",
        prompt="p",
        origin="api",
        source=ExecutionSource.WAKEUP,
        owner=owner,
        acting_user=owner,
        trust=trust,
        timeout=10,
    )


def test_sessions_expire_and_are_bounded(freezer: FrozenDateTimeFactory) -> None:
    """A session past its window is forgotten at the next new one; at most
    ``limit`` are kept, the least recently used dropped first."""
    persona = Persona(
        persona_id="p",
        name="Nikki",
        conversation_agent="conversation.x",
        instructions="",
        language=None,
        timeout=10,
        deliver=True,
        session_window=timedelta(minutes=30),
    )
    tracker = SessionTracker(limit=3)
    first, continued = tracker.conversation_id(persona, _request("a"))
    assert not continued
    assert tracker.conversation_id(persona, _request("a")) == (first, True)
    freezer.tick(timedelta(minutes=31))
    tracker.conversation_id(persona, _request("b"))
    assert len(tracker) == 1  # a's session expired
    for owner in ("c", "d", "e"):
        tracker.conversation_id(persona, _request(owner))
    assert len(tracker) == 3
    # b was the least recently used: it starts a new conversation.
    assert tracker.conversation_id(persona, _request("b"))[1] is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", "x" * (MAX_ID_LENGTH + 1)),
        ("platform", "p" * 2_000_000),
        ("agent", "a" * (MAX_ID_LENGTH + 1)),
    ],
)
async def test_long_ids_are_refused_translated(
    hass: HomeAssistant, entry: MockConfigEntry, persona: str, field: str, value: str
) -> None:
    """An id longer than ids can be is refused before anything else happens."""
    data = {"agent": "Nikki", "prompt": "Hi", field: value}
    for service in ("wakeup", "schedule_task"):
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass,
                service,
                {**data, "in": {"hours": 1}} if service == "schedule_task" else data,
            )
        assert err.value.translation_key == "field_too_long"
        assert err.value.translation_placeholders == {
            "field": field,
            "limit": str(MAX_ID_LENGTH),
        }
    assert (await call(hass, "list_tasks"))["tasks"] == []
    assert await call(hass, "get_executions") == {"executions": []}


async def test_large_context_is_refused_translated(
    hass: HomeAssistant, entry: MockConfigEntry, persona: str
) -> None:
    """Quoted context is bounded as JSON, and must be plain data."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "wakeup",
            {
                "agent": "Nikki",
                "prompt": "Hi",
                "context": {"x": "y" * MAX_CONTEXT_BYTES},
            },
        )
    assert err.value.translation_key == "context_too_large"
    assert await call(hass, "get_executions") == {"executions": []}


async def test_task_quota_per_owner(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    hass_admin_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user with as many open tasks as allowed gets a translated error and nothing
    is stored; another user can still schedule."""
    monkeypatch.setattr(store_module.tasks, "MAX_TASKS_PER_OWNER", 3)
    liz = await hass.auth.async_create_user("Liz", group_ids=["system-users"])

    async def schedule(user_id: str) -> None:
        await hass.services.async_call(
            "dland_assistant",
            "schedule_task",
            {"prompt": "Hi", "agent": "Nikki", "in": {"hours": 1}},
            blocking=True,
            return_response=True,
            context=Context(user_id=user_id),
        )

    for _ in range(3):
        await schedule(liz.id)
    with pytest.raises(ServiceValidationError) as err:
        await schedule(liz.id)
    assert err.value.translation_key == "task_quota"
    assert err.value.translation_placeholders == {"limit": "3"}
    await schedule(hass_admin_user.id)
    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert sorted(task["owner"] for task in tasks) == sorted(
        [liz.id] * 3 + [hass_admin_user.id]
    )


async def test_event_quota_per_source(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A source with as many stored events as allowed is answered 429 and stores
    nothing more; its sender keeps the event and retries later."""
    monkeypatch.setattr(store_module.events, "MAX_EVENTS_PER_SOURCE", 2)
    client = await hass_client()
    for n in range(2):
        response = await client.post(
            "/api/events/ha", json={"type": "t", "summary": f"event {n}"}
        )
        assert response.status == HTTPStatus.ACCEPTED
    response = await client.post(
        "/api/events/ha", json={"type": "t", "summary": "one too many"}
    )
    assert response.status == HTTPStatus.TOO_MANY_REQUESTS
    assert "2 stored events" in (await response.json())["message"]
    store = runtime(entry).store
    stored = await store.async_list_events(since=dt_util.utcnow() - timedelta(days=1))
    assert [event.summary for event in stored] == ["event 0", "event 1"]


async def test_memory_keeps_at_most_max_facts(
    hass: HomeAssistant, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap new facts are left out and counted; known ones still update,
    and nothing already learnt is dropped."""
    from custom_components.dland_assistant import memory

    monkeypatch.setattr(store_module.facts, "MAX_FACTS", 2)
    store = runtime(entry).store

    def fact(text: str) -> dict[str, Any]:
        return {"subject": "Dan", "fact": text, "confidence": 0.5}

    assert await memory.async_add_facts(
        store, [fact("likes tea"), fact("has a cat")], Trust.TRUSTED
    ) == (2, 0, 0)
    assert await memory.async_add_facts(
        store, [fact("likes tea"), fact("owns a boat")], Trust.TRUSTED
    ) == (0, 1, 1)
    kept = await memory.async_search(store, None, 10)
    assert sorted(item.fact for item in kept) == ["has a cat", "likes tea"]
