// The editor's "when" presets, said as the cron (or duration, or time) they stand for.

export const WEEK = ["1", "2", "3", "4", "5", "6", "0"];
// A moment instead of a time: a person arriving or leaving, a device done, a state
// reached, a value crossed (what schedule_task's "when" takes).
export const MOMENT_KINDS = ["arrive", "leave", "done", "state", "above", "below"];
export const WHEN_KINDS = ["in", "at", "daily", "weekdays", "days", "minutes", "hours", "cron",
  ...MOMENT_KINDS];
// What a device is in while it works: "done" is leaving one (moments/rules.py).
const BUSY_STATES = ["on", "running", "washing", "drying", "rinsing", "spinning", "heating",
  "cleaning", "busy", "active"];

// Which field an error of the integration belongs to (its translation key).
const WHEN_ERRORS = ["invalid_cron", "cron_too_long", "cron_never_runs", "at_in_past",
  "delay_not_positive", "schedule_conflict", "schedule_missing", "time_out_of_range",
  "moment_invalid", "moment_too_far", "moment_cooldown", "moment_quota", "moment_needs_when"];
export const fieldOf = (key) => {
  if (WHEN_ERRORS.includes(key)) return "when";
  if ((key || "").startsWith("prompt")) return "prompt";
  if (key === "unknown_user") return "user";
  if (key === "unknown_channel") return "platform";
  if (["unknown_agent", "agent_cannot_understand"].includes(key)) return "agent";
  return "form";
};

const clock = (hour, minute) => `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;

/** A stored cron back to the preset it came from, for editing. */
export const presetOf = (cron) => {
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

/** An ISO time with its offset, as a datetime-local value (its wall clock). */
export const localInput = (iso) => {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || "");
  return match ? `${match[1]}T${match[2]}` : "";
};

/** The trigger a moment "when" describes (null: not said yet). */
const triggerOf = (when) => {
  switch (when.kind) {
    case "arrive":
    case "leave":
      return when.person ? { trigger: "zone", entity_id: when.person, zone: when.zone || "zone.home",
        event: when.kind === "arrive" ? "enter" : "leave" } : null;
    case "done": return when.entity ? { trigger: "state", entity_id: when.entity, from: BUSY_STATES } : null;
    case "state":
      return when.entity && when.state.trim()
        ? { trigger: "state", entity_id: when.entity, to: when.state.trim() } : null;
    default:
      return when.entity && when.value !== ""
        ? { trigger: "numeric_state", entity_id: when.entity, [when.kind]: Number(when.value) } : null;
  }
};

/** A moment "when": its trigger, window, expiry and repeat, as schedule_task takes them. */
const momentOf = (when) => {
  const trigger = triggerOf(when);
  if (!trigger) return null;
  const moment = { when: trigger, every_time: Boolean(when.every_time) };
  if (when.after) moment.after = when.after;
  if (when.before) moment.before = when.before;
  if (when.until) moment.until = when.until;
  if (when.every_time && when.cooldown !== "") moment.cooldown = { minutes: Number(when.cooldown) };
  return moment;
};

/** The schedule a "when" describes, as schedule_task takes it (null: not said yet). */
export const scheduleOf = (when) => {
  if (MOMENT_KINDS.includes(when.kind)) return momentOf(when);
  const [hour, minute] = (when.time || "07:30").split(":").map(Number);
  switch (when.kind) {
    case "in": return { in: { minutes: Number(when.minutes) } };
    case "at": return when.at ? { at: when.at } : null;
    case "daily": return { cron: `${minute} ${hour} * * *` };
    case "weekdays": return { cron: `${minute} ${hour} * * 1-5` };
    case "days": return when.days.length ? { cron: `${minute} ${hour} * * ${when.days.join(",")}` } : null;
    case "minutes": return { cron: `*/${Number(when.every)} * * * *` };
    case "hours": return { cron: `0 */${Number(when.every)} * * *` };
    default: return (when.cron || "").trim() ? { cron: when.cron.trim() } : null;
  }
};

/** A stored moment back to the "when" it came from, for editing. */
const momentWhen = (moment) => {
  const trigger = moment.trigger;
  const window = { after: moment.after, before: moment.before, until: moment.until,
    every_time: moment.every_time, cooldown: String(moment.cooldown) };
  const first = (value) => (Array.isArray(value) ? value[0] : value) ?? "";
  if (trigger.trigger === "zone") {
    return { ...window, kind: trigger.event === "enter" ? "arrive" : "leave",
      person: trigger.entity_id, zone: trigger.zone };
  }
  if (trigger.trigger === "numeric_state") {
    const kind = "above" in trigger ? "above" : "below";
    return { ...window, kind, entity: trigger.entity_id, value: String(trigger[kind]) };
  }
  if ("to" in trigger) return { ...window, kind: "state", entity: trigger.entity_id, state: first(trigger.to) };
  return { ...window, kind: "done", entity: trigger.entity_id };
};

/** The "when" of a task being edited (or of a new one). */
export const whenOf = (task) => {
  const when = { kind: "in", minutes: "10", at: "", time: "07:30", days: [], every: "15", cron: "",
    person: "", zone: "zone.home", entity: "", state: "", value: "", after: "", before: "",
    until: "", every_time: false, cooldown: "10" };
  if (task && task.form.moment) return { ...when, ...momentWhen(task.form.moment) };
  if (task && task.form.kind === "cron" && task.cron) return { ...when, ...presetOf(task.cron) };
  if (task) return { ...when, kind: "at", at: localInput(task.next_run) };
  return when;
};
