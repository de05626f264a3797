"""Logbook lines for runs."""

from typing import Any, ClassVar

from homeassistant.core import HomeAssistant


async def test_logbook_describes_runs(hass: HomeAssistant) -> None:
    """Execution events appear in the logbook with the task and outcome."""
    from custom_components.dland_assistant import logbook

    described: dict[str, Any] = {}
    logbook.async_describe_events(
        hass, lambda domain, event, describe: described.__setitem__(event, describe)
    )

    class _Event:
        data: ClassVar[dict[str, str]] = {
            "task_name": "Water plants",
            "status": "timed_out",
            "error": "slow",
        }

    finished = described["dland_assistant_execution_finished"]
    # Every user reads the logbook: the outcome, not the error (it may quote text).
    assert finished(_Event()) == {"name": "Water plants", "message": "timed out"}
    started = described["dland_assistant_execution_started"]
    assert started(_Event()) == {"name": "Water plants", "message": "started"}
