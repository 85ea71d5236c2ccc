package dev.fuseml.api;

import dev.fuseml.reference.OrgReferences;
import dev.fuseml.eventing.Names;
import dev.fuseml.platform.SelfAddress;
import dev.fuseml.webhook.Provider;
import dev.fuseml.webhook.WebhookStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;
import java.util.List;

/**
 * Webhooks from GitHub, Gitea and GitLab: {@code fuseml webhooks add APP --provider P --repo URL} makes one (its
 * payload URL and secret go into the host's settings), and the host's push deliveries start runs. The receiver takes
 * no token (the signature is the delivery's credential): it checks the signature on the raw body first, answers 401
 * without starting anything when it is wrong, ignores pings, other events, other branches, branch deletions and
 * redeliveries, and otherwise fetches the pushed commit from the configured repository into the app's codeset and
 * emits the same push event as {@code fuseml push}.
 */
/**
 * An org's webhooks: {@code fuseml webhooks add APP --provider P --repo URL} makes one (its payload URL and the secret
 * go into the host's settings), {@code fuseml webhooks} lists them, {@code fuseml webhooks delete ID}. Deliveries go
 * to {@link WebhooksResource}.
 */
@Produces(MediaType.APPLICATION_JSON)
@Path("/api/v1/orgs/{org}/webhooks")
public class OrgWebhooksResource {
    public record CreateWebhook(String app, String provider, String repository, String branch) {
    }

    /** A webhook as made (the only answer with its secret) or listed (without). */
    public record Shown(String id, String org, String app, String provider, String repository, String branch,
            String url, String secret, Instant created) {
    }

    private final WebhookStore hooks;
    private final AppLookup lookup;
    private final SelfAddress self;

    public OrgWebhooksResource(WebhookStore hooks, AppLookup lookup, SelfAddress self) {
        this.hooks = hooks;
        this.lookup = lookup;
        this.self = self;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@PathParam("org") String org, CreateWebhook request) {
        lookup.org(org);
        if (request == null || request.app() == null || request.provider() == null || request.repository() == null) {
            throw new IllegalArgumentException("send {\"app\": APP, \"provider\": \"github|gitea|gitlab\", "
                    + "\"repository\": URL, \"branch\": \"main\"}");
        }
        Names.require("app", request.app());
        Provider provider = Provider.parse(request.provider());
        String branch = request.branch() == null || request.branch().isBlank() ? "main" : request.branch();
        if (!branch.matches("[A-Za-z0-9._-][A-Za-z0-9._/-]{0,99}") || branch.contains("..")) {
            throw new IllegalArgumentException("invalid branch '" + branch + "': letters, digits, '.', '_', '-', '/'");
        }
        // a repository URL the orchestrator fetches: http(s) only, and never another org's codeset
        String repository = OrgReferences.repository(org, request.repository()).url();
        WebhookStore.Webhook hook = hooks.create(org, request.app(), provider, repository, branch);
        return Response.status(Response.Status.CREATED).entity(shown(hook, true)).build();
    }

    @GET
    public List<Shown> list(@PathParam("org") String org) {
        lookup.org(org);
        return hooks.list(org).stream().map(h -> shown(h, false)).toList();
    }

    @DELETE
    @Path("/{id}")
    public void delete(@PathParam("org") String org, @PathParam("id") String id) {
        lookup.org(org);
        if (!hooks.delete(org, id)) {
            throw ApiError.notFound("org '" + org + "' has no webhook '" + id + "' (fuseml webhooks lists them)");
        }
    }

    private Shown shown(WebhookStore.Webhook h, boolean withSecret) {
        return new Shown(h.id(), h.org(), h.app(), h.provider(), h.repository(), h.branch(),
                self.url() + "/api/v1/webhooks/" + h.id(), withSecret ? h.secret() : null, h.created());
    }
}
