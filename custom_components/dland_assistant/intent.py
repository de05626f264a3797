"""Reminders by voice through Assist's built-in agent, with no language model.

Home Assistant's intent platform: the handlers of the sentences in
``voice/languages`` ("remind me tomorrow at 8 to water the plants", "erinnere
mich jeden Werktag um halb acht an den Müll", "what reminders do I have",
"cancel the oven reminder", "cancel all my reminders"). Each answers in the
language it was spoken in, from that language's file.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, override

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, intent
from homeassistant.util import dt as dt_util

from . import task_manager
from .identity import Caller, async_caller
from .models import Moment, Task, TaskAction, TaskStatus
from .moments.rules import (
    BUSY_STATES,
    ZONE_HOME,
    device_done,
    home_trigger,
    moment_from_request,
    named_entity,
    person_of,
)
from .runtime import loaded_entry
from .schedule_text import ScheduleText
from .voice.language import DATA_VOICE, VoiceLanguage
from .voice.spoken_time import moment_filter, split_moment, split_request
from .voice.when import (
    SLOTS,
    NotAWhen,
    Passed,
    When,
    moment_test_from_slots,
    when_from_slots,
)

INTENT_REMIND = "DlandAssistantRemind"
INTENT_LIST = "DlandAssistantListReminders"
INTENT_CANCEL = "DlandAssistantCancelReminder"
INTENT_CANCEL_ALL = "DlandAssistantCancelAllReminders"
# A slot's value: text, or a number from a range list.
_VALUE = vol.Any(str, int, float)
_WHEN_SLOTS = {vol.Optional(name): _VALUE for name in SLOTS}
# English's ordinals ("cancel the second oven reminder"); other languages fill
# the ordinal slot (0 first, -1 last) from a list in their sentences.
_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2,
    "fourth": 3, "4th": 3, "last": -1,
}  # fmt: skip


def _voice(intent_obj: intent.Intent) -> VoiceLanguage:
    return intent_obj.hass.data[DATA_VOICE].get(intent_obj.language)


def _values(slots: dict[str, Any]) -> dict[str, Any]:
    return {name: slot["value"] for name, slot in slots.items()}


def _speak(intent_obj: intent.Intent, text: str) -> intent.IntentResponse:
    response = intent_obj.create_response()
    response.async_set_speech(text)
    return response


def _refuse(intent_obj: intent.Intent, text: str) -> intent.IntentResponse:
    """Answer as an error, so Assist (and its pipelines) do not report it as done."""
    response = intent_obj.create_response()
    response.async_set_error(intent.IntentResponseErrorCode.FAILED_TO_HANDLE, text)
    return response


def _moment_words(
    hass: HomeAssistant, moment: Moment, voice: VoiceLanguage, words: ScheduleText
) -> str:
    """Say a reminder's moment as its sentences do ("when you get home")."""
    trigger = moment.trigger
    if trigger["trigger"] == "zone" and trigger["zone"] == ZONE_HOME:
        return voice.say(
            "moment_arrive" if trigger["event"] == "enter" else "moment_leave"
        )
    if trigger["trigger"] == "state" and trigger.get("from") == list(BUSY_STATES):
        state = hass.states.get(trigger["entity_id"])
        name = state.name if state is not None else trigger["entity_id"]
        return voice.say("moment_done", name=name)
    # A moment set another way (the action, the card): the schedule's words.
    return words.moments.schedule(moment) if words.moments else ""


def _when_words(
    task: Task, now: datetime, voice: VoiceLanguage, words: ScheduleText
) -> str:
    """Say when a reminder comes next, and how it repeats (as the card says it)."""
    if task.moment is not None and task.next_run is None:
        return _moment_words(voice.hass, task.moment, voice, words)
    assert task.next_run is not None
    moment = voice.moment(dt_util.as_local(task.next_run), now)
    if not task.cron:
        return moment
    schedule = voice.repeat(task.cron) or words.cron(task.cron, inline=True)
    return voice.say("repeating", moment=moment, schedule=schedule)


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
        and (task.next_run is not None or task.moment is not None)
        and (caller.user_id is None or task.owner == caller.user_id)
    ]
    # Timed ones soonest first, then those waiting for a moment.
    return sorted(
        reminders,
        key=lambda task: (task.next_run is None, task.next_run or task.created),
    )


