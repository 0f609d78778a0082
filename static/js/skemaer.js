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

  // A hidden live region of its own for each kind of news, made on first use;
  // a screen reader reads what is written into it, politely.
  function liveRegion(id, role) {
    var region = document.getElementById(id);
    if (!region) {
      region = document.createElement("div");
      region.id = id;
      region.className = "visually-hidden";
      if (role) region.setAttribute("role", role);
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
      liveRegion("taeller-status").textContent = text;
    }, over > 0 ? 100 : 1200);
  }

  function onInput(event) {
    var input = event.target;
    if (input.matches && input.matches("[data-tegn-max]")) {
      updateCounter(input);
    }
  }

  // A server error at a question stays only until the question is answered again
  // (issue 23): the changed question loses its error text, its red border and
  // aria-invalid, its aria-describedby no longer names the text, and the summary
  // on top loses its line (and goes when none is left). The server checks the
  // new answer again when the page is sent.
  function withoutId(element, id) {
    var ids = (element.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (ids.length) {
      element.setAttribute("aria-describedby", ids.join(" "));
    } else {
      element.removeAttribute("aria-describedby");
    }
  }

  function dropFromSummary(felt) {
    var summary = document.querySelector(".fejlresume");
    if (!summary) {
      return;
    }
    felt.querySelectorAll("[id]").forEach(function (element) {
      summary.querySelectorAll("a[href]").forEach(function (link) {
        if (link.getAttribute("href") === "#" + element.id) {
          var item = link.closest("li");
          if (item) {
            item.remove();
          }
        }
      });
    });
    var left = summary.querySelectorAll("li").length;
    if (!left) {
      summary.remove();
      return;
    }
    var heading = summary.querySelector("h2");
    if (heading) {
      heading.textContent = heading.textContent.replace(/Der er \d+ fejl/, "Der er " + left + " fejl");
    }
  }

  function clearStaleError(event) {
    var input = event.target;
    var felt = input.closest ? input.closest(".felt") : null;
    var text = felt ? felt.querySelector(".invalid-feedback[id$='_fejl']") : null;
    if (!text) {
      return;
    }
    var id = text.id;
    text.remove();
    felt.querySelectorAll("[aria-describedby]").forEach(function (element) {
      withoutId(element, id);
    });
    felt.querySelectorAll("[aria-invalid]").forEach(function (element) {
      element.removeAttribute("aria-invalid");
    });
    felt.querySelectorAll(".is-invalid").forEach(function (element) {
      element.classList.remove("is-invalid");
    });
    dropFromSummary(felt);
    var label = felt.querySelector("legend, label");
    var name = label ? label.textContent.replace(/\s*\*\s*\(skal udfyldes\)\s*$/, "").trim() : "";
    liveRegion("fejl-status", "status").textContent = "Fejlen ved " + name + " er fjernet. Svaret kontrolleres igen, når du går videre.";
  }

  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("change", clearStaleError);
  document.addEventListener("input", onInput);
  document.addEventListener("keydown", searchOnEnter);
})();
