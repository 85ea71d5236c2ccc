package dev.fuseml.mlflow;

import dev.fuseml.auth.Principal;
import dev.fuseml.org.OrgStore;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MLflow's experiments endpoints. Every experiment is an org's: its name starts with {@code ORG/} (an app's is
 * {@code ORG/APP}), and a token sees its own org's only.
 */
@Path("/api/2.0/mlflow/experiments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ExperimentsResource {
    private final TrackingStore store;
    private final OrgStore orgs;

    public ExperimentsResource(TrackingStore store, OrgStore orgs) {
        this.store = store;
        this.orgs = orgs;
    }

    @POST
    @Path("/create")
    public Map<String, Object> create(MlflowJson.CreateExperiment request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "experiments");
        String name = MlflowJson.required("name", request == null ? null : request.name());
        if (request.artifactLocation() != null && !request.artifactLocation().isBlank()) {
            throw MlflowError.invalid("artifact_location is chosen by FuseML (its artifact store, as "
                    + "mlflow-artifacts:/...): leave it out");
        }
        Experiment e = store.createExperiment(orgOf(p, name), name, MlflowJson.map(request.tags()));
        return Map.of("experiment_id", e.id());
    }

    @GET
    @Path("/get")
    public Map<String, Object> get(@QueryParam("experiment_id") String id, @Context RoutingContext context) {
        return Map.of("experiment", MlflowJson.ExperimentJson.of(find(Principal.of(context),
                MlflowJson.required("experiment_id", id))));
    }

    @GET
    @Path("/get-by-name")
    public Map<String, Object> getByName(@QueryParam("experiment_name") String name,
            @Context RoutingContext context) {
        Principal p = Principal.of(context);
        Experiment e = store.experimentNamed(MlflowJson.required("experiment_name", name))
                .filter(x -> MlflowAccess.sees(p, x)).orElseThrow(() -> MlflowError.missing("Could not find "
                        + "experiment with name '" + name + "'"));
        return Map.of("experiment", MlflowJson.ExperimentJson.of(e));
    }

    @POST
    @Path("/search")
    public Map<String, Object> search(MlflowJson.SearchExperiments request, @Context RoutingContext context) {
        MlflowJson.SearchExperiments r = request != null ? request
                : new MlflowJson.SearchExperiments(null, null, null, null, null);
        return search(Principal.of(context), r);
    }

    @GET
    @Path("/search")
    public Map<String, Object> searchByQuery(@QueryParam("max_results") Long maxResults,
            @QueryParam("page_token") String pageToken, @QueryParam("filter") String filter,
            @QueryParam("order_by") List<String> orderBy, @QueryParam("view_type") String viewType,
            @Context RoutingContext context) {
        return search(Principal.of(context), new MlflowJson.SearchExperiments(maxResults, pageToken, filter, orderBy,
                viewType));
    }

    /** MLflow 1.x's list, which older clients (the npm one) still call. */
    @GET
    @Path("/list")
    public Map<String, Object> list(@QueryParam("view_type") String viewType, @Context RoutingContext context) {
        return search(Principal.of(context), new MlflowJson.SearchExperiments(Paging.MAX_RESULTS, null, null, null,
                viewType));
    }

    @POST
    @Path("/update")
    public Map<String, Object> update(Map<String, String> request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "experiments");
        Map<String, String> r = request == null ? Map.of() : request;
        Experiment e = find(p, MlflowJson.required("experiment_id", r.get("experiment_id")));
        String name = MlflowJson.required("new_name", r.get("new_name"));
        if (!orgOf(p, name).equals(e.org())) {
            throw MlflowError.invalid("experiment " + e.id() + " is org '" + e.org() + "''s: its name must start "
                    + "with '" + e.org() + "/'");
        }
        store.renameExperiment(e.id(), name);
        return Map.of();
    }

    @POST
    @Path("/delete")
    public Map<String, Object> delete(Map<String, String> request, @Context RoutingContext context) {
        return stage(request, context, Experiment.DELETED);
    }

    @POST
    @Path("/restore")
    public Map<String, Object> restore(Map<String, String> request, @Context RoutingContext context) {
        return stage(request, context, Experiment.ACTIVE);
    }

    @POST
    @Path("/set-experiment-tag")
    public Map<String, Object> setTag(MlflowJson.SetExperimentTag request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "experiment tags");
        Experiment e = find(p, MlflowJson.required("experiment_id", request == null ? null
                : request.experimentId()));
        store.setExperimentTag(e.id(), MlflowJson.required("key", request.key()), request.value());
        return Map.of();
    }

    private Map<String, Object> stage(Map<String, String> request, RoutingContext context, String stage) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "experiments");
        Experiment e = find(p, MlflowJson.required("experiment_id", request == null ? null
                : request.get("experiment_id")));
        store.setExperimentStage(e.id(), stage);
        return Map.of();
    }

    private Map<String, Object> search(Principal p, MlflowJson.SearchExperiments r) {
        ViewType view = ViewType.of(r.viewType());
        SearchFilter filter = Searches.filter(SearchFilter.Kind.EXPERIMENTS, r.filter());
        Comparator<SearchFilter.Subject> order = Searches.order(SearchFilter.Kind.EXPERIMENTS, r.orderBy(),
                List.of("last_update_time DESC"));
        List<Experiment> found = Searches.select(store.experiments().stream()
                .filter(e -> MlflowAccess.sees(p, e) && view.shows(e.lifecycleStage())).map(Subjects::of), filter,
                order, Comparator.comparing(e -> Long.parseLong(e.id())));
        Paging<Experiment> page = Paging.of(found, r.maxResults(), r.pageToken(), 1000);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("experiments", page.items().stream().map(MlflowJson.ExperimentJson::of).toList());
        Optional.ofNullable(page.nextPageToken()).ifPresent(t -> answer.put("next_page_token", t));
        return answer;
    }

    private Experiment find(Principal p, String id) {
        return MlflowAccess.experiment(store, p, id);
    }

    /**
     * The org an experiment name belongs to: its part before the first '/', which must be an org the token reaches
     * (and exist), so that every experiment is an org's.
     */
    private String orgOf(Principal p, String name) {
        int slash = name.indexOf('/');
        String org = slash > 0 ? name.substring(0, slash) : "";
        if (slash < 0 || slash == name.length() - 1 || !p.reaches(org) || !orgs.exists(org)) {
            String example = p.unrestricted() ? "ORG" : p.org();
            throw MlflowError.invalid("experiment names start with their org: '" + example + "/" + (slash < 0 ? name
                    : "NAME") + "' (a token of org '" + (p.unrestricted() ? "any" : p.org()) + "' names experiments "
                    + "of " + (p.unrestricted() ? "an existing org" : "that org") + ")");
        }
        return org;
    }
}
