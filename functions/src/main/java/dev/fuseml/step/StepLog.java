package dev.fuseml.step;

import java.time.Instant;

/**
 * A run's log as steps write it: their own notes and the output of the processes they start. Kept by the control
 * plane ({@code fuseml logs}); steps only append.
 */
public interface StepLog {
    void append(String run, String line);

    /** A line written by FuseML itself, stamped and tagged with the step. */
    default void note(String run, String step, String message) {
        append(run, "[" + Instant.now() + "] [" + step + "] " + message);
    }

    /** The last lines this process appended to the run's log, for a failure's excerpt. */
    String tail(String run, int lines);

    /** Returns once what was appended to the run's log is stored; the step's result is sent after. */
    void flush(String run);

    /** This process is done with the run's log: its tail may be dropped. */
    void forget(String run);
}
