// The imgcast admin console: one page, no framework. Every value from the server goes into the
// page as text (h() builds elements; nothing is parsed as HTML). The live view polls
// /console/api/live?since=V once a second and applies the changes it gets (see LiveFeed.java).

const $ = id => document.getElementById(id);
let csrf = null;
let me = null;

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false) e.append(k instanceof Node ? k : String(k));
  return e;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
function bytes(b) {
  if (b === null || b === undefined || b < 0) return '–';
  let i = 0; while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return (i ? b.toFixed(b < 10 ? 2 : 1) : b) + ' ' + units[i];
}
const mbit = bps => (bps / 1e6).toFixed(bps < 1e7 ? 1 : 0) + ' Mbit/s';
const pct = (a, b) => b > 0 ? Math.min(100, 100 * a / b) : 0;
const time = ms => ms ? new Date(ms).toLocaleTimeString() : '';
const when = iso => iso ? new Date(iso).toLocaleString() : '';
function eta(s) {
  if (!isFinite(s) || s < 0) return '–';
  if (s < 60) return Math.ceil(s) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
}

async function call(method, url, body) {
  const opt = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
  if (method !== 'GET' && csrf) opt.headers['X-Csrf-Token'] = csrf;
  const r = await fetch(url, opt);
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  if (r.status === 401 && url !== '/console/login') { showLogin(); }
  if (!r.ok) throw new Error((j && j.error) || ('HTTP ' + r.status));
  return j;
}

function flash(text, bad) {
  const f = $('flash');
  f.textContent = text; f.className = 'flash' + (bad ? ' bad' : ''); f.hidden = false;
  clearTimeout(flash.t); flash.t = setTimeout(() => { f.hidden = true; }, 6000);
}
async function act(method, url, body, done) {
  try { const r = await call(method, url, body); flash(done || 'done'); return r; }
  catch (e) { flash(e.message, true); return null; }
}
const admin = (method, path, body, done) => act(method, '/console/api/admin/' + path, body, done);

// ---- login

function showLogin() {
  csrf = null;
  $('login').hidden = false; $('page').hidden = true; $('nav').hidden = true; $('logout').hidden = true;
  stopLive();
}
$('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  $('login-error').textContent = '';
  try {
    const r = await call('POST', '/console/login', { password: $('password').value });
    csrf = r.csrf; $('password').value = '';
    start();
  } catch (e) { $('login-error').textContent = e.message; }
});
$('logout').addEventListener('click', async () => { await call('POST', '/console/logout').catch(() => null); showLogin(); });

async function boot() {
  try { me = await call('GET', '/console/api/me'); }
  catch (e) { serverDown(); setTimeout(boot, 2000); return; }
  serverUp();
  if (me.login) { csrf = me.csrf; start(); }
  else if (me.live_open) { start(); }
  else {
    showLogin();
    if (!me.admin) $('login-error').textContent = 'This server has no state: it has no console login.';
    else if (!me.password_set) $('login-error').textContent = "No console password is set: run 'imgcast console passwd' on the server.";
  }
}

function start() {
  $('login').hidden = true; $('page').hidden = false;
  $('nav').hidden = !csrf; $('logout').hidden = !csrf;
  route();
}
window.addEventListener('hashchange', () => { if (!$('page').hidden) route(); });

function route() {
  const hash = location.hash.slice(1) || 'live';
  const [page, arg] = hash.split('/');
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('on', a.dataset.page === page || (page === 'session' && a.dataset.page === 'sessions'));
  stopLive();
  const el = $('page'); el.replaceChildren();
  if (page === 'images') pageImages(el);
  else if (page === 'hosts') pageHosts(el);
  else if (page === 'sessions') pageSessions(el);
  else if (page === 'session') pageSession(el, arg);
  else pageLive(el);
}

// ---- server up / down

