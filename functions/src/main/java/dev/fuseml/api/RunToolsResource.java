package dev.fuseml.api;

import dev.fuseml.extension.Extension;
import dev.fuseml.extension.ExtensionStore;
import dev.fuseml.extension.ToolAccess;
import dev.fuseml.run.RunStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A step's request for a tool its run uses, with the tool's credentials ({@code extension/ToolAccess}). The org is
 * the run's own, looked up here: a step cannot ask for another org's tools by naming one. The deployment only
 * (auth/Access: POST under a run is unrestricted), so neither a user's token nor a training's reaches credentials.
 */
@Path("/api/v1/runs/{run}/tools")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RunToolsResource {
    private final ExtensionStore extensions;
    private final RunStore runs;

    public RunToolsResource(ExtensionStore extensions, RunStore runs) {
        this.extensions = extensions;
        this.runs = runs;
    }

    /** 200 with the tool, 204 when none of the kind is registered, 422 when the choice is the project's to fix. */
    @POST
    public Response grant(@PathParam("run") String run, ToolAccess.Request request) {
        if (request == null || request.kind() == null) {
            return ApiError.of(Response.Status.BAD_REQUEST, "send {\"kind\": KIND[, \"name\": EXTENSION]}");
        }
        String org = runs.get(run).map(dev.fuseml.run.Run::org).orElseThrow(() -> ApiError.notFound("run " + run
                + " does not exist"));
        try {
            return extensions.choose(org, request.kind(), request.name())
                    .map(e -> Response.ok(new ToolAccess.Grant(e.name(), e.kind(), e.url(),
                            extensions.credentials(e.org(), e.name()), Extension.GLOBAL.equals(e.org()))).build())
                    // none of the kind: 204, so that a 404 (no such run, an older control plane) is not read as it
                    .orElseGet(() -> Response.noContent().build());
        } catch (IllegalArgumentException e) {
            return ApiError.unprocessable(e.getMessage());
        }
    }
}
