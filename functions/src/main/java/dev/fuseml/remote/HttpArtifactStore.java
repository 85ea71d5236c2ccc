package dev.fuseml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.artifact.ArtifactUri;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Artifacts through the control plane's artifact API: {@code PUT /api/v1/artifacts/PATH/FILE} per file,
 * {@code GET /api/v1/artifacts/PATH} for the listing and each file's content.
 */
public class HttpArtifactStore implements ArtifactStore {
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private final ControlPlaneHttp http;

    public HttpArtifactStore(ControlPlaneHttp http) {
        this.http = http;
    }

    @Override
    public void upload(Path dir, String uri) throws IOException {
        ArtifactUri artifact = ArtifactUri.parse(uri);
        http.send("DELETE", "/api/v1/artifacts/" + artifact.path(), "text/plain",
                HttpRequest.BodyPublishers.noBody(), PATIENCE);
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
            files = all.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String path = "/api/v1/artifacts/" + artifact.path() + "/" + encoded(dir.relativize(file));
            ControlPlaneHttp.Reply reply = http.send("PUT", path, "application/octet-stream",
                    HttpRequest.BodyPublishers.ofFile(file), PATIENCE);
            if (!reply.ok()) {
                throw new IOException("the control plane refused artifact file " + dir.relativize(file) + ": "
                        + reply.error());
            }
        }
    }

    @Override
    public void download(String uri, Path dir) throws IOException {
        ArtifactUri artifact = ArtifactUri.parse(uri);
        ControlPlaneHttp.Reply listing = http.json("GET", "/api/v1/artifacts/" + artifact.path(), null, PATIENCE);
        if (!listing.ok()) {
            throw new IOException("artifact " + uri + " cannot be listed: " + listing.error());
        }
        Files.createDirectories(dir);
        Path root = dir.toAbsolutePath().normalize();
        for (JsonNode file : listing.json().path("files")) {
            String relative = file.path("path").asText();
            Path target = root.resolve(relative).normalize();
            if (!target.startsWith(root) || relative.isEmpty()) {
                throw new IOException("artifact " + uri + " lists a file outside it: " + relative);
            }
            Files.createDirectories(target.getParent());
            ControlPlaneHttp.Reply reply = http.download("/api/v1/artifacts/" + artifact.path() + "/"
                    + encoded(Path.of(relative)), target, PATIENCE);
            if (!reply.ok()) {
                Files.deleteIfExists(target);
                throw new IOException("artifact file " + relative + " of " + uri + " cannot be read: "
                        + reply.error());
            }
        }
    }

    @Override
    public java.util.Optional<byte[]> file(String uri, String path) throws IOException {
        ControlPlaneHttp.Reply reply = http.send("GET", "/api/v1/artifacts/" + ArtifactUri.parse(uri).path() + "/"
                + encoded(Path.of(path)), "application/octet-stream",
                java.net.http.HttpRequest.BodyPublishers.noBody(), PATIENCE);
        if (reply.status() == 404) {
            return java.util.Optional.empty();
        }
        if (!reply.ok()) {
            throw new IOException("artifact file " + path + " of " + uri + " cannot be read: " + reply.error());
        }
        return java.util.Optional.of(reply.body());
    }

    private static String encoded(Path relative) {
        List<String> segments = new ArrayList<>();
        relative.forEach(p -> segments.add(ControlPlaneHttp.segment(p.toString())));
        return String.join("/", segments);
    }
}
