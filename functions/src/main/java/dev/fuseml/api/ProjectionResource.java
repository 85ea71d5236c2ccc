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
    private final dev.fuseml.retention.Retention retention;
    private final dev.fuseml.broker.Brokers brokers;
    private final dev.fuseml.broker.EventTrace trace;

    public ProjectionResource(RunProjection projection, dev.fuseml.retention.Retention retention,
            dev.fuseml.broker.Brokers brokers, dev.fuseml.broker.EventTrace trace) {
        this.projection = projection;
        this.retention = retention;
        this.brokers = brokers;
        this.trace = trace;
    }

    @POST
    public Response apply(@Context HttpHeaders headers, byte[] body) {
        CloudEvent event = ApiError.event(headers, body);
        projection.apply(event);
        String type = event.getType();
        Object org = event.getExtension(dev.fuseml.eventing.FusemlEvents.EXT_ORG);
        if (!brokers.traced() && org != null) {
            trace.accepted(org.toString(), event, java.util.List.of());
        }
        Object app = event.getExtension(dev.fuseml.eventing.FusemlEvents.EXT_APP);
        if ((dev.fuseml.eventing.FusemlEvents.SERVED.equals(type) || dev.fuseml.eventing.FusemlEvents.FAILED
                .equals(type)) && org != null && app != null && dev.fuseml.eventing.Names.valid(org.toString())
                && dev.fuseml.eventing.Names.valid(app.toString())) {
            retention.prune(org.toString(), app.toString()); // a run ended: the app's oldest go
        }
        return Response.accepted().build();
    }
}
