/* kefu-inbox.js — the agent workspace's small enhancements, in plain JavaScript:
   keyboard shortcuts, row selection (shift-click ranges), @mention autocomplete,
   the composer's Ctrl+Enter and file names, confirmations, the phone's view picker.
   Every page still works without it: forms post and links navigate. */
(function () {
  "use strict";

  document.body.classList.remove("no-js");

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  /* ---------- Confirmations and the view picker ---------- */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var picker = event.target.closest("select[data-navigate]");
    if (picker) window.location.href = "/views/" + encodeURIComponent(picker.value);
  });

  /* ---------- Row selection: select all, shift-click ranges, the count ---------- */
  var lastChecked = null;

  function updateSelection(form) {
    if (!form) return;
    var boxes = $all("[data-row-check]", form);
    var chosen = boxes.filter(function (b) { return b.checked; }).length;
    form.classList.toggle("has-selection", chosen > 0);
    var count = $("[data-selected-count]", form);
    if (count) count.textContent = chosen ? chosen + " ✓" : "";
    var all = $("[data-select-all]", form);
    if (all) {
      all.checked = chosen > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest("[data-row-check]");
    if (!box) return;
    var form = box.closest("form");
    if (event.shiftKey && lastChecked && lastChecked !== box && form && form.contains(lastChecked)) {
      var boxes = $all("[data-row-check]", form);
      var from = boxes.indexOf(lastChecked), to = boxes.indexOf(box);
      var lo = Math.min(from, to), hi = Math.max(from, to);
      for (var i = lo; i <= hi; i++) boxes[i].checked = box.checked;
    }
    lastChecked = box;
    updateSelection(form);
  });
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) return;
    var form = all.closest("form");
    $all("[data-row-check]", form).forEach(function (b) { b.checked = all.checked; });
    updateSelection(form);
  });

  /* ---------- Lists: j / k / o / x ---------- */
  function rows() { return $all("[data-row]"); }
  function currentRow() { return $(".ticket-row.is-current"); }
  function moveRow(step) {
    var list = rows();
    if (!list.length) return;
    var at = list.indexOf(currentRow());
    var next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? 0 : at + step))];
    list.forEach(function (r) { r.classList.remove("is-current"); });
    next.classList.add("is-current");
    var link = $("[data-row-link]", next);
    if (link) link.focus({ preventScroll: false });
  }

  /* ---------- Composer ---------- */
  function composer() { return $("form[data-composer]"); }
  function focusComposer(kind) {
    var form = composer();
    if (!form) return;
    var radio = $(kind === "note" ? "[data-kind-note]" : "[data-kind-reply]", form);
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var text = $("textarea", form);
    text.focus();
    text.scrollIntoView({ block: "center" });
  }

  document.addEventListener("change", function (event) {
    var input = event.target.closest("[data-file-input]");
    if (!input) return;
    var names = $("[data-file-names]", input.closest("form"));
    if (names) names.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
  });

  /* ---------- @mentions in notes ---------- */
  function mentionAgents(form) {
    var data = $("[data-mention-agents]", form);
    try { return data ? JSON.parse(data.textContent) : []; } catch (e) { return []; }
  }
  function isNote(form) { var note = $("[data-kind-note]", form); return note && note.checked; }
  function mentionQuery(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|\s)@([^\s@]{0,30})$/.exec(before);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  }
  function syncMentionIds(form) {
    var box = $("[data-mention-ids]", form);
    if (!box) return;
    box.innerHTML = "";
    if (!isNote(form)) return;
    var text = $("textarea", form).value;
    mentionAgents(form).forEach(function (agent) {
      if (text.indexOf("@" + agent.name) !== -1) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "mentions"; input.value = agent.id;
        box.appendChild(input);
      }
    });
  }
  function closeMenu(menu) { menu.hidden = true; menu.innerHTML = ""; }
  function choose(form, agentName) {
    var textarea = $("textarea", form);
    var found = mentionQuery(textarea);
    if (!found) return;
    var end = textarea.selectionStart;
    var insert = "@" + agentName + " ";
    textarea.value = textarea.value.slice(0, found.start) + insert + textarea.value.slice(end);
    var caret = found.start + insert.length;
    textarea.setSelectionRange(caret, caret);
    closeMenu($("[data-mention-menu]", form));
    syncMentionIds(form);
    textarea.focus();
  }
  function showMenu(form) {
    var textarea = $("textarea", form);
    var menu = $("[data-mention-menu]", form);
    var found = isNote(form) ? mentionQuery(textarea) : null;
    if (!found) { closeMenu(menu); return; }
    var q = found.query.toLowerCase();
    var matches = mentionAgents(form).filter(function (a) {
      return a.name.toLowerCase().split(/\s+/).some(function (part) { return part.indexOf(q) === 0; })
        || a.name.toLowerCase().indexOf(q) !== -1;
    }).slice(0, 8);
    if (!matches.length) { closeMenu(menu); return; }
    menu.innerHTML = "";
    matches.forEach(function (agent, i) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", i === 0 ? "true" : "false");
      item.dataset.name = agent.name;
      item.textContent = agent.name;
      item.addEventListener("mousedown", function (e) { e.preventDefault(); choose(form, agent.name); });
      menu.appendChild(item);
    });
    menu.hidden = false;
  }
  document.addEventListener("input", function (event) {
    var textarea = event.target.closest("[data-mention-input]");
    if (textarea) { showMenu(textarea.closest("form")); syncMentionIds(textarea.closest("form")); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-kind-note], [data-kind-reply]")) syncMentionIds(event.target.closest("form"));
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-composer]")) syncMentionIds(event.target);
  });

  function menuKeys(event, form) {
    var menu = $("[data-mention-menu]", form);
    if (!menu || menu.hidden) return false;
    var items = $all("li", menu);
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var next = (at + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === next ? "true" : "false"); });
      event.preventDefault();
      return true;
    }
    if (event.key === "Enter" || event.key === "Tab") {
      choose(form, items[Math.max(0, at)].dataset.name);
      event.preventDefault();
      return true;
    }
    if (event.key === "Escape") { closeMenu(menu); event.preventDefault(); return true; }
    return false;
  }

  /* ---------- Help overlay ---------- */
  function help(show) {
    var overlay = $("#shortcuts-help");
    if (!overlay) return;
    overlay.hidden = !show;
    if (show) { var close = $("[data-close-help]", overlay); if (close) close.focus(); }
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-open-help]")) help(true);
    if (event.target.closest("[data-close-help]") || event.target.id === "shortcuts-help") help(false);
  });

  /* ---------- Keyboard ---------- */
  var pendingG = false;
  function click(selector) { var el = $(selector); if (el) { el.click(); return true; } return false; }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("form[data-composer]");
    if (form && target.tagName === "TEXTAREA") {
      if (menuKeys(event, form)) return;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var submit = $("[data-submit-default]", form);
        if (submit) submit.click(); else form.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape") { help(false); if (isTyping(target)) target.blur(); return; }
    if (isTyping(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (pendingG) {
      pendingG = false;
      if (event.key === "i") { window.location.href = "/"; event.preventDefault(); }
      return;
    }
    switch (event.key) {
      case "?": help(true); break;
      case "j": moveRow(1); break;
      case "k": moveRow(-1); break;
      case "o": case "Enter": {
        var row = currentRow();
        if (!row || event.key === "Enter" && target !== document.body) return;
        var link = $("[data-row-link]", row); if (link) link.click();
        break;
      }
      case "x": {
        var current = currentRow();
        if (!current) return;
        var box = $("[data-row-check]", current);
        box.checked = !box.checked; lastChecked = box; updateSelection(box.closest("form"));
        break;
      }
      case "/": { var search = $("[data-shortcut='/']"); if (!search) return; search.focus(); search.select(); break; }
      case "r": if (!composer()) return; focusComposer("reply"); break;
      case "n": if (!composer()) return; focusComposer("note"); break;
      case "s": if (!click("[data-shortcut-solve]")) return; break;
      case "[": if (!click("[data-shortcut-prev]")) return; break;
      case "]": if (!click("[data-shortcut-next]")) return; break;
      case "g": pendingG = true; setTimeout(function () { pendingG = false; }, 1500); break;
      default: return;
    }
    event.preventDefault();
  });

  /* Rows keep their highlight when the list is reloaded by "Load more". */
  document.addEventListener("DOMContentLoaded", function () {
    $all("form[data-bulk]").forEach(updateSelection);
  });
})();
