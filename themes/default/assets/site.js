/* Storefront default theme: cart, checkout, order lookup, shop status. Plain ES2020, no build step. */
(() => {
'use strict';
const d = document;
const $ = (s, r = d) => r.querySelector(s);
const $$ = (s, r = d) => Array.from(r.querySelectorAll(s));
const meta = n => $(`meta[name="${n}"]`)?.content || '';
const isInt = Number.isInteger, enc = encodeURIComponent;
const BASE = meta('base-path').replace(/\/+$/, '');
const API = meta('storefront-api').replace(/\/+$/, '');
// The shop's money format: MoneyFormatter's parameters, published by the generator on <meta name="currency">.
const MF = $('meta[name="currency"]')?.dataset || {};
const EXP = Math.min(4, parseInt(MF.exponent, 10)) || 0;
const GROUP = Math.max(1, parseInt(MF.groupSize, 10) || 3);
const LOCALE = d.documentElement.lang || 'en';
// UI strings: data attributes of [data-ui] elements (data-added-to-cart is t('addedToCart')); {name} placeholders.
const T = Object.assign({}, ...$$('[data-ui]').map(e => e.dataset));
const t = (k, v) => String(T[k] ?? k).replace(/\{(\w+)\}/g, (m, n) => v?.[n] ?? m);
const label = (p, v) => T[p + v] || v || '';
// Money is an integer of minor units: sum integers, and write the digits as the pages do (no division, no Intl).
const money = m => {
  if (!isInt(m)) return '–';
  const digits = String(Math.abs(m)).padStart(EXP + 1, '0'), whole = digits.slice(0, digits.length - EXP);
  let out = m < 0 ? (MF.minus ?? '-') + (MF.prefix ?? '') : MF.prefix ?? '';
  for (let i = 0; i < whole.length; i++) out += (i && (whole.length - i) % GROUP === 0 ? MF.group ?? ',' : '') + whole[i];
  return out + (EXP ? (MF.decimal ?? '.') + digits.slice(-EXP) : '') + (MF.suffix ?? '');
};
const dt = s => { const x = new Date(s); return s && !isNaN(x) ? x.toLocaleString(LOCALE, { dateStyle: 'medium', timeStyle: 'short' }) : s || ''; };
const text = (e, s) => { if (e) e.textContent = s ?? ''; };
// Element builder: text nodes only, never innerHTML.
const el = (tag, props, ...kids) => {
  const e = d.createElement(tag);
  for (const k in props) {
    if (k === 'class') e.className = props[k];
    else if (k in e && !k.includes('-')) e[k] = props[k];
    else e.setAttribute(k, props[k]);
  }
  e.append(...kids.filter(x => x != null));
  return e;
};
const store = kind => (k, v) => {
  try {
    const s = window[kind];
    if (v === undefined) return JSON.parse(s.getItem(k));
    if (v === null) s.removeItem(k); else s.setItem(k, JSON.stringify(v));
  } catch (e) { /* storage blocked */ }
  return null;
};
const local = store('localStorage'), session = store('sessionStorage');
let toastTimer;
const toast = msg => {
  const x = $('#toast');
  text(x, msg);
  x?.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => x?.classList.remove('show'), 3000);
};

// ---- Cart: localStorage["storefront.cart"] = [{sku, quantity, title, priceMinor, options}] ----
// `options` is a variant's option values as shoppers read them ("3 公斤 / 紅"); a line is one SKU.
const CART = 'storefront.cart', LAST = 'storefront.lastOrder', ATTEMPT = 'storefront.checkoutAttempt';
const clampQ = q => Math.min(99, Math.max(1, Math.floor(q) || 1));
const loadCart = () => {
  const c = local(CART);
  return Array.isArray(c) ? c.filter(l => typeof l?.sku === 'string' && l.sku).map(l => ({
    sku: l.sku, quantity: clampQ(l.quantity), title: String(l.title || l.sku), priceMinor: isInt(l.priceMinor) ? l.priceMinor : null,
    options: typeof l.options === 'string' ? l.options : '',
  })) : [];
};
const badge = (c = loadCart()) => {
  const n = c.reduce((s, l) => s + l.quantity, 0);
  $$('[data-cart-badge]').forEach(b => {
    text(b, n);
    b.hidden = !n;
    b.parentNode.setAttribute('aria-label', t('cartCount', { count: n }));
  });
};
const saveCart = c => {
  local(CART, c.map(({ sku, quantity, title, priceMinor, options }) => ({ sku, quantity, title, priceMinor, options })));
  badge(c);
};
// A line's name as shoppers read it: the title, and a variant's option values after it.
const named = l => l.options ? `${l.title} (${l.options})` : l.title;
let closed = false;
const addToCart = (btn, qty) => {
  const { sku, title = sku, options = '' } = btn.dataset, p = parseInt(btn.dataset.priceMinor, 10), c = loadCart();
  if (btn.disabled || closed || !sku) return;
  const line = c.find(l => l.sku === sku);
  if (line) Object.assign(line, { quantity: clampQ(line.quantity + qty), title, options, priceMinor: isInt(p) ? p : line.priceMinor });
  else c.push({ sku, quantity: clampQ(qty), title, options, priceMinor: isInt(p) ? p : null });
  saveCart(c);
  toast(t('addedToCart', { title: named({ title, options }) }));
  btn.dataset.label = btn.dataset.label || btn.textContent;
  text(btn, t('added'));
  clearTimeout(btn.resetTimer);
  btn.resetTimer = setTimeout(() => { if (!closed) text(btn, btn.dataset.label); }, 1500);
};
d.addEventListener('click', e => {
  const b = e.target.closest?.('button.add-to-cart');
  if (b && !b.form) addToCart(b, 1);
});
d.addEventListener('submit', e => {
  const f = e.target, b = $('.add-to-cart', f), q = f.elements.quantity;
  if (!f.matches('[data-add-form]') || !b) return;
  e.preventDefault();
  if (q && !q.checkValidity()) q.reportValidity();
  else addToCart(b, clampQ(q ? q.value : 1));
});

// ---- Variant picker: the options choose a row of the page's variant list (which works without JS) ----
const picker = $('[data-variant-picker]');
if (picker) {
  const rows = $$('[data-variant-list] tbody tr').map(r => ({ ...r.dataset, row: r, values: JSON.parse(r.dataset.values || '[]') }));
  const selects = $$('select[data-option]', picker), ds = picker.dataset;
  const btn = $('.buy .add-to-cart'), qty = $('.buy input[name="quantity"]');
  // A variant's own image is in the gallery too: its figure is shown in the first place.
  const figures = $$('.gallery .gallery-item[data-image]'), first = figures[0], firstHTML = first?.innerHTML;
  const chosen = () => selects.map(s => s.value);
  const find = values => rows.find(v => v.values.every((x, i) => x === values[i]));
  // Each value that would make no orderable variant with the other choices says so.
  const mark = () => selects.forEach((s, i) => $$('option', s).forEach(o => {
    const values = chosen();
    values[i] = o.value;
    const v = find(values);
    o.textContent = !v ? `${o.value} (${ds.unavailable})` : v.inStock === 'true' ? o.value : `${o.value} (${ds.soldOut})`;
  }));
  const show = v => {
    const ok = !!v && v.inStock === 'true', price = $('.product-info .price');
    price?.replaceChildren(...(v ? [
      v.compareAt ? el('span', { class: 'badge badge-sale' }, ds.sale) : null, v.compareAt ? ' ' : null,
      el('span', { class: 'price-now' }, el('span', { class: 'visually-hidden' }, `${ds.price}: `), v.price),
      v.compareAt ? ' ' : null,
      v.compareAt ? el('del', { class: 'price-was' }, el('span', { class: 'visually-hidden' }, `${ds.regularPrice}: `), v.compareAt) : null,
    ] : []));
    const a = $('[data-availability]');
    if (a) { text(a, !v ? ds.unavailable : ok ? ds.inStock : ds.soldOut); a.className = `availability ${ok ? 'is-in' : 'is-out'}`; }
    text($('[data-variant-sku]'), v?.sku || '–');
    rows.forEach(x => x.row.toggleAttribute('aria-current', x === v));
    if (btn) {
      Object.assign(btn.dataset, v ? { sku: v.sku, priceMinor: v.priceMinor, options: chosen().join(' / ') } : { sku: '' });
      btn.disabled = !ok || closed;
      text(btn, ok ? ds.addToCart : !v ? ds.unavailable : ds.soldOut);
      delete btn.dataset.label;
    }
    if (qty) qty.disabled = !ok;
    if (first) {
      const own = v?.image && figures.find(f => f.dataset.image === v.image);
      const html = own && own !== first ? own.innerHTML : firstHTML;
      if (first.innerHTML !== html) first.innerHTML = html;
    }
    if (v) history.replaceState(history.state, '', `${location.pathname}?variant=${enc(v.sku)}${location.hash}`);
  };
  const linked = rows.find(v => v.sku === new URLSearchParams(location.search).get('variant'));
  if (linked) selects.forEach((s, i) => { s.value = linked.values[i]; });
  picker.addEventListener('change', () => { show(find(chosen())); mark(); });
  picker.hidden = false;
  if (linked) show(linked);
  mark();
}

// ---- Facts from /catalog/<shard>.json (never the whole catalog) or from a 409 answer ----
const fnv = s => {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
};
const shardOf = sku => (fnv(sku) % 64).toString(16).padStart(2, '0');
const shards = {};
const getShard = n => shards[n] || (shards[n] = fetch(`${BASE}/catalog/${n}.json`, { cache: 'no-cache' })
  .then(r => r.ok ? r.json() : null).catch(() => null));
// {sku: {title, priceMinor, price, url, available, stock}}; a SKU missing from its shard is no longer sold.
// A shard that fails to load says nothing, and the stored line stays as it is.
const facts = async cart => {
  const names = [...new Set(cart.map(l => shardOf(l.sku)))], got = await Promise.all(names.map(getShard)), info = {};
  for (const l of cart) {
    const s = got[names.indexOf(shardOf(l.sku))];
    if (s?.products) info[l.sku] = s.products[l.sku] || { available: false };
  }
  return info;
};
// Applies facts to the cart: drops sold-out lines, caps quantities to stock, takes new prices.
// Saves the cart and returns [lines, messages telling the shopper what changed].
const reconcile = (cart, info) => {
  const msgs = [];
  const lines = cart.filter(l => {
    const x = info[l.sku];
    if (!x) return true;
    l.title = x.title || l.title;
    if (typeof x.options === 'string') l.options = x.options;
    const title = named(l);
    if (x.available === false || x.stock === 0) return !msgs.push(t('itemSoldOutRemoved', { title }));
    if (isInt(x.stock) && l.quantity > x.stock) msgs.push(t('itemQuantityCapped', { title, stock: l.quantity = x.stock }));
    if (isInt(x.priceMinor) && x.priceMinor !== l.priceMinor) {
      if (isInt(l.priceMinor)) msgs.push(t('itemPriceChanged', { title, price: x.price || money(x.priceMinor) }));
      l.priceMinor = x.priceMinor;
    }
    l.url = x.url || l.url;
    l.stock = x.stock;
    return true;
  });
  saveCart(lines);
  return [lines, msgs];
};
const check = async () => { const c = loadCart(); return c.length ? reconcile(c, await facts(c)) : [c, []]; };
const lineTotal = l => money(l.priceMinor * l.quantity);

// ---- Totals: flat shipping unless the subtotal reaches the free threshold (none when 0 or less) ----
const tot = $('[data-totals]')?.dataset || {};
const FLAT = parseInt(tot.flatFee, 10) || 0, FREE = Math.max(0, parseInt(tot.freeThreshold, 10) || 0);
const showTotals = lines => {
  const sub = lines.reduce((s, l) => s + (l.priceMinor ?? 0) * l.quantity, 0), hint = $('[data-shipping-hint]');
  const ship = sub && !(FREE && sub >= FREE) ? FLAT : 0;
  text($('[data-total="subtotal"]'), money(sub));
  text($('[data-total="shipping"]'), sub && !ship ? t('freeShipping') : money(ship));
  text($('[data-total="total"]'), money(sub + ship));
  if (!hint) return;
  text(hint, !FREE || sub >= FREE ? '' : t(sub ? 'freeShippingRemaining' : 'freeShippingOver', { amount: money(sub ? FREE - sub : FREE) }));
  hint.hidden = !hint.textContent;
};

// ---- Cart page ----
const cartRoot = $('#cart');
let view = [];
const td = (key, ...kids) => el('td', key ? { 'data-label': t(key) } : {}, ...kids);
const row = l => el('tr', {},
  td('product', l.url ? el('a', { href: l.url }, l.title) : l.title, l.options ? el('span', { class: 'line-options' }, l.options) : null),
  td('unitPrice', money(l.priceMinor)),
  td('quantity', el('input', {
    type: 'number', inputMode: 'numeric', min: 1, max: Math.min(99, l.stock || 99), value: l.quantity,
    class: 'qty', 'data-sku': l.sku, 'aria-label': t('quantityFor', { title: named(l) }),
  })),
  el('td', { 'data-label': t('lineTotal'), class: 'line-total' }, lineTotal(l)),
  td(null, el('button', { type: 'button', class: 'link remove', 'data-sku': l.sku }, t('remove'), el('span', { class: 'visually-hidden' }, ` ${named(l)}`))));
const drawCart = msgs => {
  if (msgs?.length) text($('#cart-notice'), msgs.join(' '));
  cartRoot.hidden = !view.length;
  $('#cart-empty').hidden = !!view.length;
  $('#cart-lines').replaceChildren(...view.map(row));
  showTotals(view);
};
const renderCart = async () => { let msgs; [view, msgs] = await check(); drawCart(msgs); };
if (cartRoot) {
  const body = $('#cart-lines');
  const find = e => { const x = e.target.closest('[data-sku]'); return [x, x && view.find(l => l.sku === x.dataset.sku)]; };
  body.addEventListener('change', e => {
    const [i, l] = find(e);
    if (!l || !i.matches('input')) return;
    i.value = l.quantity = Math.min(clampQ(i.value), l.stock || 99);
    saveCart(view);
    text($('.line-total', i.closest('tr')), lineTotal(l));
    showTotals(view);
  });
  body.addEventListener('click', e => {
    const [b, l] = find(e);
    if (!l || !b.matches('button')) return;
    view = view.filter(x => x !== l);
    saveCart(view);
    drawCart([t('removed', { title: named(l) })]);
    $('#page-heading').focus();
  });
  renderCart();
}

// ---- Checkout ----
const form = $('#checkout-form'), submitBtn = $('#place-order');
const uuid = () => crypto.randomUUID?.() ??
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, c => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));
const safeURL = u => { try { const x = new URL(u, location.href); return /^https?:$/.test(x.protocol) ? x.href : null; } catch (e) { return null; } };
const status = s => text($('#checkout-status'), s);
const setBusy = on => {
  submitBtn.dataset.label = submitBtn.dataset.label || submitBtn.textContent;
  submitBtn.disabled = on || closed;
  if (!closed) text(submitBtn, on ? t('placingOrder') : submitBtn.dataset.label);
};
const drawSummary = lines => {
  $('#summary-lines').replaceChildren(...(lines.length
    ? lines.map(l => el('li', {}, el('span', {}, `${named(l)} × ${l.quantity}`), el('span', {}, lineTotal(l))))
    : [el('li', {}, t('cartEmpty'), ' ', el('a', { href: `${BASE}/` }, t('continueShopping')))]));
  showTotals(lines);
};
const slot = k => $(`[data-error-for="${CSS.escape(k)}"]`, form);
// Each field error goes next to its input (data-error-for); every message goes in the summary.
const showErrors = (fields, msgs) => {
  const box = $('#error-summary'), ul = $('ul', box), cart = loadCart();
  ul.replaceChildren(...[].concat(msgs).filter(Boolean).map(m => el('li', {}, m)));
  for (const [k, m] of Object.entries(fields || {})) {
    const i = form.elements[k], id = i?.id, n = /^items\[(\d+)\]/.exec(k), line = n && cart[n[1]];
    text(slot(k), m);
    if (id) i.setAttribute('aria-invalid', 'true');
    ul.append(el('li', {}, id ? el('a', { href: `#${id}` }, `${$(`label[for="${id}"]`).textContent.trim()}: ${m}`) : line ? `${named(line)}: ${m}` : m));
  }
  box.hidden = !ul.children.length;
  box.focus();
};
const succeed = (data, email) => {
  const o = data.order, p = data.payment, url = p?.url && safeURL(p.url);
  saveCart([]);
  session(ATTEMPT, null);
  session(LAST, { id: o.id, contact: email });
  if (!url) return location.assign(`${BASE}/order/?id=${enc(o.id)}&contact=${enc(email)}`);
  status(t('redirectingToPayment'));
  if (p.method !== 'POST') return location.assign(url);
  const f = el('form', { method: 'post', action: url, hidden: true });
  for (const [k, v] of Object.entries(p.fields || {})) f.append(el('input', { type: 'hidden', name: k, value: v }));
  d.body.append(f);
  f.submit();
};
if (form) {
  check().then(([lines, msgs]) => { drawSummary(lines); status(msgs.join(' ')); });
  form.addEventListener('input', e => {
    e.target.removeAttribute('aria-invalid');
    if (e.target.name) text(slot(e.target.name), '');
  });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (submitBtn.disabled) return;
    $$('[data-error-for]', form).forEach(s => text(s, ''));
    $$('[aria-invalid]', form).forEach(i => i.removeAttribute('aria-invalid'));
    status('');
    const cart = loadCart(), v = n => form.elements[n].value.trim(), errs = {}, em = form.elements['customer.email'];
    if (!cart.length) errs.items = t('errCartEmpty');
    for (const i of $$('[required]', form)) if (!i.value.trim()) errs[i.name] = t('errRequired');
    if (!errs[em.name] && !em.validity.valid) errs[em.name] = t('errEmail');
    if (Object.keys(errs).length) return showErrors(errs);
    const body = {
      items: cart.map(l => ({ sku: l.sku, quantity: l.quantity })),
      customer: { name: v('customer.name'), email: v('customer.email'), phone: v('customer.phone') },
      shipping: { postalCode: v('shipping.postalCode'), city: v('shipping.city'), address: v('shipping.address') },
      paymentMethod: $('input[name="paymentMethod"]:checked', form)?.value ?? null,
      note: v('note'),
      catalogVersion: meta('catalog-version'),
    };
    const json = JSON.stringify(body), sig = fnv(json).toString(16);
    // One Idempotency-Key per attempt: an identical retry reuses it until the order succeeds.
    let att = session(ATTEMPT);
    if (!att?.key || att.sig !== sig) session(ATTEMPT, att = { key: uuid(), sig });
    $('#error-summary').hidden = true;
    setBusy(true);
    let res, data;
    try {
      res = await fetch(`${API}/order`, {
        method: 'POST', body: json,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': att.key },
      });
      data = await res.json().catch(() => null);
    } catch (err) {
      setBusy(false);
      return showErrors({}, t('errNetwork'));
    }
    if (res.ok && data?.order) return succeed(data, body.customer.email);
    setBusy(false);
    const er = data?.error || {}, s = res.status;
    if (s === 409) {
      // The catalog changed: take the API's facts, show the new cart and say what changed.
      if (data.catalogVersion) $('meta[name="catalog-version"]').content = data.catalogVersion;
      const [lines, msgs] = reconcile(cart, Object.fromEntries((er.lines || []).map(x => [x.sku, x])));
      drawSummary(lines);
      showErrors({}, [t('cartChanged'), ...(msgs.length ? msgs : [er.message])]);
    } else if (s === 400) showErrors(er.fields, er.message || t('errGeneric'));
    else showErrors({}, s === 429 ? t('errTooMany') : er.message || t(s === 503 ? 'shopClosed' : 'errGeneric'));
  });
}

