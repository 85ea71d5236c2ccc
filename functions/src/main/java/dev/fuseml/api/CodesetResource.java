package dev.fuseml.api;

import dev.fuseml.codeset.CodesetArchives;
import dev.fuseml.codeset.CodesetStore;
import dev.fuseml.eventing.Names;
import dev.fuseml.org.OrgStore;
import dev.fuseml.platform.SelfAddress;
import dev.fuseml.workspace.Workspaces;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

/**
 * The CLI sends a project's code here (a zip); it becomes a commit of the app's codeset, and the answer names the
 * repository URL and the commit, which the CLI's push event then carries.
 */
@Path("/api/v1/orgs/{org}/apps/{app}/codeset")
public class CodesetResource {
    /** Where the pushed code is: a git repository any step can fetch, and the commit. */
    public record Commit(String repository, String commit) {
    }

    private final OrgStore orgs;
    private final CodesetStore codesets;
    private final SelfAddress self;
    private final java.nio.file.Path scratch;

    public CodesetResource(OrgStore orgs, CodesetStore codesets, SelfAddress self, dev.fuseml.FusemlConfig config) {
        this.orgs = orgs;
        this.codesets = codesets;
        this.self = self;
        this.scratch = config.dataDir().resolve("uploads");
    }

    @POST
    @Consumes({"application/zip", MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@PathParam("org") String org, @PathParam("app") String app, InputStream zip)
            throws IOException {
        if (!orgs.exists(org)) {
            throw ApiError.notFound("org '" + org + "' does not exist (fuseml create-org " + org + ")");
        }
        Names.require("app", app);
        Files.createDirectories(scratch);
        java.nio.file.Path dir = Files.createTempDirectory(scratch, app + "-");
        try {
            CodesetArchives.extract(zip, dir);
            String commit = codesets.commit(org, app, dir, "fuseml push");
            return Response.status(Response.Status.CREATED)
                    .entity(new Commit(self.url() + CodesetStore.path(org, app), commit)).build();
        } catch (CodesetArchives.InvalidArchiveException e) {
            return ApiError.of(e.tooLarge() ? Response.Status.REQUEST_ENTITY_TOO_LARGE : Response.Status.BAD_REQUEST,
                    e.getMessage());
        } finally {
            Workspaces.delete(dir); // a refused or stored upload leaves nothing behind
        }
    }
}
