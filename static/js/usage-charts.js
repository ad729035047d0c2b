/* Usage charts (unit page): actual spend bars against forecast and budget lines, from
   <script type="application/json"> data (CSP-safe). */
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : [];
  }

  /* A budget far above the spend would flatten actual and forecast onto $0 (issue 28): the axis
     then follows the spend, and the budget line's legend says it is above the scale. */
  function usageChart(canvas, rows) {
    var budget = rows.map(function (r) { return r.budget === null ? null : Number(r.budget); });
    var spend = Math.max.apply(null, rows.map(function (r) {
      return Math.max(Number(r.actual), Number(r.forecast));
    }).concat([0]));
    var top = Math.max.apply(null, budget.filter(function (b) { return b !== null; }).concat([0]));
    var offScale = spend > 0 && top > 4 * spend;
    var y = { beginAtZero: true, ticks: { callback: function (v) { return "$" + v; } } };
    if (offScale) {  // a round top a little above the spend: 477 → 600
      var step = Math.pow(10, Math.floor(Math.log10(spend * 1.25))) / 2;
      y.max = Math.ceil(spend * 1.25 / step) * step;
    }
    return new Chart(canvas, {
      data: {
        labels: rows.map(function (r) { return r.month; }),
        datasets: [
          { type: "bar", label: "Actual", data: rows.map(function (r) { return Number(r.actual); }), backgroundColor: "#3d5afe" },
          { type: "line", label: "Forecast", data: rows.map(function (r) { return Number(r.forecast); }), borderColor: "#00897b", pointRadius: 2 },
          { type: "line", label: offScale ? "Budget ($" + top.toLocaleString("en-US") + ", above the scale)" : "Budget", data: budget, borderColor: "#c62828", borderDash: [6, 4], pointRadius: 0 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: y }
      }
    });
  }

  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart='usage']").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      usageChart(canvas, read(canvas.dataset.source));
      canvas.dataset.drawn = "1";
      canvas.closest("figure").classList.add("drawn");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
