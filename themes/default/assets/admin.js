/* Storefront admin page: orders, products, shop status and notifications over the order API's admin JSON.
   The token lives in sessionStorage only (this tab), and every request sends it as a bearer token. */
(() => {
'use strict';
const d = document;
const $ = (s, r = d) => r.querySelector(s);
const $$ = (s, r = d) => Array.from(r.querySelectorAll(s));
const meta = n => $(`meta[name="${n}"]`)?.content || '';
const API = meta('storefront-api').replace(/\/+$/, '');
const TOKEN_KEY = 'storefront.adminToken';
const PAGE_SIZE = 20;
const el = (tag, props, ...kids) => {
  const e = d.createElement(tag);
  for (const k in props || {}) {
    if (k === 'class') e.className = props[k];
    else if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, props[k]);
    else e[k] = props[k];
  }
  e.append(...kids.filter(x => x != null).map(x => typeof x === 'object' ? x : String(x)));
  return e;
};
const token = () => { try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; } };
const setToken = v => { try { v ? sessionStorage.setItem(TOKEN_KEY, v) : sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* blocked */ } };
const notice = (msg, bad) => { const n = $('#admin-notice'); n.textContent = msg; n.classList.toggle('error', !!bad); };
const EXP = parseInt($('meta[name="currency"]')?.dataset.exponent, 10) || 0;
// Minor units to the decimal text the API accepts ("1280", "19.99"), without floating point.
const decimal = minor => {
  const digits = String(Math.abs(minor)).padStart(EXP + 1, '0');
  return (minor < 0 ? '-' : '') + (EXP ? `${digits.slice(0, -EXP)}.${digits.slice(-EXP)}` : digits);
};
const when = s => { const x = new Date(s); return isNaN(x) ? (s || '') : x.toLocaleString(); };

class AuthError extends Error {}

// One request to the admin API; a 401 signs out, other failures throw with the API's message.
const call = async (path, options = {}) => {
  const headers = Object.assign({ Authorization: `Bearer ${token()}` }, options.body ? { 'Content-Type': 'application/json' } : {});
  const res = await fetch(`${API}${path}`, Object.assign({}, options, { headers, cache: 'no-store' }));
  if (res.status === 401 || res.status === 403) { throw new AuthError(res.status === 403 ? 'The admin API is turned off (no ADMIN_TOKEN).' : 'The token was not accepted.'); }
  if (!res.ok) {
    let message = `HTTP ${res.status}`, detail = {};
    try { detail = (await res.json()).error || {}; message = detail.message || message; } catch (e) { /* not JSON */ }
    // The first field the API named ({"error": {"fields": {"url": "…"}}}) and its problem stay on the
    // error, for forms that show them next to the field.
    const fields = detail.fields || {}, field = Object.keys(fields)[0];
    throw Object.assign(new Error(field ? `${field}: ${fields[field]}` : message), { status: res.status, field, detail: field ? fields[field] : detail.message });
  }
  return options.raw ? res : res.json();
};
const guarded = fn => async (...args) => {
  try { await fn(...args); } catch (e) {
    if (e instanceof AuthError) { signOut(e.message); } else { notice(e.message, true); }
  }
};

// Sign in and out.
const signOut = message => {
  setToken(null);
  $('#admin-app').hidden = true;
  $('#sign-out').hidden = true;
  $('#sign-in-form').hidden = false;
  $('#sign-in-error').textContent = message || '';
};
const start = guarded(async () => {
  await call('/admin/site-status');
  $('#sign-in-form').hidden = true;
  $('#admin-app').hidden = false;
  $('#sign-out').hidden = false;
  notice('');
  await showTab(location.hash.slice(1) || 'orders');
});
$('#sign-in-form').addEventListener('submit', e => {
  e.preventDefault();
  setToken($('#token').value.trim());
  $('#token').value = '';
  start();
});
$('#sign-out').addEventListener('click', () => signOut(''));

