// web/js/audit-verify.js under Node (its WebCrypto) against what the real server signs and
// proves: the checkpoint's signature, every inclusion and consistency proof of a small log, the
// dashboard's run of the checks (first visit, next visit, a forged remembered root), and
// tampered proofs, roots, entries, notes and signatures, which must all fail.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { url, tokens, apiCall } from './lib.mjs';
import {
  b64decode,
  b64encode,
  entryLeaf,
  parseNote,
  parseVerifierKey,
  runAuditChecks,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '../../web/js/audit-verify.js';

const get = async (path, token = tokens.admin) => {
  const r = await apiCall('GET', path, token);
  return { ok: r.status === 200, status: r.status, data: r.data };
};

class MemoryStorage {
  constructor() {
    this.m = new Map();
  }
  getItem(k) {
    return this.m.has(k) ? this.m.get(k) : null;
  }
  setItem(k, v) {
    this.m.set(k, String(v));
  }
}

let n = 0;
async function ingest(k) {
  const items = Array.from({ length: k }, () => ({
    id: `av-${Date.now()}-${n++}`,
    channel: 'audit-test',
    kind: 'comment',
    author: 'Người viết',
    text: n % 2 ? 'Cảm ơn sở đã trả lời “nhanh” 🙂' : 'mày là đồ ngu',
  }));
  const r = await apiCall('POST', '/v1/items', tokens.integration, { items });
  assert.equal(r.status, 200, JSON.stringify(r.data));
}

async function checkpoint() {
  const r = await get('/v1/audit/checkpoint', tokens.auditor);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  return r.data;
}

function flip(b64, at = 0) {
  const b = b64decode(b64);
  b[at] ^= 1;
  return b64encode(b);
}

before(async () => {
  await ingest(5);
});

test('the checkpoint note: its Ed25519 signature verifies against the server’s key', async () => {
  const cp = await checkpoint();
  const c = await verifyCheckpoint(cp.note, cp.key);
  assert.equal(c.size, cp.size);
  assert.equal(c.origin, cp.origin);
  assert.equal(b64encode(c.root), cp.root);
  const k = await parseVerifierKey(cp.key);
  assert.equal(k.name, cp.origin);
  assert.equal(k.pub.length, 32);
  assert.equal(parseNote(cp.note).sigs.length, 1);
});

test('a tampered signature, note or key fails', async () => {
  const cp = await checkpoint();
  const n = parseNote(cp.note);
  const line = cp.note.slice(n.text.length + 1, -1); // "— NAME BASE64"
  const b64 = line.slice(line.lastIndexOf(' ') + 1);
  for (const at of [4, 20, 67]) {
    const bad = cp.note.replace(b64, flip(b64, at));
    await assert.rejects(verifyCheckpoint(bad, cp.key), /does not verify/, `signature byte ${at}`);
  }
  // the key hash of the signature changed: not a signature by this key
  await assert.rejects(verifyCheckpoint(cp.note.replace(b64, flip(b64, 0)), cp.key), /no signature by this key/);
  // the text changed: another size, another root
  const lines = cp.note.split('\n');
  const bigger = [lines[0], String(cp.size + 1), ...lines.slice(2)].join('\n');
  await assert.rejects(verifyCheckpoint(bigger, cp.key), /does not verify/);
  const otherRoot = [lines[0], lines[1], flip(lines[2], 31), ...lines.slice(3)].join('\n');
  await assert.rejects(verifyCheckpoint(otherRoot, cp.key), /does not verify/);
  // another key of the same name: its hash does not match, or the signature fails
  const [, name, hash, key] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(cp.key); // base64 may hold '+'
  await assert.rejects(verifyCheckpoint(cp.note, `${name}+${hash}+${flip(key, 5)}`), /hash does not match/);
  await assert.rejects(verifyCheckpoint(cp.note.replace('\n\n', '\n'), cp.key));
});

test('every inclusion proof of the log verifies against the signed root; tampered ones fail', async () => {
  const cp = await checkpoint();
  const c = await verifyCheckpoint(cp.note, cp.key);
  const e = await get(`/v1/audit/entries?from=0&to=${c.size}`);
  assert.equal(e.status, 200);
  assert.equal(e.data.entries.length, c.size);
  let tampered = 0;
  for (const x of e.data.entries) {
    // the admin sees every entry: the leaf is hashed here from the entry's bytes
    const leaf = await entryLeaf(x.entry);
    assert.equal(b64encode(leaf), x.leaf, `leaf of entry ${x.seq}`);
    const p = await get(`/v1/audit/proof/inclusion?index=${x.seq}&size=${c.size}`);
    assert.equal(p.status, 200);
    const proof = p.data.proof.map(b64decode);
    assert.equal(await verifyInclusion(x.seq, c.size, leaf, proof, c.root), true, `inclusion of ${x.seq}`);
    // a changed entry, a changed hash of the path, another index: all fail
    assert.equal(await verifyInclusion(x.seq, c.size, await entryLeaf(x.entry.replace('"seq"', '"seq" ')), proof, c.root), false);
    for (let i = 0; i < proof.length; i++) {
      const bad = proof.map((h) => h.slice());
      bad[i][7] ^= 0x80;
      assert.equal(await verifyInclusion(x.seq, c.size, leaf, bad, c.root), false, `tampered hash ${i} of ${x.seq}`);
      tampered++;
    }
    if (c.size > 1)
      assert.equal(await verifyInclusion((x.seq + 1) % c.size, c.size, leaf, proof, c.root), false, `index ${x.seq} moved`);
    assert.equal(await verifyInclusion(x.seq, c.size, leaf, proof.slice(0, -1), c.root), proof.length === 0);
  }
  assert.ok(tampered > 0);
});

test('every consistency proof between sizes verifies; tampered ones fail', async () => {
  await ingest(3);
  const cp = await checkpoint();
  const c = await verifyCheckpoint(cp.note, cp.key);
  const size = c.size;
  let tampered = 0;
  for (let m = 1; m <= size; m++) {
    const p = await get(`/v1/audit/proof/consistency?from=${m}&to=${size}`);
    assert.equal(p.status, 200);
    const r1 = b64decode(p.data.root_from);
    const proof = p.data.proof.map(b64decode);
    assert.equal(p.data.root_to, cp.root, 'the proof is to the signed root');
    assert.equal(await verifyConsistency(m, size, r1, c.root, proof), true, `consistency ${m} -> ${size}`);
    // the old root forged, the new root forged, a hash of the proof changed
    const r1bad = r1.slice();
    r1bad[0] ^= 1;
    assert.equal(await verifyConsistency(m, size, r1bad, c.root, proof), false, `forged old root ${m}`);
    const r2bad = c.root.slice();
    r2bad[31] ^= 1;
    assert.equal(await verifyConsistency(m, size, r1, r2bad, proof), false, `forged new root ${m}`);
    for (let i = 0; i < proof.length; i++) {
      const bad = proof.map((h) => h.slice());
      bad[i][0] ^= 1;
      assert.equal(await verifyConsistency(m, size, r1, c.root, bad), false, `tampered hash ${i} of ${m}`);
      tampered++;
    }
  }
  assert.ok(tampered > 0);
  assert.equal(await verifyConsistency(size, size - 1, c.root, c.root, []), false, 'a smaller log');
});

test('the dashboard’s checks: first visit, next visit, a forged remembered checkpoint', async () => {
  const storage = new MemoryStorage();
  const aud = (p) => get(p, tokens.auditor);
  const first = await runAuditChecks(aud, storage);
  assert.deepEqual(
    first.checks.map((c) => [c.id, c.ok]),
    [
      ['signature', true],
      ['consistency', null],
      ['inclusion', true],
    ],
  );
  assert.ok(first.checks[2].checked >= 1, 'entries of the auditor’s org were checked');
  const kept = JSON.parse(storage.getItem(`sl_audit_checkpoint:${first.checkpoint.origin}`));
  assert.equal(kept.size, first.checkpoint.size);

  await ingest(2);
  const next = await runAuditChecks(aud, storage);
  assert.deepEqual(
    next.checks.map((c) => [c.id, c.ok]),
    [
      ['signature', true],
      ['consistency', true],
      ['inclusion', true],
    ],
  );
  assert.ok(next.checkpoint.size > first.checkpoint.size);
  assert.equal(next.checks[1].from, first.checkpoint.size);

  // the browser remembers a root the log never had (a fork): consistency fails, and the bad
  // memory is kept (not replaced by the new checkpoint)
  const slot = `sl_audit_checkpoint:${next.checkpoint.origin}`;
  const forged = { ...JSON.parse(storage.getItem(slot)), root: flip(next.checkpoint.root, 3) };
  forged.size = Math.max(1, forged.size - 1);
  storage.setItem(slot, JSON.stringify(forged));
  await ingest(1);
  const forked = await runAuditChecks(aud, storage);
  assert.equal(forked.checks[0].ok, true);
  assert.equal(forked.checks[1].ok, false);
  assert.deepEqual(JSON.parse(storage.getItem(slot)), forged);

  // a server whose proofs are tampered with: the inclusion check fails
  const liar = async (p) => {
    const r = await aud(p);
    if (p.startsWith('/v1/audit/proof/inclusion') && r.data.proof.length) r.data.proof[0] = flip(r.data.proof[0], 9);
    return r;
  };
  const lied = await runAuditChecks(liar, new MemoryStorage());
  assert.equal(lied.checks[2].ok, false);
  // and one whose signature is: nothing else is checked
  const forger = async (p) => {
    const r = await aud(p);
    if (p === '/v1/audit/checkpoint') {
      const b64 = r.data.note.trim().split(' ').pop();
      r.data.note = r.data.note.replace(b64, flip(b64, 30));
    }
    return r;
  };
  const forgedSig = await runAuditChecks(forger, new MemoryStorage());
  assert.deepEqual(
    forgedSig.checks.map((c) => [c.id, c.ok]),
    [
      ['signature', false],
      ['consistency', null],
      ['inclusion', null],
    ],
  );
  assert.equal(url.startsWith('http://127.0.0.1:'), true);
});
