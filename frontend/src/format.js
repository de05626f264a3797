// Times follow the user's Home Assistant profile (language, 12/24-hour, server or
// browser time zone), as the rest of its UI does, not the browser's defaults.
const formatOptions = (hass) => {
  const locale = hass?.locale || {};
  const language = locale.time_format === "system" ? undefined : locale.language || hass?.language;
  const hour12 = locale.time_format === "12" ? true : locale.time_format === "24" ? false : undefined;
  const timeZone = locale.time_zone === "local" ? undefined : hass?.config?.time_zone;
  return { language, hour12, timeZone };
};

/** A moment as the user reads it: the time today, else the day and time. */
export const formatWhen = (iso, hass) => {
  if (!iso) return "–";
  const { language, hour12, timeZone } = formatOptions(hass);
  const date = new Date(iso);
  const day = (d) =>
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const clock = { hour: "2-digit", minute: "2-digit", hour12, timeZone };
  if (day(date) === day(new Date())) return date.toLocaleTimeString(language, clock);
  const sameYear = day(date).slice(0, 4) === day(new Date()).slice(0, 4);
  return date.toLocaleString(language, {
    ...clock, month: "short", day: "numeric", ...(sameYear ? {} : { year: "numeric" }),
  });
};

/** A weekday's short name in the user's language (0 = Sunday, as cron counts). */
export const weekdayName = (day, hass) =>
  // 2023-01-01 was a Sunday.
  new Date(Date.UTC(2023, 0, 1 + Number(day))).toLocaleDateString(
    hass?.locale?.language || hass?.language, { weekday: "short", timeZone: "UTC" });
