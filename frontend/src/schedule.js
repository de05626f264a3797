// The editor's "when" presets, said as the cron (or duration, or time) they stand for.

export const WEEK = ["1", "2", "3", "4", "5", "6", "0"];
export const WHEN_KINDS = ["in", "at", "daily", "weekdays", "days", "minutes", "hours", "cron"];

// Which field an error of the integration belongs to (its translation key).
const WHEN_ERRORS = ["invalid_cron", "cron_too_long", "cron_never_runs", "at_in_past",
  "delay_not_positive", "schedule_conflict", "schedule_missing", "time_out_of_range"];
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

/** The schedule a "when" describes, as schedule_task takes it (null: not said yet). */
export const scheduleOf = (when) => {
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

/** The "when" of a task being edited (or of a new one). */
export const whenOf = (task) => {
  const when = { kind: "in", minutes: "10", at: "", time: "07:30", days: [], every: "15", cron: "" };
  if (task && task.form.kind === "cron" && task.cron) return { ...when, ...presetOf(task.cron) };
  if (task) return { ...when, kind: "at", at: localInput(task.next_run) };
  return when;
};
