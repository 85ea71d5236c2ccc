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

/** MLflow's model versions, read from FuseML's registry (see {@link RegisteredModelsResource}). */
@Path("/api/2.0/mlflow/model-versions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ModelVersionsResource {
    private final RegistryView view;

    public ModelVersionsResource(DirectoryModelStore models) {
        this.view = new RegistryView(models);
    }

    @GET
    @Path("/get")
    public Map<String, Object> getVersion(@QueryParam("name") String name, @QueryParam("version") String version,
            @Context RoutingContext context) {
        Principal p = Principal.of(context);
        return Map.of("model_version", view.version(p, view.find(p, name, version)));
    }

    @GET
    @Path("/get-download-uri")
    public Map<String, Object> downloadUri(@QueryParam("name") String name, @QueryParam("version") String version,
            @Context RoutingContext context) {
        Principal p = Principal.of(context);
        return Map.of("artifact_uri", view.source(view.find(p, name, version)));
    }

    @GET
    @Path("/search")
    public Map<String, Object> searchVersionsByQuery(@QueryParam("filter") String filter,
            @QueryParam("max_results") Long maxResults, @QueryParam("order_by") List<String> orderBy,
            @QueryParam("page_token") String pageToken, @Context RoutingContext context) {
        Principal p = Principal.of(context);
        SearchFilter f = Searches.filter(SearchFilter.Kind.MODEL_VERSIONS, filter);
        Comparator<SearchFilter.Subject> order = Searches.order(SearchFilter.Kind.MODEL_VERSIONS, orderBy,
                List.of("name ASC"));
        List<ModelVersion> found = Searches.select(view.visibleApps(p).stream()
                .flatMap(app -> view.models.list(app.org(), app.name()).stream())
                .map(v -> Subjects.of(v, view.name(p, v.org(), v.app()), view.source(v))), f, order,
                Comparator.comparing((ModelVersion v) -> v.org() + "/" + v.app())
                        .thenComparing(Comparator.comparingInt(ModelVersion::version).reversed()));
        Paging<ModelVersion> page = Paging.of(found, maxResults, pageToken, 10_000);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("model_versions", page.items().stream().map(v -> view.version(p, v)).toList());
        Optional.ofNullable(page.nextPageToken()).ifPresent(t -> answer.put("next_page_token", t));
        return answer;
    }

    @POST
    @Path("/search")
    public Map<String, Object> searchVersions(Map<String, Object> request, @Context RoutingContext context) {
        Map<String, Object> r = request == null ? Map.of() : request;
        return searchVersionsByQuery((String) r.get("filter"), r.get("max_results") instanceof Number n
                ? n.longValue() : null, view.strings(r.get("order_by")), (String) r.get("page_token"), context);
    }
}
