package dev.fuseml.register;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Trained;
import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.step.StepLog;
import dev.fuseml.step.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/** Step 4: records the trained model as the app's next version, with its lineage. */
public class RegisterFunction {
    public static final String STEP = dev.fuseml.eventing.Steps.REGISTER;

    private final StepRunner steps;
    private final ModelRegistry registry;
    private final StepLog log;

    public RegisterFunction(StepRunner steps, ModelRegistry registry, StepLog log) {
        this.steps = steps;
        this.registry = registry;
        this.log = log;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.TRAINED, responseType = FusemlEvents.REGISTERED,
            responseSource = "fuseml/" + STEP)
    public CloudEvent<Object> register(CloudEvent<Trained> event) {
        return steps.sync(STEP, event, ref -> {
            Trained in = event.data();
            ModelVersion version = registry.register(ref.org(), ref.app(), new ModelRegistry.Registration(
                    ref.run(), in.repository(), in.commit(), in.params(), in.metrics(), in.environment(),
                    in.modelUri()));
            log.note(ref.run(), STEP, "registered as version " + version.version() + " with metrics "
                    + version.metrics());
            return new StepRunner.Outcome(FusemlEvents.REGISTERED,
                    new Registered(version.version(), version.uri(), version.environment()));
        });
    }
}