async def _async_store(
    intent_obj: intent.Intent, caller: Caller, what: str, **when: Any
) -> Task | intent.IntentResponse:
    """Store the speaker's reminder; the refusal to say when the action refuses.

    The action's bounds (the prompt's length, the caller's quota) are said as the
    action says them.
    """
    try:
        return await task_manager.async_schedule_task(
            intent_obj.hass,
            loaded_entry(intent_obj.hass),
            task_manager.ScheduleRequest(
                prompt=what or "Reminder",
                caller=caller,
                name=what or "Reminder",
                user=caller.person_user,
                action=TaskAction.REMIND,
                source="voice",
                **when,
            ),
        )
    except HomeAssistantError as err:
        return _refuse(intent_obj, str(err))


def _english_request(values: dict[str, Any], now: datetime) -> tuple[When, str, bool]:
    """Split an English request ("in 10 minutes to check the oven")."""
    said = f"{values.get('lead', '')} {values['request']}".strip()
    if (parsed := split_request(said, now)) is None:
        raise NotAWhen("request")
    return parsed


class RemindIntentHandler(intent.IntentHandler):
    """Schedule a reminder: 'remind me tomorrow at 8 to water the plants'."""

    intent_type = INTENT_REMIND
    description = "Schedules a reminder for the speaker"
    slot_schema = {  # noqa: RUF012 - the base class declares it so
        vol.Optional("request"): cv.string,
        vol.Optional("lead"): cv.string,
        vol.Optional("what"): cv.string,
        vol.Optional("link"): cv.string,
        # A moment instead of a time: "arrive", "leave", or "done" (a device's).
        vol.Optional("moment"): vol.In(["arrive", "leave", "done"]),
        vol.Optional("device"): cv.string,
        **_WHEN_SLOTS,
    }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Store the reminder and confirm it, with its day."""
        values = _values(self.async_validate_slots(intent_obj.slots))
        voice = _voice(intent_obj)
        now = dt_util.now()
        if "request" in values and (done := split_moment(values["request"])):
            values = {"moment": "done", "device": done[0], "what": done[1]}
        if "moment" in values:
            return await self._async_moment(intent_obj, values, voice)
        try:
            if "request" in values:
                when, what, said_that = _english_request(values, now)
            else:
                when = when_from_slots(values, now)
                what, said_that = str(values.get("what", "")).strip(), False
        except Passed:
            return _refuse(intent_obj, voice.say("time_passed"))
        except NotAWhen:
            return _refuse(intent_obj, voice.say("no_when"))
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        task = await _async_store(
            intent_obj, caller, what, delay=when.delay, at=when.at, cron=when.cron
        )
        if isinstance(task, intent.IntentResponse):
            return task
        assert task.next_run is not None
        if task.cron:
            moment = voice.repeat(task.cron) or task.cron
        else:
            moment = voice.moment(dt_util.as_local(task.next_run), now)
        return _speak(
            intent_obj,
            voice.say(
                "remind_set",
                what=what,
                when=moment,
                said_that=said_that,
                link=values.get("link"),
            ),
        )

    async def _async_moment(
        self, intent_obj: intent.Intent, values: dict[str, Any], voice: VoiceLanguage
    ) -> intent.IntentResponse:
        """Store a reminder for a moment: 'remind me when I get home to …'."""
        hass = intent_obj.hass
        caller = await async_caller(hass, intent_obj.context)
        kind = values["moment"]
        if kind in ("arrive", "leave"):
            person = person_of(hass, caller.person_user)
            if not person:
                return _refuse(intent_obj, voice.say("no_person"))
            trigger = home_trigger(person, arrive=kind == "arrive")
        else:
            said = _wanted(str(values.get("device", "")), voice.fillers)
            if (entity := named_entity(hass, said)) is None:
                return _refuse(intent_obj, voice.say("no_device", name=said))
            trigger = device_done(entity)
        what = str(values.get("what", "")).strip()
        try:
            moment = moment_from_request(trigger)
        except HomeAssistantError as err:
            return _refuse(intent_obj, str(err))
        task = await _async_store(intent_obj, caller, what, moment=moment)
        if isinstance(task, intent.IntentResponse):
            return task
        assert task.moment is not None
        words = await _async_words(intent_obj)
        return _speak(
            intent_obj,
            voice.say(
                "remind_set",
                what=what,
                when=_moment_words(hass, task.moment, voice, words),
                said_that=False,
                link=values.get("link"),
            ),
        )


class ListRemindersIntentHandler(intent.IntentHandler):
    """Say the speaker's pending reminders."""

    intent_type = INTENT_LIST
    description = "Lists the speaker's reminders"

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """List them, soonest first, each with its day."""
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        reminders = await _async_reminders(intent_obj, caller)
        voice = _voice(intent_obj)
        if not reminders:
            return _speak(intent_obj, voice.say("list_none"))
        now = dt_util.now()
        words = await _async_words(intent_obj)
        items = [
            voice.say("item", name=task.name, when=_when_words(task, now, voice, words))
            for task in reminders
        ]
        return _speak(intent_obj, voice.say("list", count=len(items), items=items))


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
        voice = _voice(intent_obj)
        if not reminders:
            return _speak(intent_obj, voice.say("cancel_all_none"))
        return _speak(intent_obj, voice.say("cancel_all", count=len(reminders)))


