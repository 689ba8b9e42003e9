// The queue refreshes itself: every few seconds fetch the list body and the counts, and swap them in place.
// Scroll position, the filters (they are in the URL) and keyboard focus survive each refresh.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("queue");
  const rows = document.getElementById("queue-rows");
  if (!table || !rows) return;
  const url = table.dataset.pollUrl;
  const every = Math.max(1, Number(table.dataset.pollSeconds || 4)) * 1000;
  let busy = false;

  function focused() {
    const el = document.activeElement;
    if (!el || !rows.contains(el)) return null;
    return { id: el.dataset.id, action: el.dataset.action };
  }

  function refocus(where) {
    if (!where) return;
    const el = rows.querySelector(`[data-id="${CSS.escape(where.id || "")}"][data-action="${CSS.escape(where.action || "")}"]`);
    if (el) el.focus({ preventScroll: true });
  }

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.status === 401) {
        window.location.reload(); // the session ended: the page sends us to the login form
        return;
      }
      if (!response.ok) return;
      const data = await response.json();
      const where = focused();
      const x = window.scrollX;
      const y = window.scrollY;
      rows.innerHTML = data.rows; // rendered and escaped by the server's templates
      for (const el of document.querySelectorAll("[data-count]")) {
        const n = data.counts[el.dataset.count];
        if (n !== undefined) el.textContent = n;
      }
      refocus(where);
      window.scrollTo(x, y);
      table.dataset.refreshed = String(Date.now());
    } catch (err) {
      // offline for a moment: try again at the next tick
    } finally {
      busy = false;
    }
  }

  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
});
