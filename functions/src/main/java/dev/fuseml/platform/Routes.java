package dev.fuseml.platform;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What requests reach, before any handler reads them: bodies over the path's limit ({@link BodyLimits}) are refused,
 * paths outside this process's role ({@link Role}) are 404, deliveries to a step without the run's identity are 400
 * ({@link StepRequests}), and API paths that nothing answers get JSON.
 */
@ApplicationScoped
public class Routes {
    private final Role role;

    public Routes(Role role) {
        this.role = role;
    }

    /**
     * A single function exports its own path only; the control plane alone exports no step. A delivery to a step
     * without the run's identity gets 400 here (see {@link StepRequests}).
     */
    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String path = ctx.normalizedPath();
            String tooLarge = BodyLimits.refusal(path, ctx.request().getHeader("Content-Length"));
            if (tooLarge != null) {
                ctx.response().putHeader("Connection", "close");
                refuse(ctx, 413, tooLarge);
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
            StepRequests.problem(ctx.request().method().name(), path, ctx.request()::getHeader)
                    .ifPresentOrElse(problem -> refuse(ctx, 400, problem), ctx::next);
        });
    }

    /** An API path that nothing answers gets JSON like every other API error, not Quarkus' HTML page. */
    void apiNotFound(@Observes Router router) {
        router.route().pathRegex("/api/.*").last().handler(ctx -> refuse(ctx, 404,
                "there is nothing at this path of the API: see README's commands"));
    }

    private static void refuse(io.vertx.ext.web.RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
