// Event console page: ask before cancelling a registration on someone's behalf (buttons with data-confirm).
"use strict";

document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
