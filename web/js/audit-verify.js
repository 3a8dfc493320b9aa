// web/js/audit-verify.js — the audit log's proofs checked by the browser itself (docs/audit.md):
// the checkpoint's Ed25519 signature (a C2SP signed note) against the verifier key, the
// consistency of the log with the checkpoint this browser saw last time (RFC 9162 2.1.4.2), and
// the inclusion of recent entries (RFC 9162 2.1.3.2), hashing the entries' exact bytes. Only
// WebCrypto (crypto.subtle) and no DOM, so Node runs it too (tests/browser/audit-verify.test.mjs).
// The server is not trusted here: every hash compared is computed from what it sent.

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();
const SIG_PREFIX = '\u2014 '; // an em dash and a space start each signature line
const MAX_PROOF = 64;

export function b64decode(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4) throw new Error('not base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await subtle.digest('SHA-256', bytes));
}

// RFC 9162 2.1.1: a leaf is SHA-256(0x00 || entry), an inner node SHA-256(0x01 || left || right).
export function leafHash(entryBytes) {
  return sha256(concat(Uint8Array.of(0), entryBytes));
}
function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

// The leaf of an entry as the API gives it: `entry` is the canonical JSON as a JSON string,
// whose UTF-8 bytes are the logged bytes.
export function entryLeaf(entryText) {
  return leafHash(enc.encode(entryText));
}

// A verifier key "NAME+HEX8+BASE64(0x01 || 32-byte Ed25519 key)": {name, keyHash, pub}. The key
// hash must be the first 4 bytes of SHA-256(NAME || "\n" || 0x01 || key).
export async function parseVerifierKey(s) {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(s || '');
  if (!m) throw new Error('malformed verifier key');
  const raw = b64decode(m[3]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 verifier key');
  const keyHash = Uint8Array.from(m[2].match(/../g), (h) => parseInt(h, 16));
  const want = (await sha256(concat(enc.encode(`${m[1]}\n`), raw))).slice(0, 4);
  if (!equalBytes(want, keyHash)) throw new Error('the verifier key’s hash does not match its key');
  return { name: m[1], keyHash, pub: raw.slice(1) };
}

// A signed note: {text (the signed bytes: up to and with the newline before the last blank
// line), sigs: [{name, keyHash, sig}]}. Throws on anything but the exact form.
export function parseNote(note) {
  if (typeof note !== 'string' || !note.endsWith('\n')) throw new Error('a note ends with a newline');
  const blank = note.lastIndexOf('\n\n');
  if (blank < 0) throw new Error('no blank line between text and signatures');
  const text = note.slice(0, blank + 1);
  const sigs = note
    .slice(blank + 2, -1)
    .split('\n')
    .map((line) => {
      if (!line.startsWith(SIG_PREFIX)) throw new Error('a signature line starts with an em dash');
      const [name, b64, extra] = line.slice(SIG_PREFIX.length).split(' ');
      if (!name || !b64 || extra !== undefined) throw new Error('malformed signature line');
      const raw = b64decode(b64);
      if (raw.length <= 4) throw new Error('signature too short');
      return { name, keyHash: raw.slice(0, 4), sig: raw.slice(4) };
    });
  return { text, sigs };
}

// A checkpoint's text: origin, tree size, root (C2SP tlog-checkpoint).
export function parseCheckpoint(text) {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new Error('checkpoint: 3 lines expected');
  const [origin, sizeText, rootText] = lines;
  if (!origin || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new Error('checkpoint: bad origin or size');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new Error('checkpoint: size too large');
  const root = b64decode(rootText);
  if (root.length !== 32) throw new Error('checkpoint: a root of 32 bytes expected');
  return { origin, size, root };
}

// Verifies the note's signature by key (a verifier key string): resolves to the checkpoint
// {origin, size, root} when a signature of that key (same name and key hash) verifies over the
// note's text and the origin is the key's name; throws otherwise.
export async function verifyCheckpoint(note, key) {
  const k = await parseVerifierKey(key);
  const n = parseNote(note);
  const sig = n.sigs.find((s) => s.name === k.name && equalBytes(s.keyHash, k.keyHash));
  if (!sig) throw new Error('no signature by this key');
  if (sig.sig.length !== 64) throw new Error('not an Ed25519 signature');
  const pub = await subtle.importKey('raw', k.pub, { name: 'Ed25519' }, false, ['verify']);
  const ok = await subtle.verify({ name: 'Ed25519' }, pub, sig.sig, enc.encode(n.text));
  if (!ok) throw new Error('the signature does not verify');
  const c = parseCheckpoint(n.text);
  if (c.origin !== k.name) throw new Error('the checkpoint’s origin is not the key’s name');
  return c;
}

const odd = (x) => x % 2 === 1;
const half = (x) => Math.floor(x / 2);

// RFC 9162 2.1.3.2: whether proof (hashes) shows leaf at index in the tree of size with root.
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size)) || index < 0 || index >= size) return false;
  if (proof.length > MAX_PROOF) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