let lastOk = 0;
function serverDown() {
  document.body.classList.add('stale');
  const d = $('down'); d.hidden = false;
  d.textContent = 'The server is not answering' + (lastOk ? ' since ' + new Date(lastOk).toLocaleTimeString() : '')
    + '. The numbers below are from then and are not current; the page retries every 2 seconds.';
  $('conn').textContent = 'server down';
}
function serverUp() {
  lastOk = Date.now();
  document.body.classList.remove('stale');
  $('down').hidden = true;
  $('conn').textContent = 'connected · ' + new Date(lastOk).toLocaleTimeString();
}

// ---- live view

const live = { v: 0, rows: new Map(), prev: new Map(), events: [], g: null, timer: null, sort: 'state', up: false, filter: '', state: '' };

function stopLive() { clearTimeout(live.timer); live.timer = null; live.running = false; }

function pageLive(el) {
  live.running = true;
  live.el = el;
  el.append(
    h('div', { id: 'session-line', class: 'muted' }),
    h('div', { class: 'cards', id: 'cards' }),
    csrf ? h('div', { class: 'toolbar', id: 'controls' },
      h('label', {}, 'Rate cap ', h('input', { id: 'rate', type: 'number', min: '1', step: '1', style: 'width:7em' }), ' Mbit/s'),
      h('button', { class: 'act quiet', id: 'set-rate', onclick: setRate }, 'Set rate'),
      h('span', { id: 'session-actions' })) : '',
    h('h3', {}, 'Streams'), h('table', { id: 'streams' }),
    h('h3', {}, 'Machines'),
    h('div', { class: 'toolbar' },
      h('input', { id: 'filter', placeholder: 'filter by machine or image', value: live.filter, oninput: e => { live.filter = e.target.value; drawMachines(); } }),
      h('select', { id: 'state-filter', onchange: e => { live.state = e.target.value; drawMachines(); } },
        ['', 'failed', 'receiving', 'waiting', 'joining', 'verifying', 'lost', 'refused'].map(s => h('option', { value: s, selected: s === live.state }, s || 'every state'))),
      h('span', { class: 'muted', id: 'shown' }), h('span', { class: 'muted' }, 'Failures first; finished machines move to the history.')),
    h('table', { id: 'machines' }),
    h('h3', {}, 'Recent events'), h('div', { class: 'events', id: 'events' }));
  if (live.g) drawAll();
  poll();
  if (csrf) loadCurrentSession();
}

async function loadCurrentSession() {
  try {
    const r = await call('GET', '/console/api/sessions');
    const cur = (r.sessions || []).find(s => ['waiting', 'running', 'stopped', 'scheduled'].includes(s.state));
    live.current = cur || null;
    drawSessionActions();
  } catch (e) { /* the poll shows the server's state */ }
}

function drawSessionActions() {
  const el = $('session-actions'); if (!el) return;
  el.replaceChildren();
  const s = live.current;
  if (!s) { el.append(h('span', { class: 'muted' }, 'No session of groups is running. ', h('a', { href: '#hosts' }, 'Start one from Hosts & groups.'))); return; }
  el.append(h('span', {}, 'Session ', h('a', { href: '#session/' + s.id }, '#' + s.id), ' (' + s.groups.join(', ') + ') ', h('span', { class: 'state ' + s.state }, s.state), ' '));
  if (s.state === 'waiting' || s.state === 'running') el.append(h('button', { class: 'act quiet', id: 'stop-session', onclick: async () => { await admin('POST', 'sessions/' + s.id + '/stop', {}, 'session ' + s.id + ' admits no one new'); loadCurrentSession(); } }, 'Stop'), ' ');
  el.append(h('button', { class: 'act bad', id: 'cancel-session', onclick: async () => { if (confirm('Cancel session ' + s.id + '? Its machines abort.')) { await admin('POST', 'sessions/' + s.id + '/cancel', {}, 'session ' + s.id + ' cancelled'); loadCurrentSession(); } } }, 'Cancel'));
}

