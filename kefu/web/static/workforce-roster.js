// Drag a shift along its day on the roster timeline; it snaps to the roster's interval and
// is saved by the same endpoint a form would use (a plain link still opens the shift form).
(function () {
  "use strict";
  var table = document.querySelector(".wf-timeline[data-draggable]");
  if (!table) return;
  var step = parseInt(table.dataset.interval || "30", 10);
  var token = (JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"]) || "";

  table.addEventListener("pointerdown", function (down) {
    var bar = down.target.closest(".wf-bar");
    if (!bar || down.button !== 0) return;
    var cell = bar.parentElement;
    var width = cell.getBoundingClientRect().width;
    var startLeft = parseFloat(bar.style.left);
    var moved = 0;
    bar.setPointerCapture(down.pointerId);
    bar.classList.add("wf-dragging");

    function minutesFor(event) {
      var raw = ((event.clientX - down.clientX) / width) * 1440;
      return Math.round(raw / step) * step;
    }
    function onMove(event) {
      moved = minutesFor(event);
      bar.style.left = (startLeft + (moved / 1440) * 100) + "%";
    }
    function onUp(event) {
      bar.removeEventListener("pointermove", onMove);
      bar.removeEventListener("pointerup", onUp);
      bar.classList.remove("wf-dragging");
      moved = minutesFor(event);
      if (moved === 0) return;  // a click: the link opens the form
      bar.dataset.dragged = "1";
      // a plain form post: the page follows the redirect and shows the flash message
      var form = document.createElement("form");
      form.method = "post";
      form.action = "/workforce/roster/shifts/" + bar.dataset.shiftId + "/move";
      [["delta_minutes", String(moved)], ["csrf_token", token]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
    }
    bar.addEventListener("pointermove", onMove);
    bar.addEventListener("pointerup", onUp);
  });
  table.addEventListener("click", function (event) {
    var bar = event.target.closest(".wf-bar");
    if (bar && bar.dataset.dragged) { event.preventDefault(); delete bar.dataset.dragged; }
  });
  table.addEventListener("dragstart", function (event) { event.preventDefault(); });
})();
