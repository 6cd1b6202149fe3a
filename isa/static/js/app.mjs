// Progressive enhancement with GOV.UK Frontend's components (details, error summary, ...).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// Buttons that ask for confirmation before a destructive action (no inline script: CSP).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
