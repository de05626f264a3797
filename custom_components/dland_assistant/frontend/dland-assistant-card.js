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

class DlandAssistantCard extends HTMLElement {
  static getStubConfig() {
    return { title: "Mission Control", executions: 10 };
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
    const calls = {
      run: ["run_task", { task_id: taskId }],
      pause: ["set_task_enabled", { task_id: taskId, enabled: enabled !== "true" }],
      cancel: ["cancel_task", { task_id: taskId }],
      "run-routine": ["run_routine", { routine }],
      "pause-routine": ["set_routine_enabled", { routine, enabled: enabled !== "true" }],
    };
    const [service, data] = calls[action];
    if (action === "cancel" && button.dataset.confirm !== "yes") {
      // Ask first: a cancelled task cannot be brought back.
      button.dataset.confirm = "yes";
      button.textContent = "Cancel it?";
      button.classList.add("confirm");
      clearTimeout(this._confirmTimer);
      this._confirmTimer = setTimeout(() => this._render(), 4000);
      return;
    }
    button.disabled = true;
    try {
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
    this.shadowRoot.innerHTML = `
      <style>
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
      </style>
      <ha-card>${body}</ha-card>`;
    this.shadowRoot.querySelectorAll("button[data-action]").forEach((button) =>
      button.addEventListener("click", () => this._act(button)));
    this.shadowRoot.querySelectorAll("tr.execution").forEach((row) =>
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
      <h3>Tasks</h3>
      ${tasks ? `<table><tr><th>Task</th><th>Schedule</th><th>Next run</th><th>Status</th><th></th></tr>${tasks}</table>`
        : '<div class="empty">No scheduled tasks.</div>'}
      ${routines ? `<h3>Routines</h3><table><tr><th>Routine</th><th>Schedule</th><th>Next run</th><th>Last</th><th></th></tr>${routines}</table>` : ""}
      <h3>Recent runs</h3>
      ${executions ? `<table>${executions}</table>` : '<div class="empty">No runs yet.</div>'}`;
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
