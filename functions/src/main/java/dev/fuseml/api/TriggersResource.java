package dev.fuseml.api;

import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.TriggerRegistry;
import dev.fuseml.eventing.knative.Definitions;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import dev.fuseml.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/** Knative Broker and Trigger resources of the platform's brokers: {@code fuseml triggers [apply FILE]}. */
@Path("/api/v1/triggers")
@Produces(MediaType.APPLICATION_JSON)
public class TriggersResource {
    /** Trigger files are a few KiB; this bound keeps a huge one from being parsed at all. */
    static final int MAX_YAML_CHARS = 1 << 20;

    private final Brokers broker;

    public TriggersResource(Brokers broker) {
        this.broker = broker;
    }

    /** The triggers of the orgs the request's token reaches (built-in ones, which apply to all, included). */
    @GET
    public List<TriggerRegistry.TriggerStatus> list(@Context RoutingContext context) {
        Principal principal = Principal.of(context);
        return broker.triggers().stream().filter(t -> t.builtIn() || principal.reaches(t.namespace())).toList();
    }

    /** Takes a YAML file of resources; 400 lists every problem when any resource is invalid (then none applies). */
    @POST
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    public Response apply(String yaml, @Context RoutingContext context) {
        if (yaml != null && yaml.length() > MAX_YAML_CHARS) {
            return ApiError.of(Response.Status.REQUEST_ENTITY_TOO_LARGE, "the file is larger than "
                    + (MAX_YAML_CHARS >> 10) + " KiB: apply Broker and Trigger resources in smaller files");
        }
        try {
            Principal principal = Principal.of(context);
            return Response.ok(Map.of("applied", broker.apply(yaml, principal::reaches))).build();
        } catch (SecurityException e) {
            return ApiError.of(Response.Status.FORBIDDEN, e.getMessage());
        } catch (Definitions.InvalidDefinitionException e) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "nothing was applied: " + e.getMessage(), "problems", e.problems()))
                    .build();
        }
    }

    @DELETE
    @Path("/{namespace}/{name}")
    public void delete(@PathParam("namespace") String namespace, @PathParam("name") String name) {
        if (!broker.deleteTrigger(namespace, name)) {
            throw ApiError.notFound("trigger '" + name + "' does not exist in org '" + namespace
                    + "' (fuseml triggers lists them)");
        }
    }
}
