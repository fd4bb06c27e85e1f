package dev.wavoice.media.webrtc;

import dev.wavoice.media.dtls.DtlsException;
import dev.wavoice.media.dtls.DtlsFingerprintMismatchException;
import dev.wavoice.media.dtls.DtlsHandshakeFailedException;
import dev.wavoice.media.dtls.DtlsHandshakeTimeoutException;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link EndpointFailureStats}, shared by every endpoint of one transport. */
final class EndpointFailureCounters {
    private final LongAdder offersRefused = new LongAdder(), answersRefused = new LongAdder(),
            iceFailed = new LongAdder(), dtlsFingerprintMismatch = new LongAdder(),
            dtlsHandshakeTimeout = new LongAdder(), dtlsHandshakeFailed = new LongAdder();

    void offerRefused() {
        offersRefused.increment();
    }

    void answerRefused() {
        answersRefused.increment();
    }

    void iceFailed() {
        iceFailed.increment();
    }

    void dtlsFailed(DtlsException cause) {
        switch (cause) {
            case DtlsFingerprintMismatchException m -> dtlsFingerprintMismatch.increment();
            case DtlsHandshakeTimeoutException t -> dtlsHandshakeTimeout.increment();
            case DtlsHandshakeFailedException f -> dtlsHandshakeFailed.increment();
        }
    }

    EndpointFailureStats snapshot() {
        return new EndpointFailureStats(offersRefused.sum(), answersRefused.sum(), iceFailed.sum(),
                dtlsFingerprintMismatch.sum(), dtlsHandshakeTimeout.sum(), dtlsHandshakeFailed.sum());
    }
}
