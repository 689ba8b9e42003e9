// Encoding and segment count of an SMS body, as smsbot/segments.py measures it (GSM-7: 160/153, UCS-2: 70/67).
// The character sets come from the server (data-gsm on the textarea), so both sides share one definition.
"use strict";

window.smsSegments = {
  measure(body, basic, extended) {
    const chars = Array.from(body);
    if (chars.every((ch) => basic.includes(ch) || extended.includes(ch))) {
      const units = chars.reduce((n, ch) => n + (extended.includes(ch) ? 2 : 1), 0);
      return { encoding: "GSM-7", characters: units, segments: this.count(units, 160, 153) };
    }
    const units = body.length; // UTF-16 code units, as UCS-2 bills them
    return { encoding: "UCS-2", characters: units, segments: this.count(units, 70, 67) };
  },
  count(units, single, multi) {
    if (units <= single) return units ? 1 : 0;
    return Math.ceil(units / multi);
  },
};