// Tabs.
const loaders = {};
const showTab = name => {
  const tab = $(`.admin-tabs .tab[data-tab="${name}"]`) || $('.admin-tabs .tab');
  $$('.admin-tabs .tab').forEach(t => { t.setAttribute('aria-selected', String(t === tab)); t.tabIndex = t === tab ? 0 : -1; });
  $$('.admin-panel').forEach(p => { p.hidden = p.id !== `tab-${tab.dataset.tab}`; });
  history.replaceState(null, '', `#${tab.dataset.tab}`);
  return loaders[tab.dataset.tab]?.();
};
$$('.admin-tabs .tab').forEach(tab => tab.addEventListener('click', () => showTab(tab.dataset.tab)));
// The tab list's keys (the WAI-ARIA tabs pattern): arrows move to the next or previous tab, Home and End to the ends.
$('.admin-tabs').addEventListener('keydown', e => {
  const tabs = $$('.admin-tabs .tab'), at = tabs.indexOf(document.activeElement);
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
  if (at < 0 || to === undefined) return;
  e.preventDefault();
  const next = tabs[(to + tabs.length) % tabs.length];
  next.focus();
  showTab(next.dataset.tab);
});

// Orders: filter, search, cursor pagination, detail with actions.
const orders = { cursors: [null], page: 0, selected: null };
const orderQuery = extra => {
  const q = new URLSearchParams();
  const status = $('#status-filter').value, search = $('#order-search').value.trim();
  if (status) q.set('status', status);
  if (search) q.set('q', search);
  for (const k in extra || {}) if (extra[k] != null) q.set(k, extra[k]);
  return q.toString();
};
const loadOrders = loaders.orders = guarded(async () => {
  const data = await call(`/admin/orders?${orderQuery({ limit: PAGE_SIZE, cursor: orders.cursors[orders.page] })}`);
  const body = $('#orders-body');
  body.replaceChildren(...data.orders.map(o => el('tr', { 'data-id': o.id, class: o.id === orders.selected ? 'selected' : '' },
    el('td', {}, el('code', {}, o.id), o.needsReview ? el('span', { class: 'badge badge-review' }, 'review') : null),
    el('td', {}, when(o.createdAt)),
    el('td', {}, o.customer.name, el('br'), el('small', {}, o.customer.email)),
    el('td', {}, o.paymentMethod),
    el('td', {}, o.total),
    el('td', {}, el('span', { class: `status-badge status-${o.status}`, 'data-order-status': o.status }, o.status)))));
  $('#orders-empty').hidden = data.orders.length > 0;
  orders.cursors[orders.page + 1] = data.nextCursor;
  $('#orders-next').disabled = !data.nextCursor;
  $('#orders-prev').disabled = orders.page === 0;
  $('#orders-page').textContent = `Page ${orders.page + 1}`;
});
$('#order-filter').addEventListener('submit', e => { e.preventDefault(); orders.cursors = [null]; orders.page = 0; loadOrders(); });
$('#status-filter').addEventListener('change', () => { orders.cursors = [null]; orders.page = 0; loadOrders(); });
$('#orders-next').addEventListener('click', () => { orders.page += 1; loadOrders(); });
$('#orders-prev').addEventListener('click', () => { orders.page = Math.max(0, orders.page - 1); loadOrders(); });
$('#orders-body').addEventListener('click', e => {
  const row = e.target.closest('tr[data-id]');
  if (row) showOrder(row.dataset.id);
});

