// The reports' charts (Chart.js, vendored). Colours follow the page's theme variables, so
// they read in light and dark themes; a click on a bar opens the tickets behind it. The
// tables under each chart hold the same numbers, so nothing is lost without scripts.
(function () {
  "use strict";
  var PALETTE = ["#3b82f6", "#22c55e", "#f59e0b", "#a855f7", "#ef4444", "#06b6d4"];

  function themeColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw(canvas, chart) {
    var text = themeColour("--text", "#1b1f24");
    var grid = themeColour("--border", "#e2e5ea");
    var horizontal = chart.kind === "hbar";
    var made = new window.Chart(canvas, {
      type: chart.kind === "line" ? "line" : "bar",
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (s, i) {
          var colour = PALETTE[i % PALETTE.length];
          return { label: s.label, data: s.values, backgroundColor: colour, borderColor: colour, links: s.links };
        }),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: text,
        scales: {
          x: { stacked: chart.stacked, ticks: { color: text, precision: 0 }, grid: { color: grid } },
          y: { stacked: chart.stacked, beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } },
        },
        plugins: { legend: { labels: { color: text } } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          var hit = elements[0];
          var links = made.data.datasets[hit.datasetIndex].links || [];
          if (links[hit.index]) window.location.assign(links[hit.index]);
        },
      },
    });
    canvas.dataset.ready = "true";
  }

  function openFiltersOnWideScreens() {
    // On a phone the filters start folded, so the figures come first.
    if (!window.matchMedia("(min-width: 800px)").matches) return;
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }

  function drawAll() {
    openFiltersOnWideScreens();
    var source = document.getElementById("report-charts");
    if (!source || typeof window.Chart === "undefined") return;
    var charts = JSON.parse(source.textContent);
    charts.forEach(function (chart) {
      var canvas = document.querySelector('canvas[data-chart="' + chart.key + '"]');
      if (canvas) draw(canvas, chart);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll);
  else drawAll();
})();
