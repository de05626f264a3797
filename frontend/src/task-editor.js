import { html, nothing } from "lit";
import { EditorDialog } from "./editor-dialog.js";
import { entity, input, select, textarea, toggle, formError, policyFields, recipientFields } from "./fields.js";
import { formatWhen, weekdayName } from "./format.js";
import { MOMENT_KINDS, WEEK, WHEN_KINDS, fieldOf, scheduleOf, whenOf } from "./schedule.js";

const PREVIEW_DELAY = 250; // ms after the last key, so typing asks once, not per key

// Creates a task, or edits one (same id, same history): who does it, what, when,
// for whom. While typing, the integration says the schedule in words and lists
// its next five runs; a schedule it refuses shows its translated error at "when".
export class TaskEditor extends EditorDialog {
  static properties = {
    ...EditorDialog.properties,
    preview: { state: true },
  };

  formClass = "task-editor";

  initialData(form) {
    const data = {
      action: form.action === "remind" ? "remind" : "agent",
      agent: form.agent || "",
      prompt: form.prompt || "",
      user: form.user || "",
      platform: form.platform || "",
      missed_run_policy: form.missed_run_policy === "skip" ? "skip" : "run_once",
      retry_attempts: form.retry_attempts ?? "",
      only_when_needed: Boolean(form.only_when_needed),
    };
    for (const [key, value] of Object.entries(whenOf(this.item))) data[`when_${key}`] = value;
    return data;
  }

  firstUpdated() {
    this._schedulePreview(); // an edited task's schedule, in words at once
  }

  heading() {
    return this.item ? this.t("edit_task", { name: this.item.name }) : this.t("new_task");
  }

  _when() {
    // Every when_* field, without its prefix ("when_kind" is the "kind").
    return Object.fromEntries(Object.entries(this.data)
      .filter(([key]) => key.startsWith("when_")).map(([key, value]) => [key.slice(5), value]));
  }

  changed(name) {
    if (name.startsWith("when_")) this._schedulePreview();
  }

  _schedulePreview() {
    clearTimeout(this._previewTimer);
    this._previewTimer = setTimeout(() => this._preview(), PREVIEW_DELAY);
  }

  async _preview() {
    const schedule = scheduleOf(this._when());
    const asked = JSON.stringify(schedule);
    this._asked = asked;
    this.fieldError("when", "");
    if (!schedule) {
      this.preview = undefined;
      return;
    }
    try {
      const preview = await this.hass.callWS({
        type: "dland_assistant/preview_schedule", language: this.hass.language, ...schedule });
      if (this._asked === asked) this.preview = preview;
    } catch (err) {
      if (this._asked !== asked) return;
      this.preview = undefined;
      this.fieldError(fieldOf(err.translation_key), err.message || String(err));
    }
  }

  _toggleDay(day) {
    const days = this.data.when_days.includes(day)
      ? this.data.when_days.filter((d) => d !== day)
      : [...this.data.when_days, day].sort((a, b) => WEEK.indexOf(a) - WEEK.indexOf(b));
    this.set("when_days", days);
  }

