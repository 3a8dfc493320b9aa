// web/js/utf8.js — the API's offsets are UTF-8 byte offsets into the text as sent; a JS string
// is indexed in UTF-16 code units. indexMap(s) gives the function from one to the other.
// Pure (no DOM): tests/browser/utf8.test.mjs runs it under Node.

const enc = new TextEncoder();

// The UTF-8 length of one code point as TextEncoder writes it (a lone surrogate: U+FFFD, 3).
function utf8Len(cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

// A function byte offset -> string index for s. An offset inside a character maps to that
// character's start; an offset past the end maps to s.length.
export function indexMap(s) {
  const bytes = [0]; // bytes[i]: the byte offset where the i-th code point starts
  const units = [0]; // units[i]: its UTF-16 index
  let b = 0;
  let u = 0;
  for (const ch of s) {
    b += utf8Len(ch.codePointAt(0));
    u += ch.length;
    bytes.push(b);
    units.push(u);
  }
  if (b !== enc.encode(s).length) throw new Error('utf8.js: byte count differs from TextEncoder');
  return (off) => {
    if (!(off > 0)) return 0;
    if (off >= b) return s.length;
    let lo = 0;
    let hi = bytes.length - 1; // largest i with bytes[i] <= off
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bytes[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return units[lo];
  };
}

// The UTF-8 length of s.
export function byteLength(s) {
  return enc.encode(s).length;
}
