/**
 * Call recording without re-encoding: the caller's and the agent's Opus packets, as they crossed the wire, written
 * side by side as one two-channel Ogg Opus file (RFC 7845, channel mapping family 1 with two uncoupled mono streams:
 * channel 0 the caller, channel 1 the agent).
 *
 * <p>The path, in the order the bytes flow: {@link dev.wavoice.media.record.FrameRing} (one per side, filled by the
 * receive and relay threads) → {@link dev.wavoice.media.record.OpusFraming} (validate, self-delimit the first
 * stream, RFC 6716 Appendix B) → {@link dev.wavoice.media.record.OggPageWriter} (RFC 3533 pages, CRC in
 * {@link dev.wavoice.media.record.OggCrc}) → {@link dev.wavoice.media.record.PageSink} on a writer thread. The
 * per-call object tying them together and ticked by the shared pacer is
 * {@link dev.wavoice.media.record.TwoChannelRecorder}.
 */
package dev.wavoice.media.record;
