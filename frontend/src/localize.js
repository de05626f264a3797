// The card's strings are the integration's own translations, loaded through Home
// Assistant in the user's language: its "common" strings, and the option labels
// the actions' selectors already have (statuses, channels, policies). One place
// to translate, the same languages as the rest of the integration.
export const DOMAIN = "dland_assistant";

/**
 * Load the card's strings for the user's language. Resolves to `t(key, values)`
 * for the card's own strings, with `t.option(selector, value)` for an option's.
 */
export const loadStrings = async (hass) => {
  await hass.loadBackendTranslation("selector", DOMAIN);
  // After the selector strings: the function returned sees what was loaded before.
  const localize = await hass.loadBackendTranslation("common", DOMAIN);
  const t = (key, values) => localize(`component.${DOMAIN}.common.${key}`, values) || key;
  t.option = (selector, value) =>
    localize(`component.${DOMAIN}.selector.${selector}.options.${value}`) || value;
  return t;
};
