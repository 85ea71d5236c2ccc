package dev.fuseml.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.Map;

/** Every API error is JSON {@code {"error": "..."}} with a status that says whose fault it is. */
public final class ApiError {
    private ApiError() {
    }

    public static Response of(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    public static jakarta.ws.rs.WebApplicationException notFound(String message) {
        return new jakarta.ws.rs.WebApplicationException(of(Response.Status.NOT_FOUND, message));
    }

    /** The CloudEvent of a subscriber's request (binary or structured mode); one that cannot be read is a 400. */
    public static io.cloudevents.CloudEvent event(jakarta.ws.rs.core.HttpHeaders headers, byte[] body) {
        try {
            return dev.fuseml.eventing.CloudEventHttp.read(headers.getRequestHeaders(), body);
        } catch (dev.fuseml.eventing.CloudEventHttp.InvalidEventException e) {
            throw new jakarta.ws.rs.WebApplicationException(of(Response.Status.BAD_REQUEST, e.getMessage()));
        }
    }

    /** Bad names and bad bodies, refused with the rule. */
    @Provider
    public static class BadInput implements ExceptionMapper<IllegalArgumentException> {
        @Override
        public Response toResponse(IllegalArgumentException e) {
            return of(Response.Status.BAD_REQUEST, e.getMessage());
        }
    }
}
