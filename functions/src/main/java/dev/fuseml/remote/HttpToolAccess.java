package dev.fuseml.remote;

import dev.fuseml.extension.ToolAccess;
import dev.fuseml.step.RunRef;
import dev.fuseml.step.StepFailure;

import java.time.Duration;
import java.util.Optional;

/** The control plane's registry, asked for one tool of a run ({@code POST /api/v1/runs/RUN/tools}). */
public class HttpToolAccess implements ToolAccess {
    private static final Duration PATIENCE = Duration.ofMinutes(1);
    private final ControlPlaneHttp http;

    public HttpToolAccess(ControlPlaneHttp http) {
        this.http = http;
    }

    @Override
    public Optional<Grant> grant(RunRef run, String kind, String name) throws Exception {
        ControlPlaneHttp.Reply reply = http.json("POST", "/api/v1/runs/" + run.run() + "/tools",
                new Request(kind, name), PATIENCE);
        if (reply.status() == 204) {
            return Optional.empty();
        }
        if (reply.status() == 422) {
            throw new StepFailure(reply.error());
        }
        if (!reply.ok()) {
            throw new IllegalStateException("the control plane's registry answered " + reply.status() + ": "
                    + reply.error());
        }
        return Optional.of(ControlPlaneHttp.JSON.treeToValue(reply.json(), Grant.class));
    }
}
