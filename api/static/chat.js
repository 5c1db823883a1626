// The web chat page: sends what the worker types, clicks or shares to the chat API, shows the replies,
// and polls for messages that are not replies (a mediator's answer). Text is only ever set with
// textContent, never parsed as HTML. The conversation is kept in sessionStorage, so reading an article
// and coming back does not lose it.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("chat-config").textContent);
  const strings = JSON.parse(document.getElementById("chat-strings").textContent);
  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const locationButton = document.getElementById("share-location");
  const HISTORY = "chat.history";
  const CURSOR = "chat.cursor";
  const KEEP = 200;

  const store = {
    read(key, fallback) {
      try {
        const value = sessionStorage.getItem(key);
        return value === null ? fallback : JSON.parse(value);
      } catch {
        return fallback;
      }
    },
    write(key, value) {
      try {
        sessionStorage.setItem(key, JSON.stringify(value));
      } catch {
        // Storage off or full: the chat works, it is just not kept across pages.
      }
    },
  };

  let history = store.read(HISTORY, []);
  let cursor = store.read(CURSOR, 0);
  let queue = Promise.resolve();
  let polling = false;

  function safeHref(link) {
    try {
      const url = new URL(link, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // entry: {from: "me" | "bot" | "mediator", text, buttons?, link?, link_label?, problem?}
  function render(entry) {
    const item = element("li", `message ${entry.from}${entry.problem ? " problem" : ""}`);
    if (entry.from === "mediator") {
      const speaker = element("span", "speaker", strings.mediator);
      speaker.setAttribute("aria-hidden", "true"); // the bubble names its speaker to screen readers already
      item.append(speaker);
    }
    const bubble = element("div", "bubble");
    bubble.append(element("span", "visually-hidden", `${strings[entry.from]}：`), entry.text);
    const href = entry.link && safeHref(entry.link);
    if (href) {
      const line = element("div");
      const anchor = element("a", "link", entry.link_label || strings.link);
      anchor.href = href;
      line.append(anchor);
      bubble.append(line);
    }
    item.append(bubble);
    const choices = (entry.buttons || []).filter((button) => !isRating(button));
    if (choices.length) {
      const group = element("div", "actions");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", strings.choices);
      for (const button of choices) {
        const node = element("button", "", button.label);
        node.type = "button";
        node.addEventListener("click", () => send({ text: button.payload }, button.label));
        group.append(node);
      }
      item.append(group);
    }
    if (asksRating(entry) && !entry.retired) item.append(ratingGroup(entry));
    list.append(item);
    list.scrollTop = list.scrollHeight;
    return item;
  }

  // 有用 / 没用 rate the worker's latest answer, so a newer answer retires the buttons under older ones.
  function isRating(button) {
    return config.feedback.includes(button.payload);
  }

  function asksRating(entry) {
    return (entry.buttons || []).some(isRating);
  }

  function ratingGroup(entry) {
    const group = element("div", `rate${entry.rated ? " rated" : ""}`);
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", strings.rate);
    group.append(element("span", "rate-label", entry.rated ? strings.rated : strings.rate));
    for (const button of entry.buttons.filter(isRating)) {
      const node = element("button", "", button.label);
      node.type = "button";
      node.setAttribute("aria-pressed", String(entry.rated === button.payload));
      node.disabled = Boolean(entry.rated);
      node.addEventListener("click", () => {
        entry.rated = button.payload;
        store.write(HISTORY, history);
        group.replaceWith(ratingGroup(entry));
        send({ text: button.payload }, button.label);
      });
      group.append(node);
    }
    return group;
  }

  function retireRatings() {
    for (const old of history) if (asksRating(old) && !old.rated) old.retired = true;
    for (const group of list.querySelectorAll(".rate:not(.rated)")) group.remove();
  }

  function show(entry) {
    if (asksRating(entry)) retireRatings();
    history.push(entry);
    history = history.slice(-KEEP);
    store.write(HISTORY, history);
    return render(entry);
  }

  // A reply, or an outbox message: the bot's, or a mediator's words relayed (author "mediator").
  function fromBot(reply) {
    const from = reply.author === "mediator" ? "mediator" : "bot";
    return { from, text: reply.text, buttons: reply.buttons, link: reply.link, link_label: reply.link_label };
  }

  function problem(text) {
    return { from: "bot", text, problem: true };
  }

  function problemFor(status) {
    if (status === 413) return problem(strings.too_long);
    if (status >= 500) return problem(strings.unavailable);
    return problem(strings.invalid);
  }

  // Messages go out one at a time, in the order the worker sent them.
  function send(message, shown) {
    show({ from: "me", text: shown });
    queue = queue.then(() => exchange(message));
    return queue;
  }

  async function exchange(message) {
    const typing = render({ from: "bot", text: strings.typing });
    typing.classList.add("typing");
    let entries;
    let newest = 0;
    try {
      const response = await fetch(config.endpoints.send, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(message),
        credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        entries = data.replies.map(fromBot);
        newest = data.last_id;
      } else {
        entries = [problemFor(response.status)];
      }
    } catch {
      entries = [problem(strings.offline)];
    }
    typing.remove();
    entries.forEach(show);
    if (newest > cursor) poll();
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      for (;;) {
        const response = await fetch(`${config.endpoints.updates}?after=${cursor}`, {
          credentials: "same-origin",
          cache: "no-store",
        });
        if (!response.ok) break;
        const data = await response.json();
        data.messages.map(fromBot).forEach(show);
        cursor = data.last_id;
        store.write(CURSOR, cursor);
        if (!data.messages.length) break;
      }
    } catch {
      // Offline for now: the next poll tries again.
    } finally {
      polling = false;
    }
  }

  // The box grows with what is typed (up to its CSS max-height) and shrinks back once sent.
  function resize() {
    input.style.height = "auto";
    if (input.value) input.style.height = `${input.scrollHeight}px`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    input.focus();
    if (!text) return;
    input.value = "";
    resize();
    send({ text }, text);
  });

  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an input-method candidate is not a send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", resize);

  for (const item of document.querySelectorAll("[data-menu]")) {
    item.addEventListener("click", () => send({ menu: item.dataset.menu }, item.textContent.trim()));
  }

  locationButton.addEventListener("click", () => {
    if (!navigator.geolocation || !window.isSecureContext) {
      show(problem(strings.no_location));
      return;
    }
    locationButton.disabled = true;
    const waiting = render({ from: "bot", text: strings.locating });
    waiting.classList.add("typing");
    const done = () => {
      waiting.remove();
      locationButton.disabled = false;
    };
    navigator.geolocation.getCurrentPosition(
      (position) => {
        done();
        const { latitude, longitude } = position.coords;
        send({ latitude, longitude }, strings.location);
      },
      () => {
        done();
        show(problem(strings.location_denied));
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });

  if (history.length) history.forEach(render);
  else show(fromBot(config.welcome));
  poll();
  window.setInterval(() => {
    if (!document.hidden) poll();
  }, config.poll_seconds * 1000);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });
})();
