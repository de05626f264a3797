// dland assistant: Mission Control card. Plain web component, no build step.
// Live: it subscribes to dland_assistant/subscribe and redraws on every change.

const STATUS_COLORS = {
  succeeded: "var(--success-color, #43a047)",
  failed: "var(--error-color, #db4437)",
  timed_out: "var(--warning-color, #ffa600)",
  abandoned: "var(--warning-color, #ffa600)",
  cancelled: "var(--secondary-text-color, #727272)",
  skipped: "var(--secondary-text-color, #727272)",
  quiet: "var(--secondary-text-color, #727272)",
  in_progress: "var(--info-color, #039be5)",
  scheduled: "var(--info-color, #039be5)",
  paused: "var(--secondary-text-color, #727272)",
  running: "var(--info-color, #039be5)",
};
const BREAKER_COLORS = {
  closed: "var(--success-color, #43a047)",
  half_open: "var(--warning-color, #ffa600)",
  open: "var(--error-color, #db4437)",
};

const escapeHtml = (value) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);

// Times follow the user's Home Assistant profile (language, 12/24-hour, server or
// browser time zone), as the rest of its UI does, not the browser's defaults.
const formatOptions = (hass) => {
  const locale = hass?.locale || {};
  const language = locale.time_format === "system" ? undefined : locale.language || hass?.language;
  const hour12 = locale.time_format === "12" ? true : locale.time_format === "24" ? false : undefined;
  const timeZone = locale.time_zone === "local" ? undefined : hass?.config?.time_zone;
  return { language, hour12, timeZone };
};

const when = (iso, hass) => {
  if (!iso) return "–";
  const { language, hour12, timeZone } = formatOptions(hass);
  const date = new Date(iso);
  const parts = (d) => new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit",
  }).format(d);
  const clock = { hour: "2-digit", minute: "2-digit", hour12, timeZone };
  if (parts(date) === parts(new Date())) return date.toLocaleTimeString(language, clock);
  const sameYear = parts(date).slice(0, 4) === parts(new Date()).slice(0, 4);
  return date.toLocaleString(language, {
    ...clock, month: "short", day: "numeric", ...(sameYear ? {} : { year: "numeric" }),
  });
};

const badge = (status) =>
  status
    ? `<span class="badge" style="background:${STATUS_COLORS[status] || "#888"}">${escapeHtml(status.replace("_", " "))}</span>`
    : "";

const STYLE = `
        ha-card { padding: 16px; }
        .header { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
        .title { font-size: 1.2em; font-weight: 500; flex: 1; }
        .chip { border-radius: 12px; padding: 2px 10px; color: #fff; font-size: 0.85em; }
        .stat { color: var(--secondary-text-color); font-size: 0.9em; }
        h3 { margin: 16px 0 4px; font-size: 1em; font-weight: 500; }
        table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
        th { text-align: left; color: var(--secondary-text-color); font-weight: 400; }
        td, th { padding: 4px 6px 4px 0; vertical-align: top; }
        tr + tr td { border-top: 1px solid var(--divider-color, #e0e0e0); }
        .badge { border-radius: 8px; padding: 1px 6px; color: #fff; font-size: 0.8em; white-space: nowrap; }
        .actions { text-align: right; }
        button { cursor: pointer; font: inherit; font-size: 0.85em; font-weight: 500; letter-spacing: 0.02em;
          border: none; border-radius: 18px; padding: 4px 10px; margin: 0 2px 2px 0;
          background: transparent; color: var(--primary-color, #03a9f4); }
        button:hover { background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.12); }
        button:focus-visible { outline: 2px solid var(--primary-color, #03a9f4); }
        button:disabled { opacity: 0.5; cursor: default; }
        button.confirm { background: var(--error-color, #db4437); color: #fff; }
        .muted { color: var(--secondary-text-color); }
        .preview { color: var(--secondary-text-color); font-size: 0.85em; }
        .error { color: var(--error-color, #db4437); }
        .empty { color: var(--secondary-text-color); padding: 4px 0; }
        tr.execution { cursor: pointer; }
        tr.execution:hover { background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.06); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 8px; }
        dt { color: var(--secondary-text-color); }
        dd { margin: 0; overflow-wrap: anywhere; }
        .answer { white-space: pre-wrap; }
        ol.tools { margin: 0; padding-left: 1.2em; }
        .arguments, .result { font-family: var(--code-font-family, monospace); font-size: 0.85em; }
              .editor { border: 1px solid var(--divider-color, #e0e0e0); border-radius: 12px; padding: 12px; margin-bottom: 12px; }
        .editor .row { display: flex; flex-wrap: wrap; gap: 8px 12px; margin: 6px 0; align-items: flex-end; }
        .editor label { display: flex; flex-direction: column; font-size: 0.85em; color: var(--secondary-text-color); gap: 2px; }
        .editor label.check { flex-direction: row; align-items: center; gap: 6px; }
        .editor input, .editor select, .editor textarea { font: inherit; color: var(--primary-text-color);
          background: var(--card-background-color, #fff); border: 1px solid var(--divider-color, #ccc);
          border-radius: 6px; padding: 6px 8px; min-width: 0; }
        .editor textarea { width: 100%; box-sizing: border-box; min-height: 3em; }
        .editor .grow { flex: 1 1 220px; }
        .editor .days label { flex-direction: row; align-items: center; gap: 2px; }
        .editor .field-error { color: var(--error-color, #db4437); font-size: 0.85em; min-height: 1em; }
        .editor .preview-when { font-size: 0.9em; }
        .editor .next-runs { color: var(--secondary-text-color); font-size: 0.85em; margin: 2px 0 0; padding-left: 1.2em; }
        .editor .buttons { display: flex; justify-content: flex-end; gap: 4px; }
        .toolbar { display: flex; justify-content: flex-end; }
        @media (max-width: 600px) {
          td:nth-child(2), th:nth-child(2) { display: none; }
          .editor .grow { flex-basis: 100%; }
        }
`;

