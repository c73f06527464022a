// Small DOM helpers shared by the views.

export const $ = (id) => document.getElementById(id);

/** Creates an element with attributes/properties and children (strings become text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

/** Shows a failed request's problem details in a role="alert" box; null hides it. */
export function showProblem(box, problem) {
  box.replaceChildren();
  box.hidden = !problem;
  if (!problem) return;
  const status = problem.status ? `${problem.status} ` : "";
  box.append(el("strong", {}, `${status}${problem.title || "Error"}`));
  if (problem.message && problem.message !== problem.title) {
    box.append(el("p", { class: "detail" }, problem.message));
  }
  const body = problem.body || {};
  for (const [name, value] of Object.entries(body)) {
    if (["type", "title", "status", "detail", "instance"].includes(name)) continue;
    box.append(el("p", { class: "muted" }, `${name}: ${JSON.stringify(value)}`));
  }
}

export function formatMs(ms) {
  return ms === undefined || ms === null ? "–" : `${Number(ms).toFixed(ms < 10 ? 2 : 1)} ms`;
}

export function formatBytes(bytes) {
  if (bytes === undefined || bytes === null) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(seconds) {
  if (seconds === undefined || seconds === null) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A definition list's content from [term, value] pairs. */
export function fillStats(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value ?? "–")]));
}
