// System: readiness (with the reason of a DOWN component), the engine's device and CPU fallback,
// how the served model runs, versions.

import { api } from "./api.js";
import { $, fillStats, showProblem } from "./ui.js";

export async function showSystem() {
  showProblem($("system-error"), null);
  try {
    const [info, ready] = await Promise.all([api("/v1/system"), readiness()]);
    const e = info.engine || {};
    const s = info.serving || {};
    fillStats($("system-info"), [
      ["Readiness", ready],
      ["Device", `${e.device || "–"} (requested ${e.requested || "–"}, ${e.gpus ?? 0} GPU)`],
      ["CPU fallback", e.fallback ? "yes: CUDA was requested but the CPU is used" : "no"],
      ["Serving model", s.model || "none"],
      ["Serving path", s.path || s.unavailable || "–"],
      ["Model fallback", s.fallback || "none"],
      ["pipit", info.version],
      ["Java", info.java],
      ["Engine", `${e.name || "–"} ${e.version || ""}`],
      ["CPUs", String(info.cpus)],
    ]);
  } catch (problem) {
    showProblem($("system-error"), problem);
  }
}

/** "UP", or "DOWN" with the reasons of the components that are down. */
async function readiness() {
  const response = await fetch("/readyz");
  const body = await response.json().catch(() => ({}));
  if (body.status === "UP") return "UP";
  const reasons = Object.entries(body.components || {})
    .filter(([, c]) => c.status !== "UP")
    .map(([name, c]) => `${name}: ${c.details?.reason || c.status}`);
  return `${body.status || response.status}${reasons.length ? ` (${reasons.join("; ")})` : ""}`;
}
