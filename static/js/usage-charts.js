/* Usage charts (unit page): actual spend bars against forecast and budget lines, from
   <script type="application/json"> data (CSP-safe). */
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : [];
  }

  function usageChart(canvas, rows) {
    var budget = rows.map(function (r) { return r.budget === null ? null : Number(r.budget); });
    return new Chart(canvas, {
      data: {
        labels: rows.map(function (r) { return r.month; }),
        datasets: [
          { type: "bar", label: "Actual", data: rows.map(function (r) { return Number(r.actual); }), backgroundColor: "#3d5afe" },
          { type: "line", label: "Forecast", data: rows.map(function (r) { return Number(r.forecast); }), borderColor: "#00897b", pointRadius: 2 },
          { type: "line", label: "Budget", data: budget, borderColor: "#c62828", borderDash: [6, 4], pointRadius: 0 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "$" + v; } } } }
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