const fact = (name, value) => value ? [el('dt', {}, name), el('dd', {}, value)] : [];
const renderOrder = o => {
  orders.selected = o.id;
  $$('#orders-body tr').forEach(r => r.classList.toggle('selected', r.dataset.id === o.id));
  $('#order-detail').hidden = false;
  $('#detail-id').textContent = o.id;
  const badge = $('#detail-status');
  badge.textContent = o.status;
  badge.className = `status-badge status-${o.status}`;
  $('#detail-review').hidden = !o.needsReview;
  const a = o.shippingAddress || {};
  $('#detail-facts').replaceChildren(
    ...fact('Placed', when(o.createdAt)), ...fact('Updated', when(o.updatedAt)),
    ...fact('Customer', `${o.customer.name} · ${o.customer.email} · ${o.customer.phone}`),
    ...fact('Ship to', [a.postalCode, a.city, a.address].filter(Boolean).join(' ')),
    ...fact('Payment', o.paymentMethod), ...fact('Total', o.total), ...fact('Tracking number', o.trackingNumber),
    ...fact('Customer note', o.note), ...fact('Unpaid order expires', o.expiresAt && when(o.expiresAt)));
  $('#detail-lines').replaceChildren(...o.lines.map(l => el('tr', {},
    el('td', {}, l.title || l.sku, l.options ? el('span', { class: 'options' }, ` (${optionText(l.options)})`) : null), el('td', {}, l.quantity), el('td', {}, l.unitPrice || ''), el('td', {}, l.lineTotal || ''))));
  $('#detail-events').replaceChildren(...o.events.map(ev => el('li', {},
    `${when(ev.at)}: ${ev.from ? `${ev.from} → ` : ''}${ev.to} by ${ev.actor}${ev.note ? ` (${ev.note})` : ''}`)));
  const next = o.nextStatuses || [];
  $('#status-form').hidden = next.length === 0;
  $('#tracking-label').hidden = !next.includes('shipped');
  $('#status-actions').replaceChildren(...next.map(s => el('button', { type: 'button', class: 'button small', 'data-status': s }, actionLabel(s))));
};
const actionLabel = s => ({ paid: 'Mark paid', shipped: 'Mark shipped', delivered: 'Mark delivered', cancelled: 'Cancel order', refunded: 'Mark refunded' })[s] || `Set ${s}`;
const showOrder = guarded(async id => renderOrder((await call(`/admin/orders/${encodeURIComponent(id)}`)).order));
$('#status-actions').addEventListener('click', guarded(async e => {
  const button = e.target.closest('button[data-status]');
  if (!button) return;
  const status = button.dataset.status;
  const body = { status };
  const tracking = $('#tracking-number').value.trim(), note = $('#status-note').value.trim();
  if (status === 'shipped' && tracking) body.trackingNumber = tracking;
  if (note) body.note = note;
  if ((status === 'cancelled' || status === 'refunded') && !confirm(`${actionLabel(status)} ${orders.selected}?`)) return;
  const data = await call(`/admin/orders/${encodeURIComponent(orders.selected)}/status`, { method: 'POST', body: JSON.stringify(body) });
  $('#tracking-number').value = '';
  $('#status-note').value = '';
  renderOrder(data.order);
  notice(`Order ${data.order.id} is now ${data.order.status}.`);
  await loadOrders();
}));
$('#export-csv').addEventListener('click', guarded(async () => {
  const res = await call(`/admin/orders.csv?${orderQuery()}`, { raw: true });
  const url = URL.createObjectURL(await res.blob());
  const link = el('a', { href: url, download: `orders-${new Date().toISOString().slice(0, 10)}.csv` });
  d.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}));

// Products: live stock; price, stock and draft edits.
const products = { cursors: [null], page: 0 };
const loadProducts = loaders.products = guarded(async () => {
  const q = new URLSearchParams({ limit: PAGE_SIZE });
  const search = $('#product-search').value.trim();
  if (search) q.set('q', search);
  if (products.cursors[products.page]) q.set('cursor', products.cursors[products.page]);
  const data = await call(`/admin/products?${q}`);
  $('#products-body').replaceChildren(...data.products.map(productRow));
  products.cursors[products.page + 1] = data.nextCursor;
  $('#products-next').disabled = !data.nextCursor;
  $('#products-prev').disabled = products.page === 0;
});
// A variant's option values, as the shop shows them: "重量: 3 公斤 / …".
const optionText = options => options.map(o => `${o.name}: ${o.value}`).join(' / ');
const productRow = p => el('tr', { 'data-sku': p.sku },
  el('td', {}, el('code', {}, p.sku)),
  el('td', {}, p.title, p.options ? el('span', { class: 'options' }, ` (${optionText(p.options)})`) : null),
  el('td', {}, el('input', { type: 'text', name: 'price', value: decimal(p.priceMinor), title: p.price, inputMode: 'decimal', 'aria-label': `Price of ${p.sku}` })),
  el('td', {}, p.stock ? el('input', { type: 'number', name: 'stock', min: 0, value: p.stock.available, 'aria-label': `Available stock of ${p.sku}` }) : 'not tracked'),
  el('td', { 'data-field': 'reserved' }, p.stock ? p.stock.reserved : '–'),
  el('td', { 'data-field': 'sold' }, p.stock ? p.stock.sold : '–'),
  el('td', {}, el('input', { type: 'checkbox', name: 'draft', checked: p.draft, 'aria-label': `${p.sku} is a draft` })),
  el('td', {}, el('button', { type: 'button', class: 'button small save' }, 'Save')));
