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

// A protocol document being prepared by the scheduler: ask every few seconds, reload once it is stored.
const waiting = document.querySelector("[data-refresh-when-ready]");
if (waiting) {
  const ask = async () => {
    try {
      const response = await fetch(waiting.dataset.refreshWhenReady, { headers: { Accept: "application/json" }, cache: "no-store" });
      const state = await response.json();
      if (state.ready || state.status === "failed") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // the network or server hiccuped: ask again at the next turn
    }
    window.setTimeout(ask, 3000);
  };
  window.setTimeout(ask, 3000);
}
