/**
 * WhatsApp's side of a call, simulated: a caller that offers (the media module playing Meta's edge), a Graph API
 * stand-in that receives {@code pre_accept}/{@code accept} and hands the answer to the caller, and a sender of
 * signed connect/terminate webhooks. Used by {@code wavoice simulate} (one scripted call) and {@code wavoice
 * bench} (many calls against a server in its own process). It speaks only the public contract (signed
 * {@code POST /webhook}, Graph {@code POST /{version}/{phone-number-id}/calls}, {@code GET /ready}), so any
 * answerer implementing it can be measured the same way.
 */
package dev.wavoice.server.sim;