$('#products-body').addEventListener('click', guarded(async e => {
  const button = e.target.closest('button.save');
  if (!button) return;
  const row = button.closest('tr'), sku = row.dataset.sku;
  const before = row.dataset.saved ? JSON.parse(row.dataset.saved) : null;
  const change = {};
  const price = $('input[name=price]', row).value.trim(), stock = $('input[name=stock]', row), draft = $('input[name=draft]', row).checked;
  if (price !== (before?.price ?? $('input[name=price]', row).defaultValue)) change.price = price;
  if (stock && stock.value !== (before?.stock ?? stock.defaultValue)) change.stock = parseInt(stock.value, 10);
  if (draft !== (before?.draft ?? $('input[name=draft]', row).defaultChecked)) change.draft = draft;
  if (!Object.keys(change).length) { notice(`Nothing to save for ${sku}.`); return; }
  const data = await call(`/admin/products/${encodeURIComponent(sku)}`, { method: 'PATCH', body: JSON.stringify(change) });
  const fresh = productRow(data.product);
  fresh.dataset.saved = JSON.stringify({ price: decimal(data.product.priceMinor), stock: data.product.stock ? String(data.product.stock.available) : null, draft: data.product.draft });
  row.replaceWith(fresh);
  notice(`Saved ${sku}${change.price || change.draft !== undefined ? '; the shop is being rebuilt' : ''}.`);
}));
$('#product-filter').addEventListener('submit', e => { e.preventDefault(); products.cursors = [null]; products.page = 0; loadProducts(); });
$('#products-next').addEventListener('click', () => { products.page += 1; loadProducts(); });
$('#products-prev').addEventListener('click', () => { products.page = Math.max(0, products.page - 1); loadProducts(); });

// Shop status.
loaders.site = guarded(async () => {
  const s = await call('/admin/site-status');
  $(`#site-${s.status}`).checked = true;
  $('#site-message').value = s.message || '';
  $('#site-announcement').value = s.announcement || '';
});
$('#site-status-form').addEventListener('submit', guarded(async e => {
  e.preventDefault();
  const status = $('input[name=status]:checked', e.target)?.value || 'open';
  const saved = await call('/admin/site-status', { method: 'PUT', body: JSON.stringify({
    status, message: $('#site-message').value.trim(), announcement: $('#site-announcement').value.trim() }) });
  notice(`Saved: the shop is ${saved.status}.`);
}));

