// Models: the verified artifacts with their evaluation and provenance, which one serves, and
// switching (admin key) with the re-encode's progress.

import { api } from "./api.js";
import { $, el, showProblem } from "./ui.js";

let polling = null;

export async function showModels() {
  showProblem($("models-error"), null);
  try {
    const models = await api("/v1/models");
    $("model-rows").replaceChildren(...models.map(row));
  } catch (problem) {
    showProblem($("models-error"), problem);
  }
  // a switch started from this tab is followed until it ends (reloads included)
  if (sessionStorage.getItem("pipit.switch") && !polling) watchSwitch();
}

function row(model) {
  const m = model.manifest;
  const metrics = m.provenance?.metrics || {};
  const map = metrics.map ?? metrics.mAP;
  return el("tr", { "data-model": model.id, class: model.active ? "active" : "" },
    el("td", {}, el("strong", {}, model.id), el("br"), el("code", { class: "muted" }, model.fingerprint.slice(0, 12))),
    el("td", {}, m.architecture),
    el("td", {}, String(m.bits)),
    el("td", { class: "map" }, map === undefined ? "–" : Number(map).toFixed(3)),
    el("td", {}, m.provenance?.dataset || "–"),
    el("td", {}, m.provenance?.created ? new Date(m.provenance.created).toLocaleString() : "–"),
    el("td", {}, model.active ? el("span", { class: "badge succeeded" }, "serving") : ""),
    el("td", {}, model.active ? "" :
      el("button", { type: "button", "aria-label": `Activate ${model.id}`, onclick: () => activate(model.id) }, "Activate")),
  );
}

async function activate(id) {
  showProblem($("models-error"), null);
  try {
    let status;
    try {
      status = await api(`/v1/models/${encodeURIComponent(id)}/activate`, { method: "POST" });
    } catch (problem) {
      if (problem.status !== 409 || !problem.body?.itemsWithoutOriginal) throw problem;
      const n = problem.body.itemsWithoutOriginal;
      if (!confirm(`${n} gallery item(s) have no kept original and would be dropped. Switch anyway?`)) throw problem;
      status = await api(`/v1/models/${encodeURIComponent(id)}/activate?acceptLoss=true`, { method: "POST" });
    }
    sessionStorage.setItem("pipit.switch", id);
    render(status);
    watchSwitch();
  } catch (problem) {
    showProblem($("models-error"), problem);
  }
}

function watchSwitch() {
  clearTimeout(polling);
  polling = setTimeout(async () => {
    polling = null;
    try {
      const status = await api("/v1/models/activation");
      render(status);
      if (status.state === "RUNNING") {
        watchSwitch();
      } else {
        sessionStorage.removeItem("pipit.switch");
        await showModels();
      }
    } catch (problem) {
      sessionStorage.removeItem("pipit.switch");
      showProblem($("models-error"), problem);
    }
  }, 500);
}

function render(status) {
  $("switch").hidden = false;
  $("switch-model").textContent = status.model;
  const state = $("switch-state");
  state.textContent = status.state;
  state.className = `badge ${status.state.toLowerCase()}`;
  const done = status.reencoded + status.failed + status.withoutOriginal;
  $("switch-progress").value = status.total ? done / status.total : status.state === "RUNNING" ? 0 : 1;
  $("switch-detail").textContent =
    `${status.reencoded} of ${status.total} re-encoded` +
    (status.withoutOriginal ? `, ${status.withoutOriginal} without original` : "") +
    (status.failed ? `, ${status.failed} failed` : "") +
    (status.error ? ` — ${status.error}` : "");
}
