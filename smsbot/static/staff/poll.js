// Keep a server-rendered list live: fetch its fragment every few seconds and swap it in place.
// The fragment is rendered and escaped by the server's templates; scroll position and keyboard focus survive.
"use strict";

window.livePoll = function livePoll(list, field, afterSwap) {
  const url = list.dataset.pollUrl;
  const every = Math.max(1, Number(list.dataset.pollSeconds || 4)) * 1000;
  let busy = false;

  function focused() {
    const el = document.activeElement;
    if (!el || !list.contains(el)) return null;
    return { id: el.dataset.id || "", action: el.dataset.action || "" };
  }

  function refocus(where) {
    if (!where) return;
    const selector = `[data-id="${CSS.escape(where.id)}"][data-action="${CSS.escape(where.action)}"]`;
    const el = list.querySelector(selector);
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
      if (data[field] !== list.dataset.last) {
        const where = focused();
        const x = window.scrollX;
        const y = window.scrollY;
        list.innerHTML = data[field];
        list.dataset.last = data[field];
        refocus(where);
        window.scrollTo(x, y);
      }
      if (afterSwap) afterSwap(data);
      list.dataset.refreshed = String(Date.now());
    } catch (err) {
      // offline for a moment: try again at the next tick
    } finally {
      busy = false;
    }
  }

  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
};
