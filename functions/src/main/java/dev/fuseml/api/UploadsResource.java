package dev.fuseml.api;

import dev.fuseml.codeset.UploadStore;
import dev.fuseml.org.OrgStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;

/** The CLI sends a project's code here (a zip) before it emits the push event that names the upload. */
@Path("/api/v1/orgs/{org}/uploads")
public class UploadsResource {
    public record Upload(String upload) {
    }

    private final OrgStore orgs;
    private final UploadStore uploads;

    public UploadsResource(OrgStore orgs, UploadStore uploads) {
        this.orgs = orgs;
        this.uploads = uploads;
    }

    @POST
    @Consumes({"application/zip", MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@PathParam("org") String org, InputStream zip) throws IOException {
        if (!orgs.exists(org)) {
            throw ApiError.notFound("org '" + org + "' does not exist (fuseml create-org " + org + ")");
        }
        return Response.status(Response.Status.CREATED).entity(new Upload(uploads.save(zip))).build();
    }
}
