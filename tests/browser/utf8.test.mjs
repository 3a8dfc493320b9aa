// web/js/utf8.js under Node: UTF-8 byte offsets (as the API gives them) to string indices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexMap, byteLength } from '../../web/js/utf8.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

// For every code point boundary: the byte offset maps to the string index of the same place.
function checkAll(s) {
  const at = indexMap(s);
  let u = 0;
  for (const ch of s) {
    const b = enc.encode(s.slice(0, u)).length;
    assert.equal(at(b), u, `byte ${b} of ${JSON.stringify(s)}`);
    u += ch.length;
  }
  assert.equal(at(byteLength(s)), s.length);
}

test('Vietnamese, precomposed and combining', () => {
  checkAll('Chào các bạn, tôi là người Việt');
  checkAll('Tie\u0302\u0301ng Vie\u0323\u0302t'); // combining marks
});

test('emoji: surrogate pairs, ZWJ sequences, flags, skin tones', () => {
  checkAll('a😀b👨‍👩‍👧c🇻🇳d👍🏽e');
});

test('a span cut by bytes is the same text as cut by indices', () => {
  const s = 'Chào 👨‍👩‍👧 cả nhà 🙂, mày là đồ ngu, gọi 0912345678 nhé';
  const bytes = enc.encode(s);
  const word = 'đồ ngu';
  const start = bytes.length - enc.encode(s.slice(s.indexOf(word))).length;
  const end = start + enc.encode(word).length;
  const at = indexMap(s);
  assert.equal(s.slice(at(start), at(end)), word);
  assert.equal(dec.decode(bytes.slice(start, end)), word);
});

test('offsets inside a character, before 0 and past the end', () => {
  const s = 'ế😀';
  const at = indexMap(s);
  assert.equal(at(1), 0); // inside ế (3 bytes)
  assert.equal(at(3), 1);
  assert.equal(at(5), 1); // inside 😀 (4 bytes)
  assert.equal(at(7), 3);
  assert.equal(at(99), 3);
  assert.equal(at(-4), 0);
  assert.equal(at(NaN), 0);
});
