// The returns dashboard's charts (Chart.js, vendored). The tables beside them hold the same
// numbers, so nothing is lost without scripts.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("returns-chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var colours = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2"];
    var open = document.getElementById("chart-open");
    if (open) {
      new window.Chart(open, {
        type: "bar",
        data: {
          labels: data.ages,
          datasets: data.states.map(function (state, i) {
            return { label: state.label, data: state.counts, backgroundColor: colours[i % colours.length] };
          }),
        },
        options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      });
    }
    var reasons = document.getElementById("chart-reasons");
    if (reasons) {
      new window.Chart(reasons, {
        type: "doughnut",
        data: { labels: data.reasons.labels, datasets: [{ data: data.reasons.counts, backgroundColor: colours }] },
        options: { responsive: true },
      });
    }
    var refunds = document.getElementById("chart-refunds");
    if (refunds) {
      new window.Chart(refunds, {
        type: "bar",
        data: { labels: data.refunds.labels, datasets: [{ label: data.refunds.label, data: data.refunds.amounts, backgroundColor: colours[0] }] },
        options: { indexAxis: "y", responsive: true, plugins: { legend: { display: false } } },
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
