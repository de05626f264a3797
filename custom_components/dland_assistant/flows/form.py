"""The form every subentry flow shows to add a subentry and to edit it."""

from abc import ABC, abstractmethod
from typing import Any, override

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector

from ..engine.agent import agent_exists
from ..personas import find_persona


def number_field(minimum: int, maximum: int, unit: str = "") -> selector.NumberSelector:
    """Return a whole-number box, with its unit."""
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=1, mode=selector.NumberSelectorMode.BOX
    )
    if unit:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


def is_unknown_agent(
    hass: HomeAssistant, entry: ConfigEntry, agent: str | None
) -> bool:
    """Return whether a given agent names neither a persona nor a conversation agent."""
    return (
        bool(agent)
        and find_persona(entry, str(agent)) is None
        and not agent_exists(hass, str(agent))
    )


class SubentryFormFlow(ConfigSubentryFlow, ABC):
    """One form to add a subentry and to edit it."""

    @abstractmethod
    def _schema(self) -> vol.Schema:
        """Return the form."""

    @abstractmethod
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        """Return what is wrong with the answers."""

    @abstractmethod
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Return the subentry's title and data from the answers."""

    def _suggested(self, own_id: str) -> dict[str, Any]:
        return dict(self._get_entry().subentries[own_id].data)

    async def _async_check(self, data: dict[str, Any]) -> dict[str, str]:
        """Return what a service outside says of the answers (nothing to ask here)."""
        return {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add one."""
        return await self._async_step(user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit one."""
        return await self._async_step(
            user_input, self._get_reconfigure_subentry().subentry_id
        )

    async def _async_step(
        self, user_input: dict[str, Any] | None, own_id: str | None
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._errors(user_input, own_id) or await self._async_check(
                user_input
            )
            if not errors:
                title, data = self._title_and_data(user_input)
                if own_id is None:
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_and_abort(
                    self._get_entry(),
                    self._get_reconfigure_subentry(),
                    title=title,
                    data=data,
                )
        suggested: dict[str, Any] = user_input or {}
        if user_input is None and own_id is not None:
            suggested = self._suggested(own_id)
        return self.async_show_form(
            step_id="reconfigure" if own_id else "user",
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
        )


class TitledSubentryFlow(SubentryFormFlow):
    """A subentry whose name field is its title."""

    @override
    def _suggested(self, own_id: str) -> dict[str, Any]:
        subentry = self._get_entry().subentries[own_id]
        return {CONF_NAME: subentry.title, **subentry.data}
