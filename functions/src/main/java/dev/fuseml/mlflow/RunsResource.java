package dev.fuseml.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** MLflow's runs endpoints, metric history and the run artifact listing of MLflow 1.x clients. */
@Path("/api/2.0/mlflow")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RunsResource {
    private final TrackingStore store;
    private final ArtifactProxyResource artifacts;

    public RunsResource(TrackingStore store, ArtifactProxyResource artifacts) {
        this.store = store;
        this.artifacts = artifacts;
    }

    @POST
    @Path("/runs/create")
    public Map<String, Object> create(MlflowJson.CreateRun request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "runs");
        MlflowJson.CreateRun r = request != null ? request : new MlflowJson.CreateRun(null, null, null, null, null);
        String experimentId = MlflowJson.required("experiment_id", r.experimentId());
        Experiment e = MlflowAccess.experiment(store, p, experimentId);
        TrackedRun run = store.createRun(e, r.userId(), r.runName(), r.startTime(), MlflowJson.map(r.tags()));
        return Map.of("run", MlflowJson.RunJson.of(run));
    }

    @GET
    @Path("/runs/get")
    public Map<String, Object> get(@QueryParam("run_id") String runId, @QueryParam("run_uuid") String runUuid,
            @Context RoutingContext context) {
        return Map.of("run", MlflowJson.RunJson.of(find(Principal.of(context), runId != null ? runId : runUuid)));
    }

    @POST
    @Path("/runs/update")
    public Map<String, Object> update(MlflowJson.UpdateRun request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.id());
        TrackedRun updated = store.updateRun(run.id(), request.status(), request.endTime(), request.runName());
        return Map.of("run_info", MlflowJson.RunInfo.of(updated));
    }

    @POST
    @Path("/runs/delete")
    public Map<String, Object> delete(MlflowJson.RunRef request, @Context RoutingContext context) {
        return stage(request, context, Experiment.DELETED);
    }

    @POST
    @Path("/runs/restore")
    public Map<String, Object> restore(MlflowJson.RunRef request, @Context RoutingContext context) {
        return stage(request, context, Experiment.ACTIVE);
    }

    @POST
    @Path("/runs/log-parameter")
    public Map<String, Object> logParam(MlflowJson.LogParam request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.id());
        Map<String, String> param = new LinkedHashMap<>();
        param.put(MlflowJson.required("key", request.key()), MlflowJson.required("value", request.value()));
        store.log(run.id(), List.of(), param, Map.of());
        return Map.of();
    }

    @POST
    @Path("/runs/log-metric")
    public Map<String, Object> logMetric(MlflowJson.LogMetric request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.id());
        store.log(run.id(), List.of(metric(request)), Map.of(), Map.of());
        return Map.of();
    }

    @POST
    @Path("/runs/log-batch")
    public Map<String, Object> logBatch(MlflowJson.LogBatch request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.runId());
        List<Metric> metrics = new ArrayList<>();
        (request.metrics() == null ? List.<MlflowJson.LogMetric>of() : request.metrics())
                .forEach(m -> metrics.add(metric(m)));
        Map<String, String> params = new LinkedHashMap<>();
        for (MlflowJson.KeyValue kv : request.params() == null ? List.<MlflowJson.KeyValue>of() : request.params()) {
            String key = MlflowJson.required("params.key", kv == null ? null : kv.key());
            String old = params.put(key, MlflowJson.required("params.value", kv.value()));
            if (old != null && !old.equals(kv.value())) {
                throw MlflowError.invalid("Duplicate parameter keys have been submitted: ['" + key + "']. Please "
                        + "ensure the request contains only one param value per param key.");
            }
        }
        store.log(run.id(), metrics, params, MlflowJson.map(request.tags()));
        return Map.of();
    }

    @POST
    @Path("/runs/set-tag")
    public Map<String, Object> setTag(MlflowJson.SetTag request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.id());
        Map<String, String> tag = new LinkedHashMap<>();
        tag.put(MlflowJson.required("key", request.key()), request.value() == null ? "" : request.value());
        store.log(run.id(), List.of(), Map.of(), tag);
        return Map.of();
    }

    @POST
    @Path("/runs/delete-tag")
    public Map<String, Object> deleteTag(MlflowJson.SetTag request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.id());
        store.deleteTag(run.id(), MlflowJson.required("key", request.key()));
        return Map.of();
    }

    @POST
    @Path("/runs/log-inputs")
    public Map<String, Object> logInputs(MlflowJson.LogInputs request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.runId());
        List<JsonNode> inputs = new ArrayList<>();
        Optional.ofNullable(request.datasets()).ifPresent(inputs::addAll);
        Optional.ofNullable(request.models()).ifPresent(inputs::addAll);
        store.logInputs(run.id(), inputs);
        return Map.of();
    }

    @POST
    @Path("/runs/outputs")
    public Map<String, Object> logOutputs(MlflowJson.LogOutputs request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        TrackedRun run = find(p, request == null ? null : request.runId());
        List<JsonNode> outputs = request.models() == null ? List.of() : request.models();
        for (JsonNode output : outputs) {
            String modelId = output.path("model_id").asText("");
            store.model(modelId).filter(m -> MlflowAccess.sees(p, m) && m.org().equals(run.org()))
                    .orElseThrow(() -> MlflowError.missing("Logged model with ID '" + modelId + "' not found."));
        }
        store.logOutputs(run.id(), outputs);
        return Map.of();
    }

    @POST
    @Path("/runs/log-model")
    public Map<String, Object> logModel(MlflowJson.LogModel request, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.runId());
        JsonNode model;
        try {
            model = dev.fuseml.state.JsonFiles.MAPPER.readTree(MlflowJson.required("model_json",
                    request.modelJson()));
        } catch (java.io.IOException e) {
            throw MlflowError.invalid("model_json is not JSON: send the model's MLmodel as a JSON string");
        }
        store.logModel(run.id(), model);
        return Map.of();
    }

    @POST
    @Path("/runs/search")
    public Map<String, Object> search(MlflowJson.SearchRuns request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowJson.SearchRuns r = request != null ? request
                : new MlflowJson.SearchRuns(null, null, null, null, null, null);
        List<String> experiments = r.experimentIds() == null ? List.of() : r.experimentIds();
        for (String id : experiments) {
            MlflowAccess.experiment(store, p, id);
        }
        ViewType view = ViewType.of(r.runViewType());
        SearchFilter filter = Searches.filter(SearchFilter.Kind.RUNS, r.filter());
        Comparator<SearchFilter.Subject> order = Searches.order(SearchFilter.Kind.RUNS, r.orderBy(),
                List.of("attributes.start_time DESC"));
        List<TrackedRun> found = Searches.select(store.runs(experiments).stream()
                .filter(run -> MlflowAccess.sees(p, run) && view.shows(run.lifecycleStage())).map(Subjects::of),
                filter, order, Comparator.comparing(TrackedRun::id));
        Paging<TrackedRun> page = Paging.of(found, r.maxResults(), r.pageToken(), 1000);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("runs", page.items().stream().map(MlflowJson.RunJson::of).toList());
        Optional.ofNullable(page.nextPageToken()).ifPresent(t -> answer.put("next_page_token", t));
        return answer;
    }

    @GET
    @Path("/metrics/get-history")
    public Map<String, Object> history(@QueryParam("run_id") String runId, @QueryParam("run_uuid") String runUuid,
            @QueryParam("metric_key") String key, @QueryParam("max_results") Long maxResults,
            @QueryParam("page_token") String pageToken, @Context RoutingContext context) {
        TrackedRun run = find(Principal.of(context), runId != null ? runId : runUuid);
        List<Metric> all = store.history(run.id(), MlflowJson.required("metric_key", key));
        Paging<Metric> page = Paging.of(all, maxResults, pageToken, Paging.MAX_RESULTS);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("metrics", page.items().stream().map(MlflowJson.MetricJson::of).toList());
        Optional.ofNullable(page.nextPageToken()).ifPresent(t -> answer.put("next_page_token", t));
        return answer;
    }

    /** The run's artifacts at {@code path} (MLflow's {@code artifacts/list}, which the proxy's listing replaced). */
    @GET
    @Path("/artifacts/list")
    public Map<String, Object> listArtifacts(@QueryParam("run_id") String runId,
            @QueryParam("run_uuid") String runUuid, @QueryParam("path") String path,
            @Context RoutingContext context) throws java.io.IOException {
        TrackedRun run = find(Principal.of(context), runId != null ? runId : runUuid);
        String base = run.org() + "/" + run.slot() + "/" + run.id() + "/" + TrackingStore.ARTIFACTS;
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("root_uri", run.artifactUri());
        answer.put("files", artifacts.children(base + (path == null || path.isBlank() ? "" : "/" + path)));
        return answer;
    }

    private Map<String, Object> stage(MlflowJson.RunRef request, RoutingContext context, String stage) {
        TrackedRun run = find(Principal.of(context), request == null ? null : request.id());
        store.setRunStage(run.id(), stage);
        return Map.of();
    }

    private static Metric metric(MlflowJson.LogMetric m) {
        if (m == null) {
            throw MlflowError.invalid("a metric must be {\"key\", \"value\", \"timestamp\", \"step\"}");
        }
        return new Metric(MlflowJson.required("key", m.key()), MlflowJson.required("value", m.value()),
                MlflowJson.required("timestamp", m.timestamp()), m.step() == null ? 0 : m.step(), m.modelId());
    }

    private TrackedRun find(Principal p, String id) {
        MlflowJson.required("run_id", id);
        return MlflowAccess.run(store, p, id);
    }
}
