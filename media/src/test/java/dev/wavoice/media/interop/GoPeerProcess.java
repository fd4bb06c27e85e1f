package dev.wavoice.media.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One running Go test program ({@link PionPeer}, {@link OpenAiStandIn}): starts the binary with its
 * stderr in {@code <binary dir>/logs/<name>.stderr.log}, keeps every JSON line it prints on stdout
 * as an event {@code E}, writes JSON lines to its stdin, and stops it ({@code {"type":"close"}},
 * end of input, then destroy). Failures quote the command, the last lines and stderr. A JVM
 * shutdown hook ends any process a test forgot.
 *
 * @param <E> one parsed stdout line
 */
final class GoPeerProcess<E> {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "go-peer-reaper"));
    }

    /**
     * How one kind of program is run.
     *
     * @param what            how its lines are described in errors ("the peer", "the stand-in")
     * @param parser          one stdout line to an event; IllegalArgumentException when unreadable
     * @param diagnosticLines how many last lines failures quote
     * @param closeGrace      how long {@link #close()} waits for a clean exit before destroying
     */
    record Kind<E>(String what, Function<String, E> parser, int diagnosticLines, Duration closeGrace) {
    }

    private final Kind<E> kind;
    private final String name;
    private final List<String> args;
    private final Process process;
    private final Path stderrLog;
    private final OutputStream stdin;
    private final Thread reader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<E> events = new ArrayList<>();
    private boolean stdoutClosed;
    private String protocolError;
    private boolean stdinClosed;

    private GoPeerProcess(Kind<E> kind, String name, List<String> args, Process process, Path stderrLog) {
        this.kind = kind;
        this.name = name;
        this.args = List.copyOf(args);
        this.process = process;
        this.stderrLog = stderrLog;
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().name(name + "-stdout").start(this::readLines);
    }

    /** Starts {@code binary args...}, its stderr going to {@code <binary dir>/logs/<name>.stderr.log}. */
    static <E> GoPeerProcess<E> start(Kind<E> kind, Path binary, String name, List<String> args) {
        Path logs = binary.getParent().resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path stderrLog = logs.resolve(name + ".stderr.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(stderrLog.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + cmd, e);
        }
        LIVE.add(p);
        return new GoPeerProcess<>(kind, name, args, p, stderrLog);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    // ---- stdin --------------------------------------------------------------------------------

    /** Writes one JSON line to the program's input. */
    void writeLine(String json) {
        lock.lock();
        try {
            if (stdinClosed) {
                throw new IllegalStateException(name + ": already closed");
            }
            stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + " no longer reads its input" + diagnostics(), e);
        } finally {
            lock.unlock();
        }
    }

    // ---- stdout -------------------------------------------------------------------------------

    /** Every line so far. */
    List<E> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the first line (from the start, not only new ones) matching {@code wanted}; fails
     * at once on a line matching {@code fatal}, on an unreadable line, on the program's exit, or at
     * the timeout.
     */
    E awaitLine(Predicate<? super E> wanted, String what, Duration timeout, Predicate<? super E> fatal) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        lock.lock();
        try {
            while (true) {
                for (; seen < events.size(); seen++) {
                    E e = events.get(seen);
                    if (wanted.test(e)) {
                        return e;
                    }
                    if (fatal.test(e)) {
                        throw new IllegalStateException(name + ": " + e + " while waiting for " + what + diagnostics());
                    }
                }
                if (protocolError != null) {
                    throw new IllegalStateException(name + ": " + protocolError + diagnostics());
                }
                if (stdoutClosed) {
                    throw new IllegalStateException(name + " ended (" + exitDescription() + ") before " + what
                            + diagnostics());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(name + ": no " + what + " within " + timeout + diagnostics());
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                E e;
                try {
                    e = kind.parser().apply(line);
                } catch (IllegalArgumentException ex) {
                    setProtocolError("unreadable line from " + kind.what() + ": " + ex.getMessage());
                    continue;
                }
                lock.lock();
                try {
                    events.add(e);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            setProtocolError("reading its output: " + e);
        } finally {
            lock.lock();
            try {
                stdoutClosed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void setProtocolError(String message) {
        lock.lock();
        try {
            if (protocolError == null) {
                protocolError = message;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /** Asks the program to stop ({@code {"type":"close"}}, then end of input). */
    void requestClose() {
        lock.lock();
        try {
            if (stdinClosed) {
                return;
            }
            if (process.isAlive()) {
                try {
                    stdin.write("{\"type\":\"close\"}\n".getBytes(StandardCharsets.UTF_8));
                    stdin.flush();
                } catch (IOException ignored) {
                    // it is already going away; closing below is all that is left to do
                }
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // as above
            }
            stdinClosed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the process to end and returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " still running after " + timeout + diagnostics());
            }
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for exit", e);
        }
        LIVE.remove(process);
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Closes cleanly if the program cooperates within the kind's grace, else kills it; always reaps it. */
    void close() {
        requestClose();
        try {
            if (!process.waitFor(kind.closeGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    /** The program's stderr (Pion's log) so far. */
    String stderr() {
        try {
            return Files.exists(stderrLog) ? Files.readString(stderrLog, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + stderrLog + ": " + e + ")";
        }
    }

    private String exitDescription() {
        return process.isAlive() ? "output closed, process alive" : "exit code " + process.exitValue();
    }

    /** The command, the last lines and stderr, for failure messages. */
    String diagnostics() {
        StringBuilder b = new StringBuilder("\n  command: ").append(args).append("\n  last lines:");
        List<E> all = events();
        for (E e : all.subList(Math.max(0, all.size() - kind.diagnosticLines()), all.size())) {
            b.append("\n    ").append(e);
        }
        String err = stderr().strip();
        if (err.length() > 2000) {
            err = "…" + err.substring(err.length() - 2000);
        }
        b.append("\n  stderr (").append(stderrLog).append("):").append(err.isEmpty() ? " (empty)" : "\n" + err);
        return b.toString();
    }
}
