package dev.fuseml.api;

import dev.fuseml.eventing.EventSchemas;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/** The event contract's JSON Schemas, at the URLs events name as their {@code dataschema}. */
@Path(EventSchemas.PATH + "{name}")
public class SchemasResource {
    @GET
    public Response schema(@PathParam("name") String name) {
        String type = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return EventSchemas.schema(type).map(s -> Response.ok(s, "application/schema+json").build())
                .orElseThrow(() -> ApiError.notFound("no schema for '" + type + "': the contract's types are "
                        + dev.fuseml.eventing.FusemlEvents.TYPES));
    }
}
