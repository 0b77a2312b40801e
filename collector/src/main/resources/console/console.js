// Tripline console: plain JS over the REST API. Session cookie auth; state changes carry the CSRF header.
(function () {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const csrf = () => (document.cookie.split('; ').find((c) => c.startsWith('tripline_csrf=')) || '').split('=')[1] || '';
  let selectedAlert = null;
  let selectedService = null;

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  function time(ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
  // The list shows the simple class name to stay scannable; the alert page shows the full one.
  function site(c, full) {
    if (!c || !c.className) return '<span class="muted">JDK thread</span>';
    const cls = full ? c.className : c.className.split('.').pop();
    return '<span class="mono" title="' + esc(c.className) + '">' + esc(cls + '.' + c.methodName + ':' + c.lineNumber) + '</span>' +
      (c.jar ? ' <span class="muted">' + esc(c.jar) + '</span>' : '');
  }
  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (opts.method && opts.method !== 'GET') opts.headers['X-Tripline-CSRF'] = csrf();
    const r = await fetch('/api/' + path, opts);
    if (r.status === 401) { location.href = '/login'; throw new Error('signed out'); }
    if (!r.ok) throw new Error((await r.json()).error || r.statusText);
    return r.json();
  }
  function post(path, body) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
  }

  async function loadAlerts() {
    const q = new URLSearchParams();
    [['service', '#f-service'], ['severity', '#f-severity'], ['reason', '#f-reason'], ['state', '#f-state']]
      .forEach(([k, sel]) => { if ($(sel).value) q.set(k, $(sel).value); });
    const alerts = await api('alerts?' + q.toString());
    const row = (a, cls) =>
      '<tr data-id="' + esc(a.id) + '"' + (cls ? ' class="' + cls + '"' : '') + '><td class="mono">' + esc(time(a.time)) + '</td><td><span class="sev sev-' + esc(a.severity) + '">' +
      esc(a.severity) + '</span></td><td>' + esc(a.service) + '</td><td>' + esc(a.reason) + '</td><td>' + esc(a.title) +
      '</td><td>' + site(a.callSite) + '</td><td>' + esc(a.count) + '</td><td class="state-' + esc(a.state) + '">' + esc(a.state) + '</td></tr>';
    // One instance's alerts sharing a trace id are one incident: a header row, then its alerts oldest first.
    const members = new Map();
    alerts.forEach((a) => { if (a.incident) members.set(a.incident, (members.get(a.incident) || []).concat([a])); });
    const shown = new Set();
    $('#alerts tbody').innerHTML = alerts.map((a) => {
      const group = a.incident ? members.get(a.incident) : null;
      if (!group || group.length < 2) return row(a, '');
      if (shown.has(a.incident)) return '';
      shown.add(a.incident);
      const story = group.slice().sort((x, y) => x.time - y.time);
      const r = story[0].request || {};
      return '<tr class="incident" data-incident="' + esc(a.incident) + '"><td colspan="8">Incident · ' + esc(story.length) + ' alerts · trace <span class="mono">' +
        esc(r.traceId) + '</span> · instance ' + esc(a.incident.split('/')[0]) + (r.route || r.path ? ' · ' + esc((r.method || '') + ' ' + (r.route || r.path)) : '') + ' · ' +
        story.map((m) => esc(m.reason)).join(' → ') + '</td></tr>' + story.map((m) => row(m, 'in-incident')).join('');
    }).join('');
    $('#status').textContent = alerts.length + ' alerts · updated ' + new Date().toLocaleTimeString();
    if (selectedAlert) showAlert(selectedAlert);
  }

  async function showAlert(id) {
    selectedAlert = id;
    const a = await api('alerts/' + encodeURIComponent(id));
    const t = a.event.target || {};
    const history = a.history.map((h) => '<li>' + esc(time(h.time)) + ' — ' + esc(h.actor) + ' ' + esc(h.type) + (h.comment ? ': ' + esc(h.comment) : '') + '</li>').join('');
    $('#alert-detail').innerHTML =
      '<h2><span class="sev sev-' + esc(a.severity) + '">' + esc(a.severity) + '</span> ' + esc(a.title) + '</h2>' +
      '<dl><dt>Service</dt><dd>' + esc(a.service) + ' <span class="muted">(' + esc(a.instances.length) + ' instance(s), host ' + esc(a.host) + ')</span></dd>' +
      '<dt>Reason</dt><dd>' + esc(a.reason) + (a.rule ? ' · rule ' + esc(a.rule) : '') + '</dd>' +
      '<dt>Event</dt><dd class="mono">' + esc(a.event.kind) + ' ' + esc(JSON.stringify(t)) + (a.event.success ? '' : ' · failed: ' + esc(a.event.error)) + '</dd>' +
      '<dt>Call site</dt><dd>' + site(a.callSite, true) + '<div class="mono muted">' + esc(a.callSite.codeLocation) + '</div></dd>' +
      '<dt>Profile</dt><dd>' + esc(a.profileContext.state) + ' — ' + esc(a.profileContext.summary) + '</dd>' +
      '<dt>MITRE ATT&amp;CK</dt><dd>' + (a.mitre ? esc(a.mitre.id + ' ' + a.mitre.name + ' (' + a.mitre.tactic + ')') : '—') + '</dd>' +
      '<dt>Seen</dt><dd>' + esc(a.count) + '× · first ' + esc(time(a.time)) + ' · last ' + esc(time(a.lastSeen)) + '</dd>' +
      (a.disposition ? '<dt>Protection</dt><dd id="alert-disposition">' + esc(a.disposition === 'BLOCKED' ? 'blocked' : 'would block') + '</dd>' : '') +
      '<dt>State</dt><dd class="state-' + esc(a.state) + '" id="alert-state">' + esc(a.state) + '</dd>' +
      '<dt>History</dt><dd><ul>' + (history || '<li class="muted">no actions yet</li>') + '</ul></dd></dl>' +
      '<div class="actions"><input id="comment" placeholder="comment (optional)">' +
      '<button id="btn-ack">Acknowledge</button><button id="btn-accept">Accept into profile</button>' +
      '<a href="#services" id="to-service">service profile →</a></div>';
    $('#alert-detail').classList.remove('hidden');
    $('#btn-ack').onclick = () => post('alerts/' + encodeURIComponent(id) + '/ack', { comment: $('#comment').value }).then(later(loadAlerts));
    $('#btn-accept').onclick = () => post('alerts/' + encodeURIComponent(id) + '/accept', { comment: $('#comment').value }).then(later(loadAlerts));
    $('#to-service').onclick = () => { selectedService = a.service; };
  }

  async function loadServices() {
    const services = await api('services');
    $('#services tbody').innerHTML = services.map((s) =>
      '<tr data-name="' + esc(s.service) + '"><td>' + esc(s.service) + '</td><td class="state-' + esc(s.state) + '">' + esc(s.state) +
      '</td><td>' + esc(s.entryCount) + '</td><td>' + esc(s.instances.length) + degraded(s.instances) + '</td><td>' + esc(s.eventsTotal) + '</td><td class="mono">' +
      esc(time(s.created)) + '</td></tr>').join('');
    if (selectedService) showService(selectedService);
  }

  function degraded(instances) {
    const n = instances.filter((i) => i.status === 'DEGRADED').length;
    return n ? ' <span class="status-DEGRADED">(' + esc(n) + ' degraded)</span>' : '';
  }

  async function showService(name) {
    selectedService = name;
    const s = await api('services/' + encodeURIComponent(name));
    const rows = s.entries.map((e) => '<tr><td>' + esc(e.kind) + '</td><td class="mono">' + esc(e.target) + '</td><td class="mono">' + esc(e.callSite) +
      '</td><td>' + esc(e.count) + '</td><td class="mono">' + esc(time(e.firstSeen)) + '</td><td class="mono">' + esc(time(e.lastSeen)) +
      '</td><td>' + esc(e.origin) + '</td></tr>').join('');
    $('#service-detail').innerHTML = '<h2>' + esc(s.service) + ' <span class="state-' + esc(s.state) + '" id="service-state">' + esc(s.state) + '</span></h2>' +
      '<p class="muted">state set ' + esc(time(s.stateChanged)) + ' by ' + esc(s.stateChangedBy) + ' · ' + esc(s.instances.length) + ' instance(s)</p>' +
      '<div class="actions"><button id="btn-learn">Back to learning</button><button id="btn-monitor">Monitor now</button></div>' +
      instancesTable(s.instances) +
      '<table id="profile"><thead><tr><th>Kind</th><th>Target</th><th>Call site</th><th>Count</th><th>First seen</th><th>Last seen</th><th>Origin</th></tr></thead><tbody>' + rows + '</tbody></table>';
    $('#service-detail').classList.remove('hidden');
    $('#btn-learn').onclick = () => post('services/' + encodeURIComponent(name) + '/state', { state: 'LEARNING' }).then(later(loadServices));
    $('#btn-monitor').onclick = () => post('services/' + encodeURIComponent(name) + '/state', { state: 'MONITORING' }).then(later(loadServices));
    // Fetched when the service is chosen and after a change, not on every live refresh: a refresh
    // would reset a choice being made (and read the policy topic every two seconds).
    if (protectionFor !== name) showProtection(name);
    else if (Date.now() - wouldBlockAt > 10000) showWouldBlock(name).catch(() => {});
  }

  // Protection (docs/protection.md): the service's mode and enforced kinds; a change is audited.
  const PROTECT_KINDS = ['PROCESS_SPAWN', 'NET_CONNECT', 'FILE_READ', 'FILE_WRITE', 'FILE_DELETE', 'FILE_RENAME'];
  let protectionFor = null;
  async function showProtection(name) {
    const path = 'services/' + encodeURIComponent(name) + '/protection';
    const p = await api(path);
    protectionFor = name; // after the answer: a failed fetch is tried again on the next refresh
    const box = $('#service-protection');
    box.innerHTML = '<div class="actions" id="protection">Protection: <b id="protection-mode">' + esc(p.mode) + '</b> ' +
      (p.issued ? '<span class="muted">(' + esc(p.kinds.join(', ')) + ' · version ' + esc(p.version) + ' by ' + esc(p.issuedBy) + ' at ' + esc(time(p.issuedAt)) + ')</span>'
        : '<span class="muted">(never set)</span>') +
      ' <select id="protection-select">' + ['off', 'dry-run', 'block'].map((m) => '<option' + (m === p.mode ? ' selected' : '') + '>' + m + '</option>').join('') + '</select> ' +
      PROTECT_KINDS.map((k) => '<label><input type="checkbox" class="protect-kind" value="' + k + '"' +
        ((p.issued ? p.kinds : ['PROCESS_SPAWN', 'NET_CONNECT']).includes(k) ? ' checked' : '') + '>' + esc(k) + '</label> ').join('') +
      '<button id="btn-protect">Set protection</button> <span id="protection-error" class="status-DEGRADED"></span></div>' +
      '<div id="would-block-panel"><h3>What block would have stopped <select id="would-block-window">' +
      WOULD_BLOCK_WINDOWS.map((w) => '<option' + (w === wouldBlockWindow ? ' selected' : '') + '>' + w + '</option>').join('') +
      '</select> <button id="btn-would-block">Refresh</button></h3><div id="would-block"></div></div>';
    box.classList.remove('hidden');
    $('#would-block-window').onchange = () => { wouldBlockWindow = $('#would-block-window').value; showWouldBlock(name); };
    $('#btn-would-block').onclick = () => showWouldBlock(name);
    showWouldBlock(name);
    $('#btn-protect').onclick = () => {
      const kinds = Array.from(document.querySelectorAll('.protect-kind')).filter((c) => c.checked).map((c) => c.value);
      api(path, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode: $('#protection-select').value, kinds: kinds }) })
        .then(() => showProtection(name), (e) => { $('#protection-error').textContent = e.message; });
    };
  }

  // Dry-run's evidence (GET /api/services/{s}/would-block): the WOULD_BLOCK alerts of a window,
  // counted per kind, call site and rule, so an operator switches to block knowing what it stops.
  // Fetched on choice, on a window change, on Refresh and at most every 10 s of live refresh: the
  // answer reads up to 10 000 of the service's alerts.
  const WOULD_BLOCK_WINDOWS = ['1h', '24h', '7d', '30d'];
  let wouldBlockWindow = '24h';
  let wouldBlockAt = 0;
  async function showWouldBlock(name) {
    wouldBlockAt = Date.now();
    const w = await api('services/' + encodeURIComponent(name) + '/would-block?window=' + encodeURIComponent(wouldBlockWindow));
    const table = (id, rows, key, label) => '<table id="' + id + '"><thead><tr><th>' + label + '</th><th>Would have been stopped</th></tr></thead><tbody>' +
      rows.map((r) => '<tr><td class="mono">' + esc(r[key]) + '</td><td>' + esc(r.count) + '</td></tr>').join('') + '</tbody></table>';
    $('#would-block').innerHTML = w.total === 0
      ? '<p class="muted" id="would-block-none">Nothing in the last ' + esc(wouldBlockWindow) + ': block mode would have stopped no call (dry-run alerts say WOULD_BLOCK).</p>'
      : '<p id="would-block-total"><b>' + esc(w.total) + '</b> call(s) in ' + esc(w.alerts) + ' alert(s) since ' + esc(time(w.since)) +
        (w.truncated ? ' <span class="warning">(newest 10 000 alerts read)</span>' : '') + '</p>' +
        table('would-block-kinds', w.byKind, 'kind', 'Kind') + table('would-block-sites', w.byCallSite, 'callSite', 'Call site') +
        table('would-block-rules', w.byRule, 'rule', 'Rule');
  }

  // Each instance's last heartbeat: a DEGRADED one is partly blind (hooks missing, events dropped, config warnings).
  function instancesTable(instances) {
    const list = (xs) => (xs || []).map(esc).join(', ');
    const rows = instances.map((i) => '<tr class="instance-' + esc(i.status) + '"><td class="mono">' + esc(i.instanceId) + '</td><td>' + esc(i.host) +
      (i.pod ? ' <span class="muted">' + esc(i.pod) + '</span>' : '') + '</td><td>' + esc(i.agentVersion) + '</td><td class="mono">' + esc(time(i.lastSeen)) +
      '</td><td class="status-' + esc(i.status) + '">' + esc(i.status) + '</td><td>' + (i.problems || []).map((p) => '<div>' + esc(p) + '</div>').join('') +
      (i.protection ? '<div class="muted">protection in force: ' + esc(i.protection.mode) + (i.protection.reason ? ' (' + esc(i.protection.reason) + ')' : '') + '</div>' : '') +
      (i.configWarnings || []).map((w) => '<div class="mono warning">' + esc(w) + '</div>').join('') +
      '</td><td class="mono">' + list(i.hooksMissing) + '</td><td class="mono muted">' + list(i.hooksApplied) + '</td></tr>').join('');
    return '<table id="instances"><thead><tr><th>Instance</th><th>Host</th><th>Agent</th><th>Last heartbeat</th><th>Status</th><th>Problems</th>' +
      '<th>Hooks missing</th><th>Hooks woven</th></tr></thead><tbody>' + rows + '</tbody></table>';
  }

  async function loadAudit() {
    const actions = await api('actions');
    $('#audit tbody').innerHTML = actions.map((a) => '<tr><td class="mono">' + esc(time(a.time)) + '</td><td>' + esc(a.actor) + '</td><td>' + esc(a.type) +
      '</td><td>' + esc(a.service) + '</td><td class="mono">' + esc(a.alertId) + '</td><td>' + esc(a.comment) + '</td></tr>').join('');
  }

  // Alert outputs (docs/outputs.md): health, and a test delivery per output.
  async function loadOutputs() {
    const outputs = await api('outputs');
    $('#outputs tbody').innerHTML = outputs.map((o) => '<tr><td>' + esc(o.name) + '</td><td>' + esc(o.type) + '</td><td class="status-' + esc(o.status) + '">' +
      esc(o.status) + '</td><td class="mono">' + esc(time(o.lastSuccessMs)) + '</td><td>' + esc(o.delivered) + '</td><td>' + esc(o.failures) + '</td><td>' +
      esc(o.deadLetters) + '</td><td>' + esc(o.backlog) + '</td><td class="mono">' + esc(o.error) + '</td><td><button data-test="' + esc(o.name) + '">Test</button></td></tr>').join('');
    if (!outputs.length) $('#outputs tbody').innerHTML = '<tr><td colspan="10" class="muted">No outputs configured (output.&lt;name&gt;.type=…, docs/outputs.md)</td></tr>';
  }

  function later(fn) { return () => setTimeout(fn, 700); }

  function route() {
    const view = (location.hash || '#alerts').slice(1);
    ['alerts', 'services', 'audit', 'outputs'].forEach((v) => {
      $('#view-' + v).classList.toggle('hidden', v !== view);
      $('#nav-' + v).classList.toggle('active', v === view);
    });
    refresh();
  }
  function refresh() {
    const view = (location.hash || '#alerts').slice(1);
    const load = view === 'services' ? loadServices : view === 'audit' ? loadAudit : view === 'outputs' ? loadOutputs : loadAlerts;
    load().catch((e) => { $('#status').textContent = 'error: ' + e.message; });
  }

  $('#signout').addEventListener('click', (e) => {
    e.preventDefault();
    fetch('/logout', { method: 'POST', headers: { 'X-Tripline-CSRF': csrf() } }).finally(() => { location.href = '/login'; });
  });
  $('#alerts tbody').addEventListener('click', (e) => { const tr = e.target.closest('tr'); if (tr && tr.dataset.id) showAlert(tr.dataset.id); });
  $('#services tbody').addEventListener('click', (e) => { const tr = e.target.closest('tr'); if (tr) showService(tr.dataset.name); });
  ['#f-service', '#f-severity', '#f-reason', '#f-state'].forEach((sel) => $(sel).addEventListener('change', loadAlerts));
  $('#outputs tbody').addEventListener('click', (e) => {
    const name = e.target.dataset && e.target.dataset.test;
    if (!name) return;
    post('outputs/' + encodeURIComponent(name) + '/test').then(
      (r) => { $('#output-result').textContent = name + ': ' + (r.delivered ? 'test alert delivered' : 'not delivered: ' + r.error); },
      (err) => { $('#output-result').textContent = name + ': ' + err.message; });
  });
  window.addEventListener('hashchange', route);
  route();
  setInterval(refresh, 2000); // live updates
})();
