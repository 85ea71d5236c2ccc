package dev.fuseml.run;

import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;

/**
 * The guard that keeps at-least-once delivery from doing a step twice: the key is (run id, step). A delivery of a
 * step that is running is ignored, one of a step that has finished is answered with the event the step emitted, and
 * one of a step whose process died (a crash of the orchestrator) starts it again.
 */
@ApplicationScoped
public class Steps {
    /** This orchestrator process; steps started by another one were interrupted. */
    public static final String INSTANCE = UUID.randomUUID().toString();

    /** What to do with a delivery. */
    public sealed interface Decision {
    }

    public record Start(boolean resumed) implements Decision {
    }

    public record AlreadyRunning() implements Decision {
    }

    public record AlreadyDone(StoredEvent output) implements Decision {
    }

    /** The run has ended (failed): the delivery is acknowledged and dropped. */
    public record RunEnded() implements Decision {
    }

    private final RunStore runs;

    public Steps(RunStore runs) {
        this.runs = runs;
    }

    public synchronized Decision begin(RunRef ref, String step, String inputType, Object inputData) {
        Decision[] decision = new Decision[1];
        runs.update(ref.run(), () -> Run.start(ref.run(), ref.org(), ref.app()), run -> {
            Step existing = run.step(step).orElse(null);
            if (existing != null && Step.SUCCEEDED.equals(existing.status())) {
                decision[0] = new AlreadyDone(existing.output());
                return run;
            }
            if (run.finished()) {
                decision[0] = new RunEnded();
                return run;
            }
            if (existing != null && existing.running() && INSTANCE.equals(existing.owner())) {
                decision[0] = new AlreadyRunning();
                return run;
            }
            decision[0] = new Start(existing != null);
            StoredEvent input = new StoredEvent(inputType, JsonFiles.MAPPER.valueToTree(inputData));
            return run.withStep(new Step(step, Step.RUNNING, Instant.now(), null, INSTANCE, input, null));
        });
        return decision[0];
    }

    public void succeeded(RunRef ref, String step, String outputType, Object outputData) {
        StoredEvent output = new StoredEvent(outputType, JsonFiles.MAPPER.valueToTree(outputData));
        runs.updateExisting(ref.run(), run -> run.step(step)
                .map(s -> run.withStep(s.finished(Step.SUCCEEDED, output))).orElse(run));
    }

    public void failed(RunRef ref, String step, Object failedData, String outputType) {
        StoredEvent output = new StoredEvent(outputType, JsonFiles.MAPPER.valueToTree(failedData));
        runs.updateExisting(ref.run(), run -> run.step(step)
                .map(s -> run.withStep(s.finished(Step.FAILED, output))).orElse(run));
    }
}
