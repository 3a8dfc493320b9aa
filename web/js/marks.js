// web/js/marks.js — a post's text with the verdict's flagged spans as <mark data-rule> (the
// draft checker and the reviewer's queue). The API's offsets are UTF-8 bytes (utf8.js maps
// them). Hits may overlap: the text is cut at every span's start and end, and each piece covered
// by hits is one mark naming the strongest of them (weight x score), every clause in its title.
// Masked spans (the reviewer's page: personal data the server hid) show masked(span) once, at
// their start, instead of their text. The text enters the page as text nodes only (dom.js).
import { el } from './dom.js';
import { indexMap } from './utf8.js';

export function highlight(text, hits, masks = [], masked = () => null) {
  const at = indexMap(text);
  const spans = hits
    .filter((h) => Number.isInteger(h.start) && Number.isInteger(h.end) && h.end > h.start)
    .map((h) => ({ hit: h, from: at(h.start), to: at(h.end) }))
    .filter((s) => s.to > s.from);
  const hidden = masks.map((m) => ({ mask: m, from: at(m.start), to: at(m.end) })).filter((s) => s.to > s.from);
  const cuts = new Set([0, text.length]);
  for (const s of [...spans, ...hidden]) cuts.add(s.from).add(s.to);
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i];
    const to = points[i + 1];
    const m = hidden.find((s) => s.from <= from && s.to >= to);
    const piece = m ? (m.from === from ? masked(m.mask) : null) : text.slice(from, to);
    if (piece === null) continue;
    const over = spans.filter((s) => s.from <= from && s.to >= to);
    if (!over.length) {
      out.push(piece);
      continue;
    }
    const top = over.reduce((a, b) =>
      b.hit.weight * b.hit.score > a.hit.weight * a.hit.score ? b : a,
    ).hit;
    const title = over.map((s) => s.hit.cite || s.hit.rule).join('\n');
    out.push(el('mark', { dataset: { rule: top.rule, category: top.category }, title }, piece));
  }
  return out;
}
