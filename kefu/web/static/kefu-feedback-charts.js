// The feedback report's NPS line (Chart.js, vendored). The table beside it holds the same
// numbers, so nothing is lost without scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("feedback-chart-data");
    var canvas = document.getElementById("chart-nps");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, borderColor: "#2563eb", tension: 0.2 }] },
      options: { responsive: true, scales: { y: { min: -100, max: 100 } } },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
