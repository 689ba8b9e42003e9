// The conversation page: a live character/encoding/segment counter for the reply, and canned replies.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("body");
  const counter = document.getElementById("counter");
  const canned = document.getElementById("canned");
  if (!body || !counter) return;
  const gsm = JSON.parse(body.dataset.gsm);
  const prefix = body.dataset.prefix || "";
  const template = body.dataset.template;

  function update() {
    const m = window.smsSegments.measure(prefix + body.value, gsm.basic, gsm.extended);
    counter.textContent = template
      .replace("{characters}", m.characters)
      .replace("{encoding}", m.encoding)
      .replace("{segments}", m.segments);
    counter.dataset.encoding = m.encoding;
    counter.dataset.segments = m.segments;
  }

  body.addEventListener("input", update);
  if (canned) {
    canned.addEventListener("change", () => {
      if (!canned.value) return;
      body.value = canned.value;
      canned.value = "";
      update();
      body.focus();
    });
  }
  update();
});

// The timeline stays live: new replies and delivery statuses appear without a reload.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("timeline");
  if (list) window.livePoll(list, "timeline");
});
