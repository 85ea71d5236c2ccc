package dev.fuseml.serve;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Deleted;
import dev.fuseml.eventing.payload.Protected;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Served;
import dev.fuseml.serving.Deployer;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepLog;
import dev.fuseml.step.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/** Step 5: serves the new version at the app's prediction URL (long: waits until the model has loaded). */
public class ServeFunction {
    public static final String STEP = dev.fuseml.eventing.Steps.SERVE;
    public static final String UNSERVE = "unserve";
    public static final String PROTECT = "protect";

    private final StepRunner steps;
    private final Deployer deployer;
    private final StepLog log;

    public ServeFunction(StepRunner steps, Deployer deployer, StepLog log) {
        this.steps = steps;
        this.deployer = deployer;
        this.log = log;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.REGISTERED, responseType = FusemlEvents.SERVED,
            responseSource = "fuseml/" + STEP)
    public void serve(CloudEvent<Registered> event) {
        steps.async(STEP, event, ref -> {
            Registered in = event.data();
            Deployer.Deployment deployment = deployer.deploy(new Deployer.ServeRequest(ref.org(), ref.app(),
                    in.version(), in.modelUri(), in.environment(), ref.run()));
            log.note(ref.run(), STEP, "version " + in.version() + " serves at " + deployment.url());
            return new StepRunner.Outcome(FusemlEvents.SERVED, new Served(in.version(), deployment.url()));
        });
    }

    /** The app is being deleted: stop serving it. Answers once its endpoint no longer answers. */
    @Funq(UNSERVE)
    @CloudEventMapping(trigger = FusemlEvents.DELETED)
    public void unserve(CloudEvent<Deleted> event) throws Exception {
        deployer.remove(name(event, FusemlEvents.EXT_ORG, "org"), name(event, FusemlEvents.EXT_APP, "app"));
    }

    /** The app's prediction URL requires a token from now on (or no longer, when the hash is null). */
    @Funq(PROTECT)
    @CloudEventMapping(trigger = FusemlEvents.PROTECTED)
    public void protect(CloudEvent<Protected> event) throws Exception {
        String hash = event.data() == null ? null : event.data().tokenSha256();
        if (hash != null && !hash.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("tokenSha256 must be 64 lower-case hex digits or null");
        }
        deployer.protect(name(event, FusemlEvents.EXT_ORG, "org"), name(event, FusemlEvents.EXT_APP, "app"), hash);
    }

    private static String name(CloudEvent<?> event, String extension, String what) {
        return Names.require(what, RunRef.headerAttributes(event.extensions()).get(extension));
    }
}
