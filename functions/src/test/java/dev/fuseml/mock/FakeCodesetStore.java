package dev.fuseml.mock;

import dev.fuseml.codeset.CodesetStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Codesets in memory: each commit records the files it was given (path to content); commit ids count up. */
public class FakeCodesetStore implements CodesetStore {
    /** One commit: the app, its message, and the project's files as they were committed. */
    public record Committed(String org, String app, String message, Map<String, String> files) {
    }

    public final List<Committed> commits = new CopyOnWriteArrayList<>();
    public final Map<String, String> followed = new java.util.concurrent.ConcurrentHashMap<>();
    public final List<String> deleted = new CopyOnWriteArrayList<>();

    @Override
    public String commit(String org, String app, Path source, String message) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(source)) {
            all.filter(Files::isRegularFile).forEach(f -> {
                try {
                    files.put(source.relativize(f).toString(), Files.readString(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        commits.add(new Committed(org, app, message, files));
        return String.format("%040d", commits.size());
    }

    @Override
    public void follow(String org, String app, String branch) {
        followed.put(org + "/" + app, branch);
    }

    @Override
    public void delete(String org, String app) {
        deleted.add(org + "/" + app);
    }
}
