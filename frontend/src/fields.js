import { html, nothing } from "lit";

// The editors' fields, as Home Assistant's own elements: ha-input for typed
// values (native time and date pickers included), ha-selector for choices and
// long text (it loads ha-select and ha-textarea on demand), ha-switch for flags.
// Every field has its error line, filled with the integration's translated error.

// Native pickers draw their own "--:--" even when empty: a placeholder keeps the
// label above it instead of over it.
const NATIVE_PICKERS = ["time", "datetime-local"];

const errorLine = (editor, name) =>
  html`<div class="field-error" data-field=${name}>${editor.errors[name] || ""}</div>`;

/** A typed value: text, number, time, datetime-local. */
export const input = (editor, name, label, { type = "text", placeholder, min, max } = {}) => html`
  <div class="field">
    <ha-input name=${name} type=${type} .label=${label} .value=${String(editor.data[name] ?? "")}
      placeholder=${placeholder ?? (NATIVE_PICKERS.includes(type) ? " " : nothing)} min=${min ?? nothing} max=${max ?? nothing}
      @input=${(event) => editor.set(name, event.target.value)}></ha-input>
    ${errorLine(editor, name)}
  </div>`;

/** One of some options ([value, label] pairs); optional ones may be cleared. */
export const select = (editor, name, label, options, { required = true, custom = false } = {}) => html`
  <div class="field">
    <ha-selector name=${name} .hass=${editor.hass} .label=${label} .required=${required}
      .selector=${{ select: {
        mode: "dropdown", custom_value: custom,
        options: options.map(([value, text]) => ({ value, label: text })) } }}
      .value=${editor.data[name] ?? (required ? options[0]?.[0] : undefined)}
      @value-changed=${(event) => editor.set(name, event.detail.value ?? "")}></ha-selector>
    ${errorLine(editor, name)}
  </div>`;

/** One entity, with Home Assistant's searchable entity picker. */
export const entity = (editor, name, label) => html`
  <div class="field">
    <ha-selector name=${name} .hass=${editor.hass} .label=${label} .required=${false}
      .selector=${{ entity: {} }} .value=${editor.data[name] || undefined}
      @value-changed=${(event) => editor.set(name, event.detail.value ?? "")}></ha-selector>
    ${errorLine(editor, name)}
  </div>`;

/** Free text over several lines. */
export const textarea = (editor, name, label) => html`
  <div class="field">
    <ha-selector name=${name} .hass=${editor.hass} .label=${label} .required=${false}
      .selector=${{ text: { multiline: true } }} .value=${editor.data[name] ?? ""}
      @value-changed=${(event) => editor.set(name, event.detail.value ?? "")}></ha-selector>
    ${errorLine(editor, name)}
  </div>`;

/** A flag. */
export const toggle = (editor, name, label) => html`
  <ha-formfield .label=${label}>
    <ha-switch name=${name} .checked=${Boolean(editor.data[name])}
      @change=${(event) => editor.set(name, event.target.checked)}></ha-switch>
  </ha-formfield>`;

/** Who gets the result, and on which channel (both optional). */
export const recipientFields = (editor, choices, userLabel) => html`
  <div class="row">
    ${select(editor, "user", userLabel, choices.people.map((p) => [p.id, p.name]), { required: false })}
    ${select(editor, "platform", editor.t("field_platform"),
      choices.channels.map((c) => [c, editor.t.option("channel", c)]), { required: false })}
  </div>`;

/** What happens to a run missed while down, and how often a failing one is tried. */
export const policyFields = (editor) => {
  const t = editor.t;
  return html`<div class="row">
    ${select(editor, "missed_run_policy", t("field_missed_run_policy"),
      ["run_once", "skip"].map((policy) => [policy, t.option("missed_run_policy", policy)]))}
    ${input(editor, "retry_attempts", t("field_retry_attempts"),
      { type: "number", min: 1, max: 10, placeholder: t("default") })}
  </div>`;
};

/** The form's own error line (what belongs to no one field). */
export const formError = (editor) => errorLine(editor, "form");
