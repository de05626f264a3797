import { LitElement, html, nothing } from "lit";
import { loadStrings } from "./localize.js";

const SCHEMA = [
  { name: "title", selector: { text: {} } },
  { name: "executions", selector: { number: { min: 1, max: 100, mode: "box" } } },
];

// The card picker's visual editor: the card's title and how many runs it lists,
// in Home Assistant's own form.
export class DlandAssistantCardEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _t: { state: true },
  };

  setConfig(config) {
    this._config = config;
  }

  willUpdate(changed) {
    if (changed.has("hass") && this.hass && this.hass.language !== this._language) {
      this._language = this.hass.language;
      loadStrings(this.hass).then((t) => { this._t = t; });
    }
  }

  render() {
    if (!this.hass || !this._config || !this._t) return nothing;
    return html`<ha-form .hass=${this.hass} .data=${this._config} .schema=${SCHEMA}
      .computeLabel=${(field) => this._t(`option_${field.name}`)}
      @value-changed=${this._changed}></ha-form>`;
  }

  _changed(event) {
    event.stopPropagation();
    this._config = event.detail.value;
    this.dispatchEvent(new CustomEvent("config-changed", {
      detail: { config: this._config }, bubbles: true, composed: true }));
  }
}
