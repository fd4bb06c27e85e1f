package dev.wavoice.media.interop;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * What every Go test program (the Pion peer, the OpenAI stand-in) offers a test the same way: its lines so far,
 * waiting for one, and its life (close request, exit, kill), all over one {@link GoPeerProcess}.
 *
 * @param <E> the program's line type
 */
public abstract class GoPeer<E> implements AutoCloseable {
    final GoPeerProcess<E> process;
    final String name;

    GoPeer(GoPeerProcess<E> process) {
        this.process = process;
        this.name = process.name();
    }

    public long pid() {
        return process.pid();
    }

    /** Every line so far. */
    public List<E> events() {
        return process.events();
    }

    /**
     * Waits for the first line (from the start, not only new ones) matching {@code wanted}; fails at once on a line
     * matching {@code fatal}, on the program's exit, or at the timeout.
     */
    public E awaitEvent(Predicate<E> wanted, String what, Duration timeout, Predicate<E> fatal) {
        return process.awaitLine(wanted, what, timeout, fatal);
    }

    /** Asks the program to close cleanly ({@code {"type":"close"}}, then end of input). */
    public void requestClose() {
        process.requestClose();
    }

    /** Waits for the process to end and returns its exit code (0: it closed cleanly as asked). */
    public int awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Closes cleanly if the program cooperates within its grace, else kills it; always reaps the process. */
    @Override
    public void close() {
        process.close();
    }

    /** The program's stderr (Pion's log) so far. */
    public String stderr() {
        return process.stderr();
    }

    /** The command, the last lines and stderr, for failure messages. */
    public String diagnostics() {
        return process.diagnostics();
    }
}
