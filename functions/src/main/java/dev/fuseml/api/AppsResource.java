package dev.fuseml.api;

import dev.fuseml.app.App;
import dev.fuseml.app.AppStore;
import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.org.OrgStore;
import dev.fuseml.registry.ModelStore;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunStore;
import dev.fuseml.serving.Deployer;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.util.List;

@Path("/api/v1/orgs/{org}")
@Produces(MediaType.APPLICATION_JSON)
public class AppsResource {
    private final OrgStore orgs;
    private final AppStore apps;
    private final RunStore runs;
    private final ModelStore models;
    private final CodesetStore codesets;
    private final Deployer deployer;

    public AppsResource(OrgStore orgs, AppStore apps, RunStore runs, ModelStore models, CodesetStore codesets,
            Deployer deployer) {
        this.orgs = orgs;
        this.apps = apps;
        this.runs = runs;
        this.models = models;
        this.codesets = codesets;
        this.deployer = deployer;
    }

    @GET
    @Path("/apps")
    public List<App> list(@PathParam("org") String org) {
        requireOrg(org);
        return apps.list(org);
    }

    @GET
    @Path("/apps/{app}")
    public App get(@PathParam("org") String org, @PathParam("app") String app) {
        return require(org, app);
    }

    @GET
    @Path("/apps/{app}/models")
    public List<ModelVersion> models(@PathParam("org") String org, @PathParam("app") String app) {
        require(org, app);
        return models.list(org, app);
    }

    @GET
    @Path("/runs")
    public List<Run> runs(@PathParam("org") String org, @QueryParam("app") String app) {
        requireOrg(org);
        return runs.list(org, app);
    }

    /** Returns once the app's prediction server has stopped and its records, models and codeset are gone. */
    @DELETE
    @Path("/apps/{app}")
    public void delete(@PathParam("org") String org, @PathParam("app") String app) throws IOException {
        require(org, app);
        deployer.remove(org, app);
        for (Run run : runs.list(org, app)) {
            runs.delete(run.id());
        }
        models.delete(org, app);
        codesets.delete(org, app);
        apps.delete(org, app);
    }

    private void requireOrg(String org) {
        if (!orgs.exists(org)) {
            throw ApiError.notFound("org '" + org + "' does not exist (fuseml orgs lists them)");
        }
    }

    private App require(String org, String app) {
        requireOrg(org);
        return apps.get(org, app).orElseThrow(() -> ApiError.notFound("app '" + app + "' does not exist in org '"
                + org + "' (fuseml apps lists them)"));
    }
}
