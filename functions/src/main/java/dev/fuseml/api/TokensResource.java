package dev.fuseml.api;

import dev.fuseml.auth.Principal;
import dev.fuseml.auth.TokenStore;
import dev.fuseml.org.OrgStore;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;

/**
 * Org tokens: {@code fuseml tokens create --org ORG}, {@code fuseml tokens}, {@code fuseml tokens delete ID}. Only the
 * admin reaches this ({@link dev.fuseml.auth.Access}); a token is shown once, at creation.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class TokensResource {
    public record CreateToken(String org, String description) {
    }

    /** A token as listed: never the token or its hash. */
    public record Listed(String id, String org, String description, Instant created) {
    }

    private final TokenStore tokens;
    private final OrgStore orgs;

    public TokensResource(TokenStore tokens, OrgStore orgs) {
        this.tokens = tokens;
        this.orgs = orgs;
    }

    @GET
    @Path("/tokens")
    public List<Listed> list() {
        return tokens.list().stream().map(t -> new Listed(t.id(), t.org(), t.description(), t.created())).toList();
    }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateToken request) {
        if (request == null || request.org() == null) {
            throw new IllegalArgumentException("send {\"org\": \"ORG\", \"description\": \"...\"}");
        }
        if (!orgs.exists(request.org())) {
            throw ApiError.notFound("org '" + request.org() + "' does not exist: create it first (fuseml create-org)");
        }
        return Response.status(Response.Status.CREATED).entity(tokens.create(request.org(), request.description()))
                .build();
    }

    @DELETE
    @Path("/tokens/{id}")
    public void delete(@PathParam("id") String id) {
        if (!tokens.delete(id)) {
            throw ApiError.notFound("there is no token '" + id + "' (fuseml tokens lists them)");
        }
    }

    /** Who the request's token is: what {@code fuseml whoami} shows. */
    @GET
    @Path("/whoami")
    public Principal whoami(@Context RoutingContext context) {
        return Principal.of(context);
    }
}