async function setRate() {
  const v = Number($('rate').value);
  if (!(v > 0)) { flash('give the rate in Mbit/s', true); return; }
  await admin('POST', 'rate', { rate_bps: Math.round(v * 1e6) }, 'rate cap set to ' + v + ' Mbit/s');
}

async function poll() {
  if (!live.running) return;
  try {
    const r = await fetch('/console/api/live?since=' + live.v, { credentials: 'same-origin' });
    if (r.status === 401) { showLogin(); return; }
    if (!r.ok) throw new Error('HTTP ' + r.status);
    apply(await r.json());
    serverUp();
    drawAll();
  } catch (e) {
    serverDown();
  }
  if (live.running) live.timer = setTimeout(poll, live.v ? 1000 : 2000);
}

function apply(d) {
  const now = d.at;
  if (d.reset) { live.rows.clear(); live.events = []; }
  for (const r of d.rows || []) {
    const [id, name, image, state, stream, need, done, loss, error] = r;
    const old = live.rows.get(id);
    live.rows.set(id, { id, name, image, state, stream, need, done, loss, error, hist: old ? old.hist : [] });
  }
  for (const [id, done, loss] of d.p || []) {
    const m = live.rows.get(id); if (m) { m.done = done; m.loss = loss; }
  }
  for (const id of d.gone || []) live.rows.delete(id);
  for (const m of live.rows.values()) {
    // rate from the last ~10 s of progress, for the rate and ETA columns
    m.hist.push([now, m.done]); while (m.hist.length > 11) m.hist.shift();
    const [t0, b0] = m.hist[0];
    m.rate = now > t0 ? (m.done - b0) * 1000 / (now - t0) : 0;
  }
  for (const e of d.events || []) live.events.push(e);
  if (csrf && (d.events || []).some(e => e.kind.startsWith('session-'))) loadCurrentSession();
  while (live.events.length > 100) live.events.shift();
  const prev = live.g;
  live.g = { session: d.session, started: d.started, streams: d.streams, totals: d.totals, at: now };
  if (prev && prev.streams) {
    live.streamRate = new Map();
    for (const s of d.streams) {
      const p = prev.streams.find(x => x[0] === s[0]);
      if (p && now > prev.at) live.streamRate.set(s[0], (s[2] - p[2]) * 8000 / (now - prev.at));
    }
  }
  live.v = d.v;
}

function shownState(m) {
  // a machine in a session that holds its data is waiting, not receiving at 0%
  if (!live.g.started && (m.state === 'receiving' || m.state === 'joining') && m.done === 0) return 'waiting';
  return m.state;
}

