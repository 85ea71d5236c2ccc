package dev.fuseml.serving.local;

import dev.fuseml.build.local.Venvs;
import dev.fuseml.process.Sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Python prediction workers, and one warm spare per environment: starting a Python process and importing numpy,
 * pandas and scikit-learn takes seconds, loading a model into a warm one milliseconds, so a re-push is served almost
 * at once. A spare not taken within the idle timeout goes, as idle apps' own workers do.
 */
final class SpareWorkers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SpareWorkers.class.getName());

    private final Path root;
    private final Venvs venvs;
    private final Function<String, Path> models;
    private final Duration idleTimeout;
    private final Duration loadTimeout;
    private final Map<String, CompletableFuture<PythonWorker>> spares = new ConcurrentHashMap<>();

    /**
     * @param root   {@code serving}: the worker script, the workers' homes and logs
     * @param models where an org's models are (its workers read them)
     */
    SpareWorkers(Path root, Venvs venvs, Function<String, Path> models, Duration idleTimeout, Duration loadTimeout) {
        this.root = root;
        this.venvs = venvs;
        this.models = models;
        this.idleTimeout = idleTimeout;
        this.loadTimeout = loadTimeout;
    }

    /** A warm worker for the environment: the spare started after the last deployment, or a new one. */
    PythonWorker take(String environment) throws IOException {
        CompletableFuture<PythonWorker> spare = spares.remove(environment);
        if (spare != null) {
            try {
                PythonWorker worker = spare.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (worker.alive()) {
                    return worker;
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "spare prediction worker failed; starting a new one", e);
            }
        }
        return start(environment, false);
    }

    /** Starts a spare for the environment in the background, unless one is there. */
    void prepare(String environment) {
        CompletableFuture<PythonWorker> spare = spares.computeIfAbsent(environment, env ->
                CompletableFuture.supplyAsync(() -> {
                    try {
                        return start(env, true);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
        CompletableFuture.delayedExecutor(idleTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (spares.remove(environment, spare)) {
                spare.thenAccept(PythonWorker::close);
            }
        });
    }

    /**
     * A worker for the environment {@code env} (venv:ORG/HASH), confined to that environment, the worker script, the
     * org's cached models (a warm spare loads whichever of them comes next) and a HOME of its own.
     */
    PythonWorker start(String environment, boolean spare) throws IOException {
        Path env = venvs.dir(environment);
        String org = env.getParent().getFileName().toString();
        Path home = root.resolve("homes").resolve(org + "-" + env.getFileName());
        return PythonWorker.start(venvs.python(environment), workerScript(), log(environment), loadTimeout, spare,
                venvs.sandbox(), new Sandbox.Mounts(home, List.of(), List.of(env, workerScript(),
                        models.apply(org))));
    }

    /** Workers of one environment share a log (their stderr): what the models' code prints, and load errors. */
    Path log(String environment) {
        Path env = venvs.dir(environment);
        return root.resolve(env.getParent().getFileName() + "-" + env.getFileName() + ".log");
    }

    /** The last lines of a worker log, for a failure's excerpt. */
    static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private Path workerScript() throws IOException {
        Path script = root.resolve("fuseml_worker.py");
        synchronized (this) {
            Files.createDirectories(script.getParent());
            try (InputStream in = SpareWorkers.class.getResourceAsStream("/serving/fuseml_worker.py")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return script;
    }

    @Override
    public void close() {
        spares.keySet().forEach(env -> spares.remove(env).thenAccept(PythonWorker::close));
    }
}
