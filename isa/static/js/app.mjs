// Progressive enhancement with GOV.UK Frontend's components (details, error summary, ...).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// Buttons that ask for confirmation before a destructive action (no inline script: CSP).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// The lawful-basis picker: a search box that narrows the catalogue as you type.
const filter = document.querySelector("[data-basis-filter]");
if (filter) {
  filter.closest(".isa-basis-search").hidden = false;
  filter.addEventListener("input", () => {
    const term = filter.value.trim().toLowerCase();
    for (const group of document.querySelectorAll("[data-basis-group]")) {
      let shown = 0;
      for (const item of group.querySelectorAll("[data-basis-item]")) {
        const match = !term || item.dataset.basisItem.includes(term);
        item.hidden = !match;
        if (match) shown += 1;
      }
      group.hidden = shown === 0;
      if (term) group.open = shown > 0;
    }
  });
}

// A protocol document being prepared by the scheduler: ask every few seconds; once it is stored,
// replace the page's region that shows it (keeping messages already shown and the scroll position),
// or reload the page when it has no such region.
const waiting = document.querySelector("[data-refresh-when-ready]");
if (waiting) {
  const replaceRegion = async (id) => {
    const response = await fetch(window.location.href, { cache: "no-store", headers: { Accept: "text/html" } });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(id);
    const region = document.getElementById(id);
    if (!fresh || !region) return false;
    region.replaceWith(fresh);
    return true;
  };
  const ask = async () => {
    try {
      const response = await fetch(waiting.dataset.refreshWhenReady, { headers: { Accept: "application/json" }, cache: "no-store" });
      const state = await response.json();
      if (state.ready || state.status === "failed") {
        const region = waiting.dataset.refreshRegion;
        if (!region || !(await replaceRegion(region))) window.location.reload();
        return;
      }
    } catch (error) {
      // the network or server hiccuped: ask again at the next turn
    }
    window.setTimeout(ask, 3000);
  };
  window.setTimeout(ask, 3000);
}
