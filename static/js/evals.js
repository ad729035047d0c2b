/* Charts of the evaluation and landscape pages, drawn from <script type="application/json">
   data (CSP-safe), redrawn when htmx swaps a polled fragment in. */
(function () {
  "use strict";

  var PALETTE = ["#3d5afe", "#00897b", "#f9a825", "#c62828", "#6a1b9a", "#2e7d32", "#ef6c00", "#546e7a", "#ad1457", "#0277bd"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : [];
  }

  function radius(parameters) {
    // Area grows with log(parameters): 1B → 4 px, 1T → 16 px; undisclosed → 5 px.
    if (!parameters) return 5;
    return Math.max(3, Math.min(20, 4 + 4 * Math.log10(parameters / 1e9)));
  }

  function money(v) { return "$" + Number(v).toPrecision(3); }

  // Log axes label only 1, 2 and 5 × 10ⁿ: Chart.js otherwise prints every minor tick.
  function logTick(format) {
    return function (value) {
      var mantissa = value / Math.pow(10, Math.floor(Math.log10(value)));
      return [1, 2, 5].some(function (m) { return Math.abs(mantissa - m) < 1e-6; }) ? format(value) : null;
    };
  }

  function plain(v) { return Number(v).toLocaleString(); }

  // Shape and colour together tell eleven models apart where ten colours repeat (issue 28).
  var SHAPES = ["circle", "triangle", "rect", "rectRot", "star", "crossRot", "rectRounded", "cross"];

  /* Each point named beside it, so nothing needs a hover (a phone has none); a name that would
     overlap one already written moves down a line. */
  var pointLabels = {
    id: "pointLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, placed = [];
      ctx.save();
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillStyle = "#1c2333";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach(function (point) {
          var width = ctx.measureText(dataset.label).width;
          var x = point.x + (point.options.radius || 5) + 4, y = point.y;
          if (x + width > chart.chartArea.right) x = point.x - (point.options.radius || 5) - 4 - width;
          while (placed.some(function (b) { return x < b.x + b.w && b.x < x + width && Math.abs(b.y - y) < 12; })) y += 12;
          placed.push({ x: x, y: y, w: width });
          ctx.fillText(dataset.label, x, y);
        });
      });
      ctx.restore();
    }
  };

  function size(parameters) {
    if (!parameters) return "parameters undisclosed";
    return parameters >= 1e12 ? (parameters / 1e12).toPrecision(3) + "T parameters" : (parameters / 1e9).toPrecision(3) + "B parameters";
  }

  /* A tap (or click) on a point writes its model and figures under the chart, where it stays
     readable on a phone (a tooltip vanishes with the finger); a tap elsewhere clears it. */
  function showTapped(canvas) {
    return function (event, elements, chart) {
      var out = canvas.closest("article").querySelector("[data-chart-detail]");
      if (!out) return;
      if (!elements.length) { out.textContent = ""; return; }
      var hit = elements[0], dataset = chart.data.datasets[hit.datasetIndex], raw = dataset.data[hit.index];
      out.textContent = dataset.label + ": " + raw.y.toFixed(1) + " % pass rate at " + money(raw.x) + " per 1,000 cases, " + size(raw.parameters) + ".";
    };
  }

  function evalCostChart(canvas, points) {
    return new Chart(canvas, {
      type: "bubble",
      plugins: [pointLabels],
      data: { datasets: points.map(function (p, i) {
        return { label: p.model, pointStyle: SHAPES[i % SHAPES.length], data: [{ x: p.x, y: p.y * 100, r: radius(p.parameters), parameters: p.parameters }], backgroundColor: PALETTE[i % PALETTE.length] + "b0", borderColor: PALETTE[i % PALETTE.length] };
      }) },
      options: {
        maintainAspectRatio: false,
        animation: false,
        onClick: showTapped(canvas),
        interaction: { mode: "nearest", intersect: true },
        scales: {
          x: { type: "logarithmic", title: { display: true, text: "Cost per 1,000 cases (USD, log)" }, ticks: { callback: logTick(money) } },
          y: { min: 0, max: 100, title: { display: true, text: "Pass rate (%)" } }
        },
        plugins: { legend: { labels: { usePointStyle: true } }, tooltip: { callbacks: { label: function (item) {
          return item.dataset.label + ": " + item.raw.y.toFixed(1) + " % at " + money(item.raw.x) + " / 1,000";
        } } } }
      }
    });
  }

  function scatterBySeries(xTitle, yTitle, xLog, yLog) {
    return function (canvas, data) {
      var names = Object.keys(data.series || {});
      return new Chart(canvas, {
        type: data.line ? "line" : "scatter",
        data: { datasets: names.map(function (name, i) {
          return { label: name, data: data.series[name], backgroundColor: PALETTE[i % PALETTE.length], borderColor: PALETTE[i % PALETTE.length], pointRadius: 5, showLine: !!data.line };
        }) },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { type: xLog ? "logarithmic" : "linear", title: { display: true, text: xTitle }, ticks: xLog ? { callback: logTick(plain) } : { precision: 0, callback: function (v) { return String(v); } } },
            y: { type: yLog ? "logarithmic" : "linear", title: { display: true, text: yTitle }, ticks: yLog ? { callback: logTick(plain) } : {} }
          },
          plugins: { tooltip: { callbacks: { label: function (item) {
            return (item.raw.label || item.dataset.label) + " (" + item.raw.x + ", " + item.raw.y + ")";
          } } } }
        }
      });
    };
  }

  var BUILDERS = {
    "eval-cost": evalCostChart,
    "size-price": scatterBySeries("Parameters (billions, log)", "Price per 1M input tokens (USD, log)", true, true),
    "family-growth": scatterBySeries("Release year", "Parameters (billions, log)", false, true),
    "latency-size": scatterBySeries("Parameters (billions, log)", "Latency (ms)", true, false)
  };

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
  document.addEventListener("htmx:afterSettle", draw);
})();
