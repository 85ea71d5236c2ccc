package dev.fuseml.remote;

import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;
import dev.fuseml.train.Tracking;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The control plane's side of a training's MLflow run ({@code /api/v1/runs/RUN/tracking}). */
public class HttpTracking implements Tracking {
    private static final Duration PATIENCE = Duration.ofMinutes(1);
    private final ControlPlaneHttp http;

    public HttpTracking(ControlPlaneHttp http) {
        this.http = http;
    }

    @Override
    public Started start(RunRef run) throws Exception {
        ControlPlaneHttp.Reply reply = http.json("POST", "/api/v1/runs/" + run.run() + "/tracking",
                new StartRequest(run.org(), run.app()), PATIENCE);
        if (!reply.ok()) {
            throw new IllegalStateException("the control plane's tracking answered " + reply.status() + ": "
                    + reply.error());
        }
        var json = reply.json();
        return new Started(http.url(), json.path("experimentId").asText(), json.path("runId").asText());
    }

    @Override
    public Ended end(RunRef run, boolean succeeded, boolean adoptModel, String modelName) throws Exception {
        ControlPlaneHttp.Reply reply = http.json("POST", "/api/v1/runs/" + run.run() + "/tracking/end",
                new EndRequest(succeeded ? "FINISHED" : "FAILED", adoptModel, modelName), PATIENCE);
        if (reply.status() == 422) {
            throw new StepFailure(reply.error()); // the run's models: none, several, or not the one named
        }
        if (!reply.ok()) {
            throw new IllegalStateException("the control plane's tracking answered " + reply.status() + ": "
                    + reply.error());
        }
        EndReply end = ControlPlaneHttp.JSON.treeToValue(reply.json(), EndReply.class);
        return new Ended(Optional.ofNullable(end.modelUri()), end.params() == null ? Map.of()
                : new LinkedHashMap<>(end.params()), end.metrics() == null ? Map.of()
                : new LinkedHashMap<>(end.metrics()));
    }
}
