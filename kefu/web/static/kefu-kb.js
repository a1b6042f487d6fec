/* kefu — the knowledge base in the browser: upload an image while writing an article (its
   Markdown goes in at the cursor and the preview follows), and in the ticket composer insert
   an article's link or text into the reply. */
(function () {
  "use strict";

  function csrf() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRF-Token"]; } catch (e) { return ""; }
  }

  function insertAt(textarea, text) {
    var start = textarea.selectionStart || textarea.value.length;
    var end = textarea.selectionEnd || start;
    var before = textarea.value.slice(0, start), after = textarea.value.slice(end);
    var gap = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    textarea.value = before + gap + text + after;
    textarea.selectionStart = textarea.selectionEnd = (before + gap + text).length;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  document.addEventListener("change", function (event) {
    var input = event.target.closest && event.target.closest("[data-kb-upload]");
    if (!input || !input.files.length) return;
    var status = input.parentElement.querySelector("[data-kb-upload-status]");
    var body = new FormData();
    body.append("image", input.files[0]);
    status.textContent = "…";
    fetch("/kb/images", { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": csrf() } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) { status.textContent = answer.error; return; }
        status.textContent = "";
        input.value = "";
        insertAt(document.getElementById("body"), answer.markdown);
      });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-kb-insert]");
    if (!button) return;
    var hit = button.closest("[data-kb-article]");
    var form = button.closest("form");
    var textarea = form && form.querySelector("#composer-text");
    if (!hit || !textarea) return;
    fetch("/kb/articles/" + hit.getAttribute("data-kb-article") + "/insert", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (article) {
        var text = button.getAttribute("data-kb-insert") === "link" ? article.title + ": " + article.url : article.text;
        insertAt(textarea, text);
      });
  });
})();
