package dev.fuseml.mlflow;

import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.auth.Principal;
import dev.fuseml.eventing.Names;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.registry.local.DirectoryModelStore;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

/**
 * MLflow's model registry, read from FuseML's: each app is a registered model, each of its versions a model version
 * whose source is the model FuseML registered ({@code mlflow-artifacts:/ORG/APP/RUN/model}), so that
 * {@code models:/APP/2} and {@code models:/APP@champion} load with {@code mlflow.pyfunc.load_model}. A token of an org
 * names its apps by their name; the admin names them {@code ORG.APP} (names have no dots, so it is unambiguous).
 * Versions come from FuseML's runs only; aliases can be set here as with {@code fuseml models alias}.
 */
@Path("/api/2.0/mlflow/registered-models")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RegisteredModelsResource {
    private final RegistryView view;

    public RegisteredModelsResource(DirectoryModelStore models) {
        this.view = new RegistryView(models);
    }

    @GET
    @Path("/get")
    public Map<String, Object> get(@QueryParam("name") String name, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        RegistryView.Registered app = view.app(p, name);
        return Map.of("registered_model", view.registered(p, app));
    }

    @GET
    @Path("/search")
    public Map<String, Object> searchByQuery(@QueryParam("filter") String filter,
            @QueryParam("max_results") Long maxResults, @QueryParam("order_by") List<String> orderBy,
            @QueryParam("page_token") String pageToken, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        SearchFilter f = Searches.filter(SearchFilter.Kind.REGISTERED_MODELS, filter);
        Comparator<SearchFilter.Subject> order = Searches.order(SearchFilter.Kind.REGISTERED_MODELS, orderBy,
                List.of("name ASC"));
        List<RegistryView.Registered> found = Searches.select(view.visibleApps(p).stream()
                .map(a -> Subjects.of(a, view.name(p, a))), f, order,
                Comparator.comparing((RegistryView.Registered a) -> a.org() + "/" + a.name()));
        Paging<RegistryView.Registered> page = Paging.of(found, maxResults, pageToken, 100);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("registered_models", page.items().stream().map(a -> view.registered(p, a)).toList());
        Optional.ofNullable(page.nextPageToken()).ifPresent(t -> answer.put("next_page_token", t));
        return answer;
    }

    @POST
    @Path("/search")
    public Map<String, Object> search(Map<String, Object> request, @Context RoutingContext context) {
        Map<String, Object> r = request == null ? Map.of() : request;
        return searchByQuery((String) r.get("filter"), r.get("max_results") instanceof Number n ? n.longValue()
                : null, view.strings(r.get("order_by")), (String) r.get("page_token"), context);
    }

    /** MLflow's stages are not FuseML's: every version is in stage "None", and the latest is the newest. */
    @POST
    @Path("/get-latest-versions")
    public Map<String, Object> latest(Map<String, Object> request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        Map<String, Object> r = request == null ? Map.of() : request;
        RegistryView.Registered app = view.app(p, (String) r.get("name"));
        List<String> stages = view.strings(r.get("stages"));
        List<Map<String, Object>> latest = new ArrayList<>();
        List<ModelVersion> versions = view.models.list(app.org(), app.name());
        if (!versions.isEmpty() && (stages.isEmpty() || stages.stream().anyMatch("None"::equalsIgnoreCase))) {
            latest.add(view.version(p, versions.get(versions.size() - 1)));
        }
        return Map.of("model_versions", latest);
    }

    @GET
    @Path("/get-latest-versions")
    public Map<String, Object> latestByQuery(@QueryParam("name") String name,
            @QueryParam("stages") List<String> stages, @Context RoutingContext context) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", name);
        request.put("stages", stages);
        return latest(request, context);
    }

    @GET
    @Path("/alias")
    public Map<String, Object> alias(@QueryParam("name") String name, @QueryParam("alias") String alias,
            @Context RoutingContext context) {
        Principal p = Principal.of(context);
        RegistryView.Registered app = view.app(p, name);
        Integer version = view.models.aliases(app.org(), app.name()).get(MlflowJson.required("alias", alias));
        if (version == null) {
            throw MlflowError.missing("Registered model alias " + alias + " not found.");
        }
        return Map.of("model_version", view.version(p, view.models.get(app.org(), app.name(), version)
                .orElseThrow()));
    }

    @POST
    @Path("/alias")
    public Map<String, Object> setAlias(Map<String, Object> request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "aliases");
        Map<String, Object> r = request == null ? Map.of() : request;
        RegistryView.Registered app = view.app(p, (String) r.get("name"));
        String alias = MlflowJson.required("alias", (String) r.get("alias"));
        try {
            Names.require("alias", alias);
        } catch (IllegalArgumentException e) {
            throw MlflowError.invalid(e.getMessage());
        }
        int version = view.versionNumber(String.valueOf(MlflowJson.required("version", r.get("version"))));
        try {
            view.models.alias(app.org(), app.name(), alias, version);
        } catch (java.util.NoSuchElementException e) {
            throw MlflowError.missing("Model Version (name=" + view.name(p, app) + ", version=" + version
                    + ") not found");
        }
        return Map.of();
    }

    @DELETE
    @Path("/alias")
    public Map<String, Object> deleteAlias(@QueryParam("name") String name, @QueryParam("alias") String alias,
            Map<String, Object> request, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        MlflowAccess.mayCreate(p, "aliases");
        Map<String, Object> r = request == null ? Map.of() : request;
        RegistryView.Registered app = view.app(p, name != null ? name : (String) r.get("name"));
        String a = MlflowJson.required("alias", alias != null ? alias : (String) r.get("alias"));
        if (!view.models.removeAlias(app.org(), app.name(), a)) {
            throw MlflowError.missing("Registered model alias " + a + " not found.");
        }
        return Map.of();
    }
}
