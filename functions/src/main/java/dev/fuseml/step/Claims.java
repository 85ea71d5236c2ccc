package dev.fuseml.step;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The (run, step) guard that works across processes and replicas: before working, a step claims (run, step) with a
 * lease it renews while it works. Kept by the control plane, so that a redelivery to another replica does no work
 * twice, and a step whose owner died (its lease ran out) is done again.
 */
public interface Claims {
    /** An event a step took or emitted. */
    record StoredEvent(String type, JsonNode data) {
    }

    /** What a delivery should do. */
    sealed interface Decision {
    }

    /** Work: nobody holds (run, step), or its holder's lease ran out ({@code resumed}). */
    record Start(boolean resumed, int attempt) implements Decision {
    }

    /** Another owner holds a live lease: acknowledge the delivery, do nothing. */
    record HeldElsewhere(String owner) implements Decision {
    }

    /** The step finished before: answer with the event it emitted then. */
    record Done(StoredEvent output) implements Decision {
    }

    /** The run has ended (it failed): acknowledge and drop. */
    record RunEnded() implements Decision {
    }

    Decision claim(RunRef ref, String step, String owner, StoredEvent input);

    /** Extends the lease; false when the owner lost it (another owner took the step over). */
    boolean renew(RunRef ref, String step, String owner);

    /** Records the step's result; false when the owner had lost the lease, and its result must not be emitted. */
    boolean complete(RunRef ref, String step, String owner, boolean succeeded, StoredEvent output);
}
