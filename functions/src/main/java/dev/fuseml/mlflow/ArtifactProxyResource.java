package dev.fuseml.mlflow;

import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;
import dev.fuseml.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MLflow's artifact proxy ({@code mlflow server --serve-artifacts}): {@code mlflow-artifacts:/ORG/SLOT/OWNER/NAME/...}
 * is {@code /api/2.0/mlflow-artifacts/artifacts/ORG/SLOT/OWNER/NAME/...} here, kept in FuseML's artifact storage
 * (files or S3) as artifact {@code fuseml-artifacts:/ORG/SLOT/OWNER/NAME}. OWNER is a run or a LoggedModel; NAME is
 * {@code artifacts} for what MLflow clients log, {@code model} for the model FuseML registered from a run.
 */
@Path("/api/2.0/mlflow-artifacts/artifacts")
@Produces(MediaType.APPLICATION_JSON)
public class ArtifactProxyResource {
    private final ArtifactStorage files;
    private final TrackingStore store;

    public ArtifactProxyResource(ArtifactStorage files, TrackingStore store) {
        this.files = files;
        this.store = store;
    }

    /** One entry of a listing: a file with its size, or a directory. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record FileEntry(String path, boolean is_dir, Long file_size) {
    }

    @GET
    public Map<String, Object> list(@QueryParam("path") String path, @Context RoutingContext context)
            throws IOException {
        Located at = locate(Principal.of(context), path == null ? "" : path);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("files", children(at));
        return answer;
    }

    @GET
    @Path("/{path: .+}")
    @Produces(MediaType.WILDCARD)
    public Response download(@PathParam("path") String path, @Context RoutingContext context) throws IOException {
        Located at = locate(Principal.of(context), path);
        if (at.relative().isEmpty()) {
            throw MlflowError.invalid("'" + path + "' is a directory: list it with ?path=");
        }
        InputStream content = files.read(at.artifact(), at.relative()).orElseThrow(() ->
                MlflowError.missing("artifact file " + path + " does not exist"));
        return Response.ok(content, MediaType.APPLICATION_OCTET_STREAM).build();
    }

    @PUT
    @Path("/{path: .+}")
    @Consumes(MediaType.WILDCARD)
    public Map<String, Object> upload(@PathParam("path") String path, InputStream content,
            @Context RoutingContext context) throws IOException {
        Located at = locate(Principal.of(context), path);
        if (at.relative().isEmpty()) {
            throw MlflowError.invalid("'" + path + "' names no file: upload to ORG/SLOT/RUN/artifacts/FILE");
        }
        files.write(at.artifact(), at.relative(), content);
        return Map.of();
    }

    /** Deletes a file, a directory, or a run's or LoggedModel's artifacts whole. */
    @DELETE
    @Path("/{path: .+}")
    public Map<String, Object> delete(@PathParam("path") String path, @Context RoutingContext context) {
        Located at = locate(Principal.of(context), path);
        if (at.relative().isEmpty()) {
            files.delete(at.artifact());
        } else {
            files.delete(at.artifact(), at.relative());
        }
        return Map.of();
    }

    /** The entries directly under {@code path} (ORG/SLOT/OWNER/NAME[/DIR]), as MLflow's listing names them. */
    List<FileEntry> children(String path) throws IOException {
        return children(locate(Principal.SYSTEM, path));
    }

    private List<FileEntry> children(Located at) throws IOException {
        String prefix = at.relative().isEmpty() ? "" : at.relative() + "/";
        Map<String, FileEntry> entries = new TreeMap<>();
        for (ArtifactStorage.FileInfo f : files.list(at.artifact())) {
            if (!f.path().startsWith(prefix)) {
                continue;
            }
            String rest = f.path().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                entries.put(rest, new FileEntry(rest, false, f.size()));
            } else {
                entries.putIfAbsent(rest.substring(0, slash), new FileEntry(rest.substring(0, slash), true, null));
            }
        }
        return new ArrayList<>(entries.values());
    }

    /** An artifact and a path inside it ("" for its root). */
    private record Located(ArtifactUri artifact, String relative) {
    }

    private Located locate(Principal p, String path) {
        String[] s = path.replaceAll("^/+", "").split("/", 5);
        if (s.length < 4) {
            throw MlflowError.invalid("'" + path + "' is not inside an artifact: paths are "
                    + "ORG/SLOT/RUN/artifacts[/PATH], as a run's artifact_uri names them");
        }
        ArtifactUri artifact;
        String relative = s.length == 5 ? s[4].replaceAll("/+$", "") : "";
        try {
            artifact = new ArtifactUri(s[0], s[1], s[2], s[3]);
            if (!relative.isEmpty()) {
                ArtifactStorage.inside(artifact, relative);
            }
        } catch (IllegalArgumentException e) {
            throw MlflowError.invalid(e.getMessage());
        }
        if (!MlflowAccess.reachesArtifacts(p, store, s[0], s[1], s[2])) {
            throw MlflowError.missing("artifact " + String.join("/", java.util.Arrays.copyOf(s, 4))
                    + " does not exist");
        }
        return new Located(artifact, relative);
    }
}