function drawAll() {
  if (!live.running || !live.g || !$('cards')) return;
  const g = live.g, [need, done, wire, union, active, finished, failed] = g.totals;
  $('session-line').textContent = 'Server session ' + g.session + ': ' + (g.started ? 'data flows' : 'waiting (data is held until the machines or groups are ready)')
    + ' · updated ' + time(g.at);
  const main = g.streams[0] || [0, 0], slow = g.streams[1];
  const card = (k, v, s, id) => h('div', { class: 'card', id }, h('div', { class: 'k' }, k), h('div', { class: 'v' }, v), h('div', { class: 's' }, s));
  $('cards').replaceChildren(
    card('Machines', active + ' active', finished + ' done · ' + failed + ' failed or lost', 'card-machines'),
    card('Session', pct(done, need).toFixed(1) + '%', bytes(done) + ' of ' + bytes(need) + ' written', 'card-session'),
    card('On the wire', bytes(wire), union > 0 ? (wire / union).toFixed(2) + '× the images\u2019 union (' + bytes(union) + ')' : 'images\u2019 union not known yet', 'card-wire'),
    card('Rate cap', mbit(main[1]), slow ? 'slow stream ' + mbit(slow[1]) : 'one stream', 'card-rate'));
  if ($('rate') && document.activeElement !== $('rate') && !$('rate').value) $('rate').value = Math.round((g.streams[0] || [0, 0])[1] / 1e6);
  const st = $('streams');
  st.replaceChildren(h('tr', {}, ['stream', 'rate cap', 'traffic now', 'sent', 'packets', 'repair share', 'machines'].map((t, i) => h('th', { class: i ? 'num' : '' }, t))),
    ...g.streams.map(s => h('tr', {}, h('td', {}, s[0] === 0 ? '0 (main)' : s[0] + ' (slow)'), h('td', { class: 'num' }, mbit(s[1])),
      h('td', { class: 'num' }, live.streamRate && live.streamRate.has(s[0]) ? mbit(live.streamRate.get(s[0])) : '–'),
      h('td', { class: 'num' }, bytes(s[2])), h('td', { class: 'num' }, s[3]), h('td', { class: 'num' }, s[3] ? (100 * s[4] / s[3]).toFixed(1) + '%' : '–'),
      h('td', { class: 'num' }, s[5]))));
  drawMachines();
  const ev = $('events');
  ev.replaceChildren(...live.events.slice().reverse().map(e => h('div', { class: e.kind },
    time(e.at) + '  ' + e.kind + (e.machine ? ' ' + e.machine : '') + (e.image ? ' (' + e.image + ')' : '') + (e.session ? ' session ' + e.session : '') + (e.detail ? ': ' + e.detail : ''))));
  if (!live.events.length) ev.append(h('span', { class: 'muted' }, 'no events yet'));
}

const BAD = new Set(['failed', 'lost', 'refused']);
const cols = [
  ['machine', m => m.name], ['image', m => m.image], ['state', m => shownState(m)], ['progress', m => pct(m.done, m.need)],
  ['written', m => m.done], ['rate', m => m.rate], ['loss', m => m.loss], ['ETA', m => m.rate > 0 ? (m.need - m.done) / m.rate : Infinity], ['stream', m => m.stream]];

// Rows are kept by machine id and updated in place (text set only where it changed, rows moved
// into order), so a button under the pointer is never replaced by the once-a-second update.
const rowEls = new Map();