// The editor's "when" presets, said as the cron (or duration, or time) they stand for.
const DAYS = [["1", "Mon"], ["2", "Tue"], ["3", "Wed"], ["4", "Thu"], ["5", "Fri"], ["6", "Sat"], ["0", "Sun"]];
const WHEN_KINDS = [
  ["in", "In"], ["at", "At a date and time"], ["daily", "Every day at"],
  ["weekdays", "Weekdays at"], ["days", "On chosen days at"], ["minutes", "Every N minutes"],
  ["hours", "Every N hours"], ["cron", "Custom (cron)"],
];
// Which field an error of the integration belongs to (its translation key).
const WHEN_ERRORS = ["invalid_cron", "cron_too_long", "cron_never_runs", "at_in_past",
  "delay_not_positive", "schedule_conflict", "schedule_missing", "time_out_of_range"];
const fieldOf = (key) => {
  if (WHEN_ERRORS.includes(key)) return "when";
  if ((key || "").startsWith("prompt")) return "prompt";
  if (key === "unknown_user") return "user";
  if (key === "unknown_channel") return "platform";
  if (["unknown_agent", "agent_cannot_understand"].includes(key)) return "agent";
  return "form";
};

// A stored cron back to the preset it came from, for editing.
const presetOf = (cron) => {
  let m;
  if ((m = /^(\d+) (\d+) \* \* \*$/.exec(cron))) return { kind: "daily", time: clock(m[2], m[1]) };
  if ((m = /^(\d+) (\d+) \* \* 1-5$/.exec(cron))) return { kind: "weekdays", time: clock(m[2], m[1]) };
  if ((m = /^(\d+) (\d+) \* \* ([0-6](,[0-6])*)$/.exec(cron))) {
    return { kind: "days", time: clock(m[2], m[1]), days: m[3].split(",") };
  }
  if ((m = /^\*\/(\d+) \* \* \* \*$/.exec(cron))) return { kind: "minutes", every: m[1] };
  if ((m = /^0 \*\/(\d+) \* \* \*$/.exec(cron))) return { kind: "hours", every: m[1] };
  return { kind: "cron", cron };
};
const clock = (hour, minute) => `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
const localInput = (iso) => {
  // An ISO time with its offset, as the value of a datetime-local field (its wall clock).
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || "");
  return match ? `${match[1]}T${match[2]}` : "";
};

// A form's field by name (form.name and form.action are the form's own).
const f = (form, name) => form.elements.namedItem(name);

class DlandAssistantCard extends HTMLElement {
  static getStubConfig() {
    return { title: "Mission Control", executions: 10 };
  }

  // The card picker's visual editor.
  static getConfigElement() {
    return document.createElement(EDITOR_TAG);
  }

  setConfig(config) {
    this._config = { title: "Mission Control", executions: 10, ...config };
    if (!this.shadowRoot) this.attachShadow({ mode: "open" });
    this._render();
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first || (!this._unsubscribe && !this._subscribing)) this._subscribe();
  }

  getCardSize() {
    return 3 + (this._view ? this._view.tasks.length + this._config.executions : 4);
  }

  connectedCallback() {
    if (this._hass && !this._unsubscribe) this._subscribe();
  }

  disconnectedCallback() {
    if (this._unsubscribe) {
      this._unsubscribe.then((unsub) => unsub()).catch(() => {});
      this._unsubscribe = undefined;
    }
  }

  _subscribe() {
    if (!this._hass || !this._hass.connection) return;
    this._subscribing = true;
    this._unsubscribe = this._hass.connection
      .subscribeMessage((view) => {
        this._view = view;
        this._error = undefined;
        this._render();
      }, { type: "dland_assistant/subscribe" })
      .catch((err) => {
        this._error = err.message || String(err);
        this._unsubscribe = undefined;
        this._render();
      })
      .finally(() => { this._subscribing = false; });
  }

  async _act(button) {
    const { action, taskId, routine, enabled } = button.dataset;
    if (action === "new-routine" || action === "edit-routine") {
      this._openRoutineEditor(
        action === "edit-routine" ? this._view.routines.find((r) => r.routine_id === routine) : undefined);
      return;
    }
    if (action === "new" || action === "edit") {
      this._openEditor(action === "edit" ? this._view.tasks.find((t) => t.task_id === taskId) : undefined);
      return;
    }
    const calls = {
      run: ["run_task", { task_id: taskId }],
      pause: ["set_task_enabled", { task_id: taskId, enabled: enabled !== "true" }],
      cancel: ["cancel_task", { task_id: taskId }],
      "run-routine": ["run_routine", { routine }],
      "pause-routine": ["set_routine_enabled", { routine, enabled: enabled !== "true" }],
    };
    if ((action === "cancel" || action === "delete-routine") && button.dataset.confirm !== "yes") {
      // Ask first: a cancelled task cannot be brought back.
      button.dataset.confirm = "yes";
      button.textContent = action === "cancel" ? "Cancel it?" : "Delete it?";
      button.classList.add("confirm");
      clearTimeout(this._confirmTimer);
      this._confirmTimer = setTimeout(() => this._render(), 4000);
      return;
    }
    button.disabled = true;
    try {
      if (action === "delete-routine") {
        // A routine is a subentry: Home Assistant's own command removes it.
        await this._hass.callWS({ type: "config_entries/subentries/delete",
          entry_id: this._view.entry_id, subentry_id: routine });
        return;
      }
      const [service, data] = calls[action];
      await this._hass.callService("dland_assistant", service, data);
    } catch (err) {
      this._error = err.message || String(err);
      this._render();
    } finally {
      button.disabled = false;
    }
  }

  _render() {
    if (!this.shadowRoot || !this._config) return;
    const view = this._view;
    const body = this._error
      ? `<div class="error">${escapeHtml(this._error)}</div>`
      : view
        ? this._content(view)
        : `<div class="empty">Loading…</div>`;
    if (!this.shadowRoot.querySelector("ha-card")) {
      this.shadowRoot.innerHTML = `<style>${STYLE}</style>
        <ha-card><div class="editor-slot"></div><div class="live"></div></ha-card>`;
    }
    this.shadowRoot.querySelector(".live").innerHTML = body;
    const live = this.shadowRoot.querySelector(".live");
    live.querySelectorAll("button[data-action]").forEach((button) =>
      button.addEventListener("click", () => this._act(button)));
    live.querySelectorAll("tr.execution").forEach((row) =>
      row.addEventListener("click", () => this._toggle(row.dataset.executionId)));
  }

  // A run opens to all of it: answer, who it acted as, attempts, delivery, tools.
  async _toggle(executionId) {
    this._open = this._open === executionId ? undefined : executionId;
    this._render();
    if (!this._open) return;
    try {
      this._details = await this._hass.callWS({
        type: "dland_assistant/execution", execution_id: executionId });
    } catch (err) {
      this._details = { execution_id: executionId, failed: err.message || String(err) };
    }
    this._render();
  }

  // The editor: a form of its own, outside the live part, so updates never wipe
  // what is being typed. The integration says the schedule in words and lists its
  // next runs while typing, and refuses a bad one at its field.
  _openEditor(task) {
    this._editing = task;
    const slot = this.shadowRoot.querySelector(".editor-slot");
    const choices = this._view.choices || { agents: [], people: [], channels: [] };
    const form = (task && task.form) || {};
    const option = (value, label, selected) =>
      `<option value="${escapeHtml(value)}"${selected ? " selected" : ""}>${escapeHtml(label)}</option>`;
    slot.innerHTML = `<form class="editor" novalidate>
      <h3>${task ? `Edit “${escapeHtml(task.name)}”` : "New task"}</h3>
      <div class="row">
        <label class="grow">Name<input name="name" value="${escapeHtml(task ? task.name : "")}"></label>
        <label>Does<select name="action">
          ${option("agent", "Ask the agent", form.action !== "remind")}
          ${option("remind", "Remind (no agent)", form.action === "remind")}</select></label>
        <label>Agent<select name="agent">${option("", "Default agent", !form.agent)}
          ${choices.agents.map((name) => option(name, name, form.agent === name)).join("")}</select>
          <span class="field-error" data-field="agent"></span></label>
      </div>
      <label>Prompt<textarea name="prompt">${escapeHtml(form.prompt || "")}</textarea>
        <span class="field-error" data-field="prompt"></span></label>
      <div class="row when">
        <label>When<select name="when">${WHEN_KINDS.map(([kind, label]) => option(kind, label, false)).join("")}</select></label>
        <label data-for="in">Minutes<input name="minutes_from_now" type="number" min="1" value="10"></label>
        <label data-for="at">Date and time<input name="at" type="datetime-local"></label>
        <label data-for="daily weekdays days">Time<input name="time" type="time" value="07:30"></label>
        <span class="days" data-for="days">${DAYS.map(([value, label]) =>
          `<label><input type="checkbox" name="day" value="${value}">${label}</label>`).join("")}</span>
        <label data-for="minutes hours">Every<input name="every" type="number" min="1" value="15"></label>
        <label data-for="cron" class="grow">Cron<input name="cron" placeholder="30 7 * * 1-5"></label>
      </div>
      <div class="field-error" data-field="when"></div>
      <div class="preview-when"><span class="schedule-text"></span><ol class="next-runs"></ol></div>
      <div class="row">
        <label>For<select name="user">${option("", "Me", !form.user)}
          ${choices.people.map((p) => option(p.id, p.name, form.user === p.id)).join("")}</select>
          <span class="field-error" data-field="user"></span></label>
        <label>Channel<select name="platform">${option("", "Their default", !form.platform)}
          ${choices.channels.map((c) => option(c, c.replace(/_/g, " "), form.platform === c)).join("")}</select>
          <span class="field-error" data-field="platform"></span></label>
        <label>Missed while down<select name="missed_run_policy">
          ${option("run_once", "Run once", form.missed_run_policy !== "skip")}
          ${option("skip", "Skip", form.missed_run_policy === "skip")}</select></label>
        <label>Attempts<input name="retry_attempts" type="number" min="1" max="10"
          placeholder="default" value="${form.retry_attempts ?? ""}"></label>
        <label class="check"><input name="only_when_needed" type="checkbox"${form.only_when_needed ? " checked" : ""}>
          Only when there is something to report</label>
      </div>
      <div class="field-error" data-field="form"></div>
      <div class="buttons"><button type="button" data-editor="close">Close</button>
        <button type="submit" data-editor="save">Save</button></div>
    </form>`;
    const el = slot.querySelector("form");
    if (task && task.form.kind === "cron" && task.cron) {
      const preset = presetOf(task.cron);
      f(el, "when").value = preset.kind;
      if (preset.time) f(el, "time").value = preset.time;
      if (preset.every) f(el, "every").value = preset.every;
      if (preset.cron) f(el, "cron").value = preset.cron;
      el.querySelectorAll("input[name=day]").forEach((box) => {
        box.checked = (preset.days || []).includes(box.value);
      });
    } else if (task) {
      f(el, "when").value = "at";
      f(el, "at").value = localInput(task.next_run);
    }
    el.addEventListener("input", () => this._showWhen());
    el.addEventListener("change", () => this._showWhen());
    el.addEventListener("submit", (event) => { event.preventDefault(); this._save(); });
    el.querySelector("[data-editor=close]").addEventListener("click", () => this._closeEditor());
    this._showWhen();
  }

  // Routines are the household's: an admin edits them through Home Assistant's
  // own subentry flow (its checks, its translated errors), not a copy of it.
  _openRoutineEditor(routine) {
    this._editing = undefined;
    const slot = this.shadowRoot.querySelector(".editor-slot");
    const data = (routine && routine.form) || {};
    const choices = this._view.choices || { agents: [], people: [], channels: [] };
    const option = (value, label, selected) =>
      `<option value="${escapeHtml(value)}"${selected ? " selected" : ""}>${escapeHtml(label)}</option>`;
    const hhmm = (value) => (value || "").slice(0, 5);
    slot.innerHTML = `<form class="editor routine-editor" novalidate>
      <h3>${routine ? `Edit “${escapeHtml(routine.name)}”` : "New routine"}</h3>
      <div class="row">
        <label class="grow">Name<input name="name" value="${escapeHtml(routine ? routine.name : "")}"></label>
        <label>Agent<input name="agent" list="dland-agents" value="${escapeHtml(data.agent || "")}">
          <datalist id="dland-agents">${choices.agents.map((name) => option(name, name, false)).join("")}</datalist>
          <span class="field-error" data-field="agent"></span></label>
        <label class="check"><input name="enabled" type="checkbox"${routine ? (routine.enabled ? " checked" : "") : " checked"}>On</label>
      </div>
      <label>Prompt<textarea name="prompt">${escapeHtml(data.prompt || "")}</textarea></label>
      <div class="row">
        <label>Runs<select name="schedule">
          ${option("interval", "Every N minutes", !data.schedule || data.schedule === "interval")}
          ${option("daily", "Every day at", data.schedule === "daily")}
          ${option("cron", "Custom (cron)", data.schedule === "cron")}</select></label>
        <label data-for="interval">Minutes<input name="interval" type="number" min="1" value="${escapeHtml(data.interval ?? 60)}">
          <span class="field-error" data-field="interval"></span></label>
        <label data-for="daily">Time<input name="time" type="time" value="${escapeHtml(hhmm(data.time) || "07:30")}">
          <span class="field-error" data-field="time"></span></label>
        <label data-for="cron" class="grow">Cron<input name="cron" value="${escapeHtml(data.cron || "")}">
          <span class="field-error" data-field="cron"></span></label>
        <label>Quiet from<input name="quiet_start" type="time" value="${escapeHtml(hhmm(data.quiet_start))}"></label>
        <label>Quiet until<input name="quiet_end" type="time" value="${escapeHtml(hhmm(data.quiet_end))}">
          <span class="field-error" data-field="quiet_end"></span></label>
      </div>
      <div class="row">
        <label>For<select name="user">${option("", "Nobody (the log)", !data.user)}
          ${choices.people.map((p) => option(p.id, p.name, data.user === p.id)).join("")}</select></label>
        <label>Channel<select name="platform">${option("", "Their default", !data.platform)}
          ${choices.channels.map((c) => option(c, c.replace(/_/g, " "), data.platform === c)).join("")}</select></label>
        <label class="check"><input name="deliver" type="checkbox"${data.deliver === false ? "" : " checked"}>Deliver</label>
        <label class="check"><input name="only_when_needed" type="checkbox"${data.only_when_needed ? " checked" : ""}>
          Only when there is something to report</label>
      </div>
      <div class="field-error" data-field="form"></div>
      <div class="buttons"><button type="button" data-editor="close">Close</button>
        <button type="submit" data-editor="save">Save</button></div>
    </form>`;
    const el = this._form();
    const show = () => el.querySelectorAll("[data-for]").forEach((field) => {
      field.style.display = field.dataset.for === f(el, "schedule").value ? "" : "none";
    });
    el.addEventListener("change", show);
    show();
    el.addEventListener("submit", (event) => { event.preventDefault(); this._saveRoutine(routine); });
    el.querySelector("[data-editor=close]").addEventListener("click", () => this._closeEditor());
  }

  async _saveRoutine(routine) {
    const el = this._form();
    el.querySelectorAll(".field-error").forEach((error) => { error.textContent = ""; });
    const value = (name) => f(el, name).value;
    const data = {
      name: value("name"),
      enabled: f(el, "enabled").checked,
      schedule: value("schedule"),
      deliver: f(el, "deliver").checked,
      only_when_needed: f(el, "only_when_needed").checked,
      missed_run_policy: (routine && routine.form.missed_run_policy) || "run_once",
    };
    if (data.schedule === "interval") data.interval = Number(value("interval"));
    if (data.schedule === "daily") data.time = `${value("time")}:00`;
    if (data.schedule === "cron") data.cron = value("cron");
    for (const name of ["agent", "prompt", "user", "platform"]) if (value(name)) data[name] = value(name);
    for (const name of ["quiet_start", "quiet_end"]) if (value(name)) data[name] = `${value(name)}:00`;
    for (const key of ["gatherers", "calendars", "todo_lists", "notify_target", "retry_attempts"]) {
      if (routine && routine.form[key] !== undefined) data[key] = routine.form[key];
    }
    const button = el.querySelector("[data-editor=save]");
    button.disabled = true;
    try {
      await this._hass.loadBackendTranslation("config_subentries", "dland_assistant");
      const flow = await this._hass.callApi("POST", "config/config_entries/subentries/flow", {
        handler: [this._view.entry_id, "routine"],
        ...(routine ? { subentry_id: routine.routine_id } : {}),
      });
      const result = await this._hass.callApi(
        "POST", `config/config_entries/subentries/flow/${flow.flow_id}`, data);
      if (result.type === "form") {
        for (const [field, key] of Object.entries(result.errors || {})) {
          const text = this._hass.localize(
            `component.dland_assistant.config_subentries.routine.error.${key}`) || key;
          this._fieldError(el.querySelector(`.field-error[data-field=${field}]`) ? field : "form", text);
        }
        await this._hass.callApi("DELETE", `config/config_entries/subentries/flow/${flow.flow_id}`);
        return;
      }
      this._closeEditor();
    } catch (err) {
      this._fieldError("form", err.body?.message || err.message || String(err));
    } finally {
      button.disabled = false;
    }
  }

  _closeEditor() {
    this._editing = undefined;
    this.shadowRoot.querySelector(".editor-slot").innerHTML = "";
  }

  _form() {
    return this.shadowRoot.querySelector(".editor-slot form");
  }

  // The schedule the form describes, as schedule_task takes it.
  _whenData() {
    const el = this._form();
    const [hour, minute] = (f(el, "time").value || "07:30").split(":").map(Number);
    const days = [...el.querySelectorAll("input[name=day]:checked")].map((box) => box.value);
    switch (f(el, "when").value) {
      case "in": return { in: { minutes: Number(f(el, "minutes_from_now").value) } };
      case "at": return f(el, "at").value ? { at: f(el, "at").value } : null;
      case "daily": return { cron: `${minute} ${hour} * * *` };
      case "weekdays": return { cron: `${minute} ${hour} * * 1-5` };
      case "days": return days.length ? { cron: `${minute} ${hour} * * ${days.join(",")}` } : null;
      case "minutes": return { cron: `*/${Number(f(el, "every").value)} * * * *` };
      case "hours": return { cron: `0 */${Number(f(el, "every").value)} * * *` };
      default: return f(el, "cron").value.trim() ? { cron: f(el, "cron").value.trim() } : null;
    }
  }

  _showWhen() {
    const el = this._form();
    if (!el) return;
    el.querySelectorAll("[data-for]").forEach((field) => {
      field.style.display = field.dataset.for.split(" ").includes(f(el, "when").value) ? "" : "none";
    });
    clearTimeout(this._previewTimer);
    this._previewTimer = setTimeout(() => this._preview(), 250);
  }

  async _preview() {
    const el = this._form();
    if (!el) return;
    const data = this._whenData();
    const text = el.querySelector(".schedule-text");
    const runs = el.querySelector(".next-runs");
    this._fieldError("when", "");
    if (!data) {
      text.textContent = "";
      runs.innerHTML = "";
      return;
    }
    try {
      const preview = await this._hass.callWS({
        type: "dland_assistant/preview_schedule", language: this._hass.language, ...data });
      text.textContent = preview.schedule_text;
      runs.innerHTML = preview.next_runs.map((run) => `<li>${escapeHtml(when(run, this._hass))}</li>`).join("");
    } catch (err) {
      text.textContent = "";
      runs.innerHTML = "";
      this._fieldError(fieldOf(err.translation_key), err.message || String(err));
    }
  }

  _fieldError(field, message) {
    const el = this._form();
    const target = el && el.querySelector(`.field-error[data-field=${field}]`);
    if (target) target.textContent = message;
  }

  async _save() {
    const el = this._form();
    el.querySelectorAll(".field-error").forEach((error) => { error.textContent = ""; });
    const schedule = this._whenData();
    if (!schedule) {
      this._fieldError("when", "Say when it should run.");
      return;
    }
    const data = {
      prompt: f(el, "prompt").value,
      action: f(el, "action").value,
      missed_run_policy: f(el, "missed_run_policy").value,
      only_when_needed: f(el, "only_when_needed").checked,
      ...schedule,
    };
    for (const name of ["name", "agent", "user", "platform"]) {
      if (f(el, name).value) data[name] = f(el, name).value;
    }
    if (f(el, "retry_attempts").value) data.retry_attempts = Number(f(el, "retry_attempts").value);
    const editing = this._editing;
    if (editing) data.task_id = editing.task_id;
    const button = el.querySelector("[data-editor=save]");
    button.disabled = true;
    try {
      await this._hass.callWS({
        type: "call_service", domain: "dland_assistant",
        service: editing ? "update_task" : "schedule_task",
        service_data: data, return_response: true,
      });
      this._closeEditor();
    } catch (err) {
      this._fieldError(fieldOf(err.translation_key), err.message || String(err));
    } finally {
      button.disabled = false;
    }
  }

  _detailsRow(executionId, at) {
    const run = this._details;
    if (!run || run.execution_id !== executionId) {
      return `<tr class="details"><td colspan="4" class="muted">Loading…</td></tr>`;
    }
    if (run.failed) {
      return `<tr class="details"><td colspan="4" class="error">${escapeHtml(run.failed)}</td></tr>`;
    }
    const item = (label, value) => value ? `<dt>${label}</dt><dd>${value}</dd>` : "";
    const calls = (run.tool_calls && run.tool_calls.calls) || [];
    const tools = calls.length
      ? `<ol class="tools">${calls.map((call) => `<li class="tool${call.error ? " error" : ""}">
          <code>${escapeHtml(call.tool)}</code> <span class="arguments">${escapeHtml(call.arguments)}</span>
          → <span class="result">${escapeHtml(call.result || "")}</span></li>`).join("")}</ol>${
          run.tool_calls.dropped ? `<div class="muted">and ${run.tool_calls.dropped} more</div>` : ""}`
      : '<span class="muted">No tools called</span>';
    const delivery = run.delivery
      ? `${escapeHtml(run.delivery.channel)}${run.delivery.target ? ` → ${escapeHtml(run.delivery.target)}` : ""}: ${
        escapeHtml(run.delivery.status)}${run.delivery.error ? ` (${escapeHtml(run.delivery.error)})` : ""}`
      : "";
    return `<tr class="details"><td colspan="4"><dl>
      ${item("Answer", run.response ? `<div class="answer">${escapeHtml(run.response)}</div>` : "")}
      ${item("Error", run.error ? `<span class="error">${escapeHtml(run.error)}</span>` : "")}
      ${item("Acted as", `${escapeHtml(run.acting_user_name || run.acting_user || "—")} (${escapeHtml(run.trust)})`)}
      ${item("Origin", escapeHtml([run.source, run.origin].filter(Boolean).join(" · ")))}
      ${item("Attempt", `${run.attempt}${run.next_attempt ? ` · next ${at(run.next_attempt)}` : ""}`)}
      ${item("Delivered", delivery)}
      ${item("Tools", tools)}
    </dl></td></tr>`;
  }

  _content(view) {
    const breaker = view.breaker.state;
    // Which agents are shed: each conversation agent has its own breaker.
    const shed = Object.entries(view.breaker.agents || {})
      .filter(([, agent]) => agent.state !== "closed")
      .map(([name, agent]) => `${name}: ${agent.state.replace("_", "-")}`);
    const at = (iso) => when(iso, this._hass);
    const tasks = view.tasks.map((task) => `
      <tr class="task" data-task-id="${escapeHtml(task.task_id)}">
        <td>${escapeHtml(task.name)}<div class="muted">${escapeHtml(task.agent)}</div></td>
        <td>${escapeHtml(task.schedule)}</td>
        <td>${task.enabled ? at(task.next_run) : '<span class="muted">paused</span>'}</td>
        <td>${badge(task.status === "running" ? "running" : !task.enabled ? "paused" : task.last_status || task.status)}</td>
        <td class="actions">
          <button data-action="run" data-task-id="${escapeHtml(task.task_id)}" title="Run now">Run</button>
          <button data-action="pause" data-task-id="${escapeHtml(task.task_id)}" data-enabled="${task.enabled}"
            >${task.enabled ? "Pause" : "Resume"}</button>
          <button data-action="edit" data-task-id="${escapeHtml(task.task_id)}">Edit</button>
          <button data-action="cancel" data-task-id="${escapeHtml(task.task_id)}">Cancel</button>
        </td>
      </tr>`).join("");
    const routines = view.routines.map((routine) => `
      <tr class="routine">
        <td>${escapeHtml(routine.name)}</td>
        <td>${escapeHtml(routine.schedule)}</td>
        <td>${routine.enabled ? at(routine.next_run) : '<span class="muted">off</span>'}</td>
        <td>${badge(routine.last_status)}</td>
        <td class="actions">
          <button data-action="run-routine" data-routine="${escapeHtml(routine.routine_id)}" title="Run now">Run</button>
          <button data-action="pause-routine" data-routine="${escapeHtml(routine.routine_id)}" data-enabled="${routine.enabled}"
            >${routine.enabled ? "Pause" : "Resume"}</button>
          <button data-action="edit-routine" data-routine="${escapeHtml(routine.routine_id)}">Edit</button>${
            routine.builtin ? "" : `
          <button data-action="delete-routine" data-routine="${escapeHtml(routine.routine_id)}">Delete</button>`}
        </td>
      </tr>`).join("");
    const executions = view.executions.slice(0, this._config.executions).map((run) => `
      <tr class="execution" data-execution-id="${escapeHtml(run.execution_id)}" data-status="${escapeHtml(run.status)}">
        <td>${badge(run.status)}</td>
        <td>${escapeHtml(run.name)}${run.attempt > 1 ? ` <span class="attempt muted">attempt ${run.attempt}</span>` : ""}
          <div class="preview">${escapeHtml(run.error || run.response)}</div>${run.next_attempt ? `
          <div class="retry muted">retry ${at(run.next_attempt)}</div>` : ""}</td>
        <td>${at(run.started)}</td>
        <td>${run.duration == null ? "" : `${run.duration.toFixed(1)} s`}</td>
      </tr>${this._open === run.execution_id ? this._detailsRow(run.execution_id, at) : ""}`).join("");
    return `
      <div class="header">
        <div class="title">${escapeHtml(this._config.title)}</div>
        <span class="chip breaker" data-state="${breaker}" style="background:${BREAKER_COLORS[breaker]}"
          title="${escapeHtml(shed.join(", ") || "every agent's breaker is closed")}">
          breaker ${escapeHtml(breaker.replace("_", "-"))}${shed.length ? ` (${shed.length})` : ""}</span>
        <span class="stat">${view.running} running · ${view.failed_24h} failed in 24 h</span>
      </div>
      <div class="toolbar"><button data-action="new">New task</button>${
        view.admin ? '<button data-action="new-routine">New routine</button>' : ""}</div>
      <h3>Tasks</h3>
      ${tasks ? `<table><tr><th>Task</th><th>Schedule</th><th>Next run</th><th>Status</th><th></th></tr>${tasks}</table>`
        : '<div class="empty">No scheduled tasks.</div>'}
      ${routines ? `<h3>Routines</h3><table><tr><th>Routine</th><th>Schedule</th><th>Next run</th><th>Last</th><th></th></tr>${routines}</table>` : ""}
      <h3>Recent runs</h3>
      ${executions ? `<table>${executions}</table>` : '<div class="empty">No runs yet.</div>'}`;
  }
}

// The visual editor of the card's options: its title and how many runs it lists.
const EDITOR_TAG = "dland-assistant-card-editor";
class DlandAssistantCardEditor extends HTMLElement {
  setConfig(config) {
    this._config = { ...DlandAssistantCard.getStubConfig(), ...config };
    if (!this.shadowRoot) this.attachShadow({ mode: "open" });
    this.shadowRoot.innerHTML = `<style>
        label { display: flex; flex-direction: column; gap: 4px; margin: 8px 0;
          color: var(--secondary-text-color); font-size: 0.9em; }
        input { font: inherit; padding: 6px 8px; border-radius: 6px; color: var(--primary-text-color);
          border: 1px solid var(--divider-color, #ccc); background: var(--card-background-color, #fff); }
      </style>
      <label>Title<input name="title" value="${escapeHtml(this._config.title)}"></label>
      <label>Recent runs shown<input name="executions" type="number" min="1" max="100"
        value="${escapeHtml(this._config.executions)}"></label>`;
    this.shadowRoot.querySelectorAll("input").forEach((input) =>
      input.addEventListener("change", () => this._changed(input)));
  }

  set hass(_hass) {}

  _changed(input) {
    const value = input.type === "number" ? Number(input.value) : input.value;
    this._config = { ...this._config, [input.name]: value };
    this.dispatchEvent(new CustomEvent("config-changed", {
      detail: { config: this._config }, bubbles: true, composed: true }));
  }
}

// Home Assistant's frontend replaces window.customElements with a scoped registry
// (a polyfill) while it starts. A card whose script runs before that lands in the
// browser's own registry, which the frontend never asks: so define it in whichever
// registry is current now, and again once the frontend's app has defined its root
// element, which it does right after the swap.
const TAG = "dland-assistant-card";
const defineCard = () => {
  if (!window.customElements.get(TAG)) window.customElements.define(TAG, DlandAssistantCard);
  if (!window.customElements.get(EDITOR_TAG)) window.customElements.define(EDITOR_TAG, DlandAssistantCardEditor);
};
defineCard();
window.customElements.whenDefined("home-assistant").then(defineCard);
window.customCards = window.customCards || [];
window.customCards.push({
  type: "dland-assistant-card",
  name: "dland assistant",
  description: "Tasks, routines and recent runs of your background agents, live.",
  preview: true,
});
