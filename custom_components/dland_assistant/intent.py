"""Reminders by voice through Assist's built-in agent, with no language model.

"remind me at 5 pm to call mum", "… tomorrow at 8 …", "every Monday at 7 remind me
to put the bins out", "what reminders do I have", "cancel the oven reminder at
14:00", "cancel all my reminders". What a request means is parsed by spoken_time.

Intent handlers do the work; the sentences that reach them are written by the
integration to ``custom_sentences/en/dland_assistant.yaml`` in the config folder
(no hand editing), and Assist reloads them.
"""

from datetime import datetime
from pathlib import Path
from typing import override

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util

from . import task_manager
from .const import DOMAIN, LOGGER
from .identity import Caller, async_caller
from .models import Task, TaskAction, TaskStatus
from .runtime import loaded_entry
from .schedule_text import ScheduleText
from .spoken_time import describe_moment, moment_filter, split_request

INTENT_REMIND = "DlandAssistantRemind"
INTENT_LIST = "DlandAssistantListReminders"
INTENT_CANCEL = "DlandAssistantCancelReminder"
INTENT_CANCEL_ALL = "DlandAssistantCancelAllReminders"

SENTENCES_FILE = Path("custom_sentences") / "en" / f"{DOMAIN}.yaml"
# One wildcard takes the rest of the request, which spoken_time splits into when
# and what: a sentence per form would multiply, and Assist's wildcards cannot tell
# "at 5 pm to go to the shop" apart at the right "to".
SENTENCES = f"""\
# Written by the dland_assistant integration; it rewrites this file when it changes.
language: en
intents:
  {INTENT_REMIND}:
    data:
      - sentences:
          - "remind me {{request}}"
          - "(set|create|add|make) [a|an] [new] reminder {{request}}"
          - "{{lead}} remind me {{request}}"
  {INTENT_LIST}:
    data:
      - sentences:
          - "what reminders [do] I have"
          - "what reminders are (there|set)"
          - "(list|tell me|show [me]|read [me]) [all] my reminders"
          - "what are my reminders"
          - "do I have any reminders"
  {INTENT_CANCEL_ALL}:
    data:
      - sentences:
          - "(cancel|delete|remove|clear) all [of] [my|the] reminders"
          - "(cancel|delete|remove|clear) (my|the) reminders"
          - "(cancel|delete|remove|clear) every reminder"
  {INTENT_CANCEL}:
    data:
      - sentences:
          - "(cancel|delete|remove) [the|my] {{reminder}} reminder"
          - "(cancel|delete|remove) [the|my] {{reminder}} reminder {{moment}}"
          - "(cancel|delete|remove) [the|my] reminder {{reminder}}"
lists:
  request:
    wildcard: true
  lead:
    wildcard: true
  reminder:
    wildcard: true
  moment:
    wildcard: true
"""
HELP = 'Say, for example, "remind me in 10 minutes to check the oven".'
_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "fourth": 3, "4th": 3, "last": -1,
}  # fmt: skip


def _speak(intent_obj: intent.Intent, text: str) -> intent.IntentResponse:
    response = intent_obj.create_response()
    response.async_set_speech(text)
    return response


def _refuse(intent_obj: intent.Intent, text: str) -> intent.IntentResponse:
    """Answer as an error, so Assist (and its pipelines) do not report it as done."""
    response = intent_obj.create_response()
    response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, text)
    return response


def _when_words(task: Task, now: datetime, words: ScheduleText) -> str:
    """Say when a reminder comes next, and how it repeats (as the card says it)."""
    assert task.next_run is not None
    moment = describe_moment(dt_util.as_local(task.next_run), now)
    return f"{moment} ({words.cron(task.cron, inline=True)})" if task.cron else moment


async def _async_words(intent_obj: intent.Intent) -> ScheduleText:
    """Return the words schedules are said in, in the language spoken."""
    texts = loaded_entry(intent_obj.hass).runtime_data.schedule_texts
    return await texts.async_get(intent_obj.language)


async def _async_reminders(intent_obj: intent.Intent, caller: Caller) -> list[Task]:
    """Return the speaker's reminders, soonest first.

    A voice satellite with no user gets everybody's.
    """
    tasks = await task_manager.async_list_tasks(
        intent_obj.hass, loaded_entry(intent_obj.hass), caller, [TaskStatus.SCHEDULED]
    )
    reminders = [
        task
        for task in tasks
        if task.action is TaskAction.REMIND
        and task.next_run is not None
        and (caller.user_id is None or task.owner == caller.user_id)
    ]
    return sorted(reminders, key=lambda task: task.next_run or dt_util.utcnow())


