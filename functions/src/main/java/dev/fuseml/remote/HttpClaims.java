package dev.fuseml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.step.Claims;
import dev.fuseml.step.RunRef;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Claims kept by the control plane ({@code /api/v1/claims/RUN/STEP}). */
public class HttpClaims implements Claims {
    /** A claim is asked for while a delivery waits: fail fast, the broker retries the delivery. */
    private static final Duration CLAIM_PATIENCE = Duration.ofSeconds(5);
    /** A finished step's result must reach the control plane, also across its restart. */
    private static final Duration COMPLETE_PATIENCE = Duration.ofMinutes(3);
    private final ControlPlaneHttp http;

    public HttpClaims(ControlPlaneHttp http) {
        this.http = http;
    }

    @Override
    public Decision claim(RunRef ref, String step, String owner, StoredEvent input) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("org", ref.org());
        body.put("app", ref.app());
        body.put("owner", owner);
        body.put("input", input);
        ControlPlaneHttp.Reply reply = http.json("POST", path(ref, step), body, CLAIM_PATIENCE);
        if (!reply.ok()) {
            throw new IllegalStateException("the control plane refused the claim of " + step + " of " + ref + ": "
                    + reply.error());
        }
        JsonNode answer = reply.json();
        return switch (answer.path("decision").asText()) {
            case "start" -> new Start(answer.path("resumed").asBoolean(), answer.path("attempt").asInt(1));
            case "held" -> new HeldElsewhere(answer.path("owner").asText());
            case "done" -> new Done(new StoredEvent(answer.path("output").path("type").asText(),
                    answer.path("output").path("data")));
            case "ended" -> new RunEnded();
            default -> throw new IllegalStateException("unknown claim decision " + answer);
        };
    }

    @Override
    public boolean renew(RunRef ref, String step, String owner) {
        ControlPlaneHttp.Reply reply = http.json("POST", path(ref, step) + "/renew", Map.of("owner", owner),
                Duration.ZERO);
        return reply.ok();
    }

    @Override
    public boolean complete(RunRef ref, String step, String owner, boolean succeeded, StoredEvent output) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("owner", owner);
        body.put("succeeded", succeeded);
        body.put("output", output);
        ControlPlaneHttp.Reply reply = http.json("POST", path(ref, step) + "/complete", body, COMPLETE_PATIENCE);
        if (reply.status() == 409) {
            return false;
        }
        if (!reply.ok()) {
            throw new IllegalStateException("the control plane refused the result of " + step + " of " + ref + ": "
                    + reply.error());
        }
        return true;
    }

    private static String path(RunRef ref, String step) {
        return "/api/v1/claims/" + ref.run() + "/" + step;
    }
}
