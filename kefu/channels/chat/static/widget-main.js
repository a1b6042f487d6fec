  /* Start-up: read the script tag, fetch the widget's settings, put the launcher on the page
   * and wire the view to the connection. The store may call window.KefuChat.open(),
   * .close() and .setCart(cart), or set window.kefuChatCart before the tag. */
  var TYPING_EVERY_MS = 3000;
  var TYPING_IDLE_MS = 4000;

  function scriptTag() {
    return document.currentScript || document.querySelector("script[data-widget][src*='/chat/widget.js']");
  }

  function start(tag) {
    var base = new URL(tag.src, location.href);
    var key = tag.getAttribute("data-widget") || "";
    var locale = pickLocale(tag.getAttribute("data-locale"));
    var words = STRINGS[locale];
    var t = function (name, values) {
      var text = words[name] || STRINGS.en[name] || name;
      return text.replace(/\{(\w+)\}/g, function (m, v) { return values && values[v] != null ? values[v] : m; });
    };
    var origin = base.origin;
    var query = "?widget=" + encodeURIComponent(key);
    var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/chat/ws" + query;
    var store = Store(key);
    var cart = window.kefuChatCart || null;
    var config = { online: true, prechat_fields: {}, greeting: null, helpcenter_search_url: null };
    var uploads = [];
    var typingSentAt = 0;
    var typingIdle = null;
    var offlineFrame = null;
    var transcriptTo = null;
    var link, view;

    var host = document.createElement("div");
    host.setAttribute("data-kefu-chat", "");
    host.setAttribute("lang", locale === "zh" ? "zh-Hans" : "en");
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(Object.assign(document.createElement("style"), { textContent: STYLES }));

    function typingOn(on) {
      clearTimeout(typingIdle);
      var now = Date.now();
      if (on && now - typingSentAt > TYPING_EVERY_MS) {
        typingSentAt = now;
        link.send({ type: "typing", on: true });
      }
      if (!on && typingSentAt) {
        typingSentAt = 0;
        link.send({ type: "typing", on: false });
      }
      if (on) typingIdle = setTimeout(function () { typingOn(false); }, TYPING_IDLE_MS);
    }

    function greetingText() {
      var g = config.greeting;
      if (g && typeof g === "object") return g[locale] || g.en || "";
      return g || "";
    }

    function showScreen() {
      var chat = link.chat;
      if (chat && chat.status !== "ended") return view.screen("chat", true);
      if (chat && chat.status === "ended") return view.screen("ended");
      if (!config.online) return view.screen("offline");
      view.screen(view.prechatFields(config.prechat_fields || {}) ? "prechat" : "chat");
    }

    function statusLine(chat) {
      view.human(!!chat && chat.status === "assistant");
      if (!chat) return view.agent("");
      if (chat.status === "assistant") return view.agent(t("assistantLine"));
      if (chat.status === "waiting") return view.agent(t("waiting"));
      if (chat.status === "ended") return view.agent(t("ended"));
      view.agent(chat.agent && chat.agent.name ? chat.agent.name : "");
    }

    function upload(file) {
      var entry = { key: Math.random().toString(36).slice(2), result: null };
      uploads.push(entry);
      var chip = view.chip(entry.key, file.name, function () {
        uploads = uploads.filter(function (u) { return u !== entry; });
      });
      var body = new FormData();
      body.append("file", file, file.name);
      entry.promise = fetch(origin + "/chat/upload" + query, {
        method: "POST",
        body: body,
        headers: { "X-Kefu-Visitor": link.visitor || "" },
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (result) {
        entry.result = result;
        chip.done(result);
      }, function () {
        uploads = uploads.filter(function (u) { return u !== entry; });
        chip.failed();
      });
    }

    function send(body) {
      var ready = uploads.filter(function (u) { return u.result; });
      if (ready.length !== uploads.length) return; // still uploading: Send again when done
      if (!body && !ready.length) return;
      typingOn(false);
      var item = link.post(body, ready.map(function (u) { return u.result; }));
      uploads = [];
      view.clearComposer();
      view.pending(item, origin);
    }

    function search(text) {
      var url = new URL(config.helpcenter_search_url, origin);
      url.searchParams.set("q", text);
      return fetch(url.href).then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { return data.results || []; }, function () { return []; });
    }

    view = new View(root, t, {
      onOpen: function () { link.connect(); },
      onClose: function () { typingOn(false); },
      onSend: send,
      onTyping: typingOn,
      onAttach: function (files) { files.forEach(upload); },
      onStart: function (fields) { link.start(fields); },
      onOffline: function (fields) {
        // Kept until kefu says it is stored (sent again after a reconnect, idempotent).
        fields.type = "offline_message";
        fields.client_id = uuid();
        offlineFrame = fields;
        link.connect();
        if (!link.send(fields)) view.problem(t("reconnecting"));
      },
      onRate: function (score, comment) {
        if (!link.send({ type: "rate", score: score, comment: comment || null })) view.problem(t("reconnecting"));
      },
      onTranscript: function (email) {
        transcriptTo = email;
        if (!link.send({ type: "transcript", email: email })) view.problem(t("reconnecting"));
      },
      onEnd: function () { link.send({ type: "end" }); },
      onNewChat: function () { link.start({}); },
      onSearch: search,
      onHuman: function () { send(t("humanMessage")); },
    });

    link = new Link({
      url: wsUrl,
      store: store,
      hello: function () {
        return { identity: tag.getAttribute("data-identity") || null, locale: locale, page: { url: location.href, title: document.title }, cart: cart };
      },
      on: function (type, frame) {
        switch (type) {
          case "connecting":
            view.connection(frame.attempt ? t("reconnecting") : t("connecting"));
            break;
          case "waiting":
            view.connection(navigator.onLine === false ? t("offlineNet") : t("reconnecting"));
            break;
          case "welcome":
            view.connection("");
            view.problem("");
            if (typeof frame.online === "boolean") config.online = frame.online;
            statusLine(link.chat);
            showScreen();
            if (link.chat && link.chat.rating) view.rated();
            if (offlineFrame) link.send(offlineFrame);
            break;
          case "reset":
            view.reset();
            break;
          case "refused":
            view.connection(t("unavailable"));
            break;
          case "ok":
            if (frame.for === "rate") view.rated();
            if (frame.for === "transcript") view.transcriptSent(transcriptTo);
            if (frame.for === "offline_message") {
              offlineFrame = null;
              view.screen("offline-sent");
            }
            break;
          case "dropped":
            view.failed(frame.client_id, frame.message);
            break;
          case "chat":
            statusLine(frame.chat);
            showScreen();
            break;
          case "status":
            statusLine(link.chat);
            showScreen();
            break;
          case "entry":
            view.entry(frame, origin);
            if (frame.author === "agent" || frame.author === "assistant") view.typing(null, false);
            break;
          case "settled":
            view.settled(frame.client_id, frame.seq);
            // the assistant is working on its answer (kefu answers after the ack)
            if (link.chat && link.chat.status === "assistant") view.typing(t("assistant"), true);
            break;
          case "typing":
            view.typing(frame.name, frame.on);
            break;
          case "error":
            if (frame.code !== "identity_refused") view.problem(STRINGS.en[frame.code] ? t(frame.code) : frame.message || t("error"));
            break;
        }
      },
    });

    // Messages written before a reload and never acknowledged: shown, and sent on connect.
    link.outbox.forEach(function (item) { view.pending(item, origin); });
    view.greeting(null);
    view.screen("");
    view.connection(t("connecting"));
    fetch(origin + "/chat/widget/config" + query + "&locale=" + locale)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        config = data;
        if (data.colour) host.style.setProperty("--kefu-colour", data.colour);
        view.greeting(greetingText());
        view.helpSearch(!!data.helpcenter_search_url);
        if (link.isReady() || !link.visitor) showScreen();
      }, function () { /* the socket's welcome still tells whether anyone is online */ });

    window.addEventListener("online", function () { link.connectNow(); });
    document.body.appendChild(host);
    // A returning visitor's conversation resumes (and agent replies show a badge) at once.
    if (link.visitor || link.outbox.length) link.connect();

    window.KefuChat = {
      open: function () { view.open(); },
      close: function () { view.close(); },
      setCart: function (value) {
        cart = value;
        link.send({ type: "page", page: { url: location.href, title: document.title }, cart: cart });
      },
    };
  }

  var tag = scriptTag();
  if (tag && !window.KefuChat) {
    if (document.body) start(tag);
    else document.addEventListener("DOMContentLoaded", function () { start(tag); });
  }
