/* kefu — the macro picker in the ticket composer: search (HTMX fills the list), arrow keys
   and Enter to pick, Escape to close; the picked macro's text goes into the reply or note box
   and its id rides along with the message, so sending makes its changes and counts a use. */
(function () {
  "use strict";

  function picker(el) { return el && el.closest("[data-macro-picker]"); }
  function options(box) { return Array.prototype.slice.call(box.querySelectorAll("[data-macro-option]")); }
  function results(box) { return box.querySelector("[data-macro-results]"); }
  function search(box) { return box.querySelector("[data-macro-search]"); }

  function show(box, open) {
    var list = results(box);
    list.hidden = !open;
    search(box).setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) search(box).removeAttribute("aria-activedescendant");
  }

  function highlight(box, index) {
    var items = options(box);
    if (!items.length) return;
    index = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
    search(box).setAttribute("aria-activedescendant", items[index].id);
    items[index].scrollIntoView({ block: "nearest" });
  }

  function current(box) {
    var items = options(box);
    for (var i = 0; i < items.length; i++) if (items[i].getAttribute("aria-selected") === "true") return i;
    return -1;
  }

  function fill(box, macroId) {
    var form = box.closest("form");
    var summary = box.querySelector("[data-macro-summary]");
    var url = "/tickets/" + box.getAttribute("data-ticket") + "/macros/" + macroId + "/fill";
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (answer) {
        var ok = answer[0], body = answer[1];
        var picked = box.querySelector("[data-macro-picked]");
        picked.hidden = false;
        if (!ok) { summary.textContent = body.error || "?"; return; }
        var radio = form.querySelector(body.kind === "note" ? "[data-kind-note]" : "[data-kind-reply]");
        if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
        var text = form.querySelector("#composer-text");
        text.value = text.value.trim() ? text.value.replace(/\s+$/, "") + "\n\n" + body.text : body.text;
        box.querySelector("[data-macro-id]").value = body.macro_id;
        var parts = [body.name].concat(body.changes);
        if (body.missing.length) parts.push(box.getAttribute("data-missing-label") + " " + body.missing.join(", "));
        summary.textContent = parts.join(" · ");
        show(box, false);
        search(box).value = "";
        text.focus();
      });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var box = picker(event.target);
    if (!box || event.target !== results(box)) return;
    show(box, true);
    highlight(box, 0);
  });

  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // "m" anywhere on the ticket page (not while typing): go to the macro search.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "m" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var input = document.querySelector("[data-macro-search]");
    if (!input) return;
    event.preventDefault();
    input.focus();
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target.matches || !event.target.matches("[data-macro-search]")) return;
    var box = picker(event.target);
    var open = !results(box).hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) show(box, true);
      highlight(box, current(box) + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();  // never send the message from the search box
      var items = options(box);
      var index = current(box);
      if (open && index >= 0) fill(box, items[index].getAttribute("data-macro-option"));
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      show(box, false);
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-macro-option]");
    if (option) { fill(picker(option), option.getAttribute("data-macro-option")); return; }
    var clear = event.target.closest && event.target.closest("[data-macro-clear]");
    if (clear) {
      var box = picker(clear);
      box.querySelector("[data-macro-id]").value = "";
      box.querySelector("[data-macro-picked]").hidden = true;
      return;
    }
    document.querySelectorAll("[data-macro-picker]").forEach(function (box) {
      if (!box.contains(event.target)) show(box, false);
    });
  });
})();
