// Gallery: index size, bits, model and last snapshot; paged browsing in id order; adding images
// (write key) and deleting items.

import { api, showImage } from "./api.js";
import { $, el, showProblem, fillStats, formatBytes } from "./ui.js";
import { suggestLabels } from "./search.js";

const PAGE = 24;
let after = null; // cursor of the page shown
let next = null;

export function initGallery() {
  $("gallery-first").addEventListener("click", () => load(null));
  $("gallery-next").addEventListener("click", () => next && load(next));
  $("add-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    await add();
  });
}

export async function showGallery() {
  await Promise.all([stats(), load(after)]);
}

async function stats() {
  try {
    const d = await api("/v1/index");
    const m = d.stats?.maintenance;
    const snapshot = m?.lastSnapshotTime
      ? `${new Date(m.lastSnapshotTime).toLocaleString()} (record ${m.lastSnapshotSeq})`
      : null;
    fillStats($("gallery-stats"), [
      ["Items", d.size.toLocaleString()],
      ["Bits", String(d.bits)],
      ["Model", `${d.model.id} (${d.model.architecture})`],
      ["Last snapshot", snapshot || "none yet"],
      ["Index memory", formatBytes(d.stats?.memory?.hotBytes)],
      ["Kept originals", `${d.originals.count} (${formatBytes(d.originals.bytes)})`],
    ]);
  } catch (problem) {
    showProblem($("gallery-error"), problem);
  }
}

async function load(cursor) {
  const query = new URLSearchParams({ limit: PAGE });
  if (cursor) query.set("after", cursor);
  try {
    const page = await api(`/v1/items?${query}`);
    after = cursor;
    next = page.next || null;
    $("gallery-items").replaceChildren(...page.items.map(card));
    $("gallery-next").disabled = !next;
    $("gallery-first").disabled = !cursor;
    const first = page.items[0]?.id;
    $("gallery-status").textContent = page.items.length
      ? `Showing ${page.items.length} items from ${first}`
      : "No items.";
    suggestLabels(new Set(page.items.map((i) => i.label).filter(Boolean)));
  } catch (problem) {
    showProblem($("gallery-error"), problem);
  }
}

function card(item) {
  const img = el("img", { alt: `${item.label || "unlabelled"} ${item.id}`, loading: "lazy", width: 160, height: 160 });
  showImage(img, item.thumbnail);
  return el(
    "li",
    { class: "card item", "data-id": item.id },
    img,
    el("div", { class: "meta" },
      el("strong", { class: "label" }, item.label || "—"),
      el("code", { class: "id" }, item.id)),
    el("div", { class: "actions" },
      el("a", { class: "button", href: `#search?${new URLSearchParams({ item: item.id })}` }, "Similar"),
      el("button", { type: "button", class: "danger", "aria-label": `Delete ${item.id}`,
        onclick: () => remove(item.id) }, "Delete")),
  );
}

async function add() {
  const box = $("gallery-error");
  showProblem(box, null);
  const files = [...$("add-files").files];
  const id = $("add-id").value.trim();
  const label = $("add-label").value.trim() || undefined;
  const form = new FormData();
  const items = files.map((f, i) => ({ id: files.length === 1 ? id : `${id}-${i + 1}`, label }));
  files.forEach((f) => form.append("image", f, f.name));
  form.append("items", new Blob([JSON.stringify({ items })], { type: "application/json" }));
  $("gallery-status").textContent = `Adding ${files.length} image(s)…`;
  try {
    const answer = await api("/v1/index", { method: "POST", form });
    const failed = answer.items.filter((i) => i.status !== "indexed");
    $("add-form").reset();
    await showGallery(); // rewrites the status line: the outcome goes after it
    $("gallery-status").textContent =
      `Added ${answer.indexed} of ${files.length}` +
      (failed.length ? `; failed: ${failed.map((f) => `${f.id} (${f.reason})`).join(", ")}` : "");
  } catch (problem) {
    $("gallery-status").textContent = "";
    showProblem(box, problem);
  }
}

async function remove(id) {
  if (!confirm(`Delete ${id} from the gallery?`)) return;
  showProblem($("gallery-error"), null);
  try {
    await api(`/v1/index/${encodeURIComponent(id)}`, { method: "DELETE" });
    await showGallery();
    $("gallery-status").textContent = `Deleted ${id}.`;
  } catch (problem) {
    showProblem($("gallery-error"), problem);
  }
}
