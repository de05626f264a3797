"""dland_assistant: the proactive core of a home AI assistant.

A persistent scheduler that runs one-off and cron tasks through Home Assistant
conversation agents, surviving restarts and crashes without running a task twice.
"""

from datetime import timedelta
import json
from pathlib import Path
from types import MappingProxyType

import voluptuous as vol

from homeassistant.config_entries import SOURCE_IMPORT, ConfigSubentry
from homeassistant.const import (
    CONF_NAME,
    EVENT_CORE_CONFIG_UPDATE,
    EVENT_HOMEASSISTANT_STOP,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType

from .blueprint_installer import async_install_blueprints
from .card import async_setup_card
from .const import (
    CHANNEL_TTS,
    CHANNELS,
    CONF_ALLOW_UNTRUSTED_CONTROL,
    CONF_BUILTIN,
    CONF_CONVERSATION_AGENT,
    CONF_DEFAULT_AGENT,
    CONF_DEFAULT_CHANNEL,
    CONF_DEFAULT_TIMEOUT,
    CONF_DELIVER,
    CONF_INSTRUCTIONS,
    CONF_LANGUAGE,
    CONF_MAX_CONCURRENT,
    CONF_MISSED_RUN_GRACE,
    CONF_ONLY_WHEN_NEEDED,
    CONF_PERSON,
    CONF_PERSONAS,
    CONF_RECIPIENTS,
    CONF_REMINDER_RETRY_WINDOW,
    CONF_RETENTION_DAYS,
    CONF_RETRY_ATTEMPTS,
    CONF_RETRY_DELAY,
    CONF_SESSION_WINDOW,
    CONF_TIMEOUT,
    CONF_TTS_ENGINE,
    CONF_WELCOME_AGENT,
    DATABASE_FILE,
    DEFAULT_OPTIONS,
    DOMAIN,
    LOGGER,
    MAX_CONCURRENT_LIMIT,
    NOTIFY_CHANNELS,
    PERSONA_PREFIX,
    SIGNAL_TASKS_CHANGED,
    SUBENTRY_ROUTINE,
)
from .coordinator import DlandCoordinator
from .engine.retry import RetryPolicy
from .engine.scheduler import Scheduler, SchedulerSettings
from .engine.tool_log import async_follow_tool_calls
from .heartbeat.builtin_routines import QUIET_BUILTINS, builtin_subentries
from .heartbeat.gatherers import async_track_notifications
from .heartbeat.routines import HeartbeatManager
from .identity import SYSTEM, Identities, async_identities, async_owner
from .issues import async_check_persona_agents
from .moments.watcher import MomentWatcher
from .personas import async_sync_devices, personas
from .runtime import DlandConfigEntry, DlandRuntimeData
from .schedule_text import ScheduleTexts
from .services import async_setup_services
from .sources.cameras import async_setup_cameras
from .sources.presence import async_last_known, async_setup_presence
from .sources.router import HomeAssistantEventView
from .sources.triggers import async_setup_triggers
from .sources.vonage import VonageInboundView
from .sources.wakeup import WakeupView
from .sources.whmcs import async_setup_whmcs
from .sources.youtube import YouTubeView, async_setup_youtube
from .store import SchemaTooNewError, StoreError, TaskStore
from .store.recovery import async_open_store
from .voice.language import DATA_VOICE, VoiceLanguages
from .voice.sentences import async_install_sentences
from .websocket_api import async_setup_websocket

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TODO,
]

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional(DOMAIN): vol.Schema(
            {
                vol.Optional(CONF_DEFAULT_AGENT): cv.string,
                vol.Optional(CONF_MAX_CONCURRENT): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=MAX_CONCURRENT_LIMIT)
                ),
                vol.Optional(CONF_DEFAULT_TIMEOUT): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=86400)
                ),
                vol.Optional(CONF_RETENTION_DAYS): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=3650)
                ),
                vol.Optional(CONF_MISSED_RUN_GRACE): vol.All(
                    vol.Coerce(int), vol.Range(min=0, max=86400)
                ),
                vol.Optional(CONF_PERSONAS): [
                    vol.All(
                        # Outside runs never control the home (see README).
                        cv.removed(
                            CONF_ALLOW_UNTRUSTED_CONTROL, raise_if_present=False
                        ),
                        vol.Schema(
                            {
                                vol.Required(CONF_NAME): cv.string,
                                vol.Required(CONF_CONVERSATION_AGENT): cv.string,
                                vol.Optional(CONF_INSTRUCTIONS, default=""): cv.string,
                                vol.Optional(CONF_LANGUAGE): cv.string,
                                vol.Optional(CONF_TIMEOUT): vol.Coerce(int),
                                vol.Optional(CONF_DELIVER): cv.boolean,
                                vol.Optional(CONF_SESSION_WINDOW): vol.Coerce(int),
                            }
                        ),
                    )
                ],
                vol.Optional(CONF_RECIPIENTS): [
                    vol.Schema(
                        {
                            vol.Required(CONF_PERSON): cv.entity_id,
                            vol.Optional(CONF_DEFAULT_CHANNEL): vol.In(CHANNELS),
                            **{
                                vol.Optional(channel): cv.string
                                for channel in NOTIFY_CHANNELS
                            },
                            vol.Optional(CHANNEL_TTS): cv.entity_id,
                            vol.Optional(CONF_TTS_ENGINE): cv.entity_id,
                            vol.Optional(CONF_WELCOME_AGENT): cv.string,
                        }
                    )
                ],
            }
        )
    },
    extra=vol.ALLOW_EXTRA,
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register services; import a YAML configuration into a config entry once."""
    async_setup_services(hass)
    hass.http.register_view(WakeupView())
    hass.http.register_view(HomeAssistantEventView())
    hass.http.register_view(VonageInboundView())
    hass.http.register_view(YouTubeView())
    hass.data[DATA_VOICE] = voices = await VoiceLanguages.async_load(hass)
    await async_install_sentences(hass, voices)
    await async_install_blueprints(hass)
    async_setup_websocket(hass)
    await async_setup_card(hass)
    # Lives with Home Assistant, not the entry: reloads must not forget what is shown.
    async_track_notifications(hass)
    if DOMAIN in config and not hass.config_entries.async_entries(DOMAIN):
        hass.async_create_task(
            hass.config_entries.flow.async_init(
                DOMAIN, context={"source": SOURCE_IMPORT}, data=config[DOMAIN]
            )
        )
    return True


def _store_unavailable(err: StoreError) -> ConfigEntryNotReady:
    """Return the retry-later error for a database that cannot be used now."""
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key="store_unavailable",
        translation_placeholders={"error": str(err)},
    )


async def async_setup_entry(hass: HomeAssistant, entry: DlandConfigEntry) -> bool:
    """Open the store and start the scheduler."""
    options = {**DEFAULT_OPTIONS, **entry.options}
    try:
        store = await async_open_store(hass, Path(hass.config.path(DATABASE_FILE)))
    except SchemaTooNewError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="schema_too_new",
            translation_placeholders={"error": str(err)},
        ) from err
    except StoreError as err:
        raise _store_unavailable(err) from err
    try:
        identities = await async_identities(hass, store)
        await _async_give_tasks_owners(hass, store, identities)
    except StoreError as err:
        await store.async_close()
        raise _store_unavailable(err) from err
    scheduler = Scheduler(
        hass,
        entry,
        store,
        SchedulerSettings(
            max_concurrent=int(options[CONF_MAX_CONCURRENT]),
            grace=timedelta(seconds=int(options[CONF_MISSED_RUN_GRACE])),
            retention=timedelta(days=int(options[CONF_RETENTION_DAYS])),
            retry=RetryPolicy(
                attempts=int(options[CONF_RETRY_ATTEMPTS]),
                first_delay=timedelta(seconds=int(options[CONF_RETRY_DELAY])),
                reminder_window=timedelta(
                    minutes=int(options[CONF_REMINDER_RETRY_WINDOW])
                ),
            ),
        ),
        identities,
    )
    entry.runtime_data = DlandRuntimeData(
        store=store,
        scheduler=scheduler,
        heartbeats=HeartbeatManager(
            hass,
            entry,
            store,
            scheduler,
            identities,
            float(options[CONF_DEFAULT_TIMEOUT]),
        ),
        coordinator=DlandCoordinator(hass, entry, store, scheduler),
        default_agent=str(options[CONF_DEFAULT_AGENT]),
        default_timeout=float(options[CONF_DEFAULT_TIMEOUT]),
        identities=identities,
        schedule_texts=(texts := await ScheduleTexts.async_load(hass)),
        moments=MomentWatcher(
            hass, store, scheduler.async_wake, lambda: texts.default.moments
        ),
    )
    try:
        await scheduler.async_start()
    except StoreError as err:
        await store.async_close()
        raise _store_unavailable(err) from err

    async def _async_on_stop(_event: Event) -> None:
        # Record runs interrupted by the shutdown and release the database file.
        await _async_shutdown(entry)

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_on_stop)
    )

    async def _async_core_config_updated(_event: Event) -> None:
        # Schedules are said in Home Assistant's language: follow a change of it.
        if await entry.runtime_data.schedule_texts.async_follow_language():
            async_dispatcher_send(hass, SIGNAL_TASKS_CHANGED)

    entry.async_on_unload(
        hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _async_core_config_updated)
    )
    await entry.runtime_data.coordinator.async_config_entry_first_refresh()
    entry.runtime_data.coordinator.async_follow_changes()
    entry.async_on_unload(async_follow_tool_calls(hass))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Options and personas, recipients and sources (subentries) apply by reloading;
    # routines are re-armed in place, so that switching one does not stop runs.
    setup_key = _setup_key(entry)

    async def _async_updated(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
        if _setup_key(entry) != setup_key:
            await hass.config_entries.async_reload(entry.entry_id)
            return
        entry.runtime_data.heartbeats.async_rearm()

    entry.async_on_unload(entry.add_update_listener(_async_updated))
    async_sync_devices(hass, entry)
    await _async_reassign_orphans(hass, entry)
    await entry.runtime_data.heartbeats.async_start()
    await entry.runtime_data.moments.async_start()
    entry.async_on_unload(entry.runtime_data.moments.async_stop)
    last_known = await async_last_known(entry)
    # Sources last, with no await after them: their first work runs once loaded.
    async_setup_presence(hass, entry, last_known)
    async_setup_triggers(hass, entry)
    async_setup_cameras(hass, entry)
    async_setup_youtube(hass, entry)
    async_setup_whmcs(hass, entry)
    # Conversation agents of other integrations may load after this one.

    @callback
    def _check_agents(_hass: HomeAssistant) -> None:
        async_check_persona_agents(hass, entry)

    entry.async_on_unload(async_at_started(hass, _check_agents))
    entry.async_on_unload(entry.runtime_data.heartbeats.async_stop)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: DlandConfigEntry) -> bool:
    """Bring an entry made by an older version up to date."""
    if entry.version > 1:
        return False  # made by a newer version: refuse rather than guess
    if entry.minor_version < 2:
        for subentry in builtin_subentries():
            hass.config_entries.async_add_subentry(
                entry,
                ConfigSubentry(
                    data=MappingProxyType(dict(subentry["data"])),
                    subentry_type=subentry["subentry_type"],
                    title=subentry["title"],
                    unique_id=None,
                ),
            )
        hass.config_entries.async_update_entry(entry, minor_version=2)
    if entry.minor_version < 3:
        _remove_outside_control(hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=3)
    if entry.minor_version < 4:
        _quiet_builtin_check_ins(hass, entry)
        hass.config_entries.async_update_entry(entry, minor_version=4)
    return True


def _quiet_builtin_check_ins(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Make built-in check-ins deliver only when needed, as new ones do.

    A choice made in the form since (the key is there) is kept.
    """
    for subentry in entry.get_subentries_of_type(SUBENTRY_ROUTINE):
        if (
            subentry.data.get(CONF_BUILTIN) in QUIET_BUILTINS
            and CONF_ONLY_WHEN_NEEDED not in subentry.data
        ):
            hass.config_entries.async_update_subentry(
                entry, subentry, data={**subentry.data, CONF_ONLY_WHEN_NEEDED: True}
            )


