package dev.fuseml.run;

import dev.fuseml.broker.EventSink;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Failed;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every step does around its own work: the (run, step) guard, the run's bookkeeping, turning a failure into a
 * {@code dev.fuseml.failed} event, and for long steps, answering the delivery at once and emitting the result to
 * the broker when the work ends (Knative's K_SINK pattern).
 */
@ApplicationScoped
public class StepRunner {
    private static final System.Logger LOG = System.getLogger(StepRunner.class.getName());
    private static final int EXCERPT_LINES = 20;

    /** The event a step's work results in. */
    public record Outcome(String type, Object data) {
    }

    @FunctionalInterface
    public interface Work {
        Outcome run(RunRef ref) throws Exception;
    }

    private final Steps steps;
    private final RunLog log;
    private final EventSink sink;
    private final ExecutorService longSteps = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "fuseml-step");
        t.setDaemon(true);
        return t;
    });

    public StepRunner(Steps steps, RunLog log, EventSink sink) {
        this.steps = steps;
        this.log = log;
        this.sink = sink;
    }

    /** Runs a short step now and answers the delivery with its result event (a Knative reply). */
    public CloudEvent<Object> sync(String step, CloudEvent<?> input, Work work) {
        RunRef ref = RunRef.of(input.extensions());
        Steps.Decision decision = steps.begin(ref, step, input.type(), input.data());
        if (decision instanceof Steps.AlreadyDone done) {
            return reply(ref, step, new Outcome(done.output().type(), done.output().data()));
        }
        if (!(decision instanceof Steps.Start start)) {
            return null;
        }
        return reply(ref, step, execute(ref, step, start, work));
    }

    /** Accepts a long step's delivery at once; the work runs on its own thread and emits its result. */
    public void async(String step, CloudEvent<?> input, Work work) {
        RunRef ref = RunRef.of(input.extensions());
        Steps.Decision decision = steps.begin(ref, step, input.type(), input.data());
        if (decision instanceof Steps.AlreadyDone done) {
            longSteps.submit(() -> emit(ref, step, new Outcome(done.output().type(), done.output().data())));
        } else if (decision instanceof Steps.Start start) {
            longSteps.submit(() -> emit(ref, step, execute(ref, step, start, work)));
        }
    }

    private Outcome execute(RunRef ref, String step, Steps.Start start, Work work) {
        long began = System.nanoTime();
        log.note(ref.run(), step, start.resumed() ? "started again: the orchestrator stopped while it ran" : "started");
        try {
            Outcome outcome = work.run(ref);
            steps.succeeded(ref, step, outcome.type(), outcome.data());
            log.note(ref.run(), step, "finished in " + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms");
            return outcome;
        } catch (StepFailure failure) {
            return failed(ref, step, failure.getMessage(), failure.logExcerpt());
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.ERROR, "step " + step + " of run " + ref.run() + " crashed", e);
            return failed(ref, step, step + " failed unexpectedly: " + e, null);
        }
    }

    private Outcome failed(RunRef ref, String step, String cause, String excerpt) {
        log.note(ref.run(), step, "failed: " + cause);
        Failed data = new Failed(step, cause, excerpt != null ? excerpt : log.tail(ref.run(), EXCERPT_LINES));
        steps.failed(ref, step, data, FusemlEvents.FAILED);
        return new Outcome(FusemlEvents.FAILED, data);
    }

    private void emit(RunRef ref, String step, Outcome outcome) {
        try {
            sink.emit(ref, step, outcome.type(), outcome.data());
        } catch (RuntimeException e) {
            // The step stays recorded as finished with its output; recovery re-emits it on the next start.
            LOG.log(System.Logger.Level.ERROR, "could not emit " + outcome.type() + " for run " + ref.run(), e);
        }
    }

    private static CloudEvent<Object> reply(RunRef ref, String step, Outcome outcome) {
        return CloudEventBuilder.create().type(outcome.type()).source(EventSink.source(step)).subject(ref.app())
                .extensions(ref.extensions()).build(outcome.data());
    }

    @PreDestroy
    void stop() {
        longSteps.shutdownNow();
    }
}
