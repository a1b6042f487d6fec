  /* The widget's screens, in a shadow root so the store's styles and ours never mix:
   * launcher, panel (conversation, pre-chat, offline, rating, help search). Everything shown
   * from outside is set as text, never as HTML. */
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value == null || value === false) return;
      if (name === "text") el.textContent = value;
      else if (name.indexOf("on") === 0) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child) el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  var URL_PATTERN = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;

  function linkify(text) {
    // Text with its web addresses as links: built node by node, never parsed as HTML.
    var parts = String(text || "").split(URL_PATTERN);
    return parts.map(function (part, i) {
      return i % 2 ? h("a", { href: part, target: "_blank", rel: "noopener noreferrer", text: part }) : part;
    });
  }

  function fileSize(size) {
    if (size < 1024) return size + " B";
    if (size < 1048576) return (size / 1024).toFixed(1) + " KB";
    return (size / 1048576).toFixed(1) + " MB";
  }

  function field(id, label, input, note) {
    return h("p", { class: "field" }, [
      h("label", { for: id }, [label, note ? h("span", { class: "note", text: " " + note }) : null]),
      input,
    ]);
  }

  function View(root, t, options) {
    // options: colour, onOpen(), onClose(), onSend(body), onTyping(on), onAttach(files),
    // onStart(fields), onOffline(fields), onRate(score, comment), onTranscript(email), onEnd(),
    // onNewChat(), onSearch(query) -> Promise of results, onHuman()
    var self = this;
    var unread = 0;
    var typingTimer = null;
    var autoFocused = null;

    var badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    var launcher = h("button", { type: "button", class: "launcher", "aria-label": t("open"), "aria-expanded": "false", "aria-controls": "kefu-panel", onclick: function () { self.toggle(); } }, [
      h("span", { class: "bubble", "aria-hidden": "true" }),
      badge,
    ]);
    var agentLine = h("p", { class: "agent" });
    var endButton = h("button", { type: "button", class: "end", text: t("end"), hidden: true, onclick: function () {
      if (window.confirm(t("endConfirm"))) options.onEnd();
    } });
    var closeButton = h("button", { type: "button", class: "close", "aria-label": t("close"), text: "×", onclick: function () { self.close(); } });
    var connection = h("p", { class: "connection", role: "status", "aria-live": "polite" });
    var greeting = h("p", { class: "greeting" });
    var log = h("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("messages"), tabindex: "0" });
    var typing = h("p", { class: "typing", "aria-live": "polite" });
    var problem = h("p", { class: "problem", role: "alert" });
    var humanOn = false;
    var humanButton = h("button", { type: "button", class: "human", text: t("human"), hidden: true, onclick: function () { options.onHuman(); } });

    // help-center search
    var helpInput = h("input", { id: "kefu-help", type: "search", autocomplete: "off" });
    var helpResults = h("ul", { class: "results", "aria-live": "polite" });
    var helpForm = h("form", { class: "help", hidden: true, role: "search", onsubmit: function (event) {
      event.preventDefault();
      var query = helpInput.value.trim();
      if (!query) return;
      options.onSearch(query).then(function (results) {
        helpResults.textContent = "";
        if (!results.length) helpResults.appendChild(h("li", { text: t("noResults") }));
        results.forEach(function (hit) {
          helpResults.appendChild(h("li", {}, [
            h("a", { href: hit.url, target: "_blank", rel: "noopener", text: hit.title }),
            hit.snippet ? h("span", { class: "snippet", text: hit.snippet }) : null,
          ]));
        });
      });
    } }, [
      h("label", { for: "kefu-help", text: t("help") }),
      h("span", { class: "row" }, [helpInput, h("button", { type: "submit", text: t("search") })]),
      helpResults,
    ]);

    // pre-chat form
    var prechatInputs = {};
    var prechatFields = h("div");
    var prechat = h("form", { class: "prechat", hidden: true, novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      var values = {};
      var missing = null;
      Object.keys(prechatInputs).forEach(function (name) {
        var input = prechatInputs[name];
        values[name] = input.value.trim();
        if (!missing && input.required && !values[name]) missing = input;
      });
      if (missing) return self.problem(t("required", { field: t(missing.name) }), missing);
      if (values.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) return self.problem(t("badEmail"), prechatInputs.email);
      self.problem("");
      options.onStart(values);
    } }, [h("p", { text: t("prechatIntro") }), prechatFields, h("button", { type: "submit", class: "primary", text: t("start") })]);

    // offline form
    var offName = h("input", { id: "kefu-off-name", name: "name", autocomplete: "name" });
    var offEmail = h("input", { id: "kefu-off-email", name: "email", type: "email", required: true, autocomplete: "email" });
    var offBody = h("textarea", { id: "kefu-off-body", name: "body", required: true, rows: "4" });
    var offline = h("form", { class: "offline", hidden: true, novalidate: true, onsubmit: function (event) {
      event.preventDefault();
      var email = offEmail.value.trim();
      var body = offBody.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return self.problem(t("badEmail"), offEmail);
      if (!body) return self.problem(t("required", { field: t("yourMessage") }), offBody);
      self.problem("");
      options.onOffline({ name: offName.value.trim(), email: email, body: body });
    } }, [
      h("h3", { text: t("offlineTitle") }),
      h("p", { text: t("offlineIntro") }),
      field("kefu-off-name", t("name"), offName, t("optional")),
      field("kefu-off-email", t("email"), offEmail),
      field("kefu-off-body", t("yourMessage"), offBody),
      h("button", { type: "submit", class: "primary", text: t("leave") }),
    ]);

    // rating and transcript, when the chat has ended
    var score = 0;
    var stars = [1, 2, 3, 4, 5].map(function (n) {
      return h("button", { type: "button", class: "star", "aria-pressed": "false", "aria-label": t("stars", { n: n }), text: "★", onclick: function () {
        score = n;
        stars.forEach(function (star, i) { star.setAttribute("aria-pressed", String(i < n)); });
      } });
    });
    var rateComment = h("textarea", { id: "kefu-rate-comment", rows: "2" });
    var rateForm = h("form", { class: "rating", onsubmit: function (event) {
      event.preventDefault();
      if (!score) return stars[0].focus();
      options.onRate(score, rateComment.value.trim());
    } }, [
      h("fieldset", {}, [h("legend", { text: t("rateTitle") }), h("span", { class: "stars" }, stars)]),
      field("kefu-rate-comment", t("comment"), rateComment),
      h("button", { type: "submit", class: "primary", text: t("rate") }),
    ]);
    var transcriptEmail = h("input", { id: "kefu-transcript", type: "email", autocomplete: "email" });
    var transcriptForm = h("form", { class: "transcript", onsubmit: function (event) {
      event.preventDefault();
      var email = transcriptEmail.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return self.problem(t("badEmail"), transcriptEmail);
      self.problem("");
      options.onTranscript(email);
    } }, [field("kefu-transcript", t("transcript"), transcriptEmail), h("button", { type: "submit", text: t("transcriptSend") })]);
    var rated = h("p", { class: "notice", role: "status", hidden: true, text: t("rated") });
    var transcriptDone = h("p", { class: "notice", role: "status", hidden: true });
    var ended = h("section", { class: "ended", hidden: true }, [
      rateForm,
      rated,
      transcriptForm,
      transcriptDone,
      h("button", { type: "button", class: "new-chat", text: t("newChat"), onclick: function () { options.onNewChat(); } }),
    ]);

    // composer
    var text = h("textarea", { id: "kefu-message", rows: "1", placeholder: t("placeholder"), enterkeyhint: "send" });
    var files = h("input", { id: "kefu-file", type: "file", class: "visually-hidden", multiple: true, onchange: function () {
      options.onAttach(Array.prototype.slice.call(files.files));
      files.value = "";
    } });
    var chips = h("ul", { class: "chips" });
    var composer = h("form", { class: "composer", onsubmit: function (event) {
      event.preventDefault();
      options.onSend(text.value.trim());
    } }, [
      chips,
      h("label", { for: "kefu-message", class: "visually-hidden", text: t("message") }),
      h("span", { class: "row" }, [
        h("label", { for: "kefu-file", class: "attach", title: t("attach") }, [h("span", { class: "visually-hidden", text: t("attach") }), h("span", { "aria-hidden": "true", text: "+" })]),
        files,
        text,
        h("button", { type: "submit", class: "primary", text: t("send") }),
      ]),
    ]);
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        options.onSend(text.value.trim());
      }
    });
    text.addEventListener("input", function () { options.onTyping(text.value.length > 0); });

    var panel = h("section", { class: "panel", id: "kefu-panel", role: "dialog", "aria-label": t("title"), hidden: true }, [
      h("header", {}, [h("h2", { text: t("title") }), agentLine, endButton, closeButton]),
      connection,
      h("div", { class: "body" }, [greeting, helpForm, log, offline, prechat, ended]),
      typing,
      problem,
      humanButton,
      composer,
    ]);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.close();
    });
    root.appendChild(launcher);
    root.appendChild(panel);
    if (options.colour) root.host.style.setProperty("--kefu-colour", options.colour);

    this.isOpen = function () { return !panel.hidden; };
    this.open = function () {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      unread = 0;
      self.unread(0);
      options.onOpen();
      focusFirst();
      log.scrollTop = log.scrollHeight;
    };
    function focusFirst() {
      var target = [prechat, offline, ended].filter(function (f) { return f.isConnected && !f.hidden; })[0];
      autoFocused = target ? target.querySelector("input, textarea, button") : composer.hidden ? closeButton : text;
      autoFocused.focus();
    }
    this.close = function () {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
      options.onClose();
    };
    this.toggle = function () { if (panel.hidden) self.open(); else self.close(); };
    this.unread = function (n) {
      unread = n;
      badge.hidden = !n;
      badge.textContent = n ? String(n) : "";
      launcher.setAttribute("aria-label", n ? t("open") + " — " + t("unread", { n: n }) : t("open"));
    };
    this.connection = function (message) {
      connection.textContent = message || "";
      connection.hidden = !message;
    };
    this.problem = function (message, focus) {
      problem.textContent = message || "";
      problem.hidden = !message;
      if (focus) focus.focus();
    };
    this.greeting = function (message) {
      greeting.textContent = message || "";
      greeting.hidden = !message;
    };
    this.helpSearch = function (on) { helpForm.hidden = !on; };
    this.agent = function (message) { agentLine.textContent = message || ""; };
    this.human = function (on) {
      // "Talk to a person" while the assistant answers (it sends the words for that)
      humanOn = on;
      humanButton.hidden = !on || composer.hidden;
    };
    var prechatShape = null;
    this.prechatFields = function (wanted) {
      // Built again only when the fields change: what the shopper typed stays.
      var shape = JSON.stringify(wanted);
      if (shape === prechatShape) return Object.keys(prechatInputs).length > 0;
      prechatShape = shape;
      prechatFields.textContent = "";
      prechatInputs = {};
      ["name", "email", "order"].forEach(function (name) {
        var mode = wanted[name] || "off";
        if (mode === "off") return;
        var input = h("input", { id: "kefu-pre-" + name, name: name, type: name === "email" ? "email" : "text", required: mode === "required", autocomplete: name === "order" ? "off" : name });
        prechatInputs[name] = input;
        prechatFields.appendChild(field(input.id, t(name), input, mode === "required" ? null : t("optional")));
      });
      return Object.keys(prechatInputs).length > 0;
    };
    this.screen = function (name, hasChat) {
      // "chat" (conversation + composer), "prechat", "offline", "offline-sent", "ended"
      prechat.hidden = name !== "prechat";
      offline.hidden = name !== "offline";
      ended.hidden = name !== "ended";
      composer.hidden = name !== "chat";
      endButton.hidden = name !== "chat" || !hasChat;
      humanButton.hidden = name !== "chat" || !humanOn;
      if (name === "offline-sent") offline.replaceWith(h("p", { class: "notice", role: "status", text: t("offlineThanks") }));
      // Focus the widget placed itself, or left in a part that just went away, goes to the
      // first field of the new screen; focus the shopper placed stays.
      var active = root.activeElement;
      if (!panel.hidden && (!active || active === autoFocused || active.offsetParent === null)) focusFirst();
    };
    this.rated = function () {
      rateForm.hidden = true;
      rated.hidden = false;
    };
    this.transcriptSent = function (email) {
      transcriptForm.hidden = true;
      transcriptDone.textContent = t("transcriptSent", { email: email });
      transcriptDone.hidden = false;
    };
    this.failed = function (clientId, message) {
      var li = log.querySelector('[data-client-id="' + CSS.escape(clientId) + '"].pending');
      if (!li) return;
      li.classList.replace("pending", "failed");
      li.querySelector(".state").textContent = t("failed") + (message ? " — " + message : "");
    };
    this.clearComposer = function () {
      text.value = "";
      chips.textContent = "";
    };
    this.chip = function (key, name, onRemove) {
      var chip = h("li", { "data-chip": key }, [
        h("span", { text: t("uploading", { name: name }) }),
        h("button", { type: "button", "aria-label": t("remove", { name: name }), text: "×", onclick: function () { chip.remove(); onRemove(); } }),
      ]);
      chips.appendChild(chip);
      return {
        done: function (upload) { chip.firstChild.textContent = upload.name + " (" + fileSize(upload.size) + ")"; },
        failed: function () { chip.remove(); self.problem(t("uploadFailed", { name: name })); },
      };
    };
    this.typing = function (name, on) {
      clearTimeout(typingTimer);
      typing.textContent = on ? t("typing", { name: name || t("agent") }) : "";
      // A lost "stopped typing" must not leave the line up for ever.
      if (on) typingTimer = setTimeout(function () { typing.textContent = ""; }, 8000);
    };

    function attachmentNodes(list, base) {
      return (list || []).map(function (file) {
        if (!file.url) return h("span", { class: "file", text: file.name + " (" + fileSize(file.size || 0) + ")" });
        var url = new URL(file.url, base).href;
        if (/^image\//.test(file.type || "")) {
          return h("a", { class: "file image", href: url, target: "_blank", rel: "noopener" }, [h("img", { src: url, alt: file.name })]);
        }
        return h("a", { class: "file", href: url, target: "_blank", rel: "noopener", download: file.name, text: file.name + " (" + fileSize(file.size || 0) + ")" });
      });
    }

    function place(item, seq) {
      // Entries stay in seq order; messages still being sent stay last.
      var after = null;
      Array.prototype.some.call(log.children, function (child) {
        var other = child.getAttribute("data-seq");
        if (seq && (child.classList.contains("pending") || Number(other) > seq)) {
          after = child;
          return true;
        }
        return false;
      });
      log.insertBefore(item, after);
      log.scrollTop = log.scrollHeight;
    }

    this.pending = function (item, base) {
      var li = h("li", { class: "visitor pending", "data-client-id": item.client_id }, [
        h("span", { class: "who visually-hidden", text: t("you") + ": " }),
        h("span", { class: "text" }, linkify(item.body)),
      ].concat(attachmentNodes(item.attachments, base), [h("span", { class: "state", text: t("sending") })]));
      place(li, 0);
    };
    this.settled = function (clientId, seq) {
      var li = log.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
      if (!li || !li.classList.contains("pending")) return;
      li.classList.remove("pending");
      li.setAttribute("data-seq", seq);
      var state = li.querySelector(".state");
      if (state) state.remove();
      li.remove();
      place(li, seq);
    };
    this.entry = function (entry, base) {
      if (entry.client_id) {
        var mine = log.querySelector('[data-client-id="' + CSS.escape(entry.client_id) + '"]');
        if (mine) mine.remove();
      }
      var who = entry.author === "visitor" ? t("you") : entry.author === "assistant" ? t("assistant") : entry.name || t("agent");
      var li = h("li", { class: entry.author, "data-seq": entry.seq, "data-client-id": entry.client_id || null }, [
        entry.author === "system" ? null : h("span", { class: "who" + (entry.author === "visitor" ? " visually-hidden" : ""), text: who + ": " }),
        h("span", { class: "text" }, linkify(entry.body)),
      ].concat(attachmentNodes(entry.attachments, base)));
      place(li, entry.seq);
      if ((entry.author === "agent" || entry.author === "assistant") && panel.hidden) self.unread(unread + 1);
    };
    this.reset = function () {
      // A new chat: the old conversation goes, messages still being sent stay.
      Array.prototype.slice.call(log.querySelectorAll("li[data-seq]")).forEach(function (li) { li.remove(); });
      score = 0;
      stars.forEach(function (star) { star.setAttribute("aria-pressed", "false"); });
      rateForm.hidden = transcriptForm.hidden = false;
      rated.hidden = transcriptDone.hidden = true;
    };
  }
