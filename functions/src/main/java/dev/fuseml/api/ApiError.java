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

    /** The request is well formed but names what cannot be used (422): the message says what to change. */
    public static Response unprocessable(String message) {
        return Response.status(422).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    public static jakarta.ws.rs.WebApplicationException notFound(String message) {
        return new jakarta.ws.rs.WebApplicationException(of(Response.Status.NOT_FOUND, message));
    }

    /** The request is right but the state does not allow it (409), e.g. a rollback with nothing to roll back to. */
    public static jakarta.ws.rs.WebApplicationException conflict(String message) {
        return new jakarta.ws.rs.WebApplicationException(of(Response.Status.CONFLICT, message));
    }

    /** The CloudEvent of a subscriber's request (binary or structured mode); one that cannot be read is a 400. */
    public static io.cloudevents.CloudEvent event(jakarta.ws.rs.core.HttpHeaders headers, byte[] body) {
        try {
            return dev.fuseml.eventing.CloudEventHttp.read(headers.getRequestHeaders(), body);
        } catch (dev.fuseml.eventing.CloudEventHttp.InvalidEventException e) {
            throw new jakarta.ws.rs.WebApplicationException(of(Response.Status.BAD_REQUEST, e.getMessage()));
        }
    }

    /** Errors Quarkus raises itself (a body that is not JSON, a wrong media type): JSON like every other error. */
    @Provider
    public static class Framework implements ExceptionMapper<jakarta.ws.rs.WebApplicationException> {
        @Override
        public Response toResponse(jakarta.ws.rs.WebApplicationException e) {
            Response original = e.getResponse();
            if (original != null && original.hasEntity()) {
                return original;
            }
            int status = original == null ? 500 : original.getStatus();
            String why = status == 400 ? "the request body cannot be read: " + e.getMessage()
                    : status == 415 ? "this content type is not taken here: " + e.getMessage() : e.getMessage();
            return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", why)).build();
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
