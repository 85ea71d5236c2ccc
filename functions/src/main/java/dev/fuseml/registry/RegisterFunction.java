package dev.fuseml.registry;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/** Step 4: stores the trained model as the app's next version, with its lineage. */
public class RegisterFunction {
    static final String STEP = "register";

    private final StepRunner steps;
    private final ModelStore models;
    private final RunLog log;

    public RegisterFunction(StepRunner steps, ModelStore models, RunLog log) {
        this.steps = steps;
        this.models = models;
        this.log = log;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.TRAINED, responseType = FusemlEvents.REGISTERED,
            responseSource = "fuseml/" + STEP)
    public CloudEvent<Object> register(CloudEvent<Trained> event) {
        return steps.sync(STEP, event, ref -> {
            ModelVersion version = models.register(ref.org(), ref.app(), ref.run(), event.data());
            log.note(ref.run(), STEP, "registered as version " + version.version() + " with metrics "
                    + version.metrics());
            return new StepRunner.Outcome(FusemlEvents.REGISTERED, new Registered(version.version(), version.uri()));
        });
    }
}
