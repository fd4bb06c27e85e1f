'use strict';
// "Let the agent call me": wavoice places a call to this page's user through its own outbound flow (the same as
// POST /api/calls). The simulated Meta takes wavoice's Graph connect (the offer), rings this page, and turns the
// page's answer into the business-initiated connect webhook; the agent greets first. Uses demo.js's page state.

function outboundPath(waCallId) {
  return '/demo/outbound/' + encodeURIComponent(waCallId);
}

async function letTheAgentCallMe() {
  resetPage();
  try {
    // Created on the click: a page may only start audio after a user gesture.
    const context = new AudioContext();
    call = { id: null, pc: null, mic: null, feed: null, audio: null, context, meters: [], firstEventAt: null,
             ended: false, path: null, answered: false, offer: null };
    setState('dialling', 'wavoice builds its offer and sends Graph connect');
    const placed = await postJson('/demo/outbound');
    call.id = placed.callId;
    call.path = outboundPath(placed.waCallId);
    ui.callId.textContent = call.id;
    await openFeed(call, call.path + '/live');

    const ringing = await postJson(call.path + '/ring');
    call.offer = ringing.sdp;
    ui.incoming.classList.remove('hidden');
    setState('incoming', 'the business is calling: answer or decline');
  } catch (e) {
    if (call && call.ended) return;
    setState('error', String(e.message || e));
    closeMedia();
  }
}

// The phone picks up: its own answer to wavoice's offer, sent to Meta, which hands it to wavoice.
async function answerIncoming() {
  if (!call || call.ended || call.answered) return;
  call.answered = true;
  ui.incoming.classList.add('hidden');
  try {
    setState('answering', 'allow the microphone to answer');
    call.mic = await microphone();
    call.meters.push(meter(call.context, call.mic, ui.micLevel, ui.micDb, null));
    const pc = new RTCPeerConnection({ iceServers: [] });
    call.pc = pc;
    pc.addEventListener('track', e => attachRemote(e.streams[0] || new MediaStream([e.track])));
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') endLocally('media failed', 'ICE/DTLS could not connect');
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: call.offer });
    // Added after the offer, the track rides the offered audio section (one section, as wavoice offered).
    pc.addTrack(call.mic.getAudioTracks()[0], call.mic);
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc, 5000);
    ui.hangup.disabled = false;
    await postJson(call.path + '/answer', { sdp: pc.localDescription.sdp });
    if (!call.ended) setState('connecting', 'answer sent in the connect webhook; ICE and DTLS starting');
  } catch (e) {
    if (call && call.ended) return;
    setState('error', String(e.message || e));
    // Before the answer reached Meta the phone is still ringing there: refuse the call rather than leave it ringing.
    if (!call.pc || call.pc.localDescription === null) await postJson(call.path + '/decline').catch(() => {});
    else hangUp();
    closeMedia();
  }
}

async function declineIncoming() {
  if (!call || call.ended || call.answered) return;
  ui.incoming.classList.add('hidden');
  setState('declined', 'status REJECTED and terminate sent to wavoice');
  await postJson(call.path + '/decline').catch(e => setState('error', String(e.message || e)));
  endLocally();
}

ui.callMe.addEventListener('click', letTheAgentCallMe);
ui.answer.addEventListener('click', answerIncoming);
ui.decline.addEventListener('click', declineIncoming);
