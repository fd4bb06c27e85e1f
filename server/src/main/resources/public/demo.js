'use strict';
// The caller's phone, in the browser. Signalling goes through the demo's simulated Meta, which turns the offer
// into a signed connect webhook to wavoice and hands back the answer wavoice sends in pre_accept; the audio
// goes straight to wavoice's media port (WebRTC: ICE, DTLS-SRTP, Opus). What wavoice logs about the call
// (state, events, transcript) arrives over server-sent events.
//
// "Let the agent call me" (demo-call-me.js) runs the other way: wavoice calls, this page rings and answers.
//
// ?processing=off turns the browser's echo cancellation, noise suppression and gain control off, so a test
// tone reaches wavoice unchanged (noise suppression treats a steady tone as noise).

const $ = id => document.getElementById(id);
const ui = {
  call: $('call'), hangup: $('hangup'), state: $('state'), detail: $('detail'), callId: $('call-id'),
  micLevel: $('mic-level'), micDb: $('mic-db'), remoteLevel: $('remote-level'), remoteDb: $('remote-db'),
  remoteTone: $('remote-tone'), tonesHeard: $('tones-heard'), transcript: $('transcript'), events: $('events'),
  callMe: $('call-me'), incoming: $('incoming'), answer: $('answer'), decline: $('decline'),
};
const rawMicrophone = new URLSearchParams(location.search).get('processing') === 'off';

// { id, pc, mic, feed, audio, context, meters: [], firstEventAt, ended, path: where hang-up goes (Meta's call URL) }
let call = null;

function setState(state, detail) {
  ui.state.textContent = state;
  ui.state.dataset.state = state;
  ui.detail.textContent = detail || '';
}

async function postJson(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                      body: JSON.stringify(body || {}) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error || ('HTTP ' + response.status + ' from ' + path));
  return json;
}

function resetPage() {
  ui.call.disabled = true;
  ui.callMe.disabled = true;
  ui.transcript.innerHTML = '<p class="empty">Nothing said yet.</p>';
  ui.events.textContent = '';
  ui.tonesHeard.textContent = 'none';
  ui.tonesHeard.dataset.hz = '';
}

function microphone() {
  return navigator.mediaDevices.getUserMedia({ audio: rawMicrophone
      ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : true });
}

async function startCall() {
  resetPage();
  try {
    setState('microphone', 'allow the microphone to call');
    const mic = await microphone();
    const context = new AudioContext();
    call = { id: null, pc: null, mic, feed: null, audio: null, context, meters: [], firstEventAt: null, ended: false,
             path: null };
    call.meters.push(meter(context, mic, ui.micLevel, ui.micDb, null));

    const reserved = await postJson('/demo/calls');
    call.id = reserved.callId;
    call.path = '/demo/calls/' + encodeURIComponent(call.id);
    ui.callId.textContent = call.id;
    ui.hangup.disabled = false;
    await openFeed(call, call.path + '/live');

    const pc = new RTCPeerConnection({ iceServers: [] });
    call.pc = pc;
    pc.addTrack(mic.getAudioTracks()[0], mic);
    pc.addEventListener('track', e => attachRemote(e.streams[0] || new MediaStream([e.track])));
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') endLocally('media failed', 'ICE/DTLS could not connect');
    });
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringComplete(pc, 5000);

    setState('ringing', 'offer sent to wavoice as a connect webhook');
    const reply = await postJson('/demo/calls/' + encodeURIComponent(call.id) + '/offer', { sdp: pc.localDescription.sdp });
    if (reply.rejected) {
      // Why it was rejected arrives as the call row (end reason and detail) over the feed.
      setState('rejected', 'wavoice rejected the call');
      closeMedia();
      return;
    }
    // The call may already have ended (rejected right after pre_accept): its row said why; nothing to connect.
    if (call.ended || pc.signalingState === 'closed') return;
    await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
    setState('connecting', 'answer received in pre_accept; ICE and DTLS starting');
  } catch (e) {
    if (call && call.ended) return; // a race with the end the feed reported; the page shows that end
    setState('error', String(e.message || e));
    hangUp();
  }
}

