package dev.fuseml.ui;

import dev.fuseml.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code fuseml ui}: a one-time code that signs a browser in as the caller (see {@link UiSessions}). */
@Path("/api/v1/ui/codes")
@Produces(MediaType.APPLICATION_JSON)
public class UiCodesResource {
    /** @param url where the browser goes, relative to the orchestrator's URL */
    public record Code(String code, String url, long expiresInSeconds) {
    }

    private final UiSessions sessions;

    public UiCodesResource(UiSessions sessions) {
        this.sessions = sessions;
    }

    @POST
    public Code mint(@Context RoutingContext context) {
        try {
            String code = sessions.mint(Principal.of(context));
            return new Code(code, "/ui/signin?code=" + code, UiSessions.CODE_TTL.toSeconds());
        } catch (IllegalArgumentException e) {
            // api/ApiError's shape, built here: this package sits below the API's
            throw new jakarta.ws.rs.WebApplicationException(Response.status(Response.Status.FORBIDDEN)
                    .type(MediaType.APPLICATION_JSON).entity(java.util.Map.of("error", e.getMessage())).build());
        }
    }
}
