// The workforce forecast chart (Chart.js, vendored): forecast with its 80 % band, actuals,
// and the intervals an event touches. The table below holds the same numbers.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("forecast-chart-data");
    var canvas = document.getElementById("forecast-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var s = data.series;
    var peak = Math.max.apply(null, s.high.concat(s.actual).map(function (v) { return v || 0; }));
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: s.labels,
        datasets: [
          { label: data.names.band, data: s.high, borderWidth: 0, pointRadius: 0, backgroundColor: "rgba(37,99,235,0.15)", fill: "+1" },
          { label: data.names.band, data: s.low, borderWidth: 0, pointRadius: 0, fill: false },
          { label: data.names.forecast, data: s.forecast, borderColor: "#2563eb", pointRadius: 0, tension: 0.2 },
          { label: data.names.actual, data: s.actual, borderColor: "#16a34a", pointRadius: 0, spanGaps: false },
          { label: data.names.event, data: s.events.map(function (on) { return on ? peak : null; }), type: "bar", backgroundColor: "rgba(234,88,12,0.18)", barPercentage: 1, categoryPercentage: 1 },
        ],
      },
      options: {
        responsive: true,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { filter: function (item, chart) { return item.datasetIndex !== 1; } } } },
        scales: { y: { beginAtZero: true }, x: { ticks: { maxTicksLimit: 14 } } },
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