function drawMachines() {
  const t = $('machines'); if (!t || !live.g) return;
  const f = live.filter.toLowerCase();
  let ms = [...live.rows.values()].filter(m => (!f || m.name.toLowerCase().includes(f) || m.image.toLowerCase().includes(f)) && (!live.state || shownState(m) === live.state));
  const key = (cols.find(c => c[0] === live.sort) || cols[2])[1];
  ms.sort((a, b) => {
    const fa = BAD.has(a.state) ? 0 : 1, fb = BAD.has(b.state) ? 0 : 1;
    if (fa !== fb) return fa - fb;
    const x = key(a), y = key(b);
    const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return (live.up ? -c : c) || a.name.localeCompare(b.name);
  });
  $('shown').textContent = ms.length + ' of ' + live.rows.size + ' shown';
  if (t.dataset.head !== live.sort + live.up || !t.firstChild) {
    t.dataset.head = live.sort + live.up;
    const head = h('tr', {}, cols.map(([n], i) => h('th', { class: 'sort' + (live.sort === n ? ' on' + (live.up ? ' up' : '') : '') + (i >= 4 ? ' num' : ''),
      onclick: () => { if (live.sort === n) live.up = !live.up; else { live.sort = n; live.up = false; } drawMachines(); } }, n)), h('th', {}));
    if (t.firstChild) t.replaceChild(head, t.firstChild); else t.append(head);
  }
  const keep = new Set(ms.map(m => m.id));
  for (const [id, r] of rowEls) if (!keep.has(id) || !t.contains(r.tr)) { r.tr.remove(); r.err.remove(); rowEls.delete(id); }
  let at = t.firstChild; // the head; each row goes right after the one before it, moved only when out of place
  const place = el => { if (at.nextSibling !== el) t.insertBefore(el, at.nextSibling); at = el; };
  for (const m of ms) {
    let r = rowEls.get(m.id);
    if (!r) {
      const td = n => Array.from({ length: n }, (_, i) => h('td', { class: i >= 4 ? 'num' : '' }));
      const cells = td(9);
      cells[2].append(h('span', { class: 'state' }));
      cells[3].append(h('span', { class: 'bar' }, h('i', {})), h('span', {}));
      const act = h('td', {});
      if (csrf) act.append(h('button', { class: 'link', title: 'drop this machine from the session', onclick: () => {
        if (confirm('Remove ' + m.name + ' from the session? It stops and fails.')) admin('POST', 'machines/' + m.id + '/remove', {}, m.name + ' removed');
      } }, 'remove'));
      r = { tr: h('tr', { 'data-machine': m.name }, cells, act), cells, act, err: h('tr', {}, h('td', {}), h('td', { class: 'err', colspan: '9' })) };
      rowEls.set(m.id, r);
    }
    const s = shownState(m), p = pct(m.done, m.need);
    const set = (el, text) => { if (el.textContent !== text) el.textContent = text; };
    r.tr.className = m.state; r.err.className = m.state;
    set(r.cells[0], m.name); set(r.cells[1], m.image);
    const badge = r.cells[2].firstChild; set(badge, s); badge.className = 'state ' + s;
    r.cells[3].firstChild.firstChild.style.width = p.toFixed(1) + '%'; set(r.cells[3].lastChild, p.toFixed(0) + '%');
    set(r.cells[4], bytes(m.done) + ' / ' + bytes(m.need));
    set(r.cells[5], s === 'receiving' ? mbit(m.rate * 8) : '–');
    set(r.cells[6], (m.loss / 1e4).toFixed(1) + '%');
    set(r.cells[7], s === 'receiving' ? eta((m.need - m.done) / m.rate) : '–');
    set(r.cells[8], String(m.stream));
    if (r.act.firstChild) r.act.firstChild.hidden = BAD.has(m.state);
    set(r.err.lastChild, m.error || '');
    place(r.tr);
    if (m.error) place(r.err); else r.err.remove();
  }
}

// ---- images

async function pageImages(el) {
  el.append(h('h2', {}, 'Images in the store'));
  const inv = await call('GET', '/console/api/inventory').catch(e => { flash(e.message, true); return null; });
  if (!inv) return;
  el.append(h('p', {}, 'Every image is signed by the store\u2019s key; its fingerprint (what receivers pin with --server-key): ',
    h('span', { class: 'fp', id: 'fingerprint' }, inv.fingerprint || 'none (plain HTTP server without a key)')));
  el.append(h('table', { id: 'images' }, h('tr', {}, ['name', 'kind', 'size', 'stored', 'unique', 'created', 'description'].map((t, i) => h('th', { class: i >= 2 && i <= 4 ? 'num' : '' }, t))),
    ...inv.images.map(i => h('tr', {}, h('td', {}, i.name), h('td', {}, i.kind), h('td', { class: 'num' }, bytes(i.bytes)), h('td', { class: 'num' }, bytes(i.stored_bytes)),
      h('td', { class: 'num' }, bytes(i.unique_bytes)), h('td', {}, new Date(i.created_ms).toLocaleString()), h('td', {}, i.description || '')))));
  if (!inv.images.length) el.append(h('p', { class: 'muted' }, 'The store has no image yet: imgcast capture …'));
}

// ---- hosts and groups

