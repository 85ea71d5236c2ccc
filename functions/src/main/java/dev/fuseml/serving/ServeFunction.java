package dev.fuseml.serving;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Deleted;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Served;
import dev.fuseml.step.StepLog;
import dev.fuseml.step.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

import java.util.Map;

/** Step 5: serves the new version at the app's prediction URL (long: waits until the model has loaded). */
public class ServeFunction {
    public static final String STEP = "serve";
    public static final String UNSERVE = "unserve";

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
        Map<String, String> ext = event.extensions() == null ? Map.of() : event.extensions();
        String org = Names.require("org", ext.get(FusemlEvents.EXT_ORG));
        String app = Names.require("app", ext.get(FusemlEvents.EXT_APP));
        deployer.remove(org, app);
    }
}
