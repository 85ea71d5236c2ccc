package dev.fuseml.api;

import dev.fuseml.reference.OrgReferences;
import dev.fuseml.app.App;
import dev.fuseml.app.AppStore;
import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.claim.ClaimStore;
import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Deleted;
import dev.fuseml.eventing.payload.Protected;
import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.registry.local.DirectoryModelStore;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunStore;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.StepFailure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;

@Path("/api/v1/orgs/{org}")
@Produces(MediaType.APPLICATION_JSON)
public class AppsResource {
    private static final Duration UNSERVE_WAIT = Duration.ofSeconds(30);
    private final AppLookup lookup;
    private final AppStore apps;
    private final RunStore runs;
    private final DirectoryModelStore models;
    private final CodesetStore codesets;
    private final ArtifactStorage artifacts;
    private final ClaimStore claims;
    private final EventSink events;
    private final dev.fuseml.codeset.CodesetSource mirrors;
    private final dev.fuseml.platform.SelfAddress self;

    public AppsResource(AppLookup lookup, AppStore apps, RunStore runs, DirectoryModelStore models,
            CodesetStore codesets, ArtifactStorage artifacts, ClaimStore claims, EventSink events,
            dev.fuseml.codeset.CodesetSource mirrors, dev.fuseml.platform.SelfAddress self) {
        this.mirrors = mirrors;
        this.self = self;
        this.lookup = lookup;
        this.apps = apps;
        this.runs = runs;
        this.models = models;
        this.codesets = codesets;
        this.artifacts = artifacts;
        this.claims = claims;
        this.events = events;
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
    @Path("/apps/{app}/models/{version}")
    public ModelVersion model(@PathParam("org") String org, @PathParam("app") String app,
            @PathParam("version") int version) {
        requireOrg(org);
        return models.get(org, app, version).orElseThrow(() -> ApiError.notFound("version " + version + " of app '"
                + app + "' does not exist"));
    }

    /** The register step records a model here; registering the same run again answers its version. */
    @POST
    @Path("/apps/{app}/models")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(@PathParam("org") String org, @PathParam("app") String app,
            ModelRegistry.Registration registration) {
        requireOrg(org);
        dev.fuseml.eventing.Names.require("app", app);
        if (registration == null || registration.run() == null || registration.modelUri() == null) {
            throw new IllegalArgumentException("send {\"run\", \"modelUri\", \"commit\", \"params\", \"metrics\", "
                    + "\"environment\"}");
        }
        // the same rules as the register step's: a version of this org records this org's model, code and env
        OrgReferences.model(org, registration.modelUri());
        OrgReferences.repository(org, registration.repository());
        OrgReferences.environment(org, registration.environment());
        try {
            return Response.status(Response.Status.CREATED).entity(models.register(org, app, registration)).build();
        } catch (StepFailure e) {
            return ApiError.of(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }

    @GET
    @Path("/runs")
    public List<Run> runs(@PathParam("org") String org, @QueryParam("app") String app) {
        requireOrg(org);
        return runs.list(org, app);
    }

    /**
     * Announces the deletion ({@code dev.fuseml.deleted}: the serve function stops serving the app), waits until the
     * app's prediction URL no longer answers, then removes its runs, models, artifacts and codeset.
     */
    @DELETE
    @Path("/apps/{app}")
    public void delete(@PathParam("org") String org, @PathParam("app") String app) throws IOException,
            InterruptedException {
        App found = require(org, app);
        events.emitForApp(org, app, "fuseml/control-plane", FusemlEvents.DELETED, new Deleted(app));
        if (found.url() != null) {
            waitUntilDown(URI.create(found.url()));
        }
        for (Run run : runs.list(org, app)) {
            runs.delete(run.id());
            claims.deleteRun(run.id());
        }
        models.delete(org, app);
        artifacts.deleteApp(org, app);
        codesets.delete(org, app);
        mirrors.forget(self.url() + CodesetStore.path(org, app)); // this process's copy of the codeset goes too
        apps.delete(org, app);
    }

    private static void waitUntilDown(URI url) throws InterruptedException {
        long deadline = System.nanoTime() + UNSERVE_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 500);
            } catch (IOException refused) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the prediction server at " + url + " still answers " + UNSERVE_WAIT
                + " after the app's deletion was announced; is the serve function running?");
    }

    private void requireOrg(String org) {
        lookup.org(org);
    }

    /** A prediction token, shown once; the answer to {@code fuseml protect APP}. */
    public record PredictionToken(String app, String token, String note) {
    }

    /**
     * Makes a new prediction token for the app (the old one stops working): its prediction URL requires it from
     * the moment the serve function has taken the {@code dev.fuseml.protected} event, within a second or so.
     */
    @POST
    @Path("/apps/{app}/prediction-token")
    public Response protect(@PathParam("org") String org, @PathParam("app") String app) {
        require(org, app);
        String token = dev.fuseml.eventing.Tokens.create();
        events.emitForApp(org, app, "fuseml/control-plane", FusemlEvents.PROTECTED,
                new Protected(app, dev.fuseml.eventing.Tokens.sha256(token)));
        apps.update(org, app, a -> a.withTokenRequired(true));
        return Response.status(Response.Status.CREATED).entity(new PredictionToken(app, token, "send it as "
                + "'Authorization: Bearer TOKEN' with every prediction; it is shown this once")).build();
    }

    /** The branch to follow, {@code PUT /apps/APP/branch}. */
    public record Follow(String branch) {
    }

    /** From now on pushes to {@code branch} start the app's runs (git push, webhooks); the CLI's pushes go there. */
    @jakarta.ws.rs.PUT
    @Path("/apps/{app}/branch")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    public Response follow(@PathParam("org") String org, @PathParam("app") String app, Follow follow)
            throws java.io.IOException {
        require(org, app);
        String branch = follow == null ? null : follow.branch();
        try {
            codesets.follow(org, app, branch);
        } catch (IllegalArgumentException e) {
            return ApiError.of(Response.Status.BAD_REQUEST, e.getMessage());
        }
        return Response.ok(apps.update(org, app, a -> a.following(branch)).orElseThrow()).build();
    }

    /** Opens the app's prediction URL again. */
    @DELETE
    @Path("/apps/{app}/prediction-token")
    public void unprotect(@PathParam("org") String org, @PathParam("app") String app) {
        require(org, app);
        events.emitForApp(org, app, "fuseml/control-plane", FusemlEvents.PROTECTED, new Protected(app, null));
        apps.update(org, app, a -> a.withTokenRequired(false));
    }

    private App require(String org, String app) {
        return lookup.app(org, app);
    }
}
