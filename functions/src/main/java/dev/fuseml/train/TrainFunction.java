package dev.fuseml.train;

import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.project.Project;
import dev.fuseml.run.StepRunner;
import dev.fuseml.workspace.Workspaces;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.nio.file.Path;
import java.util.Map;

/** Step 3: runs the training entry point (long: answers at once, emits when the process ends). */
public class TrainFunction {
    static final String STEP = "train";

    private final StepRunner steps;
    private final CodesetStore codesets;
    private final Workspaces workspaces;
    private final Trainer trainer;

    public TrainFunction(StepRunner steps, CodesetStore codesets, Workspaces workspaces, Trainer trainer) {
        this.steps = steps;
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.trainer = trainer;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.BUILT, responseType = FusemlEvents.TRAINED,
            responseSource = "fuseml/" + STEP)
    public void train(CloudEvent<Built> event) {
        steps.async(STEP, event, ref -> {
            Built built = event.data();
            Path work = workspaces.fresh(ref.run(), STEP);
            Path code = work.resolve("code");
            codesets.checkout(ref.org(), ref.app(), built.commit(), code);
            Project project = Project.inspect(code, built.entryPoint(), built.params());
            Path modelDir = work.resolve("model");
            Map<String, Double> metrics = trainer.train(ref.run(), project, built.environment(), modelDir);
            return new StepRunner.Outcome(FusemlEvents.TRAINED, new Trained(built.commit(), project.parameters(),
                    built.environment(), modelDir.toString(), metrics));
        });
    }
}
