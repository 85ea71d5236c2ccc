package dev.fuseml.run;

import dev.fuseml.FusemlConfig;
import dev.fuseml.state.JsonFiles;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Runs as the control plane keeps them, one JSON file each under {@code runs/}, with each run's log beside it.
 * Only the control plane writes them ({@link RunProjection}): steps never do.
 */
@ApplicationScoped
public class RunStore {
    private final Path dir;

    public RunStore(FusemlConfig config) {
        this.dir = config.dataDir().resolve("runs");
    }

    public synchronized Optional<Run> get(String id) {
        return dev.fuseml.step.RunRef.validId(id) ? JsonFiles.read(file(id), Run.class) : Optional.empty();
    }

    /** Applies {@code change} to the run (created by {@code create} when missing) and stores the result. */
    public synchronized Run update(String id, java.util.function.Supplier<Run> create, UnaryOperator<Run> change) {
        Run current = get(id).orElseGet(create);
        Run updated = change.apply(current).revised();
        JsonFiles.write(file(id), updated);
        changedTo(updated);
        return updated;
    }

    public synchronized Optional<Run> updateExisting(String id, UnaryOperator<Run> change) {
        return get(id).map(run -> {
            Run updated = change.apply(run).revised();
            JsonFiles.write(file(id), updated);
            changedTo(updated);
            return updated;
        });
    }

    /**
     * Long-polls waiting for a run to change, by run id: completed (off this store's lock) when the run is updated,
     * so that a waiting request holds no thread, and a thousand of them cost one list each, not a file read each.
     */
    private final java.util.Map<String, List<java.util.concurrent.CompletableFuture<Optional<Run>>>> watchers =
            new java.util.HashMap<>();

    /**
     * The run once its revision is higher than {@code after}: completed at once when it is already (or does not
     * exist), else when it changes. The caller bounds the wait ({@link java.util.concurrent.CompletableFuture
     * #completeOnTimeout}); a future that completed either way is forgotten here.
     */
    public synchronized java.util.concurrent.CompletableFuture<Optional<Run>> changed(String id, long after) {
        Optional<Run> run = get(id);
        if (run.isEmpty() || run.get().revision() > after) {
            return java.util.concurrent.CompletableFuture.completedFuture(run);
        }
        java.util.concurrent.CompletableFuture<Optional<Run>> change = new java.util.concurrent.CompletableFuture<>();
        watchers.computeIfAbsent(id, k -> new java.util.ArrayList<>()).add(change);
        change.whenComplete((r, e) -> unwatch(id, change));
        return change;
    }

    private synchronized void unwatch(String id, java.util.concurrent.CompletableFuture<Optional<Run>> change) {
        List<java.util.concurrent.CompletableFuture<Optional<Run>>> waiting = watchers.get(id);
        if (waiting != null && waiting.remove(change) && waiting.isEmpty()) {
            watchers.remove(id);
        }
    }

    /** Hands the updated run to the long-polls waiting for it, on another thread than this store's lock holder. */
    private void changedTo(Run updated) {
        List<java.util.concurrent.CompletableFuture<Optional<Run>>> waiting = watchers.remove(updated.id());
        if (waiting != null) {
            List<java.util.concurrent.CompletableFuture<Optional<Run>>> all = List.copyOf(waiting);
            java.util.concurrent.CompletableFuture.runAsync(() -> all.forEach(f -> f.complete(Optional.of(updated))));
        }
    }

    /** Runs of an org (and app, when not null), newest first. */
    public synchronized List<Run> list(String org, String app) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .map(p -> JsonFiles.read(p, Run.class).orElseThrow())
                    .filter(r -> org == null || r.org().equals(org))
                    .filter(r -> app == null || r.app().equals(app))
                    .sorted(Comparator.comparing(Run::created).reversed()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void delete(String id) {
        try {
            Files.deleteIfExists(file(id));
            Files.deleteIfExists(logFile(id));
            Files.deleteIfExists(dir.resolve(id + ".events.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path logFile(String id) {
        return dir.resolve(id + ".log");
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }
}
