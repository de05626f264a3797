import { css } from "lit";

// Home Assistant's theme variables throughout: light, dark and custom themes.
export const STATUS_COLORS = {
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
export const BREAKER_COLORS = {
  closed: "var(--success-color, #43a047)",
  half_open: "var(--warning-color, #ffa600)",
  open: "var(--error-color, #db4437)",
};

export const cardStyles = css`
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
  .actions { text-align: right; white-space: nowrap; }
  .actions ha-button { margin: 0 0 2px; }
  .muted { color: var(--secondary-text-color); }
  .preview { color: var(--secondary-text-color); font-size: 0.85em; }
  .empty, .loading { color: var(--secondary-text-color); padding: 4px 0; display: flex; align-items: center; gap: 8px; }
  tr.execution { cursor: pointer; }
  tr.execution:hover { background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.06); }
  tr.execution:focus-visible { outline: 2px solid var(--primary-color); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 8px; }
  dt { color: var(--secondary-text-color); }
  dd { margin: 0; overflow-wrap: anywhere; }
  .answer { white-space: pre-wrap; }
  .error { color: var(--error-color, #db4437); }
  ol.tools { margin: 0; padding-left: 1.2em; }
  .arguments, .result { font-family: var(--ha-font-family-code, monospace); font-size: 0.85em; }
  .toolbar { display: flex; justify-content: flex-end; gap: 4px; }
  @media (max-width: 600px) {
    td:nth-child(2), th:nth-child(2) { display: none; }
    .actions { white-space: normal; }
  }
`;

export const editorStyles = css`
  .editor { display: flex; flex-direction: column; gap: 12px; }
  .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .row > * { flex: 1 1 180px; min-width: 0; }
  .row > .narrow { flex: 0 1 140px; }
  .field-error { color: var(--error-color, #db4437); font-size: 0.85em; }
  .field-error:empty { display: none; }
  .days { display: flex; flex-wrap: wrap; gap: 4px; }
  .preview-when { color: var(--primary-text-color); font-size: 0.95em; }
  .schedule-text { font-weight: 500; }
  .next-runs { color: var(--secondary-text-color); font-size: 0.85em; margin: 4px 0 0; padding-left: 1.2em; }
  ha-formfield { display: block; }
  ha-selector, ha-input { display: block; }
`;
