// OGC NewFinity: progressive enhancement only. Every page works without this file
// (the CSP allows scripts from 'self' and nothing inline).
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 72em)");

  // The menu is a <details>. On wide screens CSS shows it as a bar through
  // ::details-content; where a browser lacks that, open it here and hide the toggle.
  var menu = document.querySelector("[data-nav-menu]");
  var cssBar = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function layoutMenu() {
    if (!menu || cssBar) return;
    menu.open = wide.matches;
    menu.classList.toggle("is-bar", wide.matches);
  }
  if (menu) {
    layoutMenu();
    if (wide.addEventListener) wide.addEventListener("change", layoutMenu);
    // Escape closes the open menu on a phone and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // GOV.UK: after a refused form the error summary takes the focus, so screen
  // readers announce it and it is in view.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // Toasts can be dismissed.
  var label = document.documentElement.getAttribute("data-dismiss-label") || "Dismiss";
  document.querySelectorAll(".toast").forEach(function (toast) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "toast-dismiss";
    button.setAttribute("aria-label", label);
    button.textContent = "\u00d7";
    button.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(button);
  });
})();
