// Live tally on /governance/<id>/: refresh the weights from the public results API every 15 s
// while the result is not final. No inline script (the CSP allows 'self' only).
(function () {
  var table = document.querySelector('[data-testid="tally"]');
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-results-url");
  // Decimal strings stay strings (no float rounding): drop trailing zeros only.
  function trim(s) { return s.indexOf(".") >= 0 ? s.replace(/0+$/, "").replace(/\.$/, "") : s; }
  function refresh() {
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        Object.keys(data.tally).forEach(function (choice) {
          var cell = table.querySelector('[data-choice="' + choice + '"]');
          if (cell) cell.textContent = trim(String(data.tally[choice]));
        });
        if (!data.final) window.setTimeout(refresh, 15000);
      });
  }
  window.setTimeout(refresh, 15000);
})();
