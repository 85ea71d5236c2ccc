package dev.fuseml.run;

import dev.fuseml.broker.EmbeddedBroker;
import dev.fuseml.broker.EventSink;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * After a crash, resumes the steps that were running in the dead process: their input event goes through the
 * broker again, and the (run, step) guard lets the new process take the step over. Events the broker had not
 * delivered are replayed by the broker itself.
 */
@ApplicationScoped
public class RunRecovery {
    private static final System.Logger LOG = System.getLogger(RunRecovery.class.getName());
    private final RunStore runs;
    private final EventSink sink;
    private final RunLog log;

    public RunRecovery(RunStore runs, EventSink sink, RunLog log) {
        this.runs = runs;
        this.sink = sink;
        this.log = log;
    }

    void resume(@Observes EmbeddedBroker.Ready ready) {
        Thread thread = new Thread(() -> {
            for (Run run : runs.list(null, null)) {
                if (run.finished()) {
                    continue;
                }
                for (Step step : run.steps()) {
                    if (step.running() && !Steps.INSTANCE.equals(step.owner()) && step.input() != null) {
                        log.note(run.id(), step.name(), "the orchestrator stopped during this step; resuming it");
                        try {
                            sink.emit(new RunRef(run.org(), run.app(), run.id()), "recovery", step.input().type(),
                                    step.input().data());
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.ERROR, "could not resume run " + run.id(), e);
                        }
                    }
                }
            }
        }, "run-recovery");
        thread.setDaemon(true);
        thread.start();
    }
}
