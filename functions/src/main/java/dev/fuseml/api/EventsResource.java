package dev.fuseml.api;

import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.step.EventSink;
import io.cloudevents.CloudEvent;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * An org's events, taken by the control plane and sent on to the org's broker: on a cluster the Knative Broker's
 * ingress is reachable only inside it, so {@code fuseml push} (and any client outside) posts here, with a token that
 * reaches the org (checked by {@code Access}, as for every org path). Binary or structured mode; the body's size is
 * bounded by {@code BodyLimits} before it is read.
 */
@Path("/api/v1/orgs/{org}/events")
public class EventsResource {
    private final EventSink sink;

    public EventsResource(EventSink sink) {
        this.sink = sink;
    }

    @POST
    public Response post(@PathParam("org") String org, @Context HttpHeaders headers, byte[] body) {
        CloudEvent event = ApiError.event(headers, body);
        Object eventOrg = event.getExtension(FusemlEvents.EXT_ORG);
        if (eventOrg == null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "the event has no " + FusemlEvents.EXT_ORG
                    + " extension: set it to '" + org + "', the org whose broker it is for");
        }
        if (!org.equals(eventOrg.toString())) {
            return ApiError.of(Response.Status.BAD_REQUEST, "the event's " + FusemlEvents.EXT_ORG + " is '" + eventOrg
                    + "' but it was posted to org '" + org + "': post it to /api/v1/orgs/" + eventOrg + "/events");
        }
        sink.send(org, event);
        return Response.accepted().build();
    }
}
