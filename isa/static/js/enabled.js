// Marks the page as having JavaScript, as the GOV.UK template does, without inline script.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
