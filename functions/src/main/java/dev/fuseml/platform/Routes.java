package dev.fuseml.platform;

import io.vertx.core.json.JsonObject;
import dev.fuseml.auth.Access;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.auth.Principal;
import dev.fuseml.run.RunStore;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Optional;

/**
 * What requests reach, before any handler reads them: bodies over the path's limit ({@link BodyLimits}) are refused,
 * paths outside this process's role ({@link Role}) are 404, deliveries to a step without the run's identity are 400
 * ({@link StepRequests}), and API paths that nothing answers get JSON.
 */
@ApplicationScoped
public class Routes {
    private static final java.util.regex.Pattern FORMS = java.util.regex.Pattern.compile(
            "\\s*(application/x-www-form-urlencoded|multipart/)", java.util.regex.Pattern.CASE_INSENSITIVE);
    private final Role role;
    private final Authenticator auth;
    private final Instance<RunStore> runs;
    private final dev.fuseml.ui.UiSessions uiSessions;

    public Routes(Role role, Authenticator auth, Instance<RunStore> runs, dev.fuseml.ui.UiSessions uiSessions) {
        this.role = role;
        this.auth = auth;
        this.runs = runs;
        this.uiSessions = uiSessions;
    }

    /**
     * A single function exports its own path only; the control plane alone exports no step. A delivery to a step
     * without the run's identity gets 400 here (see {@link StepRequests}).
     */
    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String path = ctx.normalizedPath();
            BodyLimits.Refusal tooLarge = BodyLimits.refusal(path, ctx.request().getHeader("Content-Length"),
                    ctx.request().getHeader("Transfer-Encoding"));
            if (tooLarge != null) {
                ctx.response().putHeader("Connection", "close");
                refuse(ctx, tooLarge.status(), tooLarge.message());
                return;
            }
            String contentType = ctx.request().getHeader("Content-Type");
            boolean hasBody = ctx.request().getHeader("Transfer-Encoding") != null
                    || !List.of("", "0").contains(Optional.ofNullable(ctx.request().getHeader("Content-Length"))
                    .orElse(""));
            if (contentType != null && hasBody && FORMS.matcher(contentType).lookingAt()) {
                // no path takes a form, and the framework's form parser answers a large one with a 500 and a stack
                // trace in the log: refused here, before anything parses it
                ctx.response().putHeader("Connection", "close");
                refuse(ctx, 415, "this path takes no form body (" + contentType.split(";")[0].strip() + "): send "
                        + "JSON (application/json), a CloudEvent, or what the path documents");
                return;
            }
            if ("0".equals(ctx.request().getHeader("Content-Length"))) {
                // An empty body with "Content-Length: 0" is never answered by the handlers behind (Quarkus 3.33 with
                // Funqy and REST): without the header, the same empty request is read and answered at once.
                ctx.request().headers().remove("Content-Length");
            }
            if (!role.serves(path)) {
                refuse(ctx, 404, "this process runs " + role.name() + " (FUSEML_FUNCTION): " + path + " is not here");
                return;
            }
            String authorization = ctx.request().getHeader("Authorization");
            if (auth.enabled() && auth.needsLookup(authorization)) {
                // a token the cluster's API server must review: not on the event loop. The body waits meanwhile.
                ctx.request().pause();
                ctx.vertx().executeBlocking(() -> auth.authenticate(authorization), false).onComplete(result -> {
                    admit(ctx, path, result.succeeded() ? result.result() : Optional.empty());
                    ctx.request().resume(); // the handlers behind have taken the body over by now
                });
                return;
            }
            admit(ctx, path, auth.enabled() ? auth.authenticate(authorization).or(() -> uiSession(ctx, authorization))
                    : Optional.empty());
        });
    }

    /**
     * The web page's session (its cookie) stands for the principal that signed it in, for reads only: a request
     * that changes something needs the token itself, so a cookie can never be made to act (CSRF).
     */
    private Optional<Principal> uiSession(RoutingContext ctx, String authorization) {
        String method = ctx.request().method().name();
        if (authorization != null || !("GET".equals(method) || "HEAD".equals(method))) {
            return Optional.empty();
        }
        io.vertx.core.http.Cookie cookie = ctx.request().getCookie(dev.fuseml.ui.UiSessions.COOKIE);
        return cookie == null ? Optional.empty() : uiSessions.principal(cookie.getValue());
    }

    /** What follows authentication: the access check, then the step's own checks. */
    private void admit(RoutingContext ctx, String path, Optional<Principal> principal) {
        if (!admitted(ctx, path, principal)) {
            return;
        }
        StepRequests.boundType(ctx.request().method().name(), path, ctx.request()::getHeader).ifPresent(type -> {
            ctx.request().headers().set(StepRequests.DELIVERED_TYPE, ctx.request().getHeader("ce-type"));
            ctx.request().headers().set("ce-type", type);
        });
        StepRequests.problem(ctx.request().method().name(), path, ctx.request()::getHeader)
                .ifPresentOrElse(problem -> refuse(ctx, 400, problem), ctx::next);
    }

    /**
     * Authenticates the request and checks {@link Access}'s table, or answers 401/403/404. Another org's run is 404,
     * as if it did not exist, so that run ids cannot be probed.
     */
    private boolean admitted(RoutingContext ctx, String path, Optional<Principal> principal) {
        if (!auth.enabled()) {
            ctx.put(Principal.KEY, Principal.SYSTEM);
            return true;
        }
        Access.Scope scope = Access.of(ctx.request().method().name(), path);
        if (scope instanceof Access.Open) {
            ctx.put(Principal.KEY, principal.orElse(Principal.ANONYMOUS));
            return true;
        }
        if (principal.isEmpty()) {
            if (path.startsWith("/git/")) {
                ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"fuseml\"");
            } else {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"fuseml\"");
            }
            refuse(ctx, 401, ctx.request().getHeader("Authorization") == null
                    ? "this FuseML needs a token: the CLI sends the one in its config; other clients send "
                            + "'Authorization: Bearer TOKEN' (git: the token as password)"
                    : "the token is not valid here (deleted, mistyped, or of another installation): "
                            + "ask an admin for one ('fuseml tokens create --org ORG')");
            return false;
        }
        Principal p = principal.get();
        String refusal = p.run() != null ? Access.runRefusal(p, ctx.request().method().name(), path).orElse(null)
                : Access.refusal(scope, p, ctx.request().getHeader("ce-" + dev.fuseml.eventing.FusemlEvents.EXT_ORG),
                        run -> runs.get().get(run).map(r -> r.org())).orElse(null);
        if (refusal != null) {
            if (refusal.isEmpty()) {
                refuse(ctx, 404, "run " + Access.segment(path, 3) + " does not exist in org '" + p.org()
                        + "' (fuseml runs lists them)");
            } else {
                refuse(ctx, 403, refusal);
            }
            return false;
        }
        ctx.put(Principal.KEY, p);
        return true;
    }

    /** An API path that nothing answers gets JSON like every other API error, not Quarkus' HTML page. */
    void apiNotFound(@Observes Router router) {
        router.route().pathRegex("/api/.*").last().handler(ctx -> refuse(ctx, 404,
                "there is nothing at this path of the API: see README's commands"));
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        JsonObject body = new JsonObject().put("error", message);
        if (ctx.normalizedPath().startsWith("/api/2.0/")) {
            // MLflow's clients read error_code and message
            body.put("error_code", switch (status) {
                case 401 -> "UNAUTHENTICATED";
                case 403 -> "PERMISSION_DENIED";
                case 404 -> "ENDPOINT_NOT_FOUND";
                default -> "BAD_REQUEST";
            }).put("message", message);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }
}
