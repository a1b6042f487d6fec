/* kefu-chat.js: live chat on agents' pages; plain JavaScript, no build step.
 *
 * Rides on kefu-live.js's event stream (window.kefuLive):
 * - "chats" events carry the waiting-chat count: the top bar's [data-live-chats] link is
 *   replaced, a short tone plays when the count grows (if the agent turned the sound on),
 *   and the /chats queue ([data-chat-queue], an HTMX fragment) reloads.
 * - "chat" events for a chat shown on the page ([data-live-stream="chat=ID"]): a new entry
 *   is appended to the ticket's conversation unless it is already there (by message id or
 *   seq), the shopper's typing shows in [data-chat-typing], a status change reloads the
 *   chat panel ([data-chat-panel], HTMX).
 * - In a chat ticket's composer ([data-chat-composer] inside form[data-composer]): Enter
 *   sends, Shift+Enter starts a new line; while the agent writes a public reply, "typing" is
 *   sent to the shopper (POST /chats/ID/typing), and "stopped" after a pause or on send.
 */
(function () {
  "use strict";

  var TYPING_EVERY_MS = 3000;
  var TYPING_IDLE_MS = 4000;
  var SHOPPER_TYPING_MS = 8000; // the widget renews "typing" every 3 s; silence means stopped
  var SOUND_KEY = "kefu.chat.sound";

  var lastWaiting = null;
  var typingAt = 0;
  var typingTimer = null;
  var typingOn = false;
  var typingSending = false;
  var typingNext = null;
  var shopperTimers = {};

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function reload(el) {
    if (el && window.htmx && el.getAttribute("hx-get")) window.htmx.trigger(el, "kefu:reload");
  }

  function beep() {
    if (localStorage.getItem(SOUND_KEY) !== "on") return;
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      var audio = new Context();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch (e) { /* no audio here: the badge is enough */ }
  }

  function onChats(data) {
    // The stream follows this page's chats from its first "chats" event on.
    document.documentElement.setAttribute("data-chat-stream", "open");
    var link = document.querySelector("[data-live-chats]");
    var fresh = fragment(data.html);
    if (link && fresh && link.outerHTML !== fresh.outerHTML) link.replaceWith(fresh);
    if (lastWaiting !== null && data.waiting > lastWaiting) beep();
    lastWaiting = data.waiting;
    document.querySelectorAll("[data-chat-queue]").forEach(reload);
  }

  function hasEntry(thread, data) {
    if (data.message_id && document.getElementById("message-" + data.message_id)) return true;
    return !!thread.querySelector('[data-chat-seq="' + data.seq + '"]');
  }

  function onChat(data) {
    if (data.kind === "entry") {
      var thread = document.querySelector("[data-chat-thread='" + data.chat_id + "']") ||
        document.querySelector("section.thread");
      if (!thread || hasEntry(thread, data)) return;
      var empty = thread.querySelector(".empty-state");
      if (empty) empty.remove();
      var entry = fragment(data.html);
      if (entry) thread.appendChild(entry);
      showTyping(data.chat_id, "");
    } else if (data.kind === "typing") {
      showTyping(data.chat_id, data.on ? data.text : "");
    } else if (data.kind === "status") {
      document.querySelectorAll('[data-chat-panel="' + data.chat_id + '"]').forEach(reload);
    }
  }

  function showTyping(chatId, text) {
    clearTimeout(shopperTimers[chatId]);
    if (text) shopperTimers[chatId] = setTimeout(function () { showTyping(chatId, ""); }, SHOPPER_TYPING_MS);
    document.querySelectorAll('[data-chat-typing="' + chatId + '"]').forEach(function (el) {
      if (el.textContent !== text) el.textContent = text;
    });
  }

  function chatOf(form) {
    var marker = form && form.querySelector("[data-chat-composer]");
    return marker ? marker.getAttribute("data-chat-composer") : null;
  }

  function isReply(form) {
    var kind = form.querySelector("input[name=kind]:checked");
    return !kind || kind.value === "reply";
  }

  // One typing signal on its way at a time, so "stopped" never overtakes "typing" (two
  // requests at once may reach the server in either order); what is wanted meanwhile is
  // sent once the one on its way has arrived, the latest only.
  function postTyping(chatId, on) {
    typingSending = true;
    var body = new URLSearchParams({ on: on ? "true" : "false", csrf_token: csrfToken() });
    fetch("/chats/" + encodeURIComponent(chatId) + "/typing", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken() },
    }).catch(function () { /* a lost typing hint is harmless */ }).then(function () {
      typingSending = false;
      var next = typingNext;
      typingNext = null;
      if (next) postTyping(next.chatId, next.on);
    });
  }

  function sendTyping(chatId, on) {
    typingOn = on;
    typingAt = on ? Date.now() : 0;
    if (typingSending) typingNext = { chatId: chatId, on: on };
    else postTyping(chatId, on);
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-composer]");
    var chatId = chatOf(form);
    if (!chatId || event.target.tagName !== "TEXTAREA" || !isReply(form)) return;
    if (!typingOn || Date.now() - typingAt > TYPING_EVERY_MS) sendTyping(chatId, true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { sendTyping(chatId, false); }, TYPING_IDLE_MS);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("form[data-composer]");
    if (!form || target.tagName !== "TEXTAREA" || !chatOf(form)) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.defaultPrevented)
      return;
    if (event.ctrlKey || event.metaKey) return; // kefu-inbox.js sends those already
    event.preventDefault();
    if (!target.value.trim()) return;
    var submit = form.querySelector("[data-submit-default]");
    if (submit) submit.click(); else form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var chatId = chatOf(event.target);
    if (!chatId || !typingOn) return;
    clearTimeout(typingTimer);
    sendTyping(chatId, false);
  });

  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("[data-chat-sound]");
    if (box) localStorage.setItem(SOUND_KEY, box.checked ? "on" : "off");
  });

  function boot() {
    document.querySelectorAll("[data-chat-sound]").forEach(function (box) {
      box.checked = localStorage.getItem(SOUND_KEY) === "on";
    });
  }

  if (window.kefuLive) {
    window.kefuLive.on("chats", onChats);
    window.kefuLive.on("chat", onChat);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
