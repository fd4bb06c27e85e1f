package dev.wavoice.server.doctor;

/**
 * One thing {@link Doctor} checks. {@link #run()} may block on the network; the doctor bounds it with its own
 * timeout, so an implementation need not, though one that knows what it waits for (a host) says so better.
 */
public interface DoctorCheck {

    String name();

    /** What was found. An exception counts as a failure whose message is shown: it must not carry a secret. */
    Check run() throws Exception;

    /** A check from a name and a body. */
    static DoctorCheck of(String name, java.util.concurrent.Callable<Check> body) {
        return new DoctorCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Check run() throws Exception {
                return body.call();
            }
        };
    }
}
