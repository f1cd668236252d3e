// Live tally on /governance/<id>/: refresh the weights from the public results API every 15 s
// while the result is not final. No inline script (the CSP allows 'self' only).
(function () {
  var table = document.querySelector('[data-testid="tally"]');
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-results-url");
  // Decimal strings stay strings (no float rounding): drop trailing zeros only.
  function trim(s) { return s.indexOf(".") >= 0 ? s.replace(/0+$/, "").replace(/\.$/, "") : s; }
  // The share bars are rounded percentages, like the page's {% widthratio %}.
  function shares(tally) {
    var total = 0, result = {};
    Object.keys(tally).forEach(function (c) { total += parseFloat(tally[c]) || 0; });
    Object.keys(tally).forEach(function (c) {
      result[c] = total > 0 ? Math.round((parseFloat(tally[c]) || 0) * 100 / total) : 0;
    });
    return result;
  }
  function refresh() {
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var share = shares(data.tally);
        Object.keys(data.tally).forEach(function (choice) {
          var cell = table.querySelector('[data-choice="' + choice + '"]');
          if (cell) cell.textContent = trim(String(data.tally[choice]));
          var bar = table.querySelector('[data-share="' + choice + '"]');
          if (bar) bar.value = share[choice];
          var text = table.querySelector('[data-share-text="' + choice + '"]');
          if (text) text.textContent = share[choice] + "%";
        });
        if (!data.final) window.setTimeout(refresh, 15000);
      });
  }
  window.setTimeout(refresh, 15000);
})();
