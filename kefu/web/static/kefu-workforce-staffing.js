// The staffing chart (Chart.js, vendored): agents on the floor and to schedule per interval,
// with the forecast contacts on a second axis. The table below holds the same numbers.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("staffing-chart-data");
    var canvas = document.getElementById("staffing-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var s = data.series;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: s.labels,
        datasets: [
          { label: data.names.scheduled, data: s.scheduled, borderColor: "#7c3aed", pointRadius: 0, stepped: true },
          { label: data.names.raw, data: s.raw, borderColor: "#2563eb", pointRadius: 0, stepped: true },
          { label: data.names.volume, data: s.volume, borderColor: "rgba(100,116,139,0.6)", borderDash: [4, 3], pointRadius: 0, yAxisID: "contacts" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, position: "left" },
          contacts: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
          x: { ticks: { maxTicksLimit: 14, maxRotation: 0 } },
        },
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
