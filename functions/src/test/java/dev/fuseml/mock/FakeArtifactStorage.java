package dev.fuseml.mock;

import dev.fuseml.artifact.ArtifactStorage;
import dev.fuseml.artifact.ArtifactUri;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The control plane's artifact storage in memory: artifact path to file path and bytes. */
public class FakeArtifactStorage implements ArtifactStorage {
    public final Map<String, Map<String, byte[]>> artifacts = new ConcurrentHashMap<>();

    @Override
    public void write(ArtifactUri artifact, String relative, InputStream content) throws IOException {
        byte[] bytes = content.readAllBytes();
        artifacts.computeIfAbsent(artifact.path(), k -> new TreeMap<>())
                .put(ArtifactStorage.inside(artifact, relative), bytes);
    }

    @Override
    public Optional<InputStream> read(ArtifactUri artifact, String relative) {
        return Optional.ofNullable(artifacts.getOrDefault(artifact.path(), Map.of()).get(relative))
                .map(ByteArrayInputStream::new);
    }

    @Override
    public List<FileInfo> list(ArtifactUri artifact) {
        return artifacts.getOrDefault(artifact.path(), Map.of()).entrySet().stream()
                .map(e -> new FileInfo(e.getKey(), e.getValue().length)).toList();
    }

    @Override
    public void delete(ArtifactUri artifact) {
        artifacts.remove(artifact.path());
    }

    @Override
    public void delete(ArtifactUri artifact, String relative) {
        String inside = ArtifactStorage.inside(artifact, relative);
        artifacts.getOrDefault(artifact.path(), new TreeMap<>()).keySet()
                .removeIf(f -> f.equals(inside) || f.startsWith(inside + "/"));
    }

    @Override
    public void deleteApp(String org, String app) {
        artifacts.keySet().removeIf(k -> k.startsWith(org + "/" + app + "/"));
    }
}