// Notifications: webhook endpoints, the delivery log and e-mail previews.
const webhookEvents = w => w.events && w.events.length ? w.events.join(', ') : 'all events';
const loadWebhooks = guarded(async () => {
  const data = await call('/admin/webhooks');
  $('#webhooks-body').replaceChildren(...data.webhooks.map(w => el('tr', { 'data-webhook': w.id },
    el('td', { class: 'wrap-anywhere' }, el('code', {}, w.url)),
    el('td', {}, webhookEvents(w)),
    el('td', {}, w.enabled ? 'enabled' : 'disabled', !w.enabled && w.disabledReason ? el('br') : null,
      !w.enabled && w.disabledReason ? el('small', {}, w.disabledReason) : null),
    el('td', {}, when(w.createdAt)),
    el('td', { class: 'actions' },
      el('button', { type: 'button', class: 'button small', 'data-action': 'test' }, 'Send test'), ' ',
      el('button', { type: 'button', class: 'button small', 'data-action': 'delete' }, 'Delete')))));
  $('#webhooks-empty').hidden = data.webhooks.length > 0;
});
$('#webhooks-body').addEventListener('click', guarded(async e => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  const row = button.closest('tr[data-webhook]'), id = row.dataset.webhook, url = $('code', row).textContent;
  if (button.dataset.action === 'delete') {
    if (!confirm(`Delete the webhook endpoint ${url}?`)) return;
    await call(`/admin/webhooks/${encodeURIComponent(id)}`, { method: 'DELETE', raw: true });
    notice(`Deleted the endpoint ${url}.`);
    await loadWebhooks();
  } else {
    const res = await call(`/admin/webhooks/${encodeURIComponent(id)}/test`, { method: 'POST', raw: true });
    const data = await res.json().catch(() => ({}));
    notice(`Test event queued for ${url}${data && data.deliveryId ? ` (delivery ${data.deliveryId})` : ''}; see the delivery log.`);
    await loadDeliveries();
  }
}));
const fieldErrors = $$('#webhook-form [data-field-error]');
const clearFieldErrors = () => {
  fieldErrors.forEach(p => { p.textContent = ''; });
  $('#webhook-url').removeAttribute('aria-invalid');
};
$('#webhook-form').addEventListener('submit', async e => {
  e.preventDefault();
  clearFieldErrors();
  const url = $('#webhook-url').value.trim();
  if (!url) { $('#webhook-url-error').textContent = 'Enter the endpoint URL.'; $('#webhook-url').setAttribute('aria-invalid', 'true'); $('#webhook-url').focus(); return; }
  const events = $$('#webhook-form input[name=events]:checked').map(box => box.value);
  const body = events.length ? { url, events } : { url };
  try {
    const created = await call('/admin/webhooks', { method: 'POST', body: JSON.stringify(body) });
    e.target.reset();
    $('#webhook-secret-url').textContent = created.url;
    $('#webhook-secret-value').textContent = created.secret;
    $('#webhook-secret').hidden = false;
    $('#webhook-secret').scrollIntoView({ block: 'nearest' });
    notice(`Added the endpoint ${created.url}.`);
    await loadWebhooks();
  } catch (err) {
    if (err instanceof AuthError) { signOut(err.message); return; }
    const field = String(err.field || '').startsWith('events') ? 'events' : err.field ? 'url' : null;
    if (err.status === 400 && field) {
      $(`#webhook-form [data-field-error="${field}"]`).textContent = err.detail || err.message;
      if (field === 'url') { $('#webhook-url').setAttribute('aria-invalid', 'true'); $('#webhook-url').focus(); }
    } else {
      notice(err.message, true);
    }
  }
});
$('#webhook-secret-copy').addEventListener('click', async () => {
  try { await navigator.clipboard.writeText($('#webhook-secret-value').textContent); notice('Secret copied.'); } catch (e) { notice('Copying failed: select the secret and copy it.', true); }
});
$('#webhook-secret-done').addEventListener('click', () => {
  $('#webhook-secret-value').textContent = '';
  $('#webhook-secret-url').textContent = '';
  $('#webhook-secret').hidden = true;
});

