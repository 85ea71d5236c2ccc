package dev.fuseml.train;

import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.step.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/** Step 3: runs the training entry point (long: answers at once, emits when the process ends). */
public class TrainFunction {
    public static final String STEP = dev.fuseml.eventing.Steps.TRAIN;

    private final StepRunner steps;
    private final Trainer trainer;

    public TrainFunction(StepRunner steps, Trainer trainer) {
        this.steps = steps;
        this.trainer = trainer;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.BUILT, responseType = FusemlEvents.TRAINED,
            responseSource = "fuseml/" + STEP)
    public void train(CloudEvent<Built> event) {
        steps.async(STEP, event, ref -> {
            Built in = event.data();
            return trainer.train(new Trainer.TrainingJob(ref, in.repository(), in.commit(), in.entryPoint(),
                    in.params(), in.environment(), ArtifactUri.of(ref, "model").toString(), in.serveTarget()))
                    .map(model -> new StepRunner.Outcome(FusemlEvents.TRAINED, new Trained(in.repository(),
                            in.commit(), params(in.params(), model.params()), in.environment(), model.modelUri(),
                            model.metrics())))
                    .orElse(StepRunner.Outcome.HANDED_OVER);
        });
    }

    /** The params it was given, and those the code logged through MLflow (which never change a given one). */
    static java.util.Map<String, String> params(java.util.Map<String, String> given,
            java.util.Map<String, String> logged) {
        java.util.Map<String, String> all = new java.util.TreeMap<>(logged == null ? java.util.Map.of() : logged);
        if (given != null) {
            all.putAll(given);
        }
        return all;
    }
}
