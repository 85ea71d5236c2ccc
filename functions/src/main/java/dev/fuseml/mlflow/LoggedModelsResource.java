package dev.fuseml.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MLflow 3's LoggedModels: what {@code mlflow.<flavor>.log_model(..., name=...)} makes. The client creates one
 * (pending), uploads its files to the model's own artifact location, and finalizes it; the train step serves the one
 * its run logged.
 */
@Path("/api/2.0/mlflow/logged-models")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class LoggedModelsResource {
    private final TrackingStore store;

    public LoggedModelsResource(TrackingStore store) {
        this.store = store;
    }

    @POST
    public Map<String, Object> create(MlflowJson.CreateLoggedModel request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowJson.CreateLoggedModel r = request != null ? request
                : new MlflowJson.CreateLoggedModel(null, null, null, null, null, null);
        String experimentId = MlflowJson.required("experiment_id", r.experimentId());
        Experiment e = MlflowAccess.experiment(store, p, experimentId);
        if (p.run() != null && !p.run().equals(r.sourceRunId())) {
            throw MlflowError.denied("a training's token logs models of its own run only: send source_run_id "
                    + p.run());
        }
        if (r.sourceRunId() != null && !r.sourceRunId().isEmpty()) {
            MlflowAccess.run(store, p, r.sourceRunId());
        }
        LoggedModel m = store.createModel(e, r.name(), r.sourceRunId(), r.modelType(), MlflowJson.map(r.params()),
                MlflowJson.map(r.tags()));
        return Map.of("model", MlflowJson.LoggedModelJson.of(m));
    }

    @GET
    @Path("/{id}")
    public Map<String, Object> get(@PathParam("id") String id, @Context RoutingContext context) {
        return Map.of("model", MlflowJson.LoggedModelJson.of(find(Principal.of(context), id)));
    }

    /** Finalize: the client has uploaded the files (READY) or could not (UPLOAD_FAILED). */
    @PATCH
    @Path("/{id}")
    public Map<String, Object> finalizeModel(@PathParam("id") String id, MlflowJson.FinalizeLoggedModel request,
            @Context RoutingContext context) {
        LoggedModel m = find(Principal.of(context), id);
        return Map.of("model", MlflowJson.LoggedModelJson.of(store.finalizeModel(m.id(),
                MlflowJson.required("status", request == null ? null : request.status()))));
    }

    @DELETE
    @Path("/{id}")
    public Map<String, Object> delete(@PathParam("id") String id, @Context RoutingContext context) {
        store.deleteModel(find(Principal.of(context), id).id());
        return Map.of();
    }

    @PATCH
    @Path("/{id}/tags")
    public Map<String, Object> setTags(@PathParam("id") String id, MlflowJson.SetLoggedModelTags request,
            @Context RoutingContext context) {
        LoggedModel m = find(Principal.of(context), id);
        store.setModelTags(m.id(), MlflowJson.map(request == null ? null : request.tags()));
        return Map.of();
    }

    @DELETE
    @Path("/{id}/tags/{key}")
    public Map<String, Object> deleteTag(@PathParam("id") String id, @PathParam("key") String key,
            @Context RoutingContext context) {
        store.deleteModelTag(find(Principal.of(context), id).id(), key);
        return Map.of();
    }

    @POST
    @Path("/{id}/params")
    public Map<String, Object> logParams(@PathParam("id") String id, Map<String, List<MlflowJson.KeyValue>> request,
            @Context RoutingContext context) {
        LoggedModel m = find(Principal.of(context), id);
        store.setModelParams(m.id(), MlflowJson.map(request == null ? null : request.get("params")));
        return Map.of();
    }

    @POST
    @Path("/search")
    public Map<String, Object> search(MlflowJson.SearchLoggedModels request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowJson.SearchLoggedModels r = request != null ? request
                : new MlflowJson.SearchLoggedModels(null, null, null, null, null);
        List<String> experiments = r.experimentIds() == null ? List.of() : r.experimentIds();
        for (String id : experiments) {
            MlflowAccess.experiment(store, p, id);
        }
        SearchFilter filter = Searches.filter(SearchFilter.Kind.LOGGED_MODELS, r.filter());
        List<String> orderBy = new ArrayList<>();
        for (JsonNode o : r.orderBy() == null ? List.<JsonNode>of() : r.orderBy()) {
            String field = o.isTextual() ? o.asText() : o.path("field_name").asText("");
            orderBy.add(o.isTextual() ? field : field + (o.path("ascending").asBoolean(true) ? " ASC" : " DESC"));
        }
        Comparator<SearchFilter.Subject> order = Searches.order(SearchFilter.Kind.LOGGED_MODELS, orderBy,
                List.of("creation_timestamp DESC"));
        List<LoggedModel> found = Searches.select(store.models().stream()
                .filter(m -> experiments.contains(m.experimentId()) && MlflowAccess.sees(p, m)).map(Subjects::of),
                filter, order, Comparator.comparing(LoggedModel::id));
        Paging<LoggedModel> page = Paging.of(found, r.maxResults(), r.pageToken(), 100);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("models", page.items().stream().map(MlflowJson.LoggedModelJson::of).toList());
        Optional.ofNullable(page.nextPageToken()).ifPresent(t -> answer.put("next_page_token", t));
        return answer;
    }

    private LoggedModel find(Principal p, String id) {
        return MlflowAccess.model(store, p, id);
    }
}
