package dev.fuseml.mlflow;

import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.train.Tracking;
import dev.fuseml.run.RunStore;
import dev.fuseml.step.RunRef;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The train step's side of a training's MLflow run: made (or made running again) before the code runs, ended and
 * read after it. The step calls with the deployment's token; a training Job on a cluster ends its own run with its
 * run's token (auth/Access.runRefusal).
 */
@Path("/api/v1/runs/{run}/tracking")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrainingTrackingResource {
    private final TrackingStore store;
    private final RunStore runs;
    private final RunModels models;

    public TrainingTrackingResource(TrackingStore store, RunStore runs, ArtifactStorage files) {
        this.store = store;
        this.runs = runs;
        this.models = new RunModels(store, files);
    }

    @POST
    public Map<String, Object> start(@PathParam("run") String run, Tracking.StartRequest request) {
        if (request == null || !RunRef.validId(run)) {
            throw new IllegalArgumentException("send {\"org\": ORG, \"app\": APP} for a run id of lower-case "
                    + "letters, digits and '-'");
        }
        runs.get(run).filter(r -> !r.org().equals(request.org()) || !r.app().equals(request.app())).ifPresent(r -> {
            throw new IllegalArgumentException("run " + run + " is a run of " + r.org() + "/" + r.app());
        });
        TrackedRun tracked = store.startTraining(request.org(), request.app(), run);
        return Map.of("experimentId", tracked.experimentId(), "runId", tracked.id());
    }

    @POST
    @Path("/end")
    public Response end(@PathParam("run") String run, Tracking.EndRequest request) throws IOException {
        TrackedRun tracked = store.run(run).filter(r -> r.tags().containsKey("fuseml.run"))
                .orElseThrow(() -> MlflowError.missing("run " + run + " has no MLflow run: its training has not "
                        + "started"));
        if (!tracked.terminal() && request != null && request.status() != null) {
            tracked = store.updateRun(run, request.status(), null, null);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        if (request != null && request.adoptModel()) {
            try {
                answer.put("modelUri", models.adopt(tracked, request.modelName(), new ArtifactUri(tracked.org(),
                        tracked.slot(), tracked.id(), "model")).toString());
            } catch (RunModels.Refused e) {
                return Response.status(422).type(MediaType.APPLICATION_JSON).entity(Map.of("error",
                        e.getMessage())).build();
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        tracked.metrics().forEach((k, m) -> metrics.put(k, m.value()));
        answer.put("params", tracked.params());
        answer.put("metrics", metrics);
        return Response.ok(answer).build();
    }
}
