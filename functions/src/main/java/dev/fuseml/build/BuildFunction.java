package dev.fuseml.build;

import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.project.Project;
import dev.fuseml.run.StepRunner;
import dev.fuseml.workspace.Workspaces;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.nio.file.Path;

/** Step 2: builds the project's environment from its dependency file (long: answers at once, emits when done). */
public class BuildFunction {
    static final String STEP = "build";

    private final StepRunner steps;
    private final CodesetStore codesets;
    private final Workspaces workspaces;
    private final EnvironmentBuilder builder;

    public BuildFunction(StepRunner steps, CodesetStore codesets, Workspaces workspaces, EnvironmentBuilder builder) {
        this.steps = steps;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.builder = builder;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.RECEIVED, responseType = FusemlEvents.BUILT,
            responseSource = "fuseml/" + STEP)
    public void build(CloudEvent<Received> event) {
        steps.async(STEP, event, ref -> {
            Received received = event.data();
            Path dir = workspaces.fresh(ref.run(), STEP);
            codesets.checkout(ref.org(), ref.app(), received.commit(), dir);
            Project project = Project.inspect(dir, received.entryPoint(), received.params());
            String environment = builder.build(ref.run(), project.dependencies());
            workspaces.remove(ref.run(), STEP);
            return new StepRunner.Outcome(FusemlEvents.BUILT,
                    new Built(received.commit(), received.params(), received.entryPoint(), environment));
        });
    }
}
