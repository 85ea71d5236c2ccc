package dev.fuseml.mock;

import dev.fuseml.artifact.ArtifactStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Artifacts in memory: URI to relative path and bytes. */
public class FakeArtifactStore implements ArtifactStore {
    public final Map<String, Map<String, byte[]>> artifacts = new ConcurrentHashMap<>();

    @Override
    public void upload(Path dir, String uri) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        artifacts.put(uri, files);
    }

    @Override
    public void download(String uri, Path dir) throws Exception {
        Map<String, byte[]> files = artifacts.get(uri);
        if (files == null) {
            throw new java.io.IOException("no artifact " + uri);
        }
        for (var file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
    }
}
