/* kefu-live.js: live updates on signed-in pages; plain JavaScript, no build step.
 *
 * - Opens one EventSource on /stream, with ?ticket=ID for each [data-presence-ticket]
 *   element on the page (tickets/_presence.html), and swaps in what it sends:
 *   "badge" replaces the top bar's [data-live-badge], "presence" fills the matching
 *   [data-presence-ticket] element.
 * - On a ticket page, reports presence: "viewing" every 10 s, "typing" while the agent
 *   types in an element marked data-presence-typing (data-presence-typing="12" to name
 *   one ticket when the page shows several), "left" when the page goes away.
 * - Closes the stream while the tab is hidden: browsers allow a site only a few open
 *   connections, and a hidden tab needs none.
 * - Other scripts add to the same connection: an element with data-live-stream="chat=7" adds
 *   that to the query, and window.kefuLive.on("chat", fn) receives the events named "chat"
 *   (register before DOMContentLoaded, i.e. from a deferred script, or at any time after).
 */
(function () {
  "use strict";

  var HEARTBEAT_MS = 10000;
  var TYPING_EVERY_MS = 3000;
  var TYPING_IDLE_MS = 5000;

  var source = null;
  var heartbeat = null;
  var idleTimer = null;
  var typingAt = 0;
  var state = "viewing";
  var current = [];
  var extras = [];
  var listeners = {};

  window.kefuLive = {
    on: function (name, fn) {
      var isNew = !listeners[name];
      (listeners[name] = listeners[name] || []).push(fn);
      if (isNew && source) listen(source, name);
    },
  };

  function listen(target, name) {
    target.addEventListener(name, function (event) {
      var data = JSON.parse(event.data);
      (listeners[name] || []).forEach(function (fn) { fn(data); });
    });
  }

  function streamExtras() {
    var found = [];
    document.querySelectorAll("[data-live-stream]").forEach(function (el) {
      var pair = el.getAttribute("data-live-stream");
      if (pair && found.indexOf(pair) < 0) found.push(pair);
    });
    return found;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function tickets() {
    var found = [];
    document.querySelectorAll("[data-presence-ticket]").forEach(function (el) {
      var id = el.getAttribute("data-presence-ticket");
      if (id && found.indexOf(id) < 0) found.push(id);
    });
    return found;
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function showPresence(ticketId, html) {
    var el = document.querySelector('[data-presence-ticket="' + ticketId + '"]');
    var fresh = fragment(html);
    if (el && fresh && el.innerHTML !== fresh.innerHTML) el.innerHTML = fresh.innerHTML;
  }

  function showBadge(html) {
    var el = document.querySelector("[data-live-badge]");
    var fresh = fragment(html);
    if (el && fresh && el.outerHTML !== fresh.outerHTML) el.replaceWith(fresh);
  }

  function report(ticketId, what, asBeacon) {
    var url = "/tickets/" + encodeURIComponent(ticketId) + "/presence";
    var body = new URLSearchParams({ state: what, csrf_token: csrfToken() });
    if (asBeacon && navigator.sendBeacon) {
      navigator.sendBeacon(url, body);
      return;
    }
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken() },
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) showPresence(ticketId, html); })
      .catch(function () { /* offline for a moment: the next heartbeat tries again */ });
  }

  function reportAll(what, asBeacon) {
    current.forEach(function (id) { report(id, what, asBeacon); });
  }

  function openStream() {
    if (source) return;
    var query = current.map(function (id) { return "ticket=" + encodeURIComponent(id); });
    extras = streamExtras();
    query = query.concat(extras.map(function (pair) {
      var at = pair.indexOf("=");
      return encodeURIComponent(pair.slice(0, at)) + "=" + encodeURIComponent(pair.slice(at + 1));
    }));
    source = new EventSource("/stream" + (query.length ? "?" + query.join("&") : ""));
    source.addEventListener("badge", function (event) {
      showBadge(JSON.parse(event.data).html);
    });
    source.addEventListener("presence", function (event) {
      var data = JSON.parse(event.data);
      showPresence(data.ticket_id, data.html);
    });
    Object.keys(listeners).forEach(function (name) { listen(source, name); });
    // EventSource reconnects by itself after a drop or a server restart.
  }

  function closeStream() {
    if (source) source.close();
    source = null;
  }

  function start() {
    current = tickets();
    openStream();
    if (!current.length || heartbeat) return;
    state = "viewing";
    reportAll("viewing");
    heartbeat = setInterval(function () { reportAll(state); }, HEARTBEAT_MS);
  }

  function stop(asBeacon) {
    closeStream();
    if (!heartbeat) return;
    clearInterval(heartbeat);
    heartbeat = null;
    reportAll("left", asBeacon);
  }

  document.addEventListener("input", function (event) {
    var field = event.target.closest && event.target.closest("[data-presence-typing]");
    if (!field || !heartbeat) return;
    var only = field.getAttribute("data-presence-typing");
    var targets = only ? [only] : current;
    var now = Date.now();
    if (state !== "typing" || now - typingAt > TYPING_EVERY_MS) {
      state = "typing";
      typingAt = now;
      targets.forEach(function (id) { report(id, "typing"); });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      state = "viewing";
      targets.forEach(function (id) { report(id, "viewing"); });
    }, TYPING_IDLE_MS);
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") stop(true);
    else start();
  });
  window.addEventListener("pagehide", function () { stop(true); });
  window.addEventListener("pageshow", function (event) { if (event.persisted) start(); });

  // HTMX may bring in another ticket (or take one away) without a page load.
  document.addEventListener("htmx:afterSettle", function () {
    if (tickets().join(",") === current.join(",") && streamExtras().join(",") === extras.join(","))
      return;
    stop(false);
    start();
  });

  function boot() {
    if (document.visibilityState !== "hidden") start();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
