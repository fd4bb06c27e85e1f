package dev.wavoice.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, in nanoseconds, read the same way for our JVM and for a Pion process so the two
 * are comparable: the sum of {@code sum_exec_runtime} over {@code /proc/<pid>/task/<tid>/schedstat} (Linux,
 * nanosecond resolution, unlike the 10 ms ticks of {@code /proc/<pid>/stat}). Threads that ended are not
 * counted; neither runtime ends threads during a call setup. Reading our own JVM's threads costs CPU on the
 * calling thread, and up to one such read falls inside a measured window: it errs against us.
 *
 * @param total           every thread
 * @param withoutJitAndGc without HotSpot's compiler, GC and VM threads ("C1 CompilerThre…", "C2 CompilerThre…",
 *                        "G1 …", "GC Thread#…", "VM Thread"): what a call costs once the code is compiled
 */
record ProcessCpu(long total, long withoutJitAndGc) {

    static ProcessCpu of(long pid) {
        long total = 0;
        long own = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String line = Files.readString(task.resolve("schedstat"));
                    long nanos = Long.parseLong(line.substring(0, line.indexOf(' ')));
                    total += nanos;
                    if (!isJitOrGc(Files.readString(task.resolve("comm")).strip())) {
                        own += nanos;
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading: its time is lost either way
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/task (Linux only)", e);
        }
        return new ProcessCpu(total, own);
    }

    static ProcessCpu self() {
        return of(ProcessHandle.current().pid());
    }

    static boolean isJitOrGc(String thread) {
        return thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler") || thread.startsWith("G1 ")
                || thread.startsWith("GC ") || thread.startsWith("VM Thread");
    }

    /** Milliseconds of {@link #total} since {@code earlier}. */
    double totalMsSince(ProcessCpu earlier) {
        return (total - earlier.total) / 1e6;
    }

    double withoutJitAndGcMsSince(ProcessCpu earlier) {
        return (withoutJitAndGc - earlier.withoutJitAndGc) / 1e6;
    }
}