async function pageHosts(el) {
  const inv = await call('GET', '/console/api/inventory').catch(e => { flash(e.message, true); return null; });
  if (!inv) return;
  const images = inv.images.map(i => i.name), groups = (inv.groups.groups || []).map(g => g.name);
  const opt = (list, none) => [h('option', { value: '' }, none), ...list.map(n => h('option', { value: n }, n))];
  const reload = () => route();
  el.append(h('div', { class: 'split' }, h('div', {},
    h('h2', {}, 'Hosts'),
    h('table', { id: 'hosts' }, h('tr', {}, ['name', 'MAC', 'image', 'group', 'disk', 'then', ''].map(t => h('th', {}, t))),
      ...(inv.hosts.hosts || []).map(x => h('tr', { 'data-host': x.name }, h('td', {}, x.name), h('td', {}, x.mac),
        h('td', {}, h('select', { class: 'host-image', onchange: async e => { await admin('POST', 'hosts', { ...x, image: e.target.value || null }, x.name + ' gets ' + (e.target.value || 'its group\u2019s image')); reload(); } },
          opt(images, '(group\u2019s)').map(o => { if (o.value === (x.image || '')) o.selected = true; return o; }))),
        h('td', {}, x.group || ''), h('td', {}, x.disk || ''), h('td', {}, x.then || ''),
        h('td', {}, h('button', { class: 'link', onclick: async () => { if (confirm('Remove host ' + x.name + '?')) { await admin('DELETE', 'hosts/' + encodeURIComponent(x.mac), undefined, x.name + ' removed'); reload(); } } }, 'remove'))))),
    h('form', { class: 'inline', id: 'host-form', onsubmit: async e => {
      e.preventDefault(); const f = e.target;
      const body = { mac: f.mac.value, name: f.name.value, image: f.image.value || null, group: f.group.value || null };
      if (await admin('POST', 'hosts', body, 'host ' + body.name + ' saved')) reload();
    } }, h('input', { name: 'name', placeholder: 'name', required: true, size: 10 }), h('input', { name: 'mac', placeholder: 'MAC', required: true, size: 17 }),
      h('select', { name: 'image' }, opt(images, 'image…')), h('select', { name: 'group' }, opt(groups, 'group…')), h('button', { class: 'act', type: 'submit' }, 'Add host'))),
  h('div', {},
    h('h2', {}, 'Groups'),
    h('table', { id: 'groups' }, h('tr', {}, ['name', 'image', 'expect', 'wait', 'hosts', 'start'].map(t => h('th', {}, t))),
      ...(inv.groups.groups || []).map(g => h('tr', { 'data-group': g.name }, h('td', {}, g.name), h('td', {}, g.image || ''), h('td', {}, g.expect ?? ''),
        h('td', {}, g.wait_seconds != null ? g.wait_seconds + ' s' : ''), h('td', {}, (g.members || []).join(', ')),
        h('td', {}, h('button', { class: 'act start-now', onclick: async () => { if (await admin('POST', 'sessions', { groups: [g.name] }, 'session started for ' + g.name)) location.hash = '#live'; } }, 'Start now'), ' ',
          h('input', { type: 'datetime-local', class: 'start-at' }), ' ',
          h('button', { class: 'act quiet', onclick: async e => {
            const v = e.target.previousElementSibling.previousSibling && e.target.parentNode.querySelector('.start-at').value;
            if (!v) { flash('choose a time first', true); return; }
            if (await admin('POST', 'sessions', { groups: [g.name], at: new Date(v).toISOString() }, g.name + ' scheduled for ' + new Date(v).toLocaleString())) reload();
          } }, 'Start at'))))),
    h('form', { class: 'inline', id: 'group-form', onsubmit: async e => {
      e.preventDefault(); const f = e.target;
      const body = { name: f.name.value, image: f.image.value || null, expect: f.expect.value ? Number(f.expect.value) : null, wait_seconds: f.wait.value ? Number(f.wait.value) : null };
      if (await admin('POST', 'groups', body, 'group ' + body.name + ' saved')) reload();
    } }, h('input', { name: 'name', placeholder: 'name', required: true, size: 10 }), h('select', { name: 'image' }, opt(images, 'image…')),
      h('input', { name: 'expect', type: 'number', min: 0, placeholder: 'expect', style: 'width:6em' }), h('input', { name: 'wait', type: 'number', min: 0, placeholder: 'wait s', style: 'width:6em' }),
      h('button', { class: 'act', type: 'submit' }, 'Add group')))));
}

