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

  // Long text: a live counter under the box ("212 / 250 tegn"). The browser does
  // not cut the text (no maxlength: a paste was cut at 250 without a word); what
  // is too long is said here at once and refused by the server, nothing is lost.
  var announceTimer = null;

  function liveRegion() {
    var region = document.getElementById("taeller-status");
    if (!region) {
      region = document.createElement("div");
      region.id = "taeller-status";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    return region;
  }

  function updateCounter(input) {
    var max = parseInt(input.getAttribute("data-tegn-max"), 10);
    var counter = document.querySelector('[data-taeller-for="' + input.id + '"]');
    if (!counter || !max) {
      return;
    }
    var length = input.value.length;
    var over = length - max;
    var text = length + " / " + max + " tegn";
    if (over > 0) {
      text += " – " + over + " tegn for mange. Teksten er ikke klippet; forkort den.";
    }
    counter.textContent = text;
    counter.classList.toggle("text-danger", over > 0);
    counter.classList.toggle("fw-semibold", over > 0);
    input.classList.toggle("is-invalid", over > 0 || input.hasAttribute("aria-invalid"));
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () {
      liveRegion().textContent = text;
    }, over > 0 ? 100 : 1200);
  }

  function onInput(event) {
    var input = event.target;
    if (input.matches && input.matches("[data-tegn-max]")) {
      updateCounter(input);
    }
  }

  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("input", onInput);
  document.addEventListener("keydown", searchOnEnter);
})();
