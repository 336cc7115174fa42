/* Storefront search: loaded by site.js when a search box gets focus or /search/ opens. It reads the
   static index that `storefront build` writes under /search/ (SearchIndex.swift). Plain ES2020. */
(() => {
'use strict';
if (window.storefrontSearch) return;
const d = document, $ = (s, r = d) => r.querySelector(s), $$ = (s, r = d) => Array.from(r.querySelectorAll(s));
const BASE = ($('meta[name="base-path"]')?.content || '').replace(/\/+$/, '');
const ROOT = `${BASE}/search/`, PAGE = 24, SUGGEST = 8;
// The element builder (text nodes only, never innerHTML) and the UI strings of site.js, which loads this.
const { el, t } = window.storefrontUI;
// Field bits of a posting (SearchIndex.Field) and their weight in the score.
const WEIGHT = [[1, 100], [2, 40], [4, 30], [8, 20], [16, 10], [32, 5]];
const weight = mask => { for (const [bit, w] of WEIGHT) if (mask & bit) return w; return 1; };

// ---- Terms: the rules of SearchTokenizer.swift ----
const isHan = c => (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF)
  || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F);
const WORD = /[\p{L}\p{M}\p{N}]/u;
const lower = s => Array.from(s.normalize('NFKC'), c => c.toLowerCase()).join('');
// Query words: {term, han} where a Han/Kana run gives its pairs (or its one character).
function tokenize(text) {
  const out = [];
  let word = [], han = [];
  const flushWord = () => { if (word.length) out.push({ term: word.slice(0, 40).join(''), han: false }); word = []; };
  const flushHan = () => {
    if (han.length === 1) out.push({ term: han[0], han: true, single: true });
    for (let i = 0; i + 1 < han.length; i++) out.push({ term: han[i] + han[i + 1], han: true });
    han = [];
  };
  for (const c of lower(text.slice(0, 200))) {
    if (isHan(c.codePointAt(0))) { flushWord(); han.push(c); } else if (WORD.test(c)) { flushHan(); word.push(c); } else { flushWord(); flushHan(); }
  }
  flushWord(); flushHan();
  return out.slice(0, 12);
}
// UTF-8 order, as the index sorts terms: compare code points, not UTF-16 units.
const cmp = (a, b) => {
  for (let i = 0, j = 0; ; ) {
    if (i >= a.length || j >= b.length) return (a.length - i) - (b.length - j);
    const x = a.codePointAt(i), y = b.codePointAt(j);
    if (x !== y) return x - y;
    i += x > 0xFFFF ? 2 : 1; j += y > 0xFFFF ? 2 : 1;
  }
};
// Typos allowed in a word of n characters (Algolia's defaults): 1 from 4, 2 from 8.
const typos = n => (n >= 8 ? 2 : n >= 4 ? 1 : 0);
// Optimal string alignment distance (a swap of neighbours is one typo), or max + 1 once over `max`.
function distance(a, b, max) {
  a = Array.from(a); b = Array.from(b);
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2 = null, prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev2 = prev; prev = row;
  }
  return prev[b.length];
}