// Resolves once the stream is subscribed (its first "live" event), so no event of the call is missed.
function openFeed(c, url) {
  return new Promise((resolve, reject) => {
    const feed = new EventSource(url);
    c.feed = feed;
    feed.addEventListener('live', () => resolve(), { once: true });
    feed.addEventListener('error', () => { if (feed.readyState === EventSource.CLOSED) reject(new Error('live feed closed')); });
    feed.addEventListener('call', e => onCallRow(JSON.parse(e.data)));
    feed.addEventListener('event', e => onEvent(JSON.parse(e.data)));
    feed.addEventListener('transcript', e => onTranscript(JSON.parse(e.data)));
    feed.addEventListener('notice', e => onNotice(JSON.parse(e.data)));
  });
}

// A wrong OPENAI_API_KEY or model shows before the first call (the service checks its agent at startup), and
// again after a call the agent refused, with what to fix.
async function showAgentStatus() {
  const ready = await fetch('/ready').then(r => r.json()).catch(() => null);
  const agent = ready && ready.agent;
  const el = $('agent-status');
  const failed = agent && (agent.state === 'failed' || agent.state === 'unreachable');
  el.classList.toggle('hidden', !failed);
  if (failed) {
    el.textContent = (agent.state === 'failed' ? 'The agent refuses calls: ' : 'The agent was unreachable: ')
      + (agent.hint || agent.code) + ' (' + agent.code + (agent.detail ? ': ' + agent.detail : '') + ')';
  }
}

function onCallRow(row) {
  if (row.state === 'CONNECTED') {
    setState('connected', 'talking to the ' + row.agent + ' agent');
  } else if (row.state === 'ENDED') {
    const seconds = row.durationMs == null ? '' : ', ' + (row.durationMs / 1000).toFixed(1) + ' s';
    setState('ended', row.endReason + (row.endDetail ? ': ' + row.endDetail : '') + seconds);
    endLocally();
    if (row.endReason === 'agent_failed') showAgentStatus();
  } else if (!call.ended && row.state === 'PRE_ACCEPTED') {
    setState('connecting', 'answer received in pre_accept; ICE and DTLS starting');
  }
}

function onEvent(event) {
  const at = Date.parse(event.occurredAt);
  if (call.firstEventAt === null) call.firstEventAt = at;
  const line = document.createElement('div');
  line.textContent = String(at - call.firstEventAt).padStart(6) + '  ' + event.type + (event.detail ? '  ' + event.detail : '');
  ui.events.appendChild(line);
}

function onTranscript(row) {
  const empty = ui.transcript.querySelector('.empty');
  if (empty) empty.remove();
  const p = document.createElement('p');
  p.className = row.speaker;
  const who = document.createElement('span');
  who.className = 'speaker';
  who.textContent = row.speaker === 'caller' ? 'you' : 'assistant';
  p.append(who, document.createTextNode(row.text + (row.interrupted ? ' …(interrupted)' : '')));
  ui.transcript.appendChild(p);
}

function onNotice(notice) {
  // The simulated Meta received a Graph action from wavoice.
  if (notice.type === 'meta.accept') setState('connected', 'wavoice accepted the call');
  if (notice.type === 'meta.terminate') setState('ended', 'wavoice hung up');
}

function gatheringComplete(pc, timeoutMs) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(resolve => {
    // Host candidates are gathered within milliseconds; the timeout only guards an odd network setup.
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(timer); resolve(); }
    });
  });
}

function attachRemote(stream) {
  if (call.audio) return;
  // Playing the stream is what you hear; Chromium also feeds WebAudio from a remote track only while it plays.
  const audio = new Audio();
  audio.autoplay = true;
  audio.srcObject = stream;
  audio.play().catch(() => {});
  call.audio = audio;
  call.meters.push(meter(call.context, stream, ui.remoteLevel, ui.remoteDb, ui.remoteTone));
}

