// web/js/dom.js — the one way the pages build elements. Posts, comments and every string from
// the API are hostile: they enter the page as text nodes only (createTextNode), never as HTML.
// Nothing here touches innerHTML, outerHTML, insertAdjacentHTML or document.write.
//
//   el('p', {class: 'note', dataset: {rule: id}, onclick: fn}, 'text', child, [more])
//
// Attributes are set one by one; `on…` keys take functions (listeners), never strings; a URL
// attribute (href, src, action) must be a local path or http(s): a `javascript:` URL throws.

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'poster', 'cite']);
const FORBIDDEN = new Set(['innerHTML', 'outerHTML', 'srcdoc', 'style']);

// Whether u is a URL the pages may put in an attribute: a local path, a fragment, or http(s).
export function safeUrl(u) {
  const s = String(u).trim();
  if (s.startsWith('#')) return true;
  if (s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\')) return true;
  try {
    const p = new URL(s, location.origin);
    return (p.protocol === 'https:' || p.protocol === 'http:') && /^https?:\/\//i.test(s);
  } catch {
    return false;
  }
}

// Appends children: nodes as they are, anything else as a text node; arrays are flattened;
// null, undefined and false are skipped.
export function append(parent, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (FORBIDDEN.has(k)) throw new Error(`dom.js: attribute ${k} is not allowed`);
    if (k.startsWith('on')) {
      if (typeof v !== 'function') throw new Error(`dom.js: ${k} must be a function`);
      e.addEventListener(k.slice(2), v);
    } else if (k === 'dataset') {
      for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
    } else if (k === 'text') {
      e.textContent = String(v);
    } else {
      if (URL_ATTRS.has(k) && !safeUrl(v)) throw new Error(`dom.js: unsafe URL in ${k}`);
      e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  return append(e, ...children);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// Replaces node's children.
export function replace(node, ...children) {
  return append(clear(node), ...children);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}