// ---- The index: manifest, term shards (binary), document and column shards (JSON) ----
let manifest = null;
const cache = new Map();
const load = (name, kind) => {
  if (!cache.has(name)) {
    // Term shards are gzip-compressed (a CDN sends .bin files as they are): the browser inflates them.
    const p = fetch(ROOT + 'x/' + name).then(r => {
      if (!r.ok) throw new Error(r.status);
      return kind === 'bin' ? new Response(r.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer() : r.json();
    })
      .then(v => (kind === 'bin' ? decodeTerms(v) : v));
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return cache.get(name);
};
const getManifest = () => {
  if (!manifest) {
    manifest = fetch(ROOT + 'manifest.json', { cache: 'no-cache' }).then(r => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(m => { if (m.format !== 2) throw new Error('format'); return m; });
    manifest.catch(() => { manifest = null; });
  }
  return manifest;
};
// Inflated: `SFT1`, then varints: term count; per term its UTF-8 length and bytes, its postings count, and
// each posting as a document gap and a field-mask byte. Postings are decoded when a term is used.
function decodeTerms(buffer) {
  const b = new Uint8Array(buffer), td = new TextDecoder();
  if (b[0] !== 0x53 || b[1] !== 0x46 || b[2] !== 0x54 || b[3] !== 0x31) throw new Error('format');
  let p = 4;
  const vi = () => { let v = 0, s = 1, x; do { x = b[p++]; v += (x & 0x7F) * s; s *= 128; } while (x & 0x80); return v; };
  const n = vi(), terms = new Map();
  for (let i = 0; i < n; i++) {
    const len = vi(), term = td.decode(b.subarray(p, p + len));
    p += len;
    const count = vi(), start = p;
    for (let j = 0; j < count; j++) { while (b[p++] & 0x80); p++; }
    terms.set(term, { start, count });
  }
  const postings = term => {
    const e = terms.get(term);
    if (!e) return [];
    if (e.list) return e.list;
    p = e.start;
    const list = new Array(e.count);
    for (let j = 0, doc = 0; j < e.count; j++) { doc += vi(); list[j] = [doc, b[p++]]; }
    return (e.list = list);
  };
  return { terms: [...terms.keys()], postings };
}
// The shard whose range holds `term`: the last whose first term is not after it.
const shardOf = (m, term) => {
  let lo = 0, hi = m.terms.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (cmp(m.terms[mid][0], term) <= 0) lo = mid; else hi = mid - 1; }
  return lo;
};
// The shards holding terms that start with `prefix` (at most 3).
const shardsFrom = (m, prefix) => {
  const first = shardOf(m, prefix), out = [first];
  for (let i = first + 1; i < m.terms.length && out.length < 3 && m.terms[i][0].startsWith(prefix); i++) out.push(i);
  return out;
};

// The vocabulary file of the words that start with `term`'s first character, or undefined.
const vocabularyOf = (m, term) => m.vocabulary?.[Array.from(term)[0]];

// ---- Matching: each query word must match (exact, prefix or a typo); the score adds up ----
async function expand(m, word, isLast) {
  if (!m.terms.length) return { scores: new Map(), terms: [] }; // a shop with no products
  const shards = await Promise.all(shardsFrom(m, word.term).map(i => load(m.terms[i][1], 'bin')));
  const found = new Map(); // term -> quality
  const n = Array.from(word.term).length, allowed = word.han ? 0 : typos(n);
  const near = term => {
    if (term === word.term) return 1;
    if (!word.han && term.startsWith(word.term) && (isLast || n >= 3)) return 0.7;
    if (allowed && term[0] === word.term[0]) {
      const k = distance(word.term, term, allowed);
      if (k <= allowed) return k === 1 ? 0.5 : 0.3;
    }
    return 0;
  };
  const from = new Map(); // term -> the shard holding it
  for (const s of shards) for (const term of s.terms) { const q = near(term); if (q) { found.set(term, Math.max(found.get(term) || 0, q)); from.set(term, s); } }
  // A misspelt word: its candidates can sit in other shards. The words that start with its first
  // letter are listed in one small file; the shards of the close ones are loaded.
  const words = !found.has(word.term) && allowed && vocabularyOf(m, word.term);
  if (words) {
    const list = await load(words, 'json');
    const close = list.filter(term => !found.has(term) && near(term) > 0 && near(term) < 0.7);
    await Promise.all(close.map(async term => {
      const s = await load(m.terms[shardOf(m, term)][1], 'bin');
      found.set(term, near(term));
      from.set(term, s);
    }));
  }
  const scores = new Map();
  for (const [term, quality] of found) {
    for (const [doc, mask] of from.get(term).postings(term)) {
      const v = weight(mask) * quality;
      if (v > (scores.get(doc) || 0)) scores.set(doc, v);
    }
  }
  return { scores, terms: [...found.keys()] };
}

async function match(m, words) {
  const expanded = await Promise.all(words.map((w, i) => expand(m, w, i === words.length - 1)));
  expanded.sort((a, b) => a.scores.size - b.scores.size);
  let total = expanded.length ? new Map(expanded[0].scores) : new Map();
  for (const e of expanded.slice(1)) {
    const next = new Map();
    for (const [doc, v] of total) { const w = e.scores.get(doc); if (w) next.set(doc, v + w); }
    total = next;
  }
  return { total, terms: expanded.flatMap(e => e.terms) };
}

// Column shards for the matched documents: [price, in stock, brand, [categories], [tags], day added].
async function columns(m, docs) {
  const need = new Set(docs.map(doc => Math.floor(doc / m.columnShardSize)));
  const shards = new Map(await Promise.all([...need].map(async i => [i, await load(m.columnShards[i], 'json')])));
  return doc => {
    const s = shards.get(Math.floor(doc / m.columnShardSize)), row = s.docs[doc % m.columnShardSize];
    return { price: row[0], stock: row[1] === 1, brand: row[2] >= 0 ? s.brands[row[2]] : null, categories: row[3], tags: row[4], day: row[5] ?? null };
  };
}
const documents = async (m, docs) => {
  const out = new Map();
  await Promise.all([...new Set(docs.map(doc => Math.floor(doc / m.documentShardSize)))].map(async i => {
    const shard = await load(m.documentShards[i], 'json');
    shard.forEach((row, k) => out.set(i * m.documentShardSize + k, row));
  }));
  return out;
};

// ---- The search: query + filters -> ranked page, facet counts ----
const FILTERS = ['category', 'tag', 'brand'];
async function search(state) {
  const m = await getManifest();
  const words = tokenize(state.q);
  if (!words.length) return { m, words, hits: [], total: 0, facets: null, terms: [] };
  const { total, terms } = await match(m, words);
  const docs = [...total.keys()];
  const col = await columns(m, docs);
  const pass = (doc, skip) => {
    const c = col(doc);
    if (skip !== 'category' && state.category && !c.categories.some(i => m.categories[i]?.[0] === state.category)) return false;
    if (skip !== 'tag' && state.tag && !c.tags.some(i => m.tags[i]?.[0] === state.tag)) return false;
    if (skip !== 'brand' && state.brand && c.brand !== state.brand) return false;
    if (skip !== 'stock' && state.stock && !c.stock) return false;
    if (state.min != null && c.price < state.min) return false;
    if (state.max != null && c.price > state.max) return false;
    return true;
  };
  // Each facet counts the documents that pass every other active filter.
  const facets = { category: new Map(), tag: new Map(), brand: new Map(), stock: 0 };
  for (const doc of docs) {
    const c = col(doc);
    if (pass(doc, 'category')) for (const i of new Set(c.categories)) { const n = m.categories[i]?.[0]; if (n) facets.category.set(n, (facets.category.get(n) || 0) + 1); }
    if (pass(doc, 'tag')) for (const i of new Set(c.tags)) { const n = m.tags[i]?.[0]; if (n) facets.tag.set(n, (facets.tag.get(n) || 0) + 1); }
    if (c.brand && pass(doc, 'brand')) facets.brand.set(c.brand, (facets.brand.get(c.brand) || 0) + 1);
    if (c.stock && pass(doc, 'stock')) facets.stock++;
  }
  let hits = docs.filter(doc => pass(doc));
  const by = {
    'price-asc': (a, b) => col(a).price - col(b).price || a - b,
    'price-desc': (a, b) => col(b).price - col(a).price || a - b,
    // The latest day added first; products without a day after every dated one.
    newest: (a, b) => (col(b).day ?? -Infinity) - (col(a).day ?? -Infinity) || a - b,
    relevance: (a, b) => total.get(b) - total.get(a) || a - b,
  };
  hits.sort(by[state.sort] || by.relevance);
  const count = hits.length;
  const start = (state.page - 1) * PAGE;
  let page = hits.slice(start, start + PAGE);
  const rows = await documents(m, page);
  // An exact title match goes first on its page.
  if (!by[state.sort] || state.sort === 'relevance') {
    const q = lower(state.q).trim();
    page = page.map((doc, i) => [doc, lower(rows.get(doc)?.[0] || '') === q ? -1 : i]).sort((a, b) => a[1] - b[1]).map(x => x[0]);
  }
  return { m, words, hits: page.map(doc => ({ doc, row: rows.get(doc), stock: col(doc).stock })), total: count, facets, terms };
}

// Close terms or categories for an empty result: the words of the vocabulary file for each query
// word's first letter, nearest first (up to three typos).
async function suggestions(m, words) {
  const out = [];
  for (const w of words) {
    const file = !w.han && vocabularyOf(m, w.term);
    if (!file) continue;
    const best = [];
    for (const term of await load(file, 'json')) {
      const k = distance(w.term, term, 3);
      if (k <= 3 && term !== w.term) best.push([k, term]);
    }
    best.sort((a, b) => a[0] - b[0] || cmp(a[1], b[1]));
    out.push(...best.slice(0, 3).map(x => x[1]));
  }
  const q = lower(words.map(w => w.term).join(''));
  for (const [name] of m.categories) if (q && (lower(name).includes(q) || q.includes(lower(name)))) out.push(name);
  return [...new Set(out)].slice(0, 6);
}

// ---- Drawing ----
// The title with each matched term marked (`<mark>`), where lowercasing keeps the length.
function highlight(title, terms) {
  const low = title.toLowerCase();
  if (low.length !== title.length || !terms.length) return [title];
  const marked = new Array(title.length).fill(false);
  for (const term of terms) {
    if (!term) continue;
    for (let i = low.indexOf(term); i >= 0; i = low.indexOf(term, i + 1)) marked.fill(true, i, i + term.length);
  }
  const out = [];
  for (let i = 0; i < title.length; ) {
    let j = i;
    while (j < title.length && marked[j] === marked[i]) j++;
    out.push(marked[i] ? el('mark', {}, title.slice(i, j)) : title.slice(i, j));
    i = j;
  }
  return out;
}
const card = (hit, terms) => {
  const [title, url, price, image] = hit.row || ['', '#', '', null];
  return el('li', { class: 'card' },
    el('a', { class: 'card-link', href: url },
      image ? el('img', { src: image, alt: '', loading: 'lazy', decoding: 'async', width: 320, height: 320 }) : el('div', { class: 'card-image no-image' }),
      el('h3', { class: 'card-title' }, ...highlight(title, terms)),
      el('p', { class: 'price' }, price),
      el('p', { class: hit.stock ? 'availability is-in' : 'availability is-out' }, hit.stock ? t('inStock') : t('soldOut'))));
};

// ---- The URL is the state: /search/?q=&category=&tag=&brand=&stock=1&min=&max=&sort=&page= ----
const money = () => $('meta[name="currency"]')?.dataset || {};
const minor = text => {
  if (text === null || text === '' || !/^\d+(\.\d+)?$/.test(text)) return null;
  const exp = parseInt(money().exponent, 10) || 0, [whole, frac = ''] = text.split('.');
  return parseInt(whole, 10) * 10 ** exp + parseInt((frac + '0'.repeat(exp)).slice(0, exp) || '0', 10);
};
const read = () => {
  const p = new URLSearchParams(location.search);
  const page = parseInt(p.get('page'), 10);
  return {
    q: (p.get('q') || '').slice(0, 200), category: p.get('category') || '', tag: p.get('tag') || '', brand: p.get('brand') || '',
    stock: p.get('stock') === '1', min: minor(p.get('min')), max: minor(p.get('max')), minText: p.get('min') || '', maxText: p.get('max') || '',
    sort: ['price-asc', 'price-desc', 'newest'].includes(p.get('sort')) ? p.get('sort') : 'relevance', page: page > 0 && page < 10000 ? page : 1,
  };
};
const urlOf = s => {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const k of FILTERS) if (s[k]) p.set(k, s[k]);
  if (s.stock) p.set('stock', '1');
  if (s.minText) p.set('min', s.minText);
  if (s.maxText) p.set('max', s.maxText);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  const q = p.toString();
  return ROOT + (q ? '?' + q : '');
};

// ---- The search page ----
const app = $('[data-search-app]');
let latest = 0;
async function run(focusResults) {
  const state = read(), seq = ++latest;
  const status = $('[data-search-status]', app), list = $('[data-search-results]', app), facetsBox = $('[data-search-facets]', app), pager = $('[data-search-pager]', app);
  $('[data-search-query]', app).value = state.q;
  $('[data-search-sort]', app).value = state.sort;
  $('[data-search-min]', app).value = state.minText;
  $('[data-search-max]', app).value = state.maxText;
  $('[data-search-stock]', app).checked = state.stock;
  $$('[data-search-fallback]', app).forEach(x => { x.hidden = true; });
  let result;
  try {
    result = await search(state);
  } catch (e) {
    if (seq !== latest) return;
    list.replaceChildren(); facetsBox.replaceChildren(); pager.replaceChildren();
    status.textContent = t('searchUnavailable');
    $$('[data-search-fallback]', app).forEach(x => { x.hidden = false; });
    return;
  }
  if (seq !== latest) return; // a later search has started: only the latest answer is shown
  const { hits, total, facets, terms, m, words } = result;
  list.replaceChildren(...hits.map(h => card(h, terms)));
  if (!words.length) status.textContent = t('searchPrompt');
  else if (!total) {
    status.textContent = t('searchNoResults', { q: state.q });
    const close = await suggestions(m, words).catch(() => []);
    if (seq !== latest) return;
    if (close.length) list.replaceChildren(el('li', { class: 'search-suggest' }, t('searchTry') + ' ', ...close.flatMap((s, i) => [i ? ', ' : '', el('a', { href: urlOf({ ...read(), q: s, page: 1, category: '' }) }, s)])));
  } else status.textContent = t('searchResults', { count: total });
  facetsBox.replaceChildren();
  if (facets) {
    const group = (key, label, counts) => {
      if (!counts.size && !state[key]) return null;
      const top = [...counts].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).slice(0, 12);
      if (state[key] && !counts.has(state[key])) top.unshift([state[key], 0]);
      return el('fieldset', { class: 'facet' }, el('legend', {}, label),
        ...top.map(([name, n]) => el('label', {}, el('input', { type: 'checkbox', checked: state[key] === name, 'data-facet': key, value: name }), ` ${name} (${n})`)));
    };
    facetsBox.append(...[group('category', t('categories'), facets.category), group('tag', t('tags'), facets.tag), group('brand', t('brand'), facets.brand)].filter(Boolean));
    facetsBox.append(el('label', { class: 'facet-stock' }, el('input', { type: 'checkbox', checked: state.stock, 'data-facet': 'stock' }), ` ${t('inStockOnly')} (${facets.stock})`));
  }
  const pages = Math.ceil(total / PAGE);
  pager.replaceChildren();
  if (pages > 1) {
    if (state.page > 1) pager.append(el('a', { href: urlOf({ ...state, page: state.page - 1 }), rel: 'prev' }, t('previous')));
    pager.append(el('span', {}, t('pageOf', { page: state.page, pages })));
    if (state.page < pages) pager.append(el('a', { href: urlOf({ ...state, page: state.page + 1 }), rel: 'next' }, t('next')));
  }
  if (focusResults) $('[data-search-status]', app).focus();
}
function go(change, focusResults) {
  const next = { ...read(), ...change };
  history.pushState(null, '', urlOf(next));
  run(focusResults);
}
if (app) {
  app.hidden = false;
  $$('[data-search-noscript]').forEach(x => { x.hidden = true; });
  $('[data-search-form]', app).addEventListener('submit', e => {
    e.preventDefault();
    const f = e.target;
    go({ q: $('[data-search-query]', f).value.trim(), minText: $('[data-search-min]', app).value.trim(), maxText: $('[data-search-max]', app).value.trim(), page: 1 }, true);
  });
  $('[data-search-sort]', app).addEventListener('change', e => go({ sort: e.target.value, page: 1 }));
  $('[data-search-stock]', app).addEventListener('change', e => go({ stock: e.target.checked, page: 1 }));
  app.addEventListener('change', e => {
    const key = e.target.dataset?.facet;
    if (!key || key === 'stock' && e.target.matches('[data-search-stock]')) return;
    go(key === 'stock' ? { stock: e.target.checked, page: 1 } : { [key]: e.target.checked ? e.target.value : '', page: 1 });
  });
  app.addEventListener('click', e => {
    const a = e.target.closest('[data-search-pager] a, .search-suggest a');
    if (!a) return;
    e.preventDefault();
    history.pushState(null, '', a.href);
    run(true);
  });
  addEventListener('popstate', () => run(false));
  run(false);
}

