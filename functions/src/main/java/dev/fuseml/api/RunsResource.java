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
    private final RunStore runs;
    private final RunLog log;
    private final EventTrace trace;

    /** A run's events with what became of them, and where the chain stopped. */
    public record RunEvents(String run, String status, String stopped, java.util.List<EventTrace.TracedEvent> events) {
    }

    public RunsResource(RunStore runs, RunLog log, EventTrace trace) {
        this.runs = runs;
        this.log = log;
        this.trace = trace;
    }

    @GET
    @Path("/events")
    @Produces(MediaType.APPLICATION_JSON)
    public RunEvents events(@PathParam("run") String id) throws InterruptedException {
        Run run = get(id, null);
        var events = trace.events(id);
        String stopped = Run.FAILED.equals(run.status())
                ? "the chain stopped at " + run.failedStep() + ": " + run.cause() + " (" + EventTrace.stoppedAt(events) + ")"
                : EventTrace.stoppedAt(events);
        return new RunEvents(id, run.status(), stopped, events);
    }

    /** With {@code afterRevision}, answers when the run has changed past that revision (or after 10 s). */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Run get(@PathParam("run") String id, @QueryParam("afterRevision") Long afterRevision)
            throws InterruptedException {
        var run = afterRevision == null ? runs.get(id) : runs.await(id, afterRevision, LONGEST_WAIT);
        return run.orElseThrow(() -> ApiError.notFound("run '" + id + "' does not exist"));
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
        get(id, null);
        return log.read(id);
    }
}
