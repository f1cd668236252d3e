// The wallet page: progressive enhancement only (every action works without this file;
// the CSP allows scripts from 'self' and nothing inline).
(function () {
  "use strict";

  // "Copy address": the button is hidden in the HTML and shown only where the
  // Clipboard API exists; the address stays selectable text either way.
  var status = document.querySelector("[data-copy-status]");
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source || !navigator.clipboard || !window.isSecureContext) return;
    var label = button.querySelector("[data-copy-label]");
    var idle = label ? label.textContent : "";
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var done = button.getAttribute("data-copied-label") || "Copied";
        if (label) label.textContent = done;
        if (status) status.textContent = done;
        window.setTimeout(function () { if (label) label.textContent = idle; }, 2000);
      });
    });
  });

  // "Max": a link that reloads the page with the amount filled in; here it fills the
  // input in place (the plain number, no separators: the form reads it back).
  document.querySelectorAll("[data-max-for]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var input = document.getElementById(link.getAttribute("data-max-for"));
      if (!input) return;
      event.preventDefault();
      input.value = link.getAttribute("data-max");
      input.focus();
    });
  });
})();
