package dev.fuseml.remote;

import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.step.StepFailure;

import java.time.Duration;
import java.util.Optional;

/** The control plane's registry API ({@code /api/v1/orgs/ORG/apps/APP/models}). */
public class HttpModelRegistry implements ModelRegistry {
    private static final Duration PATIENCE = Duration.ofMinutes(1);
    private final ControlPlaneHttp http;

    public HttpModelRegistry(ControlPlaneHttp http) {
        this.http = http;
    }

    @Override
    public ModelVersion register(String org, String app, Registration registration) throws Exception {
        ControlPlaneHttp.Reply reply = http.json("POST", "/api/v1/orgs/" + org + "/apps/" + app + "/models",
                registration, PATIENCE);
        if (reply.status() / 100 == 4) {
            throw new StepFailure(reply.error());
        }
        if (!reply.ok()) {
            throw new IllegalStateException("the registry answered " + reply.status() + ": " + reply.error());
        }
        return ControlPlaneHttp.JSON.treeToValue(reply.json(), ModelVersion.class);
    }

    @Override
    public Optional<ModelVersion> get(String org, String app, int version) throws Exception {
        ControlPlaneHttp.Reply reply = http.json("GET", "/api/v1/orgs/" + org + "/apps/" + app + "/models/"
                + version, null, PATIENCE);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        if (!reply.ok()) {
            throw new IllegalStateException("the registry answered " + reply.status() + ": " + reply.error());
        }
        return Optional.of(ControlPlaneHttp.JSON.treeToValue(reply.json(), ModelVersion.class));
    }
}
