import { LitElement, html } from "lit";
import { editorStyles } from "./styles.js";

// What the task and routine editors share: a Home Assistant dialog with the
// fields, a Close and a Save button, the form's values and its errors per field.
// It is apart from the card's live list, so updates never wipe what is typed.
export class EditorDialog extends LitElement {
  static properties = {
    hass: { attribute: false },
    t: { attribute: false },
    item: { attribute: false },
    choices: { attribute: false },
    data: { state: true },
    errors: { state: true },
    saving: { state: true },
    open: { state: true },
  };

  static styles = editorStyles;

  constructor() {
    super();
    this.errors = {};
    this.saving = false;
    this.open = true;
  }

  connectedCallback() {
    super.connectedCallback();
    // Once: a live update of the card must not reset what is being typed.
    if (!this.data) this.data = { name: this.item?.name || "", ...this.initialData(this.item?.form || {}) };
  }

  set(name, value) {
    this.data = { ...this.data, [name]: value };
    this.changed(name);
  }

  /** A field changed: subclasses react (the task editor previews its schedule). */
  changed(_name) {}

  fieldError(field, message) {
    this.errors = { ...this.errors, [field]: message };
  }

  close() {
    this.open = false;
  }

  render() {
    return html`<ha-dialog .open=${this.open} header-title=${this.heading()}
        @closed=${this._closed}>
      <form class="editor ${this.formClass}" novalidate @submit=${this._submit}>
        ${this.fields()}
      </form>
      <ha-dialog-footer slot="footer">
        <ha-button slot="secondaryAction" appearance="plain" @click=${() => this.close()}
          >${this.t("close")}</ha-button>
        <ha-button slot="primaryAction" .loading=${this.saving} ?disabled=${this.saving}
          @click=${this._submit}>${this.t("save")}</ha-button>
      </ha-dialog-footer>
    </ha-dialog>`;
  }

  async _submit(event) {
    event.preventDefault();
    if (this.saving) return;
    this.errors = {};
    this.saving = true;
    try {
      if (await this.save()) this.close();
    } catch (err) {
      this.fieldError("form", err.body?.message || err.message || String(err));
    } finally {
      this.saving = false;
    }
  }

  _closed(event) {
    // The dialog's inner elements fire "closed" too (a select's menu closing).
    if (event.target !== event.currentTarget) return;
    this.dispatchEvent(new CustomEvent("editor-closed", { bubbles: true, composed: true }));
  }
}
