package dev.fuseml.auth;

/**
 * What a request needs, by its method and path alone: the one table of who may reach what. Resources never check
 * tokens; the few that show several orgs at once (the org list, triggers) filter by {@link Principal#reaches}.
 */
public final class Access {
    private Access() {
    }

    /** What a path needs. */
    public sealed interface Scope {
    }

    /** Anyone: health, status and the event schemas (nothing in them is an org's). */
    public record Open() implements Scope {
    }

    /** Any valid token; the resource shows only what the token reaches. */
    public record Authenticated() implements Scope {
    }

    /** The deployment or the admin: steps, claims, the run projection, orgs and tokens, gc. */
    public record Unrestricted() implements Scope {
    }

    /** A token that reaches {@code org}. */
    public record Org(String org) implements Scope {
    }

    /**
     * A delivery of an event to a step (or to the dead-letter sink): the deployment, the admin, or a token of the
     * org the event belongs to (its {@code ce-fusemlorg} header), as a trigger an org applied delivers with.
     */
    public record EventOf() implements Scope {
    }

    /**
     * A broker's delivery of an event to the control plane's run projection: the deployment, the admin, or on a
     * cluster a Knative Broker of the event's org (not a user's org token: runs are written from the chain's events).
     */
    public record Delivery() implements Scope {
    }

    /** A token that reaches the org the run belongs to (looked up, since run URLs do not name it). */
    public record Run(String run) implements Scope {
    }

    /** The {@code n}th segment of {@code path} (0 is the first), or "" when it has fewer. */
    public static String segment(String path, int n) {
        String[] s = path.replaceAll("^/+", "").split("/", -1);
        return n < s.length ? s[n] : "";
    }

    /**
     * Why {@code p} may not do what {@code scope} needs, or empty when it may; "" means "answer 404, as if the run did
     * not exist" (another org's run ids cannot be probed).
     *
     * @param eventOrg the delivered event's org ({@code ce-fusemlorg}), or null
     * @param runOrg   the org of a run, by its id
     */
    public static java.util.Optional<String> refusal(Scope scope, Principal p, String eventOrg,
            java.util.function.Function<String, java.util.Optional<String>> runOrg) {
        String org = dev.fuseml.eventing.FusemlEvents.EXT_ORG;
        if (p.delivery() && !(scope instanceof EventOf || scope instanceof Delivery)) {
            return java.util.Optional.of("a broker's delivery token reaches the paths events are delivered to, "
                    + "nothing else");
        }
        if (scope instanceof Delivery && !p.unrestricted() && !(p.delivery() && p.reaches(eventOrg))) {
            return java.util.Optional.of(p.delivery() ? "a broker of org '" + p.org() + "' delivers events of that "
                    + "org only (ce-" + org + ")" : "runs are written from the chain's events: only the broker "
                    + "delivers here");
        }
        if (scope instanceof Unrestricted && !p.unrestricted()) {
            return java.util.Optional.of("this needs the admin token; a token of org '" + p.org() + "' reaches that "
                    + "org only");
        }
        if (scope instanceof Org o && !p.reaches(o.org())) {
            return java.util.Optional.of("a token of org '" + p.org() + "' reaches that org only, not '" + o.org()
                    + "'");
        }
        if (scope instanceof EventOf && !p.unrestricted() && !p.reaches(eventOrg)) {
            return java.util.Optional.of("a token of org '" + p.org() + "' delivers events of that org only (ce-"
                    + org + ")");
        }
        if (scope instanceof Run r && !p.unrestricted() && runOrg.apply(r.run()).filter(p::reaches).isEmpty()) {
            return java.util.Optional.of("");
        }
        return java.util.Optional.empty();
    }

