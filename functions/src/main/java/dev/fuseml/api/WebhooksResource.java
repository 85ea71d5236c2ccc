package dev.fuseml.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.codeset.local.GitCodesetStore;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Push;
import dev.fuseml.platform.SelfAddress;
import dev.fuseml.reference.OrgReferences;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.RunRef;
import dev.fuseml.webhook.Provider;
import dev.fuseml.webhook.WebhookStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.io.IOException;
import java.util.Map;

/**
 * Deliveries of webhooks from GitHub, Gitea and GitLab ({@link OrgWebhooksResource} makes them): the host's push
 * deliveries start runs. The receiver takes
 * no token (the signature is the delivery's credential): it checks the signature on the raw body first, answers 401
 * without starting anything when it is wrong, ignores pings, other events, other branches, branch deletions and
 * redeliveries, and otherwise fetches the pushed commit from the configured repository into the app's codeset and
 * emits the same push event as {@code fuseml push}.
 */
@Produces(MediaType.APPLICATION_JSON)
@Path("/api/v1/webhooks")
public class WebhooksResource {
    private static final String ZERO = "0000000000000000000000000000000000000000";

    public record Outcome(String result, String run) {
    }

    private final WebhookStore hooks;
    private final GitCodesetStore codesets;
    private final EventSink events;
    private final SelfAddress self;
    private final Authenticator auth;

    public WebhooksResource(WebhookStore hooks, GitCodesetStore codesets, EventSink events, SelfAddress self,
            Authenticator auth) {
        this.hooks = hooks;
        this.codesets = codesets;
        this.events = events;
        this.self = self;
        this.auth = auth;
    }

    /** Where the host delivers. */
    @POST
    @Path("/{id}")
    @Consumes(MediaType.WILDCARD)
    public Response deliver(@PathParam("id") String id, @Context HttpHeaders headers, byte[] body) throws IOException {
        WebhookStore.Webhook hook = hooks.get(id).orElseThrow(() -> ApiError.notFound("no webhook '" + id + "'"));
        Provider provider = Provider.parse(hook.provider());
        java.util.function.Function<String, String> header = headers::getHeaderString;
        byte[] raw = body == null ? new byte[0] : body;
        if (!provider.verified(header, raw, hook.secret())) {
            return ApiError.of(Response.Status.UNAUTHORIZED, "the delivery's signature does not match this webhook's "
                    + "secret: paste the secret 'fuseml webhooks add' printed into the " + provider.id()
                    + " webhook's settings");
        }
        if (!provider.isPush(header)) {
            return accepted("ignored: a '" + provider.event(header) + "' event starts nothing", null);
        }
        String delivery = provider.delivery(header);
        if (delivery == null || delivery.isBlank() || delivery.length() > 200) {
            // without an id a signed body could be replayed at will: the hosts FuseML knows all send one
            return ApiError.of(Response.Status.BAD_REQUEST, "the delivery has no " + provider.deliveryHeader()
                    + " header (of at most 200 characters): " + provider.id() + " sends one with every delivery");
        }
        JsonNode push;
        try {
            push = JsonFiles.MAPPER.readTree(raw);
        } catch (IOException e) {
            return ApiError.of(Response.Status.BAD_REQUEST, "the push payload is not JSON: " + e.getMessage());
        }
        String ref = push.path("ref").asText("");
        String after = push.path("after").asText("");
        if (push.path("deleted").asBoolean(false) || ZERO.equals(after)) {
            return accepted("ignored: " + ref + " was deleted", null);
        }
        if (!ref.equals("refs/heads/" + hook.branch())) {
            return accepted("ignored: " + ref + " is not the branch this webhook follows (" + hook.branch() + ")",
                    null);
        }
        if (!after.matches("[0-9a-f]{40}")) {
            return ApiError.of(Response.Status.BAD_REQUEST, "the push payload names no commit ('after')");
        }
        String repository;
        try { // checked again: a webhook may have been stored before the rule was
            repository = OrgReferences.repository(hook.org(), hook.repository()).url();
        } catch (OrgReferences.Refused e) {
            return ApiError.of(Response.Status.FORBIDDEN, e.getMessage() + " (delete webhook " + id + " and add "
                    + "one for a repository of your own)");
        }
        // a delivery is known by its id and by the commit it pushed: a replay of a signed body under a new id (the
        // id is not signed) starts nothing either
        String[] keys = {"delivery:" + delivery, "commit:" + after};
        if (!hooks.begin(id, keys)) {
            return Response.ok(new Outcome("ignored: delivery " + delivery + " (commit " + after + ") was taken "
                    + "already: it started a run, or is being processed", null)).build();
        }
        boolean started = false;
        try {
            boolean fetched;
            try {
                fetched = codesets.fetch(hook.org(), hook.app(), repository, hook.branch(), after,
                        credentials(repository));
            } catch (IOException e) {
                return ApiError.of(Response.Status.BAD_GATEWAY, e.getMessage() + " (is the repository URL of "
                        + "webhook " + id + " reachable from FuseML? redeliver once it is)");
            }
            if (!fetched) {
                return ApiError.unprocessable("commit " + after + " is not on " + hook.branch() + " of "
                        + hook.repository() + " (pushed again since?)");
            }
            RunRef run = new RunRef(hook.org(), hook.app(), Names.runId(hook.app()));
            events.emit(run, "fuseml/webhook/" + provider.id(), FusemlEvents.PUSH, new Push(self.url()
                    + CodesetStore.path(hook.org(), hook.app()), after, Map.of(), null));
            started = true;
            return accepted("started", run.run());
        } finally {
            hooks.finish(id, started, keys); // recorded only when the run started: a failed one may be redelivered
        }
    }

    /** The deployment's token goes to the control plane's own codesets only (which are of the webhook's org). */
    private CredentialsProvider credentials(String repository) {
        return OrgReferences.ownCodeset(self.url(), repository)
                ? new UsernamePasswordCredentialsProvider("fuseml", auth.systemToken())
                : CredentialsProvider.getDefault();
    }

    private static Response accepted(String result, String run) {
        return Response.status(Response.Status.ACCEPTED).entity(new Outcome(result, run)).build();
    }

}