const deliveries = { cursors: [null], page: 0 };
const deliveryDetails = x => {
  if (x.status === 'sent') return x.sentAt ? `sent ${when(x.sentAt)}` : '';
  const parts = [];
  if (x.status === 'pending' && x.nextAttemptAt) parts.push(`next attempt ${when(x.nextAttemptAt)}`);
  if (x.lastError) parts.push(x.lastError);
  return parts.join(' · ');
};
const loadDeliveries = guarded(async () => {
  const q = new URLSearchParams();
  const status = $('#delivery-status').value;
  if (status) q.set('status', status);
  if (deliveries.cursors[deliveries.page]) q.set('cursor', deliveries.cursors[deliveries.page]);
  const data = await call(`/admin/deliveries${q.toString() ? `?${q}` : ''}`);
  $('#deliveries-body').replaceChildren(...data.deliveries.map(x => el('tr', { 'data-delivery': x.id },
    el('td', {}, when(x.createdAt)),
    el('td', {}, el('code', {}, x.eventType), x.orderId ? el('br') : null, x.orderId ? el('small', {}, `order ${x.orderId}`) : null),
    el('td', {}, x.channel),
    el('td', { class: 'wrap-anywhere' }, x.destination),
    el('td', {}, el('span', { class: `status-badge delivery-${x.status}` }, x.status)),
    el('td', {}, x.attempts),
    el('td', { class: 'wrap-anywhere' }, el('small', {}, deliveryDetails(x))),
    el('td', { class: 'actions' }, x.status === 'failed' || x.status === 'pending'
      ? el('button', { type: 'button', class: 'button small', 'data-action': 'retry' }, 'Retry') : null))));
  $('#deliveries-empty').hidden = data.deliveries.length > 0;
  deliveries.cursors[deliveries.page + 1] = data.nextCursor;
  $('#deliveries-next').disabled = !data.nextCursor;
  $('#deliveries-prev').disabled = deliveries.page === 0;
  $('#deliveries-page').textContent = `Page ${deliveries.page + 1}`;
});
const reloadDeliveries = () => { deliveries.cursors = [null]; deliveries.page = 0; return loadDeliveries(); };
$('#delivery-filter').addEventListener('submit', e => { e.preventDefault(); reloadDeliveries(); });
$('#delivery-status').addEventListener('change', reloadDeliveries);
$('#deliveries-next').addEventListener('click', () => { deliveries.page += 1; loadDeliveries(); });
$('#deliveries-prev').addEventListener('click', () => { deliveries.page = Math.max(0, deliveries.page - 1); loadDeliveries(); });
$('#deliveries-body').addEventListener('click', guarded(async e => {
  const button = e.target.closest('button[data-action=retry]');
  if (!button) return;
  const id = button.closest('tr[data-delivery]').dataset.delivery;
  button.disabled = true;
  await call(`/admin/deliveries/${encodeURIComponent(id)}/retry`, { method: 'POST', raw: true });
  notice(`Delivery ${id} will be retried.`);
  await loadDeliveries();
}));

const emails = { loaded: false };
const loadEmailList = guarded(async () => {
  if (emails.loaded) return;
  const data = await call('/admin/emails');
  const group = (audience, label) => {
    const names = data.templates.filter(x => x.audience === audience);
    return names.length ? el('optgroup', { label }, ...names.map(x => el('option', { value: x.name }, x.name))) : null;
  };
  const other = data.templates.filter(x => x.audience !== 'shopper' && x.audience !== 'owner');
  $('#email-template').replaceChildren(el('option', { value: '' }, 'Choose a template'),
    ...[group('shopper', 'To shoppers'), group('owner', 'To the owner')].filter(Boolean),
    ...other.map(x => el('option', { value: x.name }, x.name)));
  emails.loaded = true;
});
const showEmailPreview = guarded(async () => {
  const name = $('#email-template').value;
  if (!name) { $('#email-preview').hidden = true; return; }
  const locale = $('#email-locale').value;
  const data = await call(`/admin/emails/${encodeURIComponent(name)}/preview?${new URLSearchParams({ locale })}`);
  $('#email-subject').textContent = data.subject;
  // Made here, not in the page: the page itself never carries an iframe. Sandboxed: no scripts, no same origin.
  let frame = $('#email-html');
  if (!frame) {
    frame = document.createElement('iframe');
    frame.id = 'email-html';
    frame.className = 'email-frame';
    frame.setAttribute('sandbox', '');
    frame.title = 'HTML part of the e-mail';
    $('#email-html-slot').append(frame);
  }
  frame.srcdoc = data.html;
  $('#email-text').textContent = data.text;
  $('#email-preview').hidden = false;
});
$('#email-preview-form').addEventListener('submit', e => { e.preventDefault(); showEmailPreview(); });
$('#email-template').addEventListener('change', showEmailPreview);
$('#email-locale').addEventListener('change', showEmailPreview);

loaders.notifications = () => Promise.all([loadWebhooks(), reloadDeliveries(), loadEmailList()]);

if (token()) start(); else signOut('');
})();
