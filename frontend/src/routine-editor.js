import { html, nothing } from "lit";
import { EditorDialog } from "./editor-dialog.js";
import { input, select, textarea, toggle, formError, policyFields, recipientFields } from "./fields.js";

const hhmm = (value) => (value || "").slice(0, 5);
// What the card does not edit is handed back as it was.
const KEPT = ["gatherers", "calendars", "todo_lists", "notify_target"];

// Routines are the household's: an admin edits them through Home Assistant's own
// subentry flow (its checks, its translated errors), not a copy of it.
export class RoutineEditor extends EditorDialog {
  static properties = { ...EditorDialog.properties, entryId: { attribute: false } };

  formClass = "routine-editor";

  initialData(form) {
    return {
      agent: form.agent || "",
      enabled: this.item ? this.item.enabled : true,
      prompt: form.prompt || "",
      schedule: form.schedule || "interval",
      interval: form.interval ?? 60,
      time: hhmm(form.time) || "07:30",
      cron: form.cron || "",
      quiet_start: hhmm(form.quiet_start),
      quiet_end: hhmm(form.quiet_end),
      user: form.user || "",
      platform: form.platform || "",
      deliver: form.deliver !== false,
      only_when_needed: Boolean(form.only_when_needed),
      missed_run_policy: form.missed_run_policy === "skip" ? "skip" : "run_once",
      retry_attempts: form.retry_attempts ?? "",
    };
  }

  heading() {
    return this.item ? this.t("edit_routine", { name: this.item.name }) : this.t("new_routine");
  }

  fields() {
    const t = this.t;
    const choices = this.choices || { agents: [], people: [], channels: [] };
    const schedule = this.data.schedule;
    return html`
      <div class="row">
        ${input(this, "name", t("field_name"))}
        ${select(this, "agent", t("field_agent"), choices.agents.map((a) => [a, a]),
          { required: false, custom: true })}
      </div>
      ${toggle(this, "enabled", t("field_enabled"))}
      ${textarea(this, "prompt", t("field_prompt"))}
      <div class="row">
        ${select(this, "schedule", t("field_runs"), [["interval", t("when_minutes")],
          ["daily", t("when_daily")], ["cron", t("when_cron")]])}
        ${schedule === "interval"
          ? input(this, "interval", t("field_every_minutes"), { type: "number", min: 1 }) : nothing}
        ${schedule === "daily" ? input(this, "time", t("field_time"), { type: "time" }) : nothing}
        ${schedule === "cron" ? input(this, "cron", t("field_cron"), { placeholder: "0 18 * * 1" }) : nothing}
      </div>
      <div class="row">
        ${input(this, "quiet_start", t("field_quiet_start"), { type: "time" })}
        ${input(this, "quiet_end", t("field_quiet_end"), { type: "time" })}
      </div>
      ${recipientFields(this, choices, t("field_routine_user"))}
      ${policyFields(this)}
      ${toggle(this, "deliver", t("field_deliver"))}
      ${toggle(this, "only_when_needed", t("field_only_when_needed"))}
      ${formError(this)}`;
  }

  async save() {
    const d = this.data;
    const form = this.item?.form || {};
    const data = {
      name: d.name,
      enabled: d.enabled,
      schedule: d.schedule,
      deliver: d.deliver,
      only_when_needed: d.only_when_needed,
      missed_run_policy: d.missed_run_policy,
    };
    if (d.retry_attempts !== "") data.retry_attempts = Number(d.retry_attempts);
    if (d.schedule === "interval") data.interval = Number(d.interval);
    if (d.schedule === "daily") data.time = `${d.time}:00`;
    if (d.schedule === "cron") data.cron = d.cron;
    for (const name of ["agent", "prompt", "user", "platform"]) if (d[name]) data[name] = d[name];
    for (const name of ["quiet_start", "quiet_end"]) if (d[name]) data[name] = `${d[name]}:00`;
    for (const key of KEPT) if (form[key] !== undefined) data[key] = form[key];
    const translations = this.hass.loadBackendTranslation("config_subentries", "dland_assistant");
    const flow = await this.hass.callApi("POST", "config/config_entries/subentries/flow", {
      handler: [this.entryId, "routine"],
      ...(this.item ? { subentry_id: this.item.routine_id } : {}),
    });
    const result = await this.hass.callApi(
      "POST", `config/config_entries/subentries/flow/${flow.flow_id}`, data);
    if (result.type !== "form") return true;
    const localize = await translations;
    const known = ["name", "agent", "interval", "time", "cron", "quiet_end", "quiet_start", "retry_attempts"];
    for (const [field, key] of Object.entries(result.errors || {})) {
      const text = localize(`component.dland_assistant.config_subentries.routine.error.${key}`) || key;
      this.fieldError(known.includes(field) ? field : "form", text);
    }
    await this.hass.callApi("DELETE", `config/config_entries/subentries/flow/${flow.flow_id}`);
    return false;
  }
}
