package dev.fuseml.api;

import dev.fuseml.retention.Retention;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code fuseml gc}: removes Python environments no kept model version was trained in. */
@Path("/api/v1/gc")
@Produces(MediaType.APPLICATION_JSON)
public class GcResource {
    private final Retention retention;

    public GcResource(Retention retention) {
        this.retention = retention;
    }

    @POST
    public Retention.Collected collect() {
        return retention.collect();
    }
}
