import { LitElement, html, nothing } from "lit";
import { keyed } from "lit/directives/keyed.js";
import { formatWhen } from "./format.js";
import { loadStrings } from "./localize.js";
import { runDetails } from "./run-details.js";
import { BREAKER_COLORS, STATUS_COLORS, cardStyles } from "./styles.js";

const CONFIRM_FOR = 4000; // ms a "Cancel it?" waits for its second click
const DEFAULTS = { executions: 10 };

// Mission Control: tasks, routines and recent runs, live. It subscribes to
// dland_assistant/subscribe and redraws on every change; tasks and routines are
// made and changed in editors of their own (dialogs), runs open to their details.
export class DlandAssistantCard extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _view: { state: true },
    _error: { state: true },
    _t: { state: true },
    _open: { state: true },
    _details: { state: true },
    _editing: { state: true },
    _confirm: { state: true },
    _busy: { state: true },
  };

  static styles = cardStyles;

  static getStubConfig() {
    return { ...DEFAULTS };
  }

  static getConfigElement() {
    return document.createElement("dland-assistant-card-editor");
  }

  setConfig(config) {
    this._config = { ...DEFAULTS, ...config };
  }

  getCardSize() {
    return 3 + (this._view ? this._view.tasks.length + this._config.executions : 4);
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.hass) this._subscribe();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this._unsubscribe?.then((unsub) => unsub()).catch(() => {});
    this._unsubscribe = undefined;
  }

  willUpdate(changed) {
    if (!changed.has("hass") || !this.hass) return;
    if (this.hass.language !== this._language) {
      // The user's language, now and after they change it in their profile:
      // the card's strings, and the schedules in words the integration sends.
      this._language = this.hass.language;
      loadStrings(this.hass).then((t) => { this._t = t; });
      this._unsubscribe?.then((unsub) => unsub()).catch(() => {});
      this._unsubscribe = undefined;
    }
    if (!this._unsubscribe) this._subscribe();
  }

  _subscribe() {
    if (this._unsubscribe || !this.hass?.connection) return;
    this._unsubscribe = this.hass.connection.subscribeMessage((view) => {
      this._view = view;
      this._error = undefined;
    }, { type: "dland_assistant/subscribe", language: this.hass.language });
    this._unsubscribe.catch((err) => {
      this._error = err.message || String(err);
      this._unsubscribe = undefined;
    });
  }

  render() {
    if (!this._config) return nothing;
    const t = this._t;
    let body;
    if (this._error) body = html`<ha-alert alert-type="error" class="error">${this._error}</ha-alert>`;
    else if (!this._view || !t) body = html`<div class="loading"><ha-spinner size="small"></ha-spinner></div>`;
    else body = this._content(this._view, t);
    return html`<ha-card>${body}${this._editor()}</ha-card>`;
  }

  _at = (iso) => formatWhen(iso, this.hass);

  _badge(status) {
    if (!status) return nothing;
    return html`<span class="badge" data-status=${status}
      style="background:${STATUS_COLORS[status] || "#888"}">${this._statusLabel(status)}</span>`;
  }

  _statusLabel(status) {
    const t = this._t;
    if (status === "paused") return t("paused");
    if (status === "in_progress" || !["scheduled", "running", "missed"].includes(status)) {
      return t.option("execution_status", status);
    }
    return t.option("task_status", status);
  }

  _button(label, action, { key = action, variant, title } = {}) {
    const confirming = this._confirm === key;
    return html`<ha-button size="s" appearance=${confirming ? "filled" : "plain"}
      variant=${confirming ? "danger" : variant || "brand"} title=${title || nothing}
      ?disabled=${this._busy === key} @click=${() => this._act(key, action)}>${label}</ha-button>`;
  }

  // Every action of a row: a service of the integration, or Home Assistant's own
  // command for a routine (a subentry). Cancel and delete ask for a second click.
  async _act(key, action) {
    if (action.confirm && this._confirm !== key) {
      this._confirm = key;
      clearTimeout(this._confirmTimer);
      this._confirmTimer = setTimeout(() => { this._confirm = undefined; }, CONFIRM_FOR);
      return;
    }
    this._confirm = undefined;
    this._busy = key;
    try {
      await action.run();
    } catch (err) {
      this._error = err.message || String(err);
    } finally {
      this._busy = undefined;
    }
  }

  _service(service, data) {
    return { run: () => this.hass.callService("dland_assistant", service, data) };
  }

  _content(view, t) {
    const breaker = view.breaker.state;
    // Which agents are shed: each conversation agent has its own breaker.
    const shed = Object.entries(view.breaker.agents || {})
      .filter(([, agent]) => agent.state !== "closed")
      .map(([name, agent]) => `${name}: ${t(`breaker_${agent.state}`)}`);
    const limit = this._config.executions;
    return html`
      <div class="header">
        <div class="title">${this._config.title || t("card_title")}</div>
        <span class="chip breaker" data-state=${breaker} style="background:${BREAKER_COLORS[breaker]}"
          title=${shed.join(", ") || t("breaker_all_closed")}>
          ${t("breaker", { state: t(`breaker_${breaker}`) })}${shed.length ? ` (${shed.length})` : ""}</span>
        <span class="stat">${t("stats", { running: view.running, failed: view.failed_24h })}</span>
      </div>
      <div class="toolbar">
        <ha-button size="s" appearance="filled" @click=${() => this._edit("task")}>${t("new_task")}</ha-button>
        ${view.admin ? html`<ha-button size="s" appearance="outlined"
          @click=${() => this._edit("routine")}>${t("new_routine")}</ha-button>` : nothing}
      </div>
      <h3>${t("tasks")}</h3>
      ${view.tasks.length ? html`<table>
        <tr><th>${t("column_task")}</th><th>${t("column_schedule")}</th><th>${t("column_next_run")}</th>
          <th>${t("column_status")}</th><th></th></tr>
        ${view.tasks.map((task) => this._taskRow(task, t))}</table>`
        : html`<div class="empty">${t("no_tasks")}</div>`}
      ${view.routines.length ? html`<h3>${t("routines")}</h3><table>
        <tr><th>${t("column_routine")}</th><th>${t("column_schedule")}</th><th>${t("column_next_run")}</th>
          <th>${t("column_last")}</th><th></th></tr>
        ${view.routines.map((routine) => this._routineRow(routine, t))}</table>` : nothing}
      <h3>${t("recent_runs")}</h3>
      ${view.executions.length ? html`<table>
        ${view.executions.slice(0, limit).map((run) => this._runRows(run, t))}</table>`
        : html`<div class="empty">${t("no_runs")}</div>`}`;
  }

  _taskRow(task, t) {
    const id = task.task_id;
    const status = task.status === "running" ? "running"
      : !task.enabled ? "paused" : task.last_status || task.status;
    return html`<tr class="task" data-task-id=${id}>
      <td>${task.name}<div class="muted">${task.agent}</div></td>
      <td>${task.schedule}</td>
      <td>${task.enabled ? this._at(task.next_run) : html`<span class="muted">${t("paused")}</span>`}</td>
      <td>${this._badge(status)}</td>
      <td class="actions">
        ${this._button(t("run"), this._service("run_task", { task_id: id }), { key: `run:${id}`, title: t("run_now") })}
        ${this._button(task.enabled ? t("pause") : t("resume"),
          this._service("set_task_enabled", { task_id: id, enabled: !task.enabled }), { key: `pause:${id}` })}
        <ha-button size="s" appearance="plain" @click=${() => this._edit("task", task)}>${t("edit")}</ha-button>
        ${this._button(this._confirm === `cancel:${id}` ? t("cancel_confirm") : t("cancel"),
          { ...this._service("cancel_task", { task_id: id }), confirm: true }, { key: `cancel:${id}` })}
      </td>
    </tr>`;
  }

  _routineRow(routine, t) {
    const id = routine.routine_id;
    const remove = {
      confirm: true,
      run: () => this.hass.callWS({ type: "config_entries/subentries/delete",
        entry_id: this._view.entry_id, subentry_id: id }),
    };
    return html`<tr class="routine" data-routine=${id}>
      <td>${routine.name}</td>
      <td>${routine.schedule}</td>
      <td>${routine.enabled ? this._at(routine.next_run) : html`<span class="muted">${t("off")}</span>`}</td>
      <td>${this._badge(routine.last_status)}</td>
      <td class="actions">
        ${this._button(t("run"), this._service("run_routine", { routine: id }), { key: `run-routine:${id}`, title: t("run_now") })}
        ${this._button(routine.enabled ? t("pause") : t("resume"),
          this._service("set_routine_enabled", { routine: id, enabled: !routine.enabled }),
          { key: `pause-routine:${id}` })}
        <ha-button size="s" appearance="plain" @click=${() => this._edit("routine", routine)}>${t("edit")}</ha-button>
        ${routine.builtin ? nothing : this._button(
          this._confirm === `delete:${id}` ? t("delete_confirm") : t("delete"), remove, { key: `delete:${id}` })}
      </td>
    </tr>`;
  }

  _runRows(run, t) {
    const open = this._open === run.execution_id;
    return html`<tr class="execution" tabindex="0" aria-expanded=${String(open)}
        data-execution-id=${run.execution_id} data-status=${run.status}
        @click=${() => this._toggle(run.execution_id)}
        @keydown=${(e) => (e.key === "Enter" || e.key === " ") && this._toggle(run.execution_id)}>
      <td>${this._badge(run.status)}</td>
      <td>${run.name}${run.attempt > 1
          ? html` <span class="attempt muted">${t("attempt", { attempt: run.attempt })}</span>` : nothing}
        <div class="preview">${run.error || run.response}</div>
        ${run.next_attempt ? html`<div class="retry muted">${t("retry_at", { time: this._at(run.next_attempt) })}</div>` : nothing}</td>
      <td>${this._at(run.started)}</td>
      <td>${run.duration == null ? "" : t("seconds", { seconds: run.duration.toFixed(1) })}</td>
    </tr>
    ${open ? html`<tr class="details"><td colspan="4">${runDetails(
      this._details?.execution_id === run.execution_id ? this._details : undefined,
      { t, at: this._at })}</td></tr>` : nothing}`;
  }

  async _toggle(executionId) {
    this._open = this._open === executionId ? undefined : executionId;
    if (!this._open) return;
    try {
      this._details = await this.hass.callWS({ type: "dland_assistant/execution", execution_id: executionId });
    } catch (err) {
      this._details = { execution_id: executionId, failed: err.message || String(err) };
    }
  }

  _edit(kind, item) {
    this._editing = { kind, item };
  }

  _editor() {
    if (!this._editing || !this._t) return nothing;
    const { kind, item } = this._editing;
    const closed = () => { this._editing = undefined; };
    // Keyed: another task opened gets a fresh form, not the last one's values.
    return keyed(this._editing, kind === "task"
      ? html`<dland-task-editor .hass=${this.hass} .t=${this._t} .item=${item}
          .choices=${this._view.choices} @editor-closed=${closed}></dland-task-editor>`
      : html`<dland-routine-editor .hass=${this.hass} .t=${this._t} .item=${item}
          .choices=${this._view.choices} .entryId=${this._view.entry_id}
          @editor-closed=${closed}></dland-routine-editor>`);
  }
}