def _english_choice(
    said: str, now: datetime
) -> tuple[int | None, Callable[[datetime], bool] | None, str]:
    """Read 'the second oven', 'oven at 14:00', 'at 14:00': order, time, words."""
    words = said.casefold().replace("’", "'").split()
    ordinal = _ORDINALS.get(words[0]) if words else None
    if ordinal is not None:
        words = words[1:]
    at = None
    for cut in range(len(words)):
        if (test := moment_filter(" ".join(words[cut:]), now)) is not None:
            at, words = test, words[:cut]
            break
    return ordinal, at, " ".join(words)


def _wanted(text: str, fillers: frozenset[str]) -> str:
    """Return the words that name a reminder, without leading fillers ("the")."""
    words = text.casefold().replace("’", "'").split()
    while words and words[0] in fillers:
        words = words[1:]
    return " ".join(words).strip()


def _choose(
    reminders: list[Task],
    values: Mapping[str, Any],
    now: datetime,
    voice: VoiceLanguage,
) -> tuple[list[Task], str]:
    """Return the reminders the speaker can mean, and the words that named them.

    Its words, a time ('at 14:00') and an order ('the second') each narrow it.
    """
    if "moment" in values or voice.code == "en":
        said = " ".join(
            str(values[key]) for key in ("reminder", "moment") if key in values
        )
        ordinal, at, text = _english_choice(_wanted(said, voice.fillers), now)
    else:
        ordinal = int(values["ordinal"]) if "ordinal" in values else None
        at = moment_test_from_slots(values, now.date())
        text = str(values.get("reminder", ""))
    wanted = _wanted(text, voice.fillers)
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
        vol.Optional("reminder"): cv.string,
        vol.Optional("moment"): cv.string,
        vol.Optional("ordinal"): _VALUE,
        **_WHEN_SLOTS,
    }

    @override
    async def async_handle(self, intent_obj: intent.Intent) -> intent.IntentResponse:
        """Cancel the one reminder meant, or ask which."""
        values = _values(self.async_validate_slots(intent_obj.slots))
        voice = _voice(intent_obj)
        caller = await async_caller(intent_obj.hass, intent_obj.context)
        now = dt_util.now()
        reminders = await _async_reminders(intent_obj, caller)
        # The reminder as it was said ("the oven"), for answers that repeat it.
        said = str(values.get("reminder", "")).strip()
        try:
            matches, wanted = _choose(reminders, values, now, voice)
        except NotAWhen:
            matches, wanted = [], str(values.get("reminder", ""))
        words = await _async_words(intent_obj)
        if not matches:
            return _refuse(
                intent_obj, voice.say("cancel_none", wanted=wanted or said, said=said)
            )
        if len(matches) > 1:
            options = [
                voice.say(
                    "item", name=task.name, when=_when_words(task, now, voice, words)
                )
                for task in matches
            ]
            return _speak(
                intent_obj,
                voice.say("cancel_which", options=options, wanted=wanted, said=said),
            )
        await task_manager.async_cancel_task(
            intent_obj.hass, loaded_entry(intent_obj.hass), matches[0].task_id, caller
        )
        return _speak(
            intent_obj,
            voice.say(
                "cancelled",
                name=matches[0].name,
                when=_when_words(matches[0], now, voice, words),
            ),
        )


async def async_setup_intents(hass: HomeAssistant) -> None:
    """Register the intent handlers (Home Assistant's intent platform)."""
    intent.async_register(hass, RemindIntentHandler())
    intent.async_register(hass, ListRemindersIntentHandler())
    intent.async_register(hass, CancelReminderIntentHandler())
    intent.async_register(hass, CancelAllRemindersIntentHandler())
