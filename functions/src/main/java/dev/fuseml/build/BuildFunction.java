package dev.fuseml.build;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Built;
import dev.fuseml.eventing.payload.Received;
import dev.fuseml.step.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/** Step 2: builds the project's environment from its dependency file (long: answers at once, emits when done). */
public class BuildFunction {
    public static final String STEP = dev.fuseml.eventing.Steps.BUILD;

    private final StepRunner steps;
    private final EnvironmentBuilder builder;

    public BuildFunction(StepRunner steps, EnvironmentBuilder builder) {
        this.steps = steps;
        this.builder = builder;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.RECEIVED, responseType = FusemlEvents.BUILT,
            responseSource = "fuseml/" + STEP)
    public void build(CloudEvent<Received> event) {
        steps.async(STEP, event, ref -> {
            Received in = event.data();
            String environment = builder.build(new EnvironmentBuilder.BuildJob(ref, in.repository(), in.commit(),
                    in.entryPoint(), in.params()));
            return new StepRunner.Outcome(FusemlEvents.BUILT,
                    new Built(in.repository(), in.commit(), in.params(), in.entryPoint(), environment,
                            in.serveTarget()));
        });
    }
}
