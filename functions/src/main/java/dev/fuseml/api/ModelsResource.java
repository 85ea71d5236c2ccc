package dev.fuseml.api;

import dev.fuseml.app.App;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Registered;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.registry.local.DirectoryModelStore;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The registry as users steer it: {@code fuseml models} (versions, which one is served, aliases), aliases, and
 * serving an earlier version without retraining ({@code fuseml serve}, {@code fuseml rollback}). Serving a version is
 * a run of its own that enters the chain at {@code dev.fuseml.registered}, so the serve step and any custom trigger
 * see it as they see a push's.
 */
@Path("/api/v1/orgs/{org}/apps/{app}")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {
    /** What {@code fuseml models APP} shows. */
    public record Registry(String app, Integer served, Map<String, Integer> aliases, List<ModelVersion> versions) {
    }

    public record AliasRequest(Integer version) {
    }

    /** Which version to serve: a number, an alias, or the one the served version replaced. */
    public record ServeRequest(Integer version, String alias, Boolean rollback) {
    }

    public record ServeRun(String run, int version) {
    }

    private final AppLookup lookup;
    private final DirectoryModelStore models;
    private final EventSink events;

    public ModelsResource(AppLookup lookup, DirectoryModelStore models, EventSink events) {
        this.lookup = lookup;
        this.models = models;
        this.events = events;
    }

    @GET
    @Path("/registry")
    public Registry registry(@PathParam("org") String org, @PathParam("app") String app) {
        App found = require(org, app);
        return new Registry(app, found.version(), models.aliases(org, app), models.list(org, app));
    }

    @PUT
    @Path("/aliases/{alias}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Map<String, Integer> alias(@PathParam("org") String org, @PathParam("app") String app,
            @PathParam("alias") String alias, AliasRequest request) {
        require(org, app);
        Names.require("alias", alias);
        if (request == null || request.version() == null) {
            throw new IllegalArgumentException("send {\"version\": N}");
        }
        try {
            models.alias(org, app, alias, request.version());
        } catch (NoSuchElementException e) {
            throw ApiError.notFound(e.getMessage());
        }
        return models.aliases(org, app);
    }

    @DELETE
    @Path("/aliases/{alias}")
    public void removeAlias(@PathParam("org") String org, @PathParam("app") String app,
            @PathParam("alias") String alias) {
        require(org, app);
        if (!models.removeAlias(org, app, alias)) {
            throw ApiError.notFound("app '" + app + "' has no alias '" + alias + "' (fuseml models " + app
                    + " lists them)");
        }
    }

    /** Starts a run that serves an earlier version; answers at once with the run (follow it with fuseml runs). */
    @POST
    @Path("/serve")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response serve(@PathParam("org") String org, @PathParam("app") String app, ServeRequest request) {
        App found = require(org, app);
        ModelVersion version = chosen(org, app, found, request == null ? new ServeRequest(null, null, null)
                : request);
        RunRef run = new RunRef(org, app, Names.runId(app));
        events.emit(run, "fuseml/control-plane", FusemlEvents.REGISTERED, new Registered(version.version(),
                version.uri(), version.environment()));
        return Response.status(Response.Status.ACCEPTED).entity(new ServeRun(run.run(), version.version())).build();
    }

    private ModelVersion chosen(String org, String app, App found, ServeRequest request) {
        int given = (request.version() != null ? 1 : 0) + (request.alias() != null ? 1 : 0)
                + (Boolean.TRUE.equals(request.rollback()) ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException("send one of {\"version\": N}, {\"alias\": \"NAME\"} or "
                    + "{\"rollback\": true}");
        }
        int number;
        if (request.version() != null) {
            number = request.version();
        } else if (request.alias() != null) {
            Integer aliased = models.aliases(org, app).get(request.alias());
            if (aliased == null) {
                throw ApiError.notFound("app '" + app + "' has no alias '" + request.alias() + "' (fuseml models "
                        + app + " lists them)");
            }
            number = aliased;
        } else {
            if (found.version() == null) {
                throw ApiError.conflict("app '" + app + "' serves no version yet: nothing to roll back");
            }
            Integer replaced = models.get(org, app, found.version()).map(ModelVersion::replaced).orElse(null);
            if (replaced == null) {
                throw ApiError.conflict("version " + found.version() + " of app '" + app + "' replaced no "
                        + "version: nothing to roll back to (serve one with fuseml serve " + app + " --version N)");
            }
            number = replaced;
        }
        return models.get(org, app, number).orElseThrow(() -> ApiError.notFound("version " + number + " of app '"
                + app + "' does not exist (fuseml models " + app + " lists them)"));
    }

    private App require(String org, String app) {
        return lookup.app(org, app);
    }
}