  fields() {
    const t = this.t;
    const choices = this.choices || { agents: [], people: [], channels: [] };
    const kind = this.data.when_kind;
    return html`
      <div class="row">
        ${input(this, "name", t("field_name"))}
        ${select(this, "action", t("field_action"),
          [["agent", t.option("task_action", "agent")], ["remind", t.option("task_action", "remind")]])}
        ${select(this, "agent", t("field_agent"), choices.agents.map((a) => [a, a]),
          { required: false, custom: true })}
      </div>
      ${textarea(this, "prompt", t("field_prompt"))}
      <div class="row when">
        ${select(this, "when_kind", t("field_when"), WHEN_KINDS.map((k) => [k, t(`when_${k}`)]))}
        ${kind === "in" ? input(this, "when_minutes", t("field_minutes"), { type: "number", min: 1 }) : nothing}
        ${kind === "at" ? input(this, "when_at", t("field_at"), { type: "datetime-local" }) : nothing}
        ${["daily", "weekdays", "days"].includes(kind)
          ? input(this, "when_time", t("field_time"), { type: "time" }) : nothing}
        ${["minutes", "hours"].includes(kind)
          ? input(this, "when_every", t(`field_every_${kind}`), { type: "number", min: 1 }) : nothing}
        ${kind === "cron" ? input(this, "when_cron", t("field_cron"), { placeholder: "30 7 * * 1-5" }) : nothing}
      </div>
      ${MOMENT_KINDS.includes(kind) ? this._momentFields(kind, choices) : nothing}
      ${kind === "days" ? html`<div class="days" role="group" aria-label=${t("field_days")}>
        ${WEEK.map((day) => {
          const on = this.data.when_days.includes(day);
          return html`<ha-button size="s" class="day" data-day=${day} aria-pressed=${String(on)}
            appearance=${on ? "filled" : "outlined"} variant=${on ? "brand" : "neutral"}
            @click=${() => this._toggleDay(day)}>${weekdayName(day, this.hass)}</ha-button>`;
        })}</div>` : nothing}
      <div class="field-error" data-field="when">${this.errors.when || ""}</div>
      <div class="preview-when" aria-live="polite">
        <span class="schedule-text">${this.preview?.schedule_text || ""}</span>
        ${this.preview ? html`<ol class="next-runs">${this.preview.next_runs.map(
          (run) => html`<li>${formatWhen(run, this.hass)}</li>`)}</ol>` : nothing}
      </div>
      ${recipientFields(this, choices, t("field_user"))}
      ${policyFields(this)}
      ${toggle(this, "only_when_needed", t("field_only_when_needed"))}
      ${formError(this)}`;
  }

  /** What a moment waits for, and when it counts (window, expiry, every time). */
  _momentFields(kind, choices) {
    const t = this.t;
    const zones = choices.zones || [];
    return html`
      <div class="row moment">
        ${["arrive", "leave"].includes(kind) ? html`
          ${select(this, "when_person", t("field_person"), choices.people.map((p) => [p.id, p.name]),
            { required: false })}
          ${select(this, "when_zone", t("field_zone"), zones.map((z) => [z.id, z.name]))}`
        : entity(this, "when_entity", t("field_entity"))}
        ${kind === "state" ? input(this, "when_state", t("field_state"), { placeholder: "locked" }) : nothing}
        ${["above", "below"].includes(kind)
          ? input(this, "when_value", t("field_value"), { type: "number" }) : nothing}
      </div>
      <div class="row moment-window">
        ${input(this, "when_after", t("field_after"), { type: "time" })}
        ${input(this, "when_before", t("field_before"), { type: "time" })}
        ${input(this, "when_until", t("field_until"), { type: "datetime-local" })}
      </div>
      <div class="row">
        ${toggle(this, "when_every_time", t("field_every_time"))}
        ${this.data.when_every_time
          ? input(this, "when_cooldown", t("field_cooldown"), { type: "number", min: 1 }) : nothing}
      </div>`;
  }

  async save() {
    const schedule = scheduleOf(this._when());
    if (!schedule) {
      this.fieldError("when", this.t("say_when"));
      return false;
    }
    const d = this.data;
    const data = {
      prompt: d.prompt,
      action: d.action,
      missed_run_policy: d.missed_run_policy,
      only_when_needed: d.only_when_needed,
      ...schedule,
    };
    for (const name of ["name", "agent", "user", "platform"]) if (d[name]) data[name] = d[name];
    if (d.retry_attempts !== "") data.retry_attempts = Number(d.retry_attempts);
    if (this.item) data.task_id = this.item.task_id;
    try {
      await this.hass.callWS({
        type: "call_service", domain: "dland_assistant",
        service: this.item ? "update_task" : "schedule_task",
        service_data: data, return_response: true,
      });
    } catch (err) {
      this.fieldError(fieldOf(err.translation_key), err.message || String(err));
      return false;
    }
    return true;
  }
}
