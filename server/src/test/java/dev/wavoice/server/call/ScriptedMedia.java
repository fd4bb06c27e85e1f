package dev.wavoice.server.call;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A media side whose outcome each test chooses (connect at once, never, fail, fail later), to drive the call
 * state machine through paths a real network makes hard to hit on purpose.
 */
final class ScriptedMedia implements CallMedia {
    enum Behaviour { CONNECT, NEVER_CONNECT, FAIL_TO_CONNECT, BAD_OFFER }

    final List<Session> sessions = new CopyOnWriteArrayList<>();
    volatile Behaviour behaviour = Behaviour.CONNECT;

    static class Session implements MediaSession {
        final String callId;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final CompletableFuture<MediaEnd> ended = new CompletableFuture<>();
        volatile boolean closed;

        Session(String callId) {
            this.callId = callId;
        }

        @Override
        public String answerSdp() {
            return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=setup:active\r\n";
        }

        @Override
        public CompletableFuture<Void> connected() {
            return connected;
        }

        @Override
        public CompletableFuture<MediaEnd> ended() {
            return ended;
        }

        @Override
        public void close() {
            closed = true;
            connected.completeExceptionally(new IllegalStateException("closed"));
        }
    }

    @Override
    public MediaSession answer(String callId, String offerSdp) throws MediaException {
        if (behaviour == Behaviour.BAD_OFFER) {
            throw new MediaException(EndReason.REJECTED_BAD_OFFER, "offer has no audio m-line");
        }
        return started(new Session(callId));
    }

    /** A call the business places: applying an answer without an audio section fails as the real media does. */
    static final class Outbound extends Session implements OutboundSession {
        volatile String answer;

        Outbound(String callId) {
            super(callId);
        }

        @Override
        public String offerSdp() {
            return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:actpass\r\n";
        }

        @Override
        public boolean answered() {
            return answer != null;
        }

        @Override
        public void applyAnswer(String answerSdp) throws MediaException {
            if (!answerSdp.contains("m=audio")) {
                throw new MediaException(EndReason.REJECTED_BAD_ANSWER, "cannot use the answer: no audio section");
            }
            answer = answerSdp;
        }
    }

    @Override
    public OutboundSession offer(String callId) {
        return started(new Outbound(callId));
    }

    /** Keeps the session and connects it, or fails it, or leaves it waiting, as the current behaviour says. */
    private <S extends Session> S started(S s) {
        sessions.add(s);
        switch (behaviour) {
            case CONNECT -> s.connected.complete(null);
            case FAIL_TO_CONNECT -> s.connected.completeExceptionally(new IllegalStateException("DTLS fingerprint mismatch"));
            default -> { }
        }
        return s;
    }

    Session session(String callId) {
        return sessions.stream().filter(s -> s.callId.equals(callId)).findFirst().orElseThrow();
    }
}
