package dev.fuseml.api;

import dev.fuseml.run.Run;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/runs/{run}")
public class RunsResource {
    private final RunStore runs;
    private final RunLog log;

    public RunsResource(RunStore runs, RunLog log) {
        this.runs = runs;
        this.log = log;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Run get(@PathParam("run") String id) {
        return runs.get(id).orElseThrow(() -> ApiError.notFound("run '" + id + "' does not exist"));
    }

    @GET
    @Path("/log")
    @Produces(MediaType.TEXT_PLAIN)
    public String log(@PathParam("run") String id) {
        get(id);
        return log.read(id);
    }
}
