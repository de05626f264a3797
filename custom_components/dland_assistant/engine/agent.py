"""Running a prompt through a Home Assistant conversation agent."""

from homeassistant.components import conversation
from homeassistant.components.conversation.agent_manager import async_get_agent
from homeassistant.components.conversation.default_agent import DefaultAgent
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent


class AgentError(Exception):
    """The agent answered with an error, or could not be reached: worth a retry."""


class RunRefused(AgentError):
    """A run that cannot succeed however often it is tried: not retried.

    No such agent, a broken template, no AI task entity for outside text.
    """


def agent_exists(hass: HomeAssistant, agent_id: str) -> bool:
    """Return whether a conversation agent with this id is available."""
    try:
        return conversation.async_get_agent_info(hass, agent_id) is not None
    except ValueError:
        return False


async def async_understands(
    hass: HomeAssistant,
    agent_id: str,
    prompt: str,
    context: Context,
    language: str | None = None,
) -> bool:
    """Return whether the agent can act on ``prompt``.

    Assist's built-in agent acts only on the commands its sentences (and the
    sentence triggers of automations) know; "give me a briefing" gets "Sorry, I
    couldn't understand that". Any other agent is taken to understand free text.
    Recognition only: nothing is run.
    """
    if agent_id != conversation.HOME_ASSISTANT_AGENT:
        return True
    agent = async_get_agent(hass, agent_id)
    if not isinstance(agent, DefaultAgent):
        return True
    user_input = conversation.ConversationInput(
        text=prompt,
        context=context,
        conversation_id=None,
        device_id=None,
        satellite_id=None,
        language=language or hass.config.language,
        agent_id=agent_id,
    )
    if await agent.async_recognize_sentence_trigger(user_input) is not None:
        return True
    result = await agent.async_recognize_intent(user_input)
    # Names it does not know ("no area called …") end in an error answer too.
    return result is not None and not result.unmatched_entities


async def async_run_agent(
    hass: HomeAssistant,
    agent_id: str,
    prompt: str,
    context: Context,
    *,
    conversation_id: str | None = None,
    extra_system_prompt: str | None = None,
    language: str | None = None,
) -> str:
    """Send ``prompt`` to the agent and return its spoken answer.

    Raises AgentError when the agent is unavailable or reports an error, and
    RunRefused when there is no such agent.
    """
    if not agent_exists(hass, agent_id):
        # An agent whose integration has not loaded (its server is down) is still
        # in the entity registry: that may pass.
        if er.async_get(hass).async_get(agent_id) is not None:
            raise AgentError(f"Conversation agent {agent_id} is unavailable")
        raise RunRefused(f"Conversation agent {agent_id} not found")
    result = await conversation.async_converse(
        hass,
        text=prompt,
        conversation_id=conversation_id,
        context=context,
        agent_id=agent_id,
        extra_system_prompt=extra_system_prompt,
        language=language,
    )
    response = result.response
    speech = str(response.speech.get("plain", {}).get("speech", ""))
    if response.response_type is intent.IntentResponseType.ERROR:
        code = response.error_code.value if response.error_code else "unknown"
        raise AgentError(f"{code}: {speech}" if speech else code)
    return speech
