'use strict';
// The dashboard: /api/dashboard for the history and totals, /api/live (server-sent events) for live calls
// (a "live" snapshot every second) and for each call row, event and transcript line as wavoice writes it;
// /api/permissions for the users' WhatsApp call permissions (refreshed with the history, and every 15 s).
// Both need the admin login when a token is configured: the login form trades the token for a session cookie
// (HttpOnly, opaque, expiring); the token itself stays out of the browser's storage.

const $ = id => document.getElementById(id);
let selected = null;       // call id whose details are shown
let refreshTimer = null;

function text(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value == null ? '' : String(value);
  if (className) el.className = className;
  return el;
}

function clock(ms) {
  if (ms == null) return '–';
  const s = Math.floor(ms / 1000);
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

async function load() {
  const response = await fetch('/api/dashboard', { credentials: 'same-origin' });
  if (response.status === 401 || response.status === 403) {
    $('login').classList.remove('hidden');
    $('content').classList.add('hidden');
    $('feed-state').textContent = 'locked';
    if (response.status === 403) {
      $('login-message').textContent = await response.text();
      document.querySelector('form.login').classList.add('hidden');
    } else if (new URLSearchParams(location.search).get('login') === 'failed') {
      $('login-message').textContent = 'That token is not the admin token.';
      $('login-message').classList.add('error');
    }
    return false;
  }
  const data = await response.json();
  $('content').classList.remove('hidden');
  showLive(data.live);
  showHistory(data.history || []);
  if (data.totals) showTotals(data.totals);
  showAgent(data.agent);
  $('instance-id').textContent = data.instance || '–';
  const elsewhere = data.elsewhere || [];
  $('elsewhere').textContent = elsewhere.length === 0 ? 'none'
    : elsewhere.map(c => c.callId + ' (' + c.state + ' on ' + c.ownerInstance + ')').join(', ');
  loadPermissions();
  return true;
}

// status is as of now (an expired temporary grant reads no_permission); "Calls today" is Meta's start_call limit
// as of the last permission check (current_usage / max_allowed), when there was one.
async function loadPermissions() {
  const response = await fetch('/api/permissions', { credentials: 'same-origin' });
  if (!response.ok) return;
  const rows = (await response.json()).permissions || [];
  const body = $('permissions');
  body.replaceChildren();
  $('permissions-empty').classList.toggle('hidden', rows.length > 0);
  for (const p of rows) {
    const tr = document.createElement('tr');
    tr.dataset.status = p.status;
    const limit = p.startCallLimit;
    tr.append(text('td', /^\d+$/.test(p.user) ? '+' + p.user : p.user), text('td', p.status),
      text('td', p.status === 'temporary' ? time(p.expiresAt) : p.status === 'permanent' ? 'no expiry' : '–'),
      text('td', limit ? limit.currentUsage + ' / ' + limit.maxAllowed : '–', 'num'),
      text('td', p.serviceWindowOpen ? 'open' : 'closed'), text('td', p.source), text('td', time(p.updatedAt)));
    tr.title = p.storedStatus !== p.status ? 'stored as ' + p.storedStatus : '';
    body.append(tr);
  }
}

// What the service last learned of its agent: a refused key or an unknown model shows here with what to fix.
function showAgent(agent) {
  const el = $('agent-status');
  const failed = agent && (agent.state === 'failed' || agent.state === 'unreachable');
  el.classList.toggle('hidden', !failed);
  if (!failed) return;
  el.replaceChildren(text('strong', agent.state === 'failed' ? 'The agent refuses calls: ' : 'The agent was unreachable: '),
    document.createTextNode((agent.hint || agent.code) + ' '), text('code', agent.code),
    text('span', ' (' + (agent.detail || '') + ', ' + time(agent.at) + ')', 'detail'));
}

function showTotals(t) {
  $('total-calls').textContent = t.calls;
  $('total-connected').textContent = t.connected;
  $('total-talk').textContent = clock(t.talkMillis);
  const reasons = Object.entries(t.byEndReason).map(([r, n]) => r + ' ' + n).join(', ');
  $('total-reasons').textContent = reasons || '–';
}

function showLive(calls) {
  $('total-live').textContent = calls.length;
  const body = $('live');
  body.replaceChildren();
  if (calls.length === 0) {
    const tr = document.createElement('tr');
    const td = text('td', 'No call right now.', 'empty');
    td.colSpan = 7;
    tr.append(td);
    body.append(tr);
  }
  for (const c of calls) {
    const tr = document.createElement('tr');
    tr.className = 'clickable';
    tr.dataset.callId = c.callId;
    tr.append(text('td', (c.callerName ? c.callerName + ' ' : '') + '+' + c.caller), text('td', c.state),
      text('td', clock(c.durationMs), 'num'), text('td', c.agent),
      text('td', c.packetsReceived + ' / ' + c.packetsSent, 'num'),
      text('td', c.lossPercent.toFixed(1) + ' %', 'num'), text('td', c.jitterMs.toFixed(1) + ' ms', 'num'));
    tr.addEventListener('click', () => showDetails(c.callId));
    body.append(tr);
  }
}

function showHistory(calls) {
  const body = $('history');
  body.replaceChildren();
  for (const c of calls) {
    const tr = document.createElement('tr');
    tr.className = 'clickable' + (c.callId === selected ? ' selected' : '');
    tr.dataset.callId = c.callId;
    tr.dataset.state = c.state;
    // Calls the business placed show an outgoing arrow: the "caller" is then the user it called.
    const way = c.direction === 'BUSINESS_INITIATED' ? '\u2197 ' : '';
    tr.append(text('td', time(c.startedAt)), text('td', way + (c.callerName ? c.callerName + ' ' : '') + '+' + (c.callerPhone || c.callerBsuid)),
      text('td', c.agent), text('td', c.state), text('td', c.endReason || ''), text('td', clock(c.durationMs), 'num'),
      text('td', c.ownerInstance || ''));
    tr.title = c.endDetail || '';
    tr.addEventListener('click', () => showDetails(c.callId));
    body.append(tr);
  }
}

async function showDetails(callId) {
  selected = callId;
  document.querySelectorAll('#history tr').forEach(tr => tr.classList.toggle('selected', tr.dataset.callId === callId));
  const response = await fetch('/api/calls/' + encodeURIComponent(callId), { credentials: 'same-origin' });
  if (!response.ok || selected !== callId) return;
  const data = await response.json();
  $('details').classList.remove('hidden');
  $('details-id').textContent = callId;
  const c = data.call;
  $('details-summary').textContent = c.state + (c.endReason ? ' · ' + c.endReason : '') + (c.endDetail ? ' (' + c.endDetail + ')' : '')
      + ' · ' + clock(c.durationMs) + ' · agent ' + c.agent
      + (c.direction === 'BUSINESS_INITIATED' ? ' · placed by the business' + (c.waCallId ? ' as ' + c.waCallId : '')
        + (c.graphErrorCode ? ' · Graph error ' + c.graphErrorCode : '') : '');
  $('details-transcript').replaceChildren();
  $('details-events').replaceChildren();
  showRecording(callId, data.recording);
  data.transcripts.forEach(addTranscript);
  data.events.forEach(addEvent);
  if (data.transcripts.length === 0) $('details-transcript').append(text('p', 'No transcript.', 'empty'));
}

// A recorded call plays here (the caller on the left channel, the agent on the right); the file needs the admin login.
function showRecording(callId, r) {
  const el = $('details-recording');
  el.replaceChildren();
  if (!r) return;
  if (r.deletedAt) {
    el.append(text('p', 'Recording deleted by the retention on ' + time(r.deletedAt) + '.', 'detail'));
    return;
  }
  const url = '/api/calls/' + encodeURIComponent(callId) + '/recording';
  const audio = document.createElement('audio');
  audio.controls = true;
  audio.preload = 'none';
  audio.src = url;
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.textContent = 'download';
  el.append(audio, text('span', ' ' + clock(r.durationMs) + ' · ' + Math.round(r.bytes / 1024)
      + ' KB · caller left, agent right · ', 'detail'), link);
}

function addTranscript(t) {
  const box = $('details-transcript');
  const empty = box.querySelector('.empty');
  if (empty) empty.remove();
  const p = text('p', '', t.speaker);
  p.append(text('span', t.speaker, 'speaker'), document.createTextNode(t.text + (t.interrupted ? ' …(interrupted)' : '')));
  box.append(p);
}

function addEvent(e) {
  $('details-events').append(text('div', new Date(e.occurredAt).toISOString().substring(11, 23) + '  ' + e.type
      + (e.detail ? '  ' + e.detail : '')));
}

// History and totals come from the database: refresh them (at most twice a second) when a call row changes.
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; load(); }, 500);
}

function connect() {
  const feed = new EventSource('/api/live');
  // After a reconnect, rows written meanwhile are only in the database: reload history and totals.
  feed.addEventListener('open', () => { $('feed-state').textContent = 'live'; refreshSoon(); });
  feed.addEventListener('error', () => { $('feed-state').textContent = 'reconnecting…'; });
  feed.addEventListener('live', e => showLive(JSON.parse(e.data)));
  feed.addEventListener('call', () => refreshSoon());
  feed.addEventListener('transcript', e => { const t = JSON.parse(e.data); if (t.callId === selected) addTranscript(t); });
  feed.addEventListener('event', e => { const ev = JSON.parse(e.data); if (ev.callId === selected) addEvent(ev); });
}

load().then(ok => {
  if (ok) {
    connect();
    setInterval(loadPermissions, 15000);
  }
});
