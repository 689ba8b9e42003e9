// The queue refreshes itself: the list body and the counts per filter. The filters live in the URL.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const rows = document.getElementById("queue-rows");
  if (!rows) return;
  window.livePoll(rows, "rows", (data) => {
    for (const el of document.querySelectorAll("[data-count]")) {
      const n = data.counts[el.dataset.count];
      if (n !== undefined) el.textContent = n;
    }
  });
});
