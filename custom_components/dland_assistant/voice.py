"""Reminders by voice through Assist's built-in agent, with no language model.

Intent handlers do the work; the sentences that reach them are written by the
integration to ``custom_sentences/en/dland_assistant.yaml`` in the config folder
(no hand editing), and Assist reloads them.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import re

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util

from . import task_manager
from .const import DOMAIN, LOGGER
from .identity import Caller, async_caller
from .models import Task, TaskAction, TaskStatus

INTENT_REMIND = "DlandAssistantRemind"
INTENT_LIST = "DlandAssistantListReminders"
INTENT_CANCEL = "DlandAssistantCancelReminder"

SENTENCES_FILE = Path("custom_sentences") / "en" / f"{DOMAIN}.yaml"
SENTENCES = f"""\
# Written by the dland_assistant integration; it rewrites this file when it changes.
language: en
intents:
  {INTENT_REMIND}:
    data:
      - sentences:
          - "remind me in {{duration}} to {{reminder}}"
          - "remind me to {{reminder}} in {{duration}}"
          - "set a reminder in {{duration}} to {{reminder}}"
  {INTENT_LIST}:
    data:
      - sentences:
          - "what reminders do I have"
          - "(list|tell me) my reminders"
          - "what are my reminders"
  {INTENT_CANCEL}:
    data:
      - sentences:
          - "(cancel|delete|remove) [the|my] {{reminder}} reminder"
          - "(cancel|delete|remove) [the|my] reminder [to|about] {{reminder}}"
lists:
  duration:
    wildcard: true
  reminder:
    wildcard: true
"""

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60,
}  # fmt: skip
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_PART = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)?|[a-z-]+)\s+(?P<unit>second|minute|hour|day|week)s?"
)


def parse_duration(text: str) -> timedelta | None:
    """Parse '10 minutes', 'an hour and a half', 'half an hour', '1 hour 30 minutes'."""
    spoken = text.casefold().strip()
    spoken = spoken.replace("half an hour", "30 minutes").replace(
        "half a minute", "30 seconds"
    )
    extra = 0.0
    if spoken.endswith(("and a half", "and half")):
        spoken = spoken.rsplit(" and", 1)[0]
        extra = 0.5
    seconds = 0.0
    matched = 0
    for part in _PART.finditer(spoken):
        word = part["number"]
        number = (
            _NUMBERS.get(word)
            if not word[0].isdigit()
            else float(word.replace(",", "."))
        )
        if number is None:
            return None
        seconds += (number + extra) * _UNITS[part["unit"]]
        extra = 0.0
        matched += len(part[0])
    leftover = _PART.sub("", spoken).replace("and", "").strip(" ,")
    if not matched or leftover or seconds <= 0:
        return None
    return timedelta(seconds=seconds)


def _speak(intent_obj: intent.Intent, text: str) -> intent.IntentResponse:
    response = intent_obj.create_response()
    response.async_set_speech(text)
    return response


async def _async_reminders(intent_obj: intent.Intent, caller: Caller) -> list[Task]:
    """Return the speaker's reminders (everybody's for a satellite with no user)."""
    tasks = await task_manager.async_list_tasks(
        intent_obj.hass, caller, [TaskStatus.SCHEDULED]
    )
    return [
        task
        for task in tasks
        if task.action is TaskAction.REMIND
        and (caller.user_id is None or task.owner == caller.user_id)
    ]


class RemindIntentHandler(intent.IntentHandler):
    """Schedule a reminder: 'remind me in 10 minutes to check the oven'."""

    intent_type = INTENT_REMIND
    description = "Schedules a reminder for the speaker"
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Required("duration"): cv.string,
        vol.Required("reminder"): cv.string,
    }

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Store the reminder and confirm it."""
        slots = self.async_validate_slots(intent_obj.slots)
        duration_text = slots["duration"]["value"]
        reminder = slots["reminder"]["value"].strip()
        delay = parse_duration(duration_text)
        if delay is None:
            return _speak(intent_obj, f"Sorry, I did not understand '{duration_text}'.")
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        task = await task_manager.async_schedule_task(
            intent_obj.hass,
            task_manager.ScheduleRequest(
                prompt=reminder,
                caller=caller,
                name=reminder,
                delay=delay,
                user=caller.person_user,
                action=TaskAction.REMIND,
                source="voice",
            ),
        )
        assert task.next_run is not None
        at = dt_util.as_local(task.next_run).strftime("%H:%M")
        return _speak(intent_obj, f"OK, I will remind you to {reminder} at {at}.")


class ListRemindersIntentHandler(intent.IntentHandler):
    """Say the speaker's pending reminders."""

    intent_type = INTENT_LIST
    description = "Lists the speaker's reminders"

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """List them, soonest first."""
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        reminders = await _async_reminders(intent_obj, caller)
        if not reminders:
            return _speak(intent_obj, "You have no reminders.")
        parts = [
            f"{task.name} at {dt_util.as_local(task.next_run).strftime('%H:%M')}"
            for task in reminders
            if task.next_run is not None
        ]
        count = len(parts)
        noun = "reminder" if count == 1 else "reminders"
        return _speak(intent_obj, f"You have {count} {noun}: {'; '.join(parts)}.")


class CancelReminderIntentHandler(intent.IntentHandler):
    """Cancel a reminder by (part of) its text: 'cancel the oven reminder'."""

    intent_type = INTENT_CANCEL
    description = "Cancels one of the speaker's reminders"
    slot_schema = {vol.Required("reminder"): cv.string}  # noqa: RUF012

    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Cancel the one reminder that matches."""
        slots = self.async_validate_slots(intent_obj.slots)
        wanted = slots["reminder"]["value"].casefold().strip()
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        matches = [
            task for task in await _async_reminders(intent_obj, caller)
            if wanted in task.name.casefold()
        ]  # fmt: skip
        if not matches:
            return _speak(intent_obj, f"You have no reminder about {wanted}.")
        if len(matches) > 1:
            names = ", ".join(task.name for task in matches)
            return _speak(intent_obj, f"Which one? {names}.")
        await task_manager.async_cancel_task(
            intent_obj.hass, matches[0].task_id, caller
        )
        return _speak(intent_obj, f"Cancelled the reminder to {matches[0].name}.")


def _write_sentences(path: Path) -> bool:
    """Write the sentences file if it differs; return whether it changed."""
    if path.exists() and path.read_text(encoding="utf-8") == SENTENCES:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SENTENCES, encoding="utf-8")
    return True


async def async_setup_voice(hass: HomeAssistant) -> None:
    """Register the intent handlers and install their sentences."""
    intent.async_register(hass, RemindIntentHandler())
    intent.async_register(hass, ListRemindersIntentHandler())
    intent.async_register(hass, CancelReminderIntentHandler())
    path = Path(hass.config.path(str(SENTENCES_FILE)))
    try:
        changed = await hass.async_add_executor_job(_write_sentences, path)
    except OSError as err:
        LOGGER.warning("Could not install the voice reminder sentences: %s", err)
        return
    if changed and hass.services.has_service("conversation", "reload"):
        try:
            await hass.services.async_call("conversation", "reload", {}, blocking=True)
        except (HomeAssistantError, OSError) as err:
            LOGGER.warning("Assist did not reload its sentences: %s", err)