    /**
     * Why a run's token (a training Job's) may not do {@code method} {@code path}, or empty when it may: post its
     * run's log, read and write its run's artifacts, and fetch its app's codeset; nothing else, in any org.
     */
    public static java.util.Optional<String> runRefusal(Principal p, String method, String path) {
        String[] s = path.replaceAll("^/+", "").split("/", -1);
        boolean ownLog = "POST".equals(method) && s.length == 5 && s[0].equals("api") && s[2].equals("runs")
                && s[3].equals(p.run()) && s[4].equals("log");
        boolean ownArtifacts = java.util.List.of("GET", "PUT", "DELETE").contains(method) && s.length >= 6
                && s[0].equals("api") && s[2].equals("artifacts") && s[3].equals(p.org()) && s[4].equals(p.app())
                && s[5].equals(p.run());
        boolean ownCode = s.length >= 3 && s[0].equals("git") && s[1].equals(p.org())
                && s[2].equals(p.app() + ".git") && (("GET".equals(method) && s.length == 5
                && s[3].equals("info") && s[4].equals("refs")) || ("POST".equals(method) && s.length == 4
                && s[3].equals("git-upload-pack")));
        boolean endsTracking = "POST".equals(method) && s.length == 6 && s[0].equals("api") && s[2].equals("runs")
                && s[3].equals(p.run()) && s[4].equals("tracking") && s[5].equals("end");
        // MLflow's API names runs in bodies: mlflow/MlflowAccess admits the run's own objects only
        boolean tracking = s.length >= 3 && s[0].equals("api") && s[1].equals("2.0") && s[2].equals("mlflow");
        boolean mlflowArtifacts = s.length >= 4 && s[0].equals("api") && s[1].equals("2.0")
                && s[2].equals("mlflow-artifacts") && s[3].equals("artifacts")
                && (s.length == 4 || (s.length >= 6 && s[4].equals(p.org()) && s[5].equals(p.app())));
        return ownLog || ownArtifacts || ownCode || endsTracking || tracking || mlflowArtifacts
                ? java.util.Optional.empty() : java.util.Optional.of("a run's token reaches its own run only (its "
                + "log, its artifacts, its app's codeset to read, its MLflow run), not " + method + " " + path);
    }

    public static Scope of(String method, String path) {
        String[] s = path.replaceAll("^/+", "").split("/", -1);
        if (path.equals("/q/metrics") || path.startsWith("/q/metrics/")) {
            // the request metrics name every org, app and run in their labels: for the deployment (a scraper
            // given the admin or system token), not for anyone who can reach the port
            return new Unrestricted();
        }
        // the web page's files and its sign-in are open; its data comes from the API, with the session cookie
        if (path.startsWith("/q/") || path.startsWith("/schemas/") || path.equals("/api/v1/status")
                || path.equals("/ui") || path.startsWith("/ui/")) {
            return new Open();
        }
        if (s.length >= 2 && s[0].equals("git")) {
            return new Org(s[1]);
        }
        if (s.length >= 3 && s[0].equals("api") && s[1].equals("2.0")) {
            // MLflow's API: artifact paths name their org; tracking paths name objects in bodies and queries, which
            // mlflow/MlflowAccess checks against the token once they are looked up
            boolean artifactOfOrg = s[2].equals("mlflow-artifacts") && s.length >= 5 && s[3].equals("artifacts")
                    && !s[4].isEmpty();
            return artifactOfOrg ? new Org(s[4]) : new Authenticated();
        }
        if (s.length == 1) {
            return new EventOf(); // a step's path (/receive, /register, ...), or / where Funqy routes by type
        }
        if (s.length < 3 || !s[0].equals("api") || !s[1].equals("v1")) {
            return new Unrestricted();
        }
        String area = s[2];
        boolean hasName = s.length >= 4 && !s[3].isEmpty();
        return switch (area) {
            case "orgs" -> hasName ? new Org(s[3]) : "GET".equals(method) ? new Authenticated() : new Unrestricted();
            case "artifacts" -> hasName ? new Org(s[3]) : new Unrestricted();
            case "triggers" -> hasName ? new Org(s[3]) : new Authenticated();
            // Users read their runs; steps post logs, and so does a training Job on a cluster with its org's token
            // (it may append to its own org's runs, nothing else).
            case "runs" -> !hasName ? new Unrestricted()
                    : "GET".equals(method) || ("POST".equals(method) && s.length == 5 && s[4].equals("log"))
                    ? new Run(s[3]) : new Unrestricted();
            case "whoami", "ui" -> new Authenticated();
            // the global extension registry: every org may read it, an admin changes it
            case "extensions" -> "GET".equals(method) ? new Authenticated() : new Unrestricted();
            // a host's delivery: its signature, checked by the receiver, is its credential
            case "webhooks" -> "POST".equals(method) && hasName ? new Open() : new Unrestricted();
            case "deadletter" -> new EventOf();
            case "projection" -> new Delivery();
            default -> new Unrestricted();
        };
    }
}
