  /* The connection to kefu: one websocket, reopened with exponential backoff and jitter; an
   * outbox of messages not yet acknowledged (kept in localStorage, so a reload or a lost
   * connection never loses one) re-sent with the same client_id after every reconnect, which
   * kefu stores once; entries kept by seq, so a repeated one is ignored. */
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 15000;
  var PING_EVERY_MS = 25000;
  var SILENT_FOR_MS = 60000;
  // Closed for good: the page is not allowed, the widget does not exist, we spoke wrongly.
  var FINAL_CLOSE_CODES = [4400, 4403, 4404];
  // A message refused for one of these will be refused again: it leaves the outbox.
  var DROP_CODES = ["too_large", "invalid_input", "chat_ended", "prechat_required"];

  function backoffDelay(attempt, random) {
    // "Equal jitter": half the exponential delay fixed, half random, so a server restart is
    // not met by every widget at the same instant.
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempt));
    return Math.round(ceiling / 2 + (ceiling / 2) * random());
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function Store(widgetKey) {
    var prefix = "kefu-chat:" + widgetKey + ":";
    var memory = {};
    function get(name, fallback) {
      var raw;
      try { raw = localStorage.getItem(prefix + name); } catch (e) { raw = memory[name]; }
      if (raw == null) return fallback;
      try { return JSON.parse(raw); } catch (e) { return fallback; }
    }
    function set(name, value) {
      var raw = JSON.stringify(value);
      try { localStorage.setItem(prefix + name, raw); } catch (e) { memory[name] = raw; }
    }
    return { get: get, set: set };
  }

  function Link(options) {
    // options: url (websocket), store, hello() -> extra hello fields, on(type, frame)
    var self = this;
    var socket = null;
    var attempt = 0;
    var timer = null;
    var wanted = false;
    var ready = false;
    var starting = false;
    var startFields = null;
    var pinger = null;
    var heardAt = 0;
    var resendTimer = null;
    this.visitor = options.store.get("visitor", null);
    this.outbox = options.store.get("outbox", []);
    this.seqs = {};
    this.lastSeq = 0;
    this.chat = null;

    function saveOutbox() {
      options.store.set("outbox", self.outbox);
    }

    function emit(type, frame) {
      options.on(type, frame || {});
    }

    function sendRaw(frame) {
      if (!socket || socket.readyState !== 1) return false;
      socket.send(JSON.stringify(frame));
      return true;
    }

    function flush(items) {
      if (!ready || !self.chat || self.chat.status === "ended") return;
      (items || self.outbox).forEach(function (item) {
        sendRaw({ type: "message", client_id: item.client_id, body: item.body, attachments: item.attachments.map(function (a) { return a.id; }) });
      });
    }

    function settle(clientId, seq) {
      var kept = self.outbox.filter(function (item) { return item.client_id !== clientId; });
      if (kept.length !== self.outbox.length) {
        self.outbox = kept;
        saveOutbox();
      }
      emit("settled", { client_id: clientId, seq: seq });
    }

    function follow(chat) {
      // Another chat than the one shown (a new one after the last ended): its seqs start at 1.
      if (chat && (!self.chat || self.chat.id !== chat.id)) {
        self.seqs = {};
        self.lastSeq = 0;
        emit("reset", {});
      }
      self.chat = chat || null;
    }

    function receive(frame) {
      switch (frame.type) {
        case "welcome":
          attempt = 0;
          ready = true;
          if (frame.visitor) {
            self.visitor = frame.visitor;
            options.store.set("visitor", frame.visitor);
          }
          starting = false;
          follow(frame.chat);
          emit("welcome", frame);
          // A pre-chat form sent, or a message written, before there was a chat to carry it.
          if ((startFields || self.outbox.length) && (!self.chat || self.chat.status === "ended")) self.start(startFields);
          else startFields = null;
          flush();
          break;
        case "chat":
          starting = false;
          follow(frame.chat);
          emit("chat", frame);
          flush();
          break;
        case "status":
          if (self.chat) {
            self.chat.status = frame.status;
            self.chat.agent = frame.agent || null;
          }
          emit("status", frame);
          break;
        case "ack":
          settle(frame.client_id, frame.seq);
          break;
        case "entry":
          if (self.seqs[frame.seq]) return;
          self.seqs[frame.seq] = true;
          self.lastSeq = Math.max(self.lastSeq, frame.seq);
          if (frame.client_id) settle(frame.client_id, frame.seq);
          emit("entry", frame);
          break;
        case "error":
          if (frame.code === "prechat_required") starting = false;
          if (frame.client_id && DROP_CODES.indexOf(frame.code) >= 0) {
            self.outbox = self.outbox.filter(function (item) { return item.client_id !== frame.client_id; });
            saveOutbox();
            emit("dropped", frame);
          }
          if (frame.code === "rate_limited" && !resendTimer) {
            resendTimer = setTimeout(function () {
              resendTimer = null;
              flush();
            }, Math.max(1, frame.retry_after || 2) * 1000);
          }
          emit("error", frame);
          break;
        case "pong":
          break;
        default:
          emit(frame.type, frame);
      }
    }

    function open() {
      clearTimeout(timer);
      timer = null;
      if (socket) return;
      emit("connecting", { attempt: attempt });
      var ws;
      try {
        ws = new WebSocket(options.url);
      } catch (e) {
        retry();
        return;
      }
      socket = ws;
      ws.onopen = function () {
        var hello = options.hello();
        hello.type = "hello";
        hello.visitor = self.visitor;
        hello.chat = self.chat ? self.chat.id : null;
        hello.last_seq = self.lastSeq;
        ws.send(JSON.stringify(hello));
        heardAt = Date.now();
        clearInterval(pinger);
        // A connection can die without a close (a phone changing networks): ping, and give
        // up on a socket that has said nothing for a minute.
        pinger = setInterval(function () {
          if (Date.now() - heardAt > SILENT_FOR_MS) ws.close();
          else sendRaw({ type: "ping" });
        }, PING_EVERY_MS);
      };
      ws.onmessage = function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        heardAt = Date.now();
        if (frame && frame.type) receive(frame);
      };
      ws.onclose = function (event) {
        if (socket !== ws) return;
        clearInterval(pinger);
        socket = null;
        ready = false;
        starting = false;
        if (FINAL_CLOSE_CODES.indexOf(event.code) >= 0) {
          wanted = false;
          emit("refused", { code: event.code });
          return;
        }
        emit("closed", {});
        retry();
      };
      ws.onerror = function () {
        try { ws.close(); } catch (e) { /* already closing */ }
      };
    }

    function retry() {
      socket = null;
      if (!wanted || timer) return;
      var delay = backoffDelay(attempt, Math.random);
      attempt += 1;
      emit("waiting", { delay: delay });
      timer = setTimeout(open, delay);
    }

    this.connect = function () {
      wanted = true;
      open();
    };
    this.connectNow = function () {
      // The browser says the network is back: no reason to wait out the backoff.
      if (!wanted || socket) return;
      attempt = 0;
      open();
    };
    this.isReady = function () {
      return ready;
    };
    this.send = function (frame) {
      return ready && sendRaw(frame);
    };
    this.start = function (fields) {
      // Before the welcome, the fields wait for it (see receive).
      startFields = fields || {};
      if (!ready || starting) return;
      starting = true;
      var frame = startFields;
      startFields = null;
      frame.type = "start";
      sendRaw(frame);
    };
    this.post = function (body, attachments) {
      var item = { client_id: uuid(), body: body, attachments: attachments || [], at: new Date().toISOString() };
      self.outbox.push(item);
      saveOutbox();
      if (!self.chat || self.chat.status === "ended") self.start({});
      else flush([item]);
      return item;
    };
  }
