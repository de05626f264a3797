import { DlandAssistantCard } from "./card.js";
import { DlandAssistantCardEditor } from "./card-editor.js";
import { RoutineEditor } from "./routine-editor.js";
import { TaskEditor } from "./task-editor.js";

const ELEMENTS = {
  "dland-assistant-card": DlandAssistantCard,
  "dland-assistant-card-editor": DlandAssistantCardEditor,
  "dland-task-editor": TaskEditor,
  "dland-routine-editor": RoutineEditor,
};

// Home Assistant's frontend replaces window.customElements with a scoped registry
// (a polyfill) while it starts. A card whose script runs before that lands in the
// browser's own registry, which the frontend never asks: so define it in whichever
// registry is current now, and again once the frontend's app has defined its root
// element, which it does right after the swap.
const define = () => {
  for (const [tag, element] of Object.entries(ELEMENTS)) {
    if (!window.customElements.get(tag)) window.customElements.define(tag, element);
  }
};
define();
window.customElements.whenDefined("home-assistant").then(define);

window.customCards = window.customCards || [];
window.customCards.push({
  type: "dland-assistant-card",
  name: "dland assistant",
  description: "Tasks, routines and recent runs of your background agents, live.",
  preview: true,
  documentationURL: "https://github.com/dland/dland_assistant#mission-control-entities-dashboard-card-diagnostics-repairs-blueprints",
});