// A level meter (RMS in dBFS, -60..0 mapped to the bar) and, for the received side, the dominant frequency.
function meter(context, stream, bar, label, toneLabel) {
  const source = context.createMediaStreamSource(stream);
  const level = context.createAnalyser();
  level.fftSize = 2048;
  source.connect(level);
  let spectrum = null;
  if (toneLabel) {
    spectrum = context.createAnalyser();
    spectrum.fftSize = 16384; // 2.9 Hz bins at 48 kHz; the peak is refined below
    spectrum.smoothingTimeConstant = 0;
    source.connect(spectrum);
  }
  const samples = new Float32Array(level.fftSize);
  const bins = spectrum ? new Float32Array(spectrum.frequencyBinCount) : null;
  const timer = setInterval(() => {
    level.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const db = 10 * Math.log10(sum / samples.length + 1e-12);
    bar.value = Math.max(0, Math.min(1, (db + 60) / 60));
    label.textContent = db < -90 ? 'silence' : db.toFixed(0) + ' dBFS';
    if (spectrum) showTone(spectrum, bins, context.sampleRate, toneLabel);
  }, 100);
  return { stop: () => { clearInterval(timer); source.disconnect(); } };
}

function showTone(analyser, bins, sampleRate, label) {
  analyser.getFloatFrequencyData(bins);
  const binHz = sampleRate / analyser.fftSize;
  let best = -1, bestDb = -Infinity;
  for (let i = Math.ceil(50 / binHz); i < bins.length - 1; i++) {
    if (bins[i] > bestDb) { bestDb = bins[i]; best = i; }
  }
  if (best < 1 || bestDb < -70) return; // keep the last tone heard
  // Parabolic interpolation over the peak bin and its neighbours (dB) gives a fraction of a bin.
  const a = bins[best - 1], b = bins[best], c = bins[best + 1];
  const d = a - 2 * b + c;
  const hz = (best + (d === 0 ? 0 : 0.5 * (a - c) / d)) * binHz;
  label.textContent = hz.toFixed(1) + ' Hz at ' + bestDb.toFixed(0) + ' dB';
  label.dataset.hz = hz.toFixed(2);
  label.dataset.db = bestDb.toFixed(1);
  noteTone(hz, bestDb);
}

// Every distinct tone wavoice played, in the order first heard (10 Hz steps): the agent's greeting chime comes
// before anything it says back.
function noteTone(hz, db) {
  if (db < -60) return;
  const heard = ui.tonesHeard.dataset.hz ? ui.tonesHeard.dataset.hz.split(' ') : [];
  const step = String(Math.round(hz / 10) * 10);
  if (heard.includes(step)) return;
  heard.push(step);
  ui.tonesHeard.dataset.hz = heard.join(' ');
  ui.tonesHeard.textContent = heard.map(h => h + ' Hz').join(', ');
}

function closeMedia() {
  if (!call) return;
  call.ended = true;
  call.meters.forEach(m => m.stop());
  call.meters = [];
  if (call.pc) call.pc.close();
  if (call.mic) call.mic.getTracks().forEach(t => t.stop());
  if (call.audio) call.audio.srcObject = null;
  ui.hangup.disabled = true;
  ui.incoming.classList.add('hidden');
  ui.call.disabled = false;
  ui.callMe.disabled = false;
}

// The call is over on wavoice's side: stop media, keep the feed a moment for the last rows.
function endLocally(state, detail) {
  if (state) setState(state, detail);
  closeMedia();
  const feed = call && call.feed;
  if (feed) setTimeout(() => feed.close(), 3000);
}

async function hangUp() {
  if (!call || call.ended) return;
  const path = call.path;
  ui.hangup.disabled = true;
  setState('hanging up', 'terminate webhook sent');
  // As on WhatsApp: Meta tells the business first, then the phone's media stops. The ended call row (reason,
  // duration) follows over the feed.
  if (path) await postJson(path + '/hangup').catch(() => {});
  closeMedia();
}

ui.call.addEventListener('click', startCall);
ui.hangup.addEventListener('click', hangUp);
window.addEventListener('pagehide', () => {
  if (call && !call.ended && call.path) navigator.sendBeacon(call.path + (call.answered === false ? '/decline' : '/hangup'));
});
showAgentStatus();
