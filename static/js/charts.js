/* Charts on the model page, drawn from <script type="application/json"> data (CSP-safe). */
(function () {
  "use strict";

  var COLORS = { input: "#3d5afe", output: "#00897b", up: "#2e7d32", degraded: "#f9a825", down: "#c62828", unknown: "#90a4ae" };

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : [];
  }

  function day(value) {
    return new Date(value).toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }

  /* One label per day: ticks hours apart would repeat "Nov 29, Nov 29". */
  function dateTick(value, index, ticks) {
    return index > 0 && day(ticks[index - 1].value) === day(value) ? "" : day(value);
  }

  function timeAxis(points) {
    var times = points.map(function (p) { return Date.parse(p.t); });
    var now = Date.now();
    return {
      type: "linear",
      // A week at least, so a single observation is not pinned to the right edge.
      min: Math.min.apply(null, times.concat([now - 7 * 86400000])),
      max: now,
      ticks: { callback: dateTick, maxTicksLimit: 8 },
      grid: { display: false }
    };
  }

  function tooltipTitle(items) {
    return items.length ? new Date(items[0].parsed.x).toLocaleString() : "";
  }

  function series(points, key) {
    var data = points.filter(function (p) { return p[key] !== null; })
      .map(function (p) { return { x: Date.parse(p.t), y: Number(p[key]) }; });
    // The last known price is still in force now: carry it to the right edge.
    if (data.length) data.push({ x: Date.now(), y: data[data.length - 1].y });
    return data;
  }

  function priceChart(canvas, points) {
    var unit = canvas.dataset.unit || "$/1M";  // the model's own price unit
    return new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          { label: "Input " + unit, data: series(points, "input"), stepped: "before", borderColor: COLORS.input, backgroundColor: COLORS.input, pointRadius: 3 },
          { label: "Output " + unit, data: series(points, "output"), stepped: "before", borderColor: COLORS.output, backgroundColor: COLORS.output, pointRadius: 3 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { x: timeAxis(points), y: { beginAtZero: true, ticks: { callback: function (v) { return "$" + v; } } } },
        plugins: { tooltip: { callbacks: { title: tooltipTitle } } }
      }
    });
  }

  function availabilityChart(canvas, points) {
    var data = points.map(function (p) { return { x: Date.parse(p.t), y: p.latency, status: p.status }; });
    return new Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: "Latency (ms) at each state change",
          data: data,
          stepped: "before",
          spanGaps: true,
          borderColor: "#b0bec5",
          pointRadius: 5,
          pointBackgroundColor: data.map(function (p) { return COLORS[p.status] || COLORS.unknown; }),
          pointBorderColor: data.map(function (p) { return COLORS[p.status] || COLORS.unknown; })
        }]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { x: timeAxis(points), y: { beginAtZero: true, title: { display: true, text: "ms" } } },
        plugins: {
          tooltip: { callbacks: { title: tooltipTitle, label: function (item) {
            var p = item.raw; return p.status + (p.y === null ? "" : " · " + p.y + " ms");
          } } }
        }
      }
    });
  }

  var BUILDERS = { price: priceChart, availability: availabilityChart };

  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var build = BUILDERS[canvas.dataset.chart];
      if (build && !canvas.dataset.drawn) {
        build(canvas, read(canvas.dataset.source));
        canvas.dataset.drawn = "1";
        canvas.closest("figure").classList.add("drawn");
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
