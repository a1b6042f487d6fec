// The trends report's bars: tickets per topic, this period beside the previous one
// (Chart.js, vendored). The table below holds the same numbers, so nothing is lost without
// scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("trends-chart-data");
    var canvas = document.getElementById("chart-trends");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.previous_label, data: data.previous, backgroundColor: "#cbd5e1" },
          { label: data.current_label, data: data.current, backgroundColor: "#2563eb" },
        ],
      },
      options: { indexAxis: "y", responsive: true, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