def _remove_outside_control(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Drop the persona switch that let outside runs control the home; say so."""
    allowed = []
    for subentry in list(entry.subentries.values()):
        if CONF_ALLOW_UNTRUSTED_CONTROL not in subentry.data:
            continue
        if subentry.data[CONF_ALLOW_UNTRUSTED_CONTROL]:
            allowed.append(subentry.title)
        data = {
            key: value
            for key, value in subentry.data.items()
            if key != CONF_ALLOW_UNTRUSTED_CONTROL
        }
        hass.config_entries.async_update_subentry(entry, subentry, data=data)
    if allowed:
        ir.async_create_issue(
            hass,
            DOMAIN,
            "outside_control_removed",
            is_fixable=False,
            is_persistent=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key="outside_control_removed",
            translation_placeholders={"personas": ", ".join(sorted(allowed))},
        )


async def _async_give_tasks_owners(
    hass: HomeAssistant, store: TaskStore, identities: Identities
) -> None:
    """Give tasks stored before tasks had owners the user they are for.

    That is the user of the person they deliver to, else the integration's own
    admin user, which stands for the automations and admins that made them.
    """
    owners = {
        task_id: await async_owner(hass, SYSTEM, recipient, identities)
        for task_id, recipient in await store.async_ownerless_tasks()
    }
    if owners:
        await store.async_set_owners(owners)


def _setup_key(entry: DlandConfigEntry) -> str:
    """Return what, when changed, needs the entry set up again (all but routines)."""
    subentries = sorted(
        (sub.subentry_id, sub.subentry_type, sub.title, dict(sub.data))
        for sub in entry.subentries.values()
        if sub.subentry_type != SUBENTRY_ROUTINE
    )
    return json.dumps([dict(entry.options), subentries], sort_keys=True, default=str)


async def _async_reassign_orphans(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Give the tasks of deleted personas to the default agent, and say so."""
    runtime = entry.runtime_data
    known = {persona.agent_ref for persona in personas(entry).values()}
    moved = 0
    try:
        for agent in await runtime.store.async_active_agents():
            if agent.startswith(PERSONA_PREFIX) and agent not in known:
                moved += await runtime.store.async_reassign_agent(
                    agent, runtime.default_agent
                )
    except StoreError as err:
        LOGGER.error("Could not reassign the tasks of deleted personas: %s", err)
        return
    if moved:
        LOGGER.warning(
            "Moved %s task(s) of deleted personas to the default agent", moved
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            "persona_tasks_reassigned",
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="persona_tasks_reassigned",
            translation_placeholders={
                "count": str(moved),
                "agent": runtime.default_agent,
            },
        )


async def _async_shutdown(entry: DlandConfigEntry) -> None:
    runtime = entry.runtime_data
    # The runs ended below announce themselves; the view must not read a closed store.
    await runtime.coordinator.async_shutdown()
    await runtime.scheduler.async_stop()
    await runtime.store.async_close()


async def async_unload_entry(hass: HomeAssistant, entry: DlandConfigEntry) -> bool:
    """Stop the scheduler and close the store."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await _async_shutdown(entry)
    return True
