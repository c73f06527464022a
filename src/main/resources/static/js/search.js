// Search: an image (dropped, pasted, picked or photographed), a code, or a gallery item; k and a
// label filter. A search by code or item lives in the URL (#search?code=…&k=…&label=…), so it can
// be shared or reloaded; an uploaded image cannot travel in a URL, so its search goes there as the
// query code the service answered with (a reload repeats it as a code search).

import { api, showImage } from "./api.js";
import { $, el, showProblem, formatMs } from "./ui.js";

let file = null;

export function initSearch() {
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) pick(e.dataTransfer.files[0], true);
  });
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      $("search-file").click();
    }
  });
  for (const input of [$("search-file"), $("search-camera")]) {
    input.addEventListener("change", () => input.files.length && pick(input.files[0], true));
  }
  document.addEventListener("paste", (e) => {
    if (location.hash && !location.hash.startsWith("#search")) return;
    const item = [...e.clipboardData.items].find((i) => i.type.startsWith("image/"));
    if (item) pick(item.getAsFile(), true);
  });
  $("search-code").addEventListener("input", () => {
    if ($("search-code").value.trim()) clearFile();
  });
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = $("search-code").value.trim();
    setHash(code ? { code } : {});
    run();
  });
}

function pick(f, searchNow) {
  file = f;
  $("search-code").value = "";
  const preview = $("query-preview");
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(f);
  preview.alt = `Query image ${f.name || "(pasted)"}`;
  preview.hidden = false;
  if (searchNow) {
    setHash({});
    run();
  }
}

function clearFile() {
  file = null;
  $("query-preview").hidden = true;
}

/** The search's parameters into the URL; a change of hash runs it (see app.js). */
function setHash(query) {
  const params = new URLSearchParams(query);
  const k = $("search-k").value;
  const label = $("search-label").value.trim();
  if (k) params.set("k", k);
  if (label) params.set("label", label);
  const hash = `#search?${params}`;
  // replaceState fires no hashchange: the caller runs the search itself
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

/** Runs the search described by the URL (a code or an item), or the current image. */
export async function searchFromUrl(params) {
  if (params.has("k")) $("search-k").value = params.get("k");
  $("search-label").value = params.get("label") || "";
  if (params.has("item")) {
    $("search-code").value = "";
    await run({ item: params.get("item") });
  } else if (params.has("code")) {
    $("search-code").value = params.get("code");
    clearFile();
    await run();
  }
}

async function run({ item } = {}) {
  const box = $("search-error");
  showProblem(box, null);
  const k = Number($("search-k").value) || 10;
  const label = $("search-label").value.trim() || undefined;
  let code = $("search-code").value.trim();
  $("search-summary").textContent = "Searching…";
  try {
    let answer;
    let what;
    if (item) {
      code = (await api(`/v1/index/${encodeURIComponent(item)}`)).code;
      what = `item ${item}`;
    }
    if (code) {
      answer = await api("/v1/search", { method: "POST", json: { code, k, label } });
      what = what || `code ${code}`;
    } else if (file) {
      const form = new FormData();
      form.append("image", file, file.name || "pasted.png");
      const query = new URLSearchParams({ k });
      if (label) query.set("label", label);
      answer = await api(`/v1/search?${query}`, { method: "POST", form });
      what = file.name || "pasted image";
      if (answer.queryCode) setHash({ code: answer.queryCode });
    } else {
      $("search-summary").textContent = "Choose an image or enter a code first.";
      return;
    }
    render(answer, what);
  } catch (problem) {
    $("search-summary").textContent = "";
    $("results").replaceChildren();
    showProblem(box, problem);
  }
}

function render(answer, what) {
  const t = answer.timings || {};
  const timings = Object.entries(t)
    .map(([name, ms]) => `${name} ${formatMs(ms)}`)
    .join(" · ");
  $("search-summary").textContent =
    `${answer.results.length} results for ${what} with ${answer.model.id} ` +
    `(${answer.model.bits} bits)${timings ? ` — ${timings}` : ""}`;
  $("results").replaceChildren(...answer.results.map(resultCard));
  suggestLabels(answer.results.map((hit) => hit.label).filter(Boolean));
}

function resultCard(hit) {
  const img = el("img", { alt: `${hit.label || "unlabelled"} ${hit.id}`, loading: "lazy", width: 160, height: 160 });
  showImage(img, hit.thumbnail);
  return el(
    "li",
    { class: "card result", "data-id": hit.id, "data-label": hit.label || "" },
    hit.image ? el("a", { href: hit.image, target: "_blank", rel: "noopener" }, img) : img,
    el("div", { class: "meta" },
      el("strong", { class: "label" }, hit.label || "—"),
      el("span", { class: "distance", title: "Hamming distance" }, `d = ${hit.distance}`),
      el("code", { class: "id" }, hit.id)),
    el("a", { class: "button more", href: `#search?${itemQuery(hit.id)}` }, "Search with this"),
  );
}

function itemQuery(id) {
  const params = new URLSearchParams({ item: id });
  const k = $("search-k").value;
  const label = $("search-label").value.trim();
  if (k) params.set("k", k);
  if (label) params.set("label", label);
  return params;
}

/** Adds labels seen (in the gallery or in results) to the label filter's suggestions. */
export function suggestLabels(labels) {
  const known = new Set([...$("labels").options].map((o) => o.value));
  for (const label of labels) known.add(label);
  $("labels").replaceChildren(...[...known].sort().map((l) => el("option", { value: l })));
}
