// The case page in the mediator console: a chosen canned reply goes into the reply box, and the live part
// (WeChat budget, the worker's chat, the case history) is fetched again every few seconds, so a mediator
// sees the worker's new messages without reloading. The live part is server-rendered, autoescaped HTML
// from the same origin.
"use strict";

(() => {
  const canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", () => {
      const option = canned.selectedOptions[0];
      const box = document.getElementById(canned.dataset.target);
      if (!option || !option.dataset.text || !box) return;
      box.value = option.dataset.text;
      box.focus();
    });
  }

  const live = document.getElementById("live");
  if (!live) return;

  function showNewest() {
    const chat = live.querySelector(".transcript");
    if (chat) chat.scrollTop = chat.scrollHeight;
  }

  let shown = null;
  let busy = false;

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(live.dataset.url, { credentials: "same-origin", cache: "no-store" });
      // A redirect means the login has expired: keep what is on the page rather than show the login form.
      if (!response.ok || response.redirected) return;
      const html = await response.text();
      if (html !== shown) {
        shown = html;
        live.innerHTML = html;
        showNewest();
      }
    } catch {
      // Offline for a moment: the next round tries again.
    } finally {
      busy = false;
    }
  }

  showNewest();
  window.setInterval(refresh, Number(live.dataset.pollSeconds || 10) * 1000);
  document.addEventListener("visibilitychange", refresh);
})();
