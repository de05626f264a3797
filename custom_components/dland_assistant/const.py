"""Constants for the dland_assistant integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "dland_assistant"
LOGGER = logging.getLogger(__package__)

DATABASE_FILE: Final = "dland_assistant.db"

CONF_DEFAULT_AGENT: Final = "default_agent"
CONF_MAX_CONCURRENT: Final = "max_concurrent"
CONF_DEFAULT_TIMEOUT: Final = "default_timeout"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_MISSED_RUN_GRACE: Final = "missed_run_grace"

DEFAULT_AGENT: Final = "conversation.home_assistant"
DEFAULT_MAX_CONCURRENT: Final = 2
DEFAULT_TIMEOUT: Final = 600
DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_MISSED_RUN_GRACE: Final = 300

MAX_PROMPT_BYTES: Final = 8192
MAX_NAME_LENGTH: Final = 200
# Responses and errors in fired events are cut to keep the event bus and recorder lean.
EVENT_TEXT_LIMIT: Final = 1000

# The safety-net tick; the precise one-shot timer does the real work.
TICK_INTERVAL: Final = timedelta(seconds=10)
PRUNE_INTERVAL: Final = timedelta(hours=6)

EVENT_EXECUTION_STARTED: Final = f"{DOMAIN}_execution_started"
EVENT_EXECUTION_FINISHED: Final = f"{DOMAIN}_execution_finished"
