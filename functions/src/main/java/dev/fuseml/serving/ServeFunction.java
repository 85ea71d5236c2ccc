package dev.fuseml.serving;

import dev.fuseml.app.App;
import dev.fuseml.app.AppStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.eventing.payload.Served;
import dev.fuseml.registry.ModelStore;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.StepFailure;
import dev.fuseml.run.StepRunner;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/** Step 5: serves the new version at the app's prediction URL (long: waits until the model has loaded). */
public class ServeFunction {
    static final String STEP = "serve";

    private final StepRunner steps;
    private final ModelStore models;
    private final AppStore apps;
    private final Deployer deployer;
    private final RunLog log;

    public ServeFunction(StepRunner steps, ModelStore models, AppStore apps, Deployer deployer, RunLog log) {
        this.steps = steps;
        this.models = models;
        this.apps = apps;
        this.deployer = deployer;
        this.log = log;
    }

    @Funq(STEP)
    @CloudEventMapping(trigger = FusemlEvents.REGISTERED, responseType = FusemlEvents.SERVED,
            responseSource = "fuseml/" + STEP)
    public void serve(CloudEvent<Registered> event) {
        steps.async(STEP, event, ref -> {
            int number = event.data().version();
            ModelVersion version = models.get(ref.org(), ref.app(), number).orElseThrow(() -> new StepFailure(
                    "version " + number + " of " + ref.org() + "/" + ref.app() + " is not registered"));
            App app = apps.ensure(ref.org(), ref.app());
            Deployer.Deployment deployment = deployer.deploy(app, version);
            apps.update(ref.org(), ref.app(), a -> a.serving(number, deployment.url(), deployment.port()));
            log.note(ref.run(), STEP, "version " + number + " serves at " + deployment.url());
            return new StepRunner.Outcome(FusemlEvents.SERVED, new Served(number, deployment.url()));
        });
    }
}