// ---- Order lookup ----
const look = $('#order-lookup'), result = $('#order-result');
const showOrder = (o, focus) => {
  const m = (s, minor) => s ?? money(minor), atm = o.payment?.atm || {};
  const v = { ...atm, id: o.id, status: label('status_', o.status), createdAt: dt(o.createdAt), trackingNumber: o.trackingNumber,
    subtotal: m(o.subtotal, o.subtotalMinor), shipping: m(o.shipping, o.shippingMinor), total: m(o.total, o.totalMinor),
    paymentMethod: label('paymentMethod_', o.paymentMethod), paymentState: label('paymentState_', o.payment?.state) };
  $$('[data-o]', result).forEach(x => text(x, v[x.dataset.o]));
  $('[data-o="status"]', result).className = `status-badge status-${o.status}`;
  $('#order-atm').hidden = !(atm.vAccount && o.status === 'created');
  $('#order-tracking').hidden = !o.trackingNumber;
  $('#order-review').hidden = !o.needsReview;
  $('#order-lines').replaceChildren(...(o.lines || []).map(l => el('tr', {},
    td('product', l.title || l.sku, l.options?.length ? el('span', { class: 'line-options' }, l.options.map(o => o.value).join(' / ')) : null),
    td('unitPrice', m(l.unitPrice, l.unitPriceMinor)),
    td('quantity', l.quantity), td('lineTotal', m(l.lineTotal, l.lineTotalMinor)))));
  $('#order-timeline').replaceChildren(...(o.timeline || []).map(x => el('li', {},
    el('strong', {}, label('status_', x.status)), ' ', el('time', { dateTime: x.at || '' }, dt(x.at)),
    x.note ? el('span', { class: 'note' }, x.note) : null)));
  result.hidden = false;
  if (focus) result.focus();
};
const queryOrder = async focus => {
  const id = $('#o-id').value.trim(), contact = $('#o-contact').value.trim(), msg = s => text($('#order-message'), s);
  if (!id || !contact) return msg(t('errLookupMissing'));
  msg(t('lookingUp'));
  let res, data;
  try {
    res = await fetch(`${API}/order?id=${enc(id)}&contact=${enc(contact)}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    data = await res.json().catch(() => null);
  } catch (e) { return msg(t('errNetwork')); }
  if (res.ok && data?.order) { msg(''); return showOrder(data.order, focus); }
  result.hidden = true;
  msg(res.status === 404 ? t('orderNotFound') : res.status === 429 ? t('errTooMany') : data?.error?.message || t('errGeneric'));
};
if (look && result) {
  // ?id=&contact= from the link after checkout, else what checkout left in sessionStorage.
  const q = new URLSearchParams(location.search), last = session(LAST) || {};
  const id = q.get('id') || last.id || '', contact = q.get('contact') || (last.id === id && last.contact) || '';
  $('#o-id').value = id;
  $('#o-contact').value = contact;
  look.addEventListener('submit', e => { e.preventDefault(); queryOrder(true); });
  $('#order-refresh').addEventListener('click', () => queryOrder(false));
  // Back from a gateway in another tab: the id is known, the contact is asked for.
  if (id && contact) queryOrder(false); else if (id) $('#o-contact').focus();
}

// ---- Shop status: /site-status.json {status, message, announcement} ----
fetch(`${BASE}/site-status.json`, { cache: 'no-cache' }).then(r => r.ok ? r.json() : null).then(s => {
  const a = $('#announcement'), b = $('#shop-closed');
  // The page carries the banner of when it was built (so it does not move the page); the live
  // status replaces it.
  if (a && s) {
    const now = s.announcement || '';
    if (a.textContent !== now) text(a, now);
    a.hidden = !now;
  }
  if (s?.status !== 'closed') return;
  closed = true;
  if (b) { text(b, s.message || t('shopClosed')); b.hidden = false; }
  $$('button.add-to-cart, #place-order').forEach(btn => {
    btn.disabled = true;
    text(btn, btn.dataset.label = t('shopClosedButton'));
    btn.setAttribute('aria-describedby', 'shop-closed');
  });
  $$('[data-add-form] input').forEach(i => { i.disabled = true; });
}).catch(() => {});

// ---- Search: search.js loads when a search box gets focus, or when /search/ opens, and builds with these ----
window.storefrontUI = { el, t };
const searchScript = meta('search-script');
let searchLoading = false;
const loadSearch = () => {
  if (searchLoading || !searchScript) return;
  searchLoading = true;
  d.head.append(el('script', { src: searchScript, defer: true }));
};
$$('[data-search-input]').forEach(i => i.addEventListener('focus', loadSearch, { once: true }));
if ($('[data-search-app]')) loadSearch();

badge();
addEventListener('storage', e => {
  if (e.key !== CART) return;
  badge();
  if (cartRoot) renderCart();
  if (form) check().then(([lines]) => drawSummary(lines));
});
})();
