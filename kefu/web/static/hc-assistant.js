// The help-center assistant's chat box: posts to /helpcenter/assistant/messages and shows the
// replies; the conversation token stays in sessionStorage for this brand and language.
(function () {
  "use strict";
  var box = document.getElementById("hc-assistant");
  if (!box) return;
  var site = box.dataset.site, language = box.dataset.language;
  var key = "kefu-assistant:" + site + ":" + language;
  var opener = box.querySelector(".hc-assistant-open");
  var panel = box.querySelector(".hc-assistant-panel");
  var log = box.querySelector(".hc-assistant-log");
  var form = box.querySelector(".hc-assistant-form");
  var input = box.querySelector("#hc-assistant-input");
  var error = box.querySelector(".hc-assistant-error");
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
  catch (ignored) { csrf = ""; }

  // shown only when an admin left the assistant on
  fetch("/helpcenter/assistant/config", { headers: { "Accept": "application/json" } })
    .then(function (response) { return response.ok ? response.json() : { on: false }; })
    .then(function (data) { box.hidden = !data.on; })
    .catch(function () { box.hidden = true; });

  opener.addEventListener("click", function () {
    var open = panel.hidden;
    panel.hidden = !open;
    opener.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
  });

  function show(author, kind, text, article) {
    var item = document.createElement("li");
    item.className = "from-" + author + (kind ? " kind-" + kind : "");
    item.textContent = text;
    if (article) {
      var link = document.createElement("a");
      link.href = article.url;
      link.textContent = article.title;
      link.className = "hc-assistant-article";
      item.appendChild(document.createElement("br"));
      item.appendChild(link);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    error.hidden = true;
    show("customer", "", text, null);
    var button = form.querySelector("button");
    button.disabled = true;
    fetch("/helpcenter/assistant/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        site: site, language: language, message: text,
        conversation: sessionStorage.getItem(key)
      })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || data.title || "error");
        return data;
      });
    }).then(function (data) {
      sessionStorage.setItem(key, data.conversation);
      data.replies.forEach(function (reply) {
        show("assistant", reply.kind, reply.body, reply.article);
      });
    }).catch(function (problem) {
      error.textContent = error.dataset.text + (problem && problem.message ? " (" + problem.message + ")" : "");
      error.hidden = false;
    }).finally(function () {
      button.disabled = false;
      input.focus();
    });
  });
})();
