/* Schema forms: small behaviour only. Which questions are shown is decided on
 * the server by the rule engine (htmx live update); no rule lives here. */
(function () {
  "use strict";

  // After a failed save, move focus to the error summary so keyboard and screen
  // reader users start there; its links jump to the fields.
  function focusErrors() {
    var summary = document.querySelector("[data-fejlresume]");
    if (summary) {
      summary.focus();
    }
  }

  // Enter in the tilbud search searches; it must not submit the whole form.
  function searchOnEnter(event) {
    var input = event.target;
    if (event.key === "Enter" && input.matches && input.matches("[data-tilbud-soeg]")) {
      event.preventDefault();
      if (window.htmx) {
        window.htmx.trigger(input, "search");
      }
    }
  }

  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("keydown", searchOnEnter);
})();