// ---- history

async function pageSessions(el) {
  el.append(h('h2', {}, 'Sessions'));
  const r = await call('GET', '/console/api/sessions').catch(e => { flash(e.message, true); return null; });
  if (!r) return;
  el.append(h('table', { id: 'sessions' }, h('tr', {}, ['session', 'groups', 'state', 'started', 'ended'].map(t => h('th', {}, t))),
    ...r.sessions.map(s => h('tr', {}, h('td', {}, h('a', { href: '#session/' + s.id }, '#' + s.id)), h('td', {}, s.groups.join(', ')),
      h('td', {}, h('span', { class: 'state ' + s.state }, s.state)), h('td', {}, when(s.started)), h('td', {}, when(s.ended))))));
  if (!r.sessions.length) el.append(h('p', { class: 'muted' }, 'No session yet: start one for a group under Hosts & groups.'));
}

async function pageSession(el, id) {
  const r = await call('GET', '/console/api/sessions/' + encodeURIComponent(id)).catch(e => { flash(e.message, true); return null; });
  if (!r) return;
  const s = r.session, ms = s.machines || [];
  const n = st => ms.filter(m => m.state === st).length;
  const secs = ms.map(m => m.seconds).filter(x => x != null);
  el.append(h('h2', { id: 'report-title' }, 'Session #' + s.id + ' · ' + s.groups.join(', ')),
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'k' }, 'State'), h('div', { class: 'v' }, h('span', { class: 'state ' + s.state }, s.state)), h('div', { class: 's' }, when(s.started) + (s.ended ? ' – ' + when(s.ended) : ''))),
      h('div', { class: 'card', id: 'report-counts' }, h('div', { class: 'k' }, 'Machines'), h('div', { class: 'v' }, n('done') + ' done'), h('div', { class: 's' }, n('failed') + ' failed · ' + n('lost') + ' lost · ' + ms.length + ' in all')),
      h('div', { class: 'card' }, h('div', { class: 'k' }, 'Written'), h('div', { class: 'v' }, bytes(ms.reduce((a, m) => a + (m.bytes || 0), 0))), h('div', { class: 's' }, secs.length ? 'slowest ' + Math.max(...secs).toFixed(1) + ' s' : ''))),
    h('h3', {}, 'Machines'),
    h('table', { id: 'report-machines' }, h('tr', {}, ['machine', 'MAC', 'image', 'state', 'written', 'time', 'error'].map(t => h('th', {}, t))),
      ...ms.slice().sort((a, b) => (BAD.has(b.state) - BAD.has(a.state)) || a.name.localeCompare(b.name)).map(m => h('tr', { class: m.state, 'data-machine': m.name },
        h('td', {}, m.name), h('td', {}, m.mac || ''), h('td', {}, m.image || ''), h('td', {}, h('span', { class: 'state ' + m.state }, m.state)),
        h('td', { class: 'num' }, bytes(m.bytes)), h('td', { class: 'num' }, m.seconds != null ? m.seconds.toFixed(1) + ' s' : '–'), h('td', { class: 'err' }, m.error || '')))),
    h('h3', {}, 'Events'),
    h('div', { class: 'events', id: 'report-events' }, ...r.events.map(e => h('div', { class: e.kind },
      new Date(e.at_ms).toLocaleTimeString() + '  ' + e.kind + (e.machine ? ' ' + e.machine : '') + (e.image ? ' (' + e.image + ')' : '') + (e.stream != null ? ' stream ' + e.stream : '') + (e.detail ? ': ' + e.detail : '')))));
}

boot();
