package dev.fuseml.api;

import dev.fuseml.broker.EventTrace;
import dev.fuseml.run.Run;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/runs/{run}")
public class RunsResource {
    private static final int MAX_LOG_POST = 1 << 20;
    private static final java.time.Duration LONGEST_WAIT = java.time.Duration.ofSeconds(10);
    static final int MAX_POLLS_PER_TOKEN = 32;
    /** Open long-polls per principal (by name, never the token). */
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> polls =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final RunStore runs;
    private final RunLog log;
    private final EventTrace trace;

    /** A run's events with what became of them, and where the chain stopped. */
    public record RunEvents(String run, String status, String stopped, java.util.List<EventTrace.TracedEvent> events) {
    }

    /**
     * A run as it goes: the run, its log's size so far and its last line (pip's, the training's), for the CLI's
     * progress line.
     */
    public record Progress(Run run, long logSize, String lastLine) {
    }

    /** Longest last line handed out: a progress line, not a log. */
    private static final int LAST_LINE = 300;

    public RunsResource(RunStore runs, RunLog log, EventTrace trace) {
        this.runs = runs;
        this.log = log;
        this.trace = trace;
    }

    @GET
    @Path("/events")
    @Produces(MediaType.APPLICATION_JSON)
    public RunEvents events(@PathParam("run") String id) throws InterruptedException {
        Run run = found(id);
        var events = trace.events(id);
        String stopped = Run.FAILED.equals(run.status())
                ? "the chain stopped at " + run.failedStep() + ": " + run.cause() + " (" + EventTrace.stoppedAt(events) + ")"
                : EventTrace.stoppedAt(events);
        return new RunEvents(id, run.status(), stopped, events);
    }

    /**
     * With {@code afterRevision}, answers when the run has changed past that revision (or after 10 s), holding no
     * thread meanwhile; a token may have {@value #MAX_POLLS_PER_TOKEN} such requests open at once (more get 429 with
     * Retry-After), so that one tenant's waiting requests cannot crowd out another's.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @io.smallrye.common.annotation.Blocking // the store reads a file; the wait after it holds no thread
    public java.util.concurrent.CompletionStage<Run> get(@PathParam("run") String id,
            @QueryParam("afterRevision") Long afterRevision,
            @jakarta.ws.rs.core.Context io.vertx.ext.web.RoutingContext context) {
        if (afterRevision == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(found(id));
        }
        java.util.concurrent.atomic.AtomicInteger open = openPoll(context);
        var current = runs.get(id);
        return runs.changed(id, afterRevision)
                .completeOnTimeout(current, LONGEST_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> open.decrementAndGet())
                .thenApply(run -> run.orElseThrow(() -> ApiError.notFound("run '" + id + "' does not exist")));
    }

    /**
     * Answers when the run changed past {@code afterRevision} or its log grew past {@code afterLog} bytes, or after
     * {@code waitMs} (at most 10 s): what {@code fuseml push} shows while a step runs. Counts against the same
     * long-poll quota as the run's own route.
     */
    @GET
    @Path("/progress")
    @Produces(MediaType.APPLICATION_JSON)
    @io.smallrye.common.annotation.Blocking
    public java.util.concurrent.CompletionStage<Progress> progress(@PathParam("run") String id,
            @QueryParam("afterRevision") @jakarta.ws.rs.DefaultValue("-1") long afterRevision,
            @QueryParam("afterLog") @jakarta.ws.rs.DefaultValue("-1") long afterLog,
            @QueryParam("waitMs") @jakarta.ws.rs.DefaultValue("10000") long waitMs,
            @jakarta.ws.rs.core.Context io.vertx.ext.web.RoutingContext context) {
        found(id);
        long wait = Math.max(0, Math.min(waitMs, LONGEST_WAIT.toMillis()));
        java.util.concurrent.atomic.AtomicInteger open = openPoll(context);
        var runChanged = runs.changed(id, afterRevision);
        var logGrew = log.grew(id, afterLog);
        return java.util.concurrent.CompletableFuture.anyOf(runChanged, logGrew)
                .completeOnTimeout(null, wait, java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    open.decrementAndGet();
                    runChanged.cancel(false); // whichever did not fire is forgotten by its store
                    logGrew.cancel(false);
                })
                .thenApply(any -> new Progress(found(id), log.size(id), log.lastLine(id, LAST_LINE)));
    }

    /** One more open long-poll for the caller's principal, or 429 past {@value #MAX_POLLS_PER_TOKEN}. */
    private java.util.concurrent.atomic.AtomicInteger openPoll(io.vertx.ext.web.RoutingContext context) {
        String who = dev.fuseml.auth.Principal.of(context).name();
        java.util.concurrent.atomic.AtomicInteger open = polls.computeIfAbsent(who,
                k -> new java.util.concurrent.atomic.AtomicInteger());
        if (open.incrementAndGet() > MAX_POLLS_PER_TOKEN) {
            open.decrementAndGet();
            throw new jakarta.ws.rs.WebApplicationException(jakarta.ws.rs.core.Response.status(429)
                    .header("Retry-After", "1").type(MediaType.APPLICATION_JSON)
                    .entity(java.util.Map.of("error", "this token has " + MAX_POLLS_PER_TOKEN + " long-polls open "
                            + "already: wait for one to answer (Retry-After)")).build());
        }
        return open;
    }

    private Run found(String id) {
        return runs.get(id).orElseThrow(() -> ApiError.notFound("run '" + id + "' does not exist"));
    }

    /** Steps post their log lines here (text, at most 1 MiB a request); {@code fuseml logs} reads them. */
    @jakarta.ws.rs.POST
    @Path("/log")
    @jakarta.ws.rs.Consumes(MediaType.TEXT_PLAIN)
    public jakarta.ws.rs.core.Response append(@PathParam("run") String id, String lines) {
        if (!dev.fuseml.step.RunRef.validId(id)) {
            throw ApiError.notFound("run '" + id + "' does not exist");
        }
        if (lines != null && lines.length() > MAX_LOG_POST) {
            return ApiError.of(jakarta.ws.rs.core.Response.Status.REQUEST_ENTITY_TOO_LARGE, "post at most "
                    + (MAX_LOG_POST >> 20) + " MiB of log lines at a time");
        }
        if (lines != null && !lines.isEmpty()) {
            log.appendText(id, lines.endsWith("\n") ? lines : lines + "\n");
        }
        return jakarta.ws.rs.core.Response.noContent().build();
    }

    @GET
    @Path("/log")
    @Produces(MediaType.TEXT_PLAIN)
    public String log(@PathParam("run") String id) throws InterruptedException {
        found(id);
        return log.read(id);
    }
}
