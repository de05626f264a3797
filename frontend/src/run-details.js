import { html, nothing } from "lit";

// A run opened to all of it: answer, error, who it acted as and with what trust,
// where it came from, its attempts, where the result went, and every tool the
// agent called, with arguments and result, as stored with the run.
export const runDetails = (run, { t, at }) => {
  if (!run) return html`<div class="loading"><ha-spinner size="tiny"></ha-spinner>${t("loading")}</div>`;
  if (run.failed) return html`<div class="error">${run.failed}</div>`;
  const item = (key, value) => (value ? html`<dt>${t(key)}</dt><dd>${value}</dd>` : nothing);
  const calls = run.tool_calls?.calls || [];
  const tools = calls.length
    ? html`<ol class="tools">${calls.map((call) => html`<li class="tool ${call.error ? "error" : ""}">
          <code>${call.tool}</code> <span class="arguments">${call.arguments}</span>
          → <span class="result">${call.result || ""}</span></li>`)}</ol>
        ${run.tool_calls.dropped
          ? html`<div class="muted">${t("more_tools", { count: run.tool_calls.dropped })}</div>` : nothing}`
    : html`<span class="muted">${t("no_tools")}</span>`;
  const delivery = run.delivery
    ? `${run.delivery.channel}${run.delivery.target ? ` → ${run.delivery.target}` : ""}: ${
      run.delivery.status}${run.delivery.error ? ` (${run.delivery.error})` : ""}`
    : "";
  return html`<dl>
    ${item("details_answer", run.response ? html`<div class="answer">${run.response}</div>` : "")}
    ${item("details_error", run.error ? html`<span class="error">${run.error}</span>` : "")}
    ${item("details_acted_as", `${run.acting_user_name || run.acting_user || "—"} (${t(`trust_${run.trust}`)})`)}
    ${item("details_origin", [run.source, run.origin].filter(Boolean).join(" · "))}
    ${item("details_attempt", run.next_attempt
      ? t("attempt_next", { attempt: run.attempt, time: at(run.next_attempt) }) : String(run.attempt))}
    ${item("details_delivered", delivery)}
    ${item("details_tools", tools)}
  </dl>`;
};
