package dev.fuseml.codeset;

import dev.fuseml.FusemlConfig;
import dev.fuseml.app.AppStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.project.InvalidProjectException;
import dev.fuseml.project.Project;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.run.StepFailure;
import dev.fuseml.run.StepRunner;
import dev.fuseml.workspace.Workspaces;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.nio.file.Path;
import java.util.Map;

/** Step 1: stores the pushed code as a new commit of the app's codeset and checks that it can run. */
public class ReceiveFunction {
    static final String STEP = "receive";

    private final StepRunner steps;
    private final UploadStore uploads;
    private final CodesetStore codesets;
    private final Workspaces workspaces;
    private final RunStore runs;
    private final RunLog log;
    private final AppStore apps;

    public ReceiveFunction(StepRunner steps, UploadStore uploads, CodesetStore codesets, Workspaces workspaces,
            RunStore runs, RunLog log, AppStore apps) {
        this.steps = steps;
        this.uploads = uploads;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.runs = runs;
        this.log = log;
        this.apps = apps;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.PUSH, responseType = FusemlEvents.RECEIVED,
            responseSource = "fuseml/" + STEP)
    public CloudEvent<Object> receive(CloudEvent<Push> event) {
        return steps.sync(STEP, event, ref -> {
            Push push = event.data();
            if (push == null || push.upload() == null) {
                throw new StepFailure("the push event has no upload: send the code first (fuseml push does)");
            }
            Map<String, String> params = push.params() == null ? Map.of() : push.params();
            apps.ensure(ref.org(), ref.app());
            Path dir = workspaces.fresh(ref.run(), STEP);
            uploads.extract(push.upload(), dir);
            Project project;
            try {
                project = Project.inspect(dir, push.entryPoint(), params);
            } catch (InvalidProjectException e) {
                throw new StepFailure("the project was refused: " + e.getMessage());
            }
            String commit = codesets.commit(ref.org(), ref.app(), dir, "fuseml push, run " + ref.run());
            runs.updateExisting(ref.run(), run -> run.withCode(commit, project.parameters()));
            log.note(ref.run(), STEP, "stored as commit " + commit + "; will run: " + project.command());
            uploads.delete(push.upload());
            workspaces.remove(ref.run(), STEP);
            return new StepRunner.Outcome(FusemlEvents.RECEIVED,
                    new Received(commit, params, project.entryPoint()));
        });
    }
}