class RemindIntentHandler(intent.IntentHandler):
    """Schedule a reminder: 'remind me tomorrow at 8 to water the plants'."""

    intent_type = INTENT_REMIND
    description = "Schedules a reminder for the speaker"
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Required("request"): cv.string,
        vol.Optional("lead"): cv.string,
    }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Store the reminder and confirm it, with its day."""
        slots = self.async_validate_slots(intent_obj.slots)
        lead = slots.get("lead", {}).get("value", "")
        said = f"{lead} {slots['request']['value']}".strip()
        now = dt_util.now()
        parsed = split_request(said, now)
        if parsed is None:
            return _refuse(
                intent_obj, f"Sorry, I could not tell when to remind you. {HELP}"
            )
        when, what, said_that = parsed
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        task = await task_manager.async_schedule_task(
            intent_obj.hass,
            loaded_entry(intent_obj.hass),
            task_manager.ScheduleRequest(
                prompt=what or "Reminder",
                caller=caller,
                name=what or "Reminder",
                delay=when.delay,
                at=when.at,
                cron=when.cron,
                user=caller.person_user,
                action=TaskAction.REMIND,
                source="voice",
            ),
        )
        assert task.next_run is not None
        moment = when.repeat or describe_moment(dt_util.as_local(task.next_run), now)
        if not what:
            return _speak(intent_obj, f"OK, I will remind you {moment}.")
        link = "that" if said_that else "to"
        return _speak(intent_obj, f"OK, I will remind you {link} {what} {moment}.")


class ListRemindersIntentHandler(intent.IntentHandler):
    """Say the speaker's pending reminders."""

    intent_type = INTENT_LIST
    description = "Lists the speaker's reminders"

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """List them, soonest first, each with its day."""
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        reminders = await _async_reminders(intent_obj, caller)
        if not reminders:
            return _speak(intent_obj, "You have no reminders.")
        now = dt_util.now()
        words = await _async_words(intent_obj)
        parts = [f"{task.name} {_when_words(task, now, words)}" for task in reminders]
        noun = "reminder" if len(parts) == 1 else "reminders"
        return _speak(intent_obj, f"You have {len(parts)} {noun}: {'; '.join(parts)}.")


class CancelAllRemindersIntentHandler(intent.IntentHandler):
    """Cancel every one of the speaker's reminders, and say how many."""

    intent_type = INTENT_CANCEL_ALL
    description = "Cancels all of the speaker's reminders"

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Cancel them all."""
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        reminders = await _async_reminders(intent_obj, caller)
        for task in reminders:
            await task_manager.async_cancel_task(
                intent_obj.hass, loaded_entry(intent_obj.hass), task.task_id, caller
            )
        if not reminders:
            return _speak(intent_obj, "You have no reminders to cancel.")
        noun = "reminder" if len(reminders) == 1 else "reminders"
        return _speak(intent_obj, f"Cancelled {len(reminders)} {noun}.")


def _choose(reminders: list[Task], said: str, now: datetime) -> tuple[list[Task], str]:
    """Return the reminders ``said`` can mean, and the words that named them.

    'the second oven', 'oven at 14:00' and 'at 14:00' each narrow the choice.
    """
    words = said.casefold().replace("’", "'").split()
    while words and words[0] in ("to", "about", "that", "for", "the", "my"):
        words = words[1:]
    ordinal = _ORDINALS.get(words[0]) if words else None
    if ordinal is not None:
        words = words[1:]
    at = None
    for cut in range(len(words)):
        if (test := moment_filter(" ".join(words[cut:]), now)) is not None:
            at, words = test, words[:cut]
            break
    wanted = " ".join(words).strip()
    matches = [task for task in reminders if wanted in task.name.casefold()]
    if at is not None:
        matches = [
            task
            for task in matches
            if task.next_run and at(dt_util.as_local(task.next_run))
        ]
    if ordinal is not None and matches:
        matches = [matches[ordinal]] if -len(matches) <= ordinal < len(matches) else []
    return matches, wanted


class CancelReminderIntentHandler(intent.IntentHandler):
    """Cancel a reminder by (part of) its text, its time or its order.

    'cancel the oven reminder', '… the oven reminder at 14:00', '… the second oven
    reminder'.
    """

    intent_type = INTENT_CANCEL
    description = "Cancels one of the speaker's reminders"
    slot_schema = {  # noqa: RUF012
        vol.Required("reminder"): cv.string,
        vol.Optional("moment"): cv.string,
    }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Cancel the one reminder meant, or ask which."""
        slots = self.async_validate_slots(intent_obj.slots)
        said = " ".join(
            slots[key]["value"] for key in ("reminder", "moment") if key in slots
        )
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        now = dt_util.now()
        reminders = await _async_reminders(intent_obj, caller)
        matches, wanted = _choose(reminders, said, now)
        words = await _async_words(intent_obj)
        if not matches:
            return _refuse(intent_obj, f"You have no reminder about {wanted or said}.")
        if len(matches) > 1:
            options = "; ".join(
                f"{number}: {task.name} {_when_words(task, now, words)}"
                for number, task in enumerate(matches, start=1)
            )
            return _speak(
                intent_obj,
                f"Which one? {options}. Say its time, or for example "
                f'"cancel the first {wanted} reminder".',
            )
        await task_manager.async_cancel_task(
            intent_obj.hass, loaded_entry(intent_obj.hass), matches[0].task_id, caller
        )
        return _speak(
            intent_obj,
            f"Cancelled the reminder to {matches[0].name} "
            f"{_when_words(matches[0], now, words)}.",
        )


def _write_sentences(path: Path) -> bool:
    """Write the sentences file if it differs; return whether it changed."""
    if path.exists() and path.read_text(encoding="utf-8") == SENTENCES:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SENTENCES, encoding="utf-8")
    return True


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intent handlers (Home Assistant's intent platform)."""
    intent.async_register(hass, RemindIntentHandler())
    intent.async_register(hass, ListRemindersIntentHandler())
    intent.async_register(hass, CancelReminderIntentHandler())
    intent.async_register(hass, CancelAllRemindersIntentHandler())


async def async_install_sentences(hass: HomeAssistant) -> None:
    """Install the reminder sentences for Assist, and reload it if they changed."""
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
