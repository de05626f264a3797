"""Constants for the dland_assistant integration."""

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "dland_assistant"
LOGGER = logging.getLogger(__package__)

DATABASE_FILE: Final = "dland_assistant.db"

CONF_DEFAULT_AGENT: Final = "default_agent"
CONF_MAX_CONCURRENT: Final = "max_concurrent"
# Agent calls at once: a local LLM wants 1-2, hosted agents take many more.
MAX_CONCURRENT_LIMIT: Final = 64
CONF_DEFAULT_TIMEOUT: Final = "default_timeout"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_MISSED_RUN_GRACE: Final = "missed_run_grace"
# A routine's choice for a run missed while Home Assistant was down.
CONF_MISSED_RUN_POLICY: Final = "missed_run_policy"

DEFAULT_AGENT: Final = "conversation.home_assistant"
DEFAULT_MAX_CONCURRENT: Final = 2
DEFAULT_TIMEOUT: Final = 600
DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_MISSED_RUN_GRACE: Final = 300
# Minutes away before coming home wakes the welcome agent (a tracker flapping at
# the door is not an absence).
CONF_MIN_ABSENCE: Final = "min_absence"
DEFAULT_MIN_ABSENCE: Final = 5
# The retry policy (see engine.retry): attempts of an agent task, the first delay
# of the back-off, and how long a reminder is retried until it is delivered.
CONF_RETRY_ATTEMPTS: Final = "retry_attempts"
CONF_RETRY_DELAY: Final = "retry_delay"
CONF_REMINDER_RETRY_WINDOW: Final = "reminder_retry_window"
DEFAULT_RETRY_ATTEMPTS: Final = 3
DEFAULT_RETRY_DELAY: Final = 30
DEFAULT_REMINDER_RETRY_WINDOW: Final = 120
MAX_RETRY_ATTEMPTS: Final = 10
# A new entry's options; options added later fall back to these.
DEFAULT_OPTIONS: Final[dict[str, object]] = {
    CONF_DEFAULT_AGENT: DEFAULT_AGENT,
    CONF_MAX_CONCURRENT: DEFAULT_MAX_CONCURRENT,
    CONF_DEFAULT_TIMEOUT: DEFAULT_TIMEOUT,
    CONF_RETENTION_DAYS: DEFAULT_RETENTION_DAYS,
    CONF_MISSED_RUN_GRACE: DEFAULT_MISSED_RUN_GRACE,
    CONF_MIN_ABSENCE: DEFAULT_MIN_ABSENCE,
    CONF_RETRY_ATTEMPTS: DEFAULT_RETRY_ATTEMPTS,
    CONF_RETRY_DELAY: DEFAULT_RETRY_DELAY,
    CONF_REMINDER_RETRY_WINDOW: DEFAULT_REMINDER_RETRY_WINDOW,
}

MAX_PROMPT_BYTES: Final = 8192
MAX_NAME_LENGTH: Final = 200
# Agent, user, channel and other ids a request names (entity ids are at most 255).
MAX_ID_LENGTH: Final = 255
# A wakeup's or event's quoted context, as JSON.
MAX_CONTEXT_BYTES: Final = 16 * 1024
# Responses and errors in fired events are cut to keep the event bus and recorder lean.
EVENT_TEXT_LIMIT: Final = 1000

# The safety-net tick; the precise one-shot timer does the real work.
TICK_INTERVAL: Final = timedelta(seconds=10)
PRUNE_INTERVAL: Final = timedelta(hours=6)

EVENT_EXECUTION_STARTED: Final = f"{DOMAIN}_execution_started"
EVENT_EXECUTION_FINISHED: Final = f"{DOMAIN}_execution_finished"
# Dispatched when tasks or routines were added, changed or removed.
SIGNAL_TASKS_CHANGED: Final = f"{DOMAIN}_tasks_changed"

