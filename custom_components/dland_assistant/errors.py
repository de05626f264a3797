"""Translated errors raised to users, in one place."""

from collections.abc import Awaitable
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import DOMAIN
from .store import StoreError


def invalid(key: str, **placeholders: Any) -> ServiceValidationError:
    """Return a translated validation error."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={k: str(v) for k, v in placeholders.items()} or None,
    )


def store_failed(err: StoreError) -> HomeAssistantError:
    """Return a translated error for a database failure."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="store_error",
        translation_placeholders={"error": str(err)},
    )


async def guard_store[T](work: Awaitable[T]) -> T:
    """Await store work, turning a database failure into a translated error."""
    try:
        return await work
    except StoreError as err:
        raise store_failed(err) from err


class Overloaded(HomeAssistantError):
    """No run can start now: over a rate, the queue is full or the agent is shed.

    Translated for actions; ``reason`` and ``retry_after`` shape HTTP answers.
    """

    def __init__(self, reason: str, retry_after: int) -> None:
        """Say why and when to try again."""
        super().__init__(
            translation_domain=DOMAIN,
            translation_key="overloaded",
            translation_placeholders={"reason": reason, "retry": str(retry_after)},
        )
        self.reason = reason
        self.retry_after = retry_after
