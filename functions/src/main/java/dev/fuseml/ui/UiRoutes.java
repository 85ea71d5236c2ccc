package dev.fuseml.ui;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The web page's routes besides its static files (under {@code META-INF/resources/ui/}): the sign-in that trades a
 * one-time code for the session cookie, sign-out, and the headers every {@code /ui} answer carries: a strict
 * Content-Security-Policy (the page's own scripts, styles and data only, nothing inline, nothing from elsewhere, no
 * framing) and no sniffing or referrers.
 */
@ApplicationScoped
public class UiRoutes {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private final UiSessions sessions;

    public UiRoutes(UiSessions sessions) {
        this.sessions = sessions;
    }

    void routes(@Observes Router router) {
        router.route("/ui/*").order(Integer.MIN_VALUE + 2).handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer").putHeader("Cache-Control", "no-store");
            ctx.next();
        });
        // exactly /ui (a plain route "/ui" matches "/ui/" too, which would redirect to itself)
        router.getWithRegex("/ui").handler(ctx -> redirect(ctx, "/ui/"));
        // the page's three files, from the classpath (ui/): Undertow, which hosts the git server, would otherwise
        // take META-INF/resources under its own context path
        router.getWithRegex("/ui/").handler(ctx -> file(ctx, "index.html"));
        for (String name : FILES.keySet()) {
            router.get("/ui/" + name).handler(ctx -> file(ctx, name));
        }
        router.get("/ui/signin").handler(this::signIn);
        // whether this browser is signed in, without a 401 in its console when it is not
        router.get("/ui/session").handler(ctx -> {
            Cookie cookie = ctx.request().getCookie(UiSessions.COOKIE);
            boolean signedIn = cookie != null && sessions.principal(cookie.getValue()).isPresent();
            ctx.response().putHeader("Content-Type", "application/json").end("{\"signedIn\":" + signedIn + "}");
        });
        router.get("/ui/signout").handler(ctx -> {
            Cookie cookie = ctx.request().getCookie(UiSessions.COOKIE);
            if (cookie != null) {
                sessions.end(cookie.getValue());
            }
            ctx.response().addCookie(cookie("", ctx).setMaxAge(0));
            redirect(ctx, "/ui/");
        });
    }

    private static final java.util.Map<String, String> FILES = java.util.Map.of("index.html",
            "text/html; charset=utf-8", "app.js", "text/javascript; charset=utf-8", "style.css",
            "text/css; charset=utf-8");
    private final java.util.Map<String, io.vertx.core.buffer.Buffer> loaded = new java.util.concurrent
            .ConcurrentHashMap<>();

    private void file(RoutingContext ctx, String name) {
        io.vertx.core.buffer.Buffer body = loaded.computeIfAbsent(name, n -> {
            try (java.io.InputStream in = UiRoutes.class.getResourceAsStream("/ui/" + n)) {
                if (in == null) {
                    throw new IllegalStateException("ui/" + n + " is missing from the orchestrator's jar");
                }
                return io.vertx.core.buffer.Buffer.buffer(in.readAllBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ctx.response().putHeader("Content-Type", FILES.get(name)).end(body);
    }

    /** The code is in the URL once: it is spent here and the browser is sent on to a URL without it. */
    private void signIn(RoutingContext ctx) {
        var session = sessions.redeem(ctx.request().getParam("code"));
        if (session.isEmpty()) {
            redirect(ctx, "/ui/#signin-expired");
            return;
        }
        ctx.response().addCookie(cookie(session.get(), ctx).setMaxAge(UiSessions.SESSION_TTL.toSeconds()));
        redirect(ctx, "/ui/");
    }

    private static Cookie cookie(String value, RoutingContext ctx) {
        boolean https = "https".equalsIgnoreCase(ctx.request().scheme())
                || "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"));
        return Cookie.cookie(UiSessions.COOKIE, value).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(https);
    }

    private static void redirect(RoutingContext ctx, String to) {
        ctx.response().setStatusCode(303).putHeader("Location", to).end();
    }
}