// ---- The header box: suggestions as you type, arrow keys to move, Enter to search ----
function attach(input) {
  if (input.dataset.searchReady) return;
  input.dataset.searchReady = '1';
  const box = input.closest('form').querySelector('[data-search-suggestions]');
  if (!box) return;
  let seq = 0, active = -1, timer;
  const options = () => $$('[role="option"]', box);
  const close = () => { box.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const move = i => {
    const o = options();
    if (!o.length) return;
    active = (i + o.length) % o.length;
    o.forEach((x, k) => x.setAttribute('aria-selected', String(k === active)));
    input.setAttribute('aria-activedescendant', o[active].id);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq, q = input.value.trim();
      if (!q) return close();
      let r;
      try { r = await search({ q, category: '', tag: '', brand: '', stock: false, min: null, max: null, sort: 'relevance', page: 1 }); } catch (e) { return close(); }
      if (mine !== seq) return; // typed on: only the latest answer is shown
      const hits = r.hits.slice(0, SUGGEST);
      box.replaceChildren(...hits.map((h, k) => el('li', { role: 'option', id: `${input.id}-s${k}`, 'aria-selected': 'false' }, el('a', { href: h.row?.[1] || '#', tabindex: '-1' }, ...highlight(h.row?.[0] || '', r.terms)))));
      box.hidden = !hits.length;
      box.dataset.query = q; // what the list answers (a test waits for it before using the keys)
      input.setAttribute('aria-expanded', String(!!hits.length));
      active = -1;
    }, 120);
  });
  input.addEventListener('keydown', e => {
    if (box.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); move(active + 1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(active - 1); }
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); location.href = options()[active].querySelector('a').href; }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
}
$$('[data-search-input]').forEach(attach);
window.storefrontSearch = { attach, tokenize, distance, search };
})();
