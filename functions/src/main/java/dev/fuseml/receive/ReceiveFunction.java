package dev.fuseml.receive;

import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.project.Project;
import dev.fuseml.step.StepFailure;
import dev.fuseml.step.StepLog;
import dev.fuseml.step.StepRunner;
import dev.fuseml.workspace.Workspaces;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.nio.file.Path;

/** Step 1: fetches the pushed commit of the app's codeset and checks that it is a project FuseML can run. */
public class ReceiveFunction {
    public static final String STEP = dev.fuseml.eventing.Steps.RECEIVE;

    private final StepRunner steps;
    private final CodesetSource codesets;
    private final Workspaces workspaces;
    private final StepLog log;

    public ReceiveFunction(StepRunner steps, CodesetSource codesets, Workspaces workspaces, StepLog log) {
        this.steps = steps;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.log = log;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.PUSH, responseType = FusemlEvents.RECEIVED,
            responseSource = "fuseml/" + STEP)
    public CloudEvent<Object> receive(CloudEvent<Push> event) {
        return steps.sync(STEP, event, ref -> {
            Push push = event.data();
            if (push == null || push.repository() == null || push.commit() == null) {
                throw new StepFailure("the push event names no repository and commit: store the code first "
                        + "(fuseml push does) and name them in the event's data");
            }
            Path dir = workspaces.fresh(ref.run(), STEP);
            try {
                String commit = codesets.checkout(push.repository(), push.commit(), dir);
                Project project = Project.inspectOrFail(dir, push.entryPoint(), push.params());
                if (push.serveTarget() != null && !dev.fuseml.project.ServingSettings.SERVE_TARGETS.contains(
                        push.serveTarget())) {
                    throw new StepFailure("the push asks for serve target '" + push.serveTarget() + "': use one of "
                            + String.join(", ", dev.fuseml.project.ServingSettings.SERVE_TARGETS));
                }
                log.note(ref.run(), STEP, "commit " + commit + " of " + push.repository() + "; will run: "
                        + project.command());
                return new StepRunner.Outcome(FusemlEvents.RECEIVED, new Received(push.repository(), commit,
                        project.parameters(), push.entryPoint(), project.command(), push.serveTarget()));
            } finally {
                workspaces.remove(ref.run(), STEP);
            }
        });
    }
}
