package dev.fuseml.api;

import dev.fuseml.claim.Claim;
import dev.fuseml.claim.ClaimStore;
import dev.fuseml.step.Claims;
import dev.fuseml.step.RunRef;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The (run, step) guard over HTTP, for step functions in any process: claim, renew, complete. */
@Path("/api/v1/claims/{run}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ClaimsResource {
    public record ClaimRequest(String org, String app, String owner, Claims.StoredEvent input) {
    }

    public record Renewal(String owner) {
    }

    public record Completion(String owner, boolean succeeded, Claims.StoredEvent output) {
    }

    private final ClaimStore claims;

    public ClaimsResource(ClaimStore claims) {
        this.claims = claims;
    }

    @GET
    public List<Claim> list(@PathParam("run") String run) {
        return claims.list(run);
    }

    @POST
    @Path("/{step}")
    public Map<String, Object> claim(@PathParam("run") String run, @PathParam("step") String step,
            ClaimRequest request) {
        if (request == null || request.owner() == null || request.owner().isBlank() || request.input() == null) {
            throw new IllegalArgumentException("send {\"org\", \"app\", \"owner\", \"input\": {\"type\", \"data\"}}");
        }
        RunRef ref = RunRef.of(Map.of("fusemlorg", String.valueOf(request.org()), "fusemlapp",
                String.valueOf(request.app()), "fusemlrun", run));
        Claims.Decision decision = claims.claim(ref, step, request.owner(), request.input());
        Map<String, Object> answer = new LinkedHashMap<>();
        if (decision instanceof Claims.Start start) {
            answer.put("decision", "start");
            answer.put("resumed", start.resumed());
            answer.put("attempt", start.attempt());
        } else if (decision instanceof Claims.HeldElsewhere held) {
            answer.put("decision", "held");
            answer.put("owner", held.owner());
        } else if (decision instanceof Claims.Done done) {
            answer.put("decision", "done");
            answer.put("output", done.output());
        } else {
            answer.put("decision", "ended");
        }
        return answer;
    }

    @POST
    @Path("/{step}/renew")
    public Response renew(@PathParam("run") String run, @PathParam("step") String step, Renewal renewal) {
        boolean owned = renewal != null && claims.renew(ref(run), step, renewal.owner());
        return owned ? Response.ok(Map.of("renewed", true)).build()
                : ApiError.of(Response.Status.CONFLICT, "the lease of " + step + " of run " + run
                        + " is not held by " + (renewal == null ? "nobody" : renewal.owner()));
    }

    @POST
    @Path("/{step}/complete")
    public Response complete(@PathParam("run") String run, @PathParam("step") String step, Completion completion) {
        if (completion == null || completion.output() == null) {
            throw new IllegalArgumentException("send {\"owner\", \"succeeded\", \"output\": {\"type\", \"data\"}}");
        }
        boolean owned = claims.complete(ref(run), step, completion.owner(), completion.succeeded(),
                completion.output());
        return owned ? Response.ok(Map.of("completed", true)).build()
                : ApiError.of(Response.Status.CONFLICT, step + " of run " + run + " is not held by "
                        + completion.owner() + ": another owner took it over");
    }

    /** Renewal and completion name the run only; the claim has its org and app. */
    private static RunRef ref(String run) {
        if (!RunRef.validId(run)) {
            throw ApiError.notFound("run '" + run + "' does not exist");
        }
        return new RunRef("unknown", "unknown", run);
    }

}