// RFC 9162 2.1.4.2: whether proof shows that the tree of size2 with root2 extends the tree of
// size1 with root1.
export async function verifyConsistency(size1, size2, root1, root2, proof) {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2)) || size1 < 0 || size1 > size2) return false;
  if (proof.length > MAX_PROOF) return false;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  if (size1 === 0) return proof.length === 0; // every tree extends the empty one
  if (proof.length === 0) return false;
  const path = isPow2(size1) ? [root1, ...proof] : proof; // RFC 9162: a full subtree is its root
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

function isPow2(n) {
  let x = n;
  while (x > 1) {
    if (odd(x)) return false;
    x = half(x);
  }
  return x === 1;
}

// ---- the checks of the dashboard ---------------------------------------------------------------

const STORE_PREFIX = 'sl_audit_checkpoint:';

// Runs the checks in order with get(path) -> {ok, status, data} (the API) and storage (a
// localStorage-like object) keeping the last verified checkpoint per log origin. Resolves to
// {checkpoint, checks: [{id, ok (true, false, or null: not run), ...details}]}; ids: signature,
// consistency, inclusion. A failure of the signature stops the rest (nothing else is worth
// checking against an unsigned root). The checkpoint is kept only when every check passed.
export async function runAuditChecks(get, storage, { entries = 3, scan = 50 } = {}) {
  const checks = [];
  const r = await get('/v1/audit/checkpoint');
  if (!r.ok) return { checkpoint: null, checks: [{ id: 'signature', ok: false, error: `HTTP ${r.status}` }] };
  let cp;
  try {
    cp = await verifyCheckpoint(r.data.note, r.data.key);
    checks.push({ id: 'signature', ok: true, size: cp.size, origin: cp.origin, key: r.data.key });
  } catch (e) {
    checks.push({ id: 'signature', ok: false, error: e.message });
    checks.push({ id: 'consistency', ok: null }, { id: 'inclusion', ok: null });
    return { checkpoint: null, checks };
  }

  // consistency with the checkpoint this browser verified last time
  const slot = STORE_PREFIX + cp.origin;
  let prev = null;
  try {
    prev = JSON.parse(storage.getItem(slot) || 'null');
  } catch {
    prev = null;
  }
  if (!prev || prev.key !== r.data.key) {
    checks.push({ id: 'consistency', ok: null, first: true });
  } else if (prev.size > cp.size) {
    checks.push({ id: 'consistency', ok: false, from: prev.size, to: cp.size, error: 'the log is smaller than before' });
  } else {
    const p = await get(`/v1/audit/proof/consistency?from=${prev.size}&to=${cp.size}`);
    let ok = false;
    let error;
    try {
      ok = p.ok && (await verifyConsistency(prev.size, cp.size, b64decode(prev.root), cp.root, p.data.proof.map(b64decode)));
      if (!ok) error = p.ok ? 'the proof does not verify' : `HTTP ${p.status}`;
    } catch (e) {
      error = e.message;
    }
    checks.push({ id: 'consistency', ok, from: prev.size, to: cp.size, error });
  }

  // inclusion of the last few entries the token may read, hashed here from their bytes
  const incl = { id: 'inclusion', ok: null, checked: 0, size: cp.size };
  if (cp.size > 0) {
    const from = Math.max(0, cp.size - scan);
    const e = await get(`/v1/audit/entries?from=${from}&to=${cp.size}`);
    const visible = e.ok ? e.data.entries.filter((x) => typeof x.entry === 'string').slice(-entries) : [];
    if (!e.ok) {
      incl.ok = false;
      incl.error = `HTTP ${e.status}`;
    }
    for (const x of visible) {
      const leaf = await entryLeaf(x.entry);
      const p = await get(`/v1/audit/proof/inclusion?index=${x.seq}&size=${cp.size}`);
      let ok = false;
      try {
        ok = p.ok && (await verifyInclusion(x.seq, cp.size, leaf, p.data.proof.map(b64decode), cp.root));
      } catch {
        ok = false;
      }
      incl.checked++;
      if (!ok) {
        incl.ok = false;
        incl.seq = x.seq;
        incl.error = 'the proof does not verify';
        break;
      }
      incl.ok = true;
      incl.last = x.seq;
    }
  }
  checks.push(incl);
  const cpOut = { origin: cp.origin, size: cp.size, root: b64encode(cp.root), key: r.data.key, note: r.data.note };
  if (checks.every((c) => c.ok !== false))
    storage.setItem(slot, JSON.stringify({ size: cp.size, root: cpOut.root, key: r.data.key }));
  return { checkpoint: cpOut, previous: prev, checks };
}
