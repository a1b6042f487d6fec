/* kefu — suggested replies in the ticket composer: Alt+1 … Alt+3 (or "Insert") put a
   suggestion into the reply box, where the agent edits it before sending; its id rides along
   with the message, so kefu can tell whether the reply was sent as suggested or edited. */
(function () {
  "use strict";

  var MARKER = /\[(order|customer|ticket|agent)\.[a-z_.]+\]/;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }

  function insert(item) {
    var panel = item && item.closest("[data-suggest]");
    if (!panel) return;
    var form = panel.closest("form");
    var radio = form.querySelector("[data-kind-reply]");
    if (radio && !radio.checked) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var box = form.querySelector("#composer-text");
    var text = item.getAttribute("data-text");
    box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
    panel.querySelector("[data-suggestion-id]").value = item.getAttribute("data-suggestion");
    panel.querySelectorAll(".suggestion.is-inserted").forEach(function (el) { el.classList.remove("is-inserted"); });
    item.classList.add("is-inserted");
    box.focus();
    var found = box.value.search(MARKER);  // the first value to fill in, selected
    if (found >= 0) box.setSelectionRange(found, box.value.indexOf("]", found) + 1);
    else box.setSelectionRange(box.value.length, box.value.length);
    var url = "/tickets/" + panel.getAttribute("data-ticket") + "/suggestions/" + item.getAttribute("data-suggestion") + "/inserted";
    fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" } })
      .then(function (response) { item.setAttribute("data-recorded", response.ok ? "true" : "false"); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-suggestion-insert]");
    if (!button) return;
    event.preventDefault();
    insert(button.closest("[data-suggestion]"));
  });

  // Alt+1 … Alt+3 anywhere on the ticket page, also while typing in the reply box
  // (event.code: on a Mac, Alt+1 types "¡").
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var match = /^Digit([1-3])$/.exec(event.code || "");
    if (!match) return;
    var item = document.querySelector('[data-suggest] [data-rank="' + match[1] + '"]');
    if (!item) return;
    event.preventDefault();
    insert(item);
  });
})();
