"""Who a run acts as: decided once, at the edge that asked for it, never nobody.

- A non-admin caller's runs act as that caller; ``user`` only names who gets the
  result.
- An admin (or an automation, which has no user) may schedule for somebody else:
  the run then acts as that person's Home Assistant user.
- Runs configured by an admin for nobody in particular act as the integration's
  own admin user, *dland assistant*.
- Runs given anything from outside act as the read-only user *dland assistant
  (outside events)*, whoever they belong to.
"""

from dataclasses import dataclass

from homeassistant.auth.const import GROUP_ID_ADMIN, GROUP_ID_READ_ONLY
from homeassistant.components.person import ATTR_USER_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .store import TaskStore

ASSISTANT_USER_NAME = "dland assistant"
OUTSIDE_USER_NAME = "dland assistant (outside events)"
_ASSISTANT_KEY = "assistant_user_id"
_OUTSIDE_KEY = "untrusted_user_id"


@dataclass(frozen=True, slots=True)
class Identities:
    """The integration's own two users."""

    # Admin: runs an admin configured for nobody in particular.
    assistant: str
    # Read-only: runs given anything from outside.
    outside: str


async def _async_system_user(
    hass: HomeAssistant, store: TaskStore, key: str, name: str, group: str
) -> str:
    if (user_id := await store.async_get_state(key)) and (
        await hass.auth.async_get_user(user_id)
    ) is not None:
        return user_id
    user = await hass.auth.async_create_system_user(
        name, group_ids=[group], local_only=True
    )
    await store.async_set_state(key, user.id)
    return user.id


async def async_identities(hass: HomeAssistant, store: TaskStore) -> Identities:
    """Return the integration's users, creating them once."""
    return Identities(
        assistant=await _async_system_user(
            hass, store, _ASSISTANT_KEY, ASSISTANT_USER_NAME, GROUP_ID_ADMIN
        ),
        outside=await _async_system_user(
            hass, store, _OUTSIDE_KEY, OUTSIDE_USER_NAME, GROUP_ID_READ_ONLY
        ),
    )


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asked: a user, or Home Assistant itself (an automation, a script)."""

    user_id: str | None
    is_admin: bool
    # Home Assistant itself or one of its system users (no person behind it).
    system: bool = False

    @property
    def person_user(self) -> str | None:
        """Return the caller's user id when a person stands behind it."""
        return None if self.system else self.user_id

    def may_see(self, owner: str | None) -> bool:
        """Return whether the caller may read or steer what ``owner`` owns."""
        return self.is_admin or (
            self.user_id is not None and owner is not None and owner == self.user_id
        )


SYSTEM = Caller(user_id=None, is_admin=True, system=True)
# A call whose origin is unknown: it may read and change nothing that is owned.
NOBODY = Caller(user_id=None, is_admin=False, system=True)


async def async_caller(hass: HomeAssistant, context: Context | None) -> Caller:
    """Return who made a call; a call without a user comes from Home Assistant."""
    user_id = context.user_id if context else None
    if user_id is None:
        return SYSTEM
    user = await hass.auth.async_get_user(user_id)
    if user is None:
        # A user deleted since: as little as possible.
        return Caller(user_id=user_id, is_admin=False, system=True)
    return Caller(user_id=user_id, is_admin=user.is_admin, system=user.system_generated)


def invalid_recipient(value: str) -> ServiceValidationError:
    """Return the translated error for a user who does not exist."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_user",
        translation_placeholders={"user": value},
    )


async def async_validate_recipient(
    hass: HomeAssistant, value: str | None
) -> str | None:
    """Return who gets a result (a person entity or a user id), or raise.

    Raises a translated error when no such person or user exists.
    """
    if not value:
        return None
    value = value.strip()
    if value.startswith("person."):
        if hass.states.get(value) is None:
            raise invalid_recipient(value)
        return value
    user = await hass.auth.async_get_user(value)
    if user is None or user.system_generated or not user.is_active:
        raise invalid_recipient(value)
    return value


async def async_linked_user(hass: HomeAssistant, recipient: str | None) -> str | None:
    """Return the active Home Assistant user a person or user id stands for."""
    if not recipient:
        return None
    user_id: str | None = recipient
    if recipient.startswith("person."):
        state = hass.states.get(recipient)
        user_id = state.attributes.get(ATTR_USER_ID) if state else None
    if not user_id:
        return None
    user = await hass.auth.async_get_user(str(user_id))
    if user is None or not user.is_active or user.system_generated:
        return None
    return user.id


async def async_owner(
    hass: HomeAssistant,
    caller: Caller,
    recipient: str | None,
    identities: Identities,
) -> str:
    """Return the user a run requested by ``caller`` for ``recipient`` belongs to."""
    if caller.user_id is not None and not caller.is_admin:
        return caller.user_id
    if (linked := await async_linked_user(hass, recipient)) is not None:
        return linked
    return caller.user_id or identities.assistant


async def async_is_read_only(hass: HomeAssistant, user_id: str | None) -> bool:
    """Return whether a user is in Home Assistant's read-only group."""
    if user_id is None or (user := await hass.auth.async_get_user(user_id)) is None:
        return False
    return any(group.id == GROUP_ID_READ_ONLY for group in user.groups)
