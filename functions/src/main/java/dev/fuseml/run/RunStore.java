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
        notifyAll();
        return updated;
    }

    public synchronized Optional<Run> updateExisting(String id, UnaryOperator<Run> change) {
        return get(id).map(run -> {
            Run updated = change.apply(run).revised();
            JsonFiles.write(file(id), updated);
            notifyAll();
            return updated;
        });
    }

    /**
     * The run once its revision is higher than {@code after}, waiting up to {@code timeout} for a change: lets the
     * CLI follow a run without polling. Empty when the run does not exist by then.
     */
    public synchronized Optional<Run> await(String id, long after, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Run> run = get(id);
            long left = deadline - System.nanoTime();
            if ((run.isPresent() && run.get().revision() > after) || left <= 0) {
                return run;
            }
            wait(Math.max(1, left / 1_000_000));
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
