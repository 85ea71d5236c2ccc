package dev.fuseml.api;

import dev.fuseml.run.RunProjection;
import io.cloudevents.CloudEvent;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * The control plane's own subscriber: trigger {@code fuseml-runs} delivers every {@code dev.fuseml.*} event here,
 * and the run projection keeps runs and apps from them.
 */
@Path("/api/v1/projection")
public class ProjectionResource {
    private final RunProjection projection;

    public ProjectionResource(RunProjection projection) {
        this.projection = projection;
    }

    @POST
    public Response apply(@Context HttpHeaders headers, byte[] body) {
        CloudEvent event = ApiError.event(headers, body);
        projection.apply(event);
        return Response.accepted().build();
    }
}
