// The page's entry: tabs as URL hashes (#search, #gallery, …; a search's parameters after "?"),
// and the API key, entered once per tab.

import { key, setKey } from "./api.js";
import { $ } from "./ui.js";
import { initSearch, searchFromUrl } from "./search.js";
import { initGallery, showGallery } from "./gallery.js";
import { initTraining, showTraining } from "./training.js";
import { showModels } from "./models.js";
import { showSystem } from "./system.js";

const VIEWS = {
  search: (params) => searchFromUrl(params),
  gallery: () => showGallery(),
  training: () => showTraining(),
  models: () => showModels(),
  system: () => showSystem(),
};

function route() {
  const [name, query] = location.hash.slice(1).split("?");
  const view = VIEWS[name] ? name : "search";
  for (const section of document.querySelectorAll("[data-view]")) {
    section.hidden = section.id !== view;
  }
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.tab === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  VIEWS[view](new URLSearchParams(query || ""));
}

function showKeyState() {
  const set = Boolean(key());
  $("key-state").textContent = set ? "key set for this tab" : "no key (read only)";
  $("key-clear").hidden = !set;
  $("key-input").value = "";
  $("key-input").placeholder = set ? "••••••••" : "for adding, training, switching";
}

$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const value = $("key-input").value.trim();
  if (value) setKey(value);
  showKeyState();
});
$("key-clear").addEventListener("click", () => {
  setKey("");
  showKeyState();
});

initSearch();
initGallery();
initTraining();
showKeyState();
window.addEventListener("hashchange", route);
route();
