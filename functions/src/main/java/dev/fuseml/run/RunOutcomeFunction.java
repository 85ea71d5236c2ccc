package dev.fuseml.run;

import dev.fuseml.app.AppStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Failed;
import dev.fuseml.eventing.payload.Served;
import dev.fuseml.workspace.Workspaces;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * Ends runs: subscribed to the chain's last event and to failures, like any other function, so that a platform team
 * that appends steps after {@code served} moves this trigger rather than changing code.
 */
public class RunOutcomeFunction {
    private final RunStore runs;
    private final AppStore apps;
    private final RunLog log;
    private final Workspaces workspaces;

    public RunOutcomeFunction(RunStore runs, AppStore apps, RunLog log, Workspaces workspaces) {
        this.runs = runs;
        this.apps = apps;
        this.log = log;
        this.workspaces = workspaces;
    }

    @Funq("served")
    @CloudEventMapping(trigger = FusemlEvents.SERVED)
    public void served(CloudEvent<Served> event) {
        RunRef ref = RunRef.of(event.extensions());
        runs.updateExisting(ref.run(), run -> run.finished() ? run
                : run.succeeded(event.data().version(), event.data().url()));
        apps.update(ref.org(), ref.app(), app -> app.withLastRun(ref.run()));
        log.note(ref.run(), "run", "succeeded: version " + event.data().version() + " serves at "
                + event.data().url());
        workspaces.removeRun(ref.run());
    }

    @Funq("failed")
    @CloudEventMapping(trigger = FusemlEvents.FAILED)
    public void failed(CloudEvent<Failed> event) {
        RunRef ref = RunRef.of(event.extensions());
        Failed failed = event.data();
        fail(ref, failed.step(), failed.cause(), failed.logExcerpt());
    }

    /** Marks the run failed; also used for events the broker could not deliver at all. */
    public void fail(RunRef ref, String step, String cause, String excerpt) {
        runs.update(ref.run(), () -> Run.start(ref.run(), ref.org(), ref.app()),
                run -> run.finished() ? run : run.failed(step, cause, excerpt));
        apps.update(ref.org(), ref.app(), app -> app.withLastRun(ref.run()).failedRun());
        log.note(ref.run(), "run", "failed at " + step + ": " + cause);
        workspaces.removeRun(ref.run());
    }
}