# Personas (config subentries of type "agent") and recipients ("recipient").
SUBENTRY_AGENT: Final = "agent"
SUBENTRY_RECIPIENT: Final = "recipient"
SUBENTRY_TRIGGER: Final = "trigger"
SUBENTRY_VONAGE: Final = "vonage"
SUBENTRY_YOUTUBE: Final = "youtube"
SUBENTRY_WHMCS: Final = "whmcs"
SUBENTRY_CAMERA: Final = "camera"
SUBENTRY_ROUTINE: Final = "routine"
CONF_BUILTIN: Final = "builtin"
CONF_SCHEDULE: Final = "schedule"
CONF_TIME: Final = "time"
CONF_CRON: Final = "cron"
CONF_GATHERERS: Final = "gatherers"
CONF_CALENDARS: Final = "calendars"
CONF_TODO_LISTS: Final = "todo_lists"
CONF_USER: Final = "user"
CONF_PLATFORM: Final = "platform"
CONF_NOTIFY_TARGET: Final = "notify_target"
CONF_QUIET_START: Final = "quiet_start"
CONF_QUIET_END: Final = "quiet_end"
# A routine that delivers only when the agent has something to report.
CONF_ONLY_WHEN_NEEDED: Final = "only_when_needed"
# What such a routine's agent answers when nothing needs attention.
NOTHING_TO_REPORT: Final = "NOTHING_TO_REPORT"
# How a run that delivers only when needed asks its agent to stay quiet.
ONLY_WHEN_NEEDED_PROMPT: Final = (
    "\n\nIf nothing needs attention, answer exactly " + NOTHING_TO_REPORT + " and "
    "nothing else."
)
CONF_ENABLED: Final = "enabled"
SCHEDULE_INTERVAL: Final = "interval"
SCHEDULE_DAILY: Final = "daily"
SCHEDULE_CRON: Final = "cron"
SCHEDULES: Final = (SCHEDULE_INTERVAL, SCHEDULE_DAILY, SCHEDULE_CRON)
BUILTIN_AUDIT: Final = "audit"
BUILTIN_MEMORY: Final = "memory"
BUILTIN_WORK_CHECKIN: Final = "work_checkin"
BUILTIN_FAMILY_CHECKIN: Final = "family_checkin"
CONF_CAMERA: Final = "camera"
CONF_COOLDOWN: Final = "cooldown"
CONF_EVENT_KIND: Final = "event_kind"
KIND_DOORBELL: Final = "doorbell"
KIND_PERSON: Final = "person"
CAMERA_KINDS: Final = (KIND_DOORBELL, KIND_PERSON)
DEFAULT_CAMERA_COOLDOWN: Final = 60
CONF_URL: Final = "url"
CONF_IDENTIFIER: Final = "identifier"
CONF_INTERVAL: Final = "interval"
CONF_SECRET: Final = "secret"
CONF_CHANNELS: Final = "channels"
CONF_CALLBACK_URL: Final = "callback_url"
CONF_HUB_URL: Final = "hub_url"
CONF_PHONE: Final = "phone"
CONF_SIGNATURE_SECRET: Final = "signature_secret"
CONF_SIGNATURE_METHOD: Final = "signature_method"
CONF_UNKNOWN_SENDERS: Final = "unknown_senders"
CONF_ENTITY_ID: Final = "entity_id"
CONF_TO_STATE: Final = "to_state"
CONF_AGENT: Final = "agent"
CONF_PROMPT: Final = "prompt"
CONF_SIGNIFICANCE: Final = "significance"
PERSONA_PREFIX: Final = "persona:"
CONF_CONVERSATION_AGENT: Final = "conversation_agent"
CONF_INSTRUCTIONS: Final = "instructions"
CONF_LANGUAGE: Final = "language"
CONF_TIMEOUT: Final = "timeout"
CONF_DELIVER: Final = "deliver"
CONF_SESSION_WINDOW: Final = "session_window"
# Removed in minor version 3: outside runs never control the home.
CONF_ALLOW_UNTRUSTED_CONTROL: Final = "allow_untrusted_control"
CONF_AI_TASK_ENTITY: Final = "ai_task_entity"
DEFAULT_SESSION_WINDOW: Final = 30
SESSION_TURNS: Final = 3

CONF_PERSON: Final = "person"
CONF_PERSONAS: Final = "personas"
CONF_RECIPIENTS: Final = "recipients"
CONF_DEFAULT_CHANNEL: Final = "default_channel"
CONF_TTS_ENGINE: Final = "tts_engine"
CONF_WELCOME_AGENT: Final = "welcome_agent"
CHANNEL_PERSISTENT: Final = "persistent_notification"
CHANNEL_TTS: Final = "tts"
# Channels whose target is a notify service (notify.x) or a notify entity.
NOTIFY_CHANNELS: Final = ("mobile_app", "telegram", "whatsapp", "sms")
CHANNELS: Final = (*NOTIFY_CHANNELS, CHANNEL_TTS, CHANNEL_PERSISTENT)
# Our own deliveries are persistent notifications too; they are not alerts.
OWN_NOTIFICATION_PREFIX = f"{DOMAIN}_"
