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
    private final ArtifactStorage files;
    private final dev.fuseml.extension.ExtensionStore extensions;
    /** The control plane's calls to teams' MLflow servers, for training Jobs tracked there. */
    private final java.net.http.HttpClient teams = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(10)).build();

    public TrainingTrackingResource(TrackingStore store, RunStore runs, ArtifactStorage files,
            dev.fuseml.extension.ExtensionStore extensions) {
        this.store = store;
        this.runs = runs;
        this.files = files;
        this.extensions = extensions;
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
    public Response end(@PathParam("run") String run, Tracking.EndRequest request) throws Exception {
        if (request != null && request.teamServer() != null) {
            return endOnTeamServer(run, request);
        }
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

    /**
     * A training Job's MLflow run on the team's server its MLproject names: ended and read there with the org's
     * credentials (the Job's run token reaches nothing of the team's server), and the model it logged copied to the
     * run's model artifact, as FuseML's own runs' models are, then registered in the team's registry.
     */
    private Response endOnTeamServer(String run, Tracking.EndRequest request) throws Exception {
        dev.fuseml.run.Run fuseml = runs.get(run).orElseThrow(() -> MlflowError.missing("run " + run
                + " does not exist"));
        if (request.mlflowRunId() == null || !request.mlflowRunId().matches("[A-Za-z0-9_-]{1,64}")
                || request.experimentId() == null || !request.experimentId().matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("send the MLflow run's mlflowRunId and experimentId on the team's "
                    + "server");
        }
        dev.fuseml.extension.Extension server;
        try {
            server = extensions.choose(fuseml.org(), "mlflow", request.teamServer()).orElseThrow();
        } catch (IllegalArgumentException e) {
            return Response.status(422).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage()))
                    .build();
        }
        var grant = new dev.fuseml.extension.ToolAccess.Grant(server.name(), server.kind(), server.url(),
                extensions.credentials(server.org(), server.name()),
                dev.fuseml.extension.Extension.GLOBAL.equals(server.org()));
        var team = new dev.fuseml.train.mlflow.ExternalTracking(new dev.fuseml.train.mlflow.MlflowServer(grant, teams,
                java.time.Duration.ofMinutes(1)), null);
        Tracking.Started started = new Tracking.Started(server.url(), request.experimentId(), request.mlflowRunId());
        try {
            Tracking.Ended ended = team.end(started, "FINISHED".equals(request.status()));
            Map<String, Object> answer = new LinkedHashMap<>();
            if (request.adoptModel()) {
                var chosen = team.choose(team.logged(started), request.modelName());
                ArtifactUri target = new ArtifactUri(fuseml.org(), fuseml.app(), run, "model");
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("fuseml-team-model");
                try {
                    team.download(chosen, dir);
                    files.delete(target);
                    try (var all = java.nio.file.Files.walk(dir)) {
                        for (java.nio.file.Path f : all.filter(java.nio.file.Files::isRegularFile).toList()) {
                            try (var in = java.nio.file.Files.newInputStream(f)) {
                                files.write(target, dir.relativize(f).toString().replace('\\', '/'), in);
                            }
                        }
                    }
                } finally {
                    dev.fuseml.workspace.Workspaces.delete(dir);
                }
                var version = team.register(fuseml.app(), started, chosen);
                answer.put("modelUri", target.toString());
                answer.put("teamVersion", version.version() != null ? version.version() : version.refusal());
            }
            answer.put("params", ended.params());
            answer.put("metrics", ended.metrics());
            return Response.ok(answer).build();
        } catch (dev.fuseml.step.StepFailure e) {
            return Response.status(422).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage()))
                    .build();
        }
    }
}
