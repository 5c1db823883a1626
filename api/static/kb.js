// Knowledge-base pages of the console. The versions page fetches each server's index build again every few
// seconds (faster while one is running); a card's page loads how the draft answers its phrasings, and its
// article picker fills a citation row with the article chosen (its text shown beside). Fragments are
// server-rendered, autoescaped HTML from the same origin.
"use strict";

(() => {
  async function fetchInto(box, url) {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    // A redirect means the login has expired: keep what is on the page.
    if (!response.ok || response.redirected) return false;
    box.innerHTML = await response.text();
    return true;
  }

  const build = document.getElementById("kb-build");
  if (build) {
    const every = Number(build.dataset.pollSeconds || 2) * 1000;
    let busy = false;
    const refresh = async () => {
      if (busy || document.hidden) return;
      busy = true;
      try {
        await fetchInto(build, build.dataset.url);
      } catch {
        // Offline for a moment: the next round tries again.
      } finally {
        busy = false;
      }
    };
    // Every few seconds while a build runs; once every server is ready, only now and then.
    const next = async () => {
      await refresh();
      const done = build.querySelector("[data-done='yes']");
      window.setTimeout(next, done ? every * 5 : every);
    };
    next();
    document.addEventListener("visibilitychange", refresh);
  }

  const answers = document.getElementById("card-answers");
  if (answers) {
    answers.innerHTML = '<p class="admin-muted">正在试答…</p>';
    fetchInto(answers, answers.dataset.url).catch(() => {
      answers.innerHTML = '<p class="field-error">试答没有完成，请刷新页面再试。</p>';
    });
  }

  const search = document.getElementById("article-search");
  const results = document.getElementById("article-results");
  const rows = document.getElementById("citation-rows");
  if (!search || !results || !rows) return;

  const addButton = document.getElementById("add-citation");
  function addRow() {
    const last = rows.lastElementChild;
    const row = last.cloneNode(true);
    const number = rows.children.length + 1;
    row.querySelectorAll("select, input").forEach((field) => {
      field.id = field.id.replace(/-\d+$/, `-${number}`);
      field.value = "";
    });
    row.querySelectorAll("label").forEach((label) => {
      label.htmlFor = label.htmlFor.replace(/-\d+$/, `-${number}`);
    });
    row.querySelector(".kb-citation-text").textContent = "";
    rows.appendChild(row);
    return row;
  }
  if (addButton) {
    addButton.hidden = false;
    addButton.addEventListener("click", () => addRow().querySelector("select").focus());
  }

  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = new URLSearchParams(new FormData(search));
    try {
      await fetchInto(results, `${search.action}?${query}`);
    } catch {
      results.textContent = "没有查到，请再试一次。";
    }
  });

  results.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-cite-law]");
    if (!button) return;
    const empty = [...rows.children].find(
      (row) => !row.querySelector("select").value && !row.querySelector("input").value,
    );
    const row = empty || addRow();
    const select = row.querySelector("select");
    if (![...select.options].some((option) => option.value === button.dataset.citeLaw)) {
      select.add(new Option(button.dataset.citeLaw, button.dataset.citeLaw));
    }
    select.value = button.dataset.citeLaw;
    row.querySelector("input").value = button.dataset.citeArticle;
    const text = row.querySelector(".kb-citation-text");
    text.textContent = "";
    const label = document.createElement("strong");
    label.textContent = button.dataset.citeLabel;
    text.append(label, ` ${button.dataset.citeText}`);
    button.textContent = "已引用";
  });
})();
