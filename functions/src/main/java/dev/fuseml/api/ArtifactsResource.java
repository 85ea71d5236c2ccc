package dev.fuseml.api;

import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.artifact.ArtifactStorage;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * Artifacts over HTTP, as MLflow's artifact proxy serves them: {@code fuseml-artifacts:/ORG/APP/RUN/NAME} is
 * {@code /api/v1/artifacts/ORG/APP/RUN/NAME} here. GET of the artifact lists its files, GET of a file reads it, PUT
 * writes one, DELETE removes the artifact.
 */
@Path("/api/v1/artifacts/{org}/{app}/{run}/{name}")
public class ArtifactsResource {
    private final ArtifactStorage files;

    public ArtifactsResource(ArtifactStorage files) {
        this.files = files;
    }

    /** The artifact's files. */
    public record Listing(String uri, List<ArtifactStorage.FileInfo> files) {
    }

    @GET
    public Response list(@PathParam("org") String org, @PathParam("app") String app, @PathParam("run") String run,
            @PathParam("name") String name) throws IOException {
        ArtifactUri uri = new ArtifactUri(org, app, run, name);
        List<ArtifactStorage.FileInfo> all = files.list(uri);
        if (all.isEmpty()) {
            throw ApiError.notFound("artifact " + uri + " does not exist");
        }
        return Response.ok(new Listing(uri.toString(), all), MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/{file: .+}")
    public Response read(@PathParam("org") String org, @PathParam("app") String app, @PathParam("run") String run,
            @PathParam("name") String name, @PathParam("file") String file) throws IOException {
        ArtifactUri uri = new ArtifactUri(org, app, run, name);
        InputStream content = files.read(uri, file).orElseThrow(() ->
                ApiError.notFound("artifact file " + file + " does not exist"));
        return Response.ok(content, MediaType.APPLICATION_OCTET_STREAM).build();
    }

    @PUT
    @Path("/{file: .+}")
    @Consumes(MediaType.WILDCARD)
    public Response write(@PathParam("org") String org, @PathParam("app") String app, @PathParam("run") String run,
            @PathParam("name") String name, @PathParam("file") String file, InputStream content) throws IOException {
        files.write(new ArtifactUri(org, app, run, name), file, content);
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("path", file)).build();
    }

    @DELETE
    public void delete(@PathParam("org") String org, @PathParam("app") String app, @PathParam("run") String run,
            @PathParam("name") String name) {
        files.delete(new ArtifactUri(org, app, run, name));
    }
}
