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
 * One warm {@link ForkServer} per environment, from which that environment's prediction workers are forked: starting
 * a Python process and importing numpy, pandas and scikit-learn takes seconds, forking a warm one milliseconds, so a
 * re-push is served almost at once and a burst grows its pool without waiting. A fork server stays while workers it
 * forked run; with none left and no fork within the idle timeout it retires.
 */
final class ForkServers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ForkServers.class.getName());

    private final Path root;
    private final Venvs venvs;
    private final Function<String, Path> models;
    private final Duration idleTimeout;
    private final Duration loadTimeout;
    private final Map<String, CompletableFuture<ForkServer>> servers = new ConcurrentHashMap<>();
    private final Map<String, Long> lastUse = new ConcurrentHashMap<>();

    /**
     * @param root   {@code serving}: the worker script, the workers' homes and logs
     * @param models where an org's models are (its workers read them)
     */
    ForkServers(Path root, Venvs venvs, Function<String, Path> models, Duration idleTimeout, Duration loadTimeout) {
        this.root = root;
        this.venvs = venvs;
        this.models = models;
        this.idleTimeout = idleTimeout;
        this.loadTimeout = loadTimeout;
    }

    /** A new worker of the environment (no model yet), forked from its warm parent, which starts first if needed. */
    PythonWorker fork(String environment) throws IOException {
        used(environment);
        ForkServer server = server(environment);
        try {
            return server.fork(loadTimeout);
        } catch (IOException e) {
            if (server.alive()) {
                throw e;
            }
            // the parent was gone (killed, out of memory): once more with a new one
            LOG.log(System.Logger.Level.WARNING, "the fork server of {0} had ended; starting a new one", environment);
            servers.remove(environment);
            return server(environment).fork(loadTimeout);
        }
    }

    /** Starts the environment's fork server in the background unless one runs, so the next deployment finds it. */
    void prepare(String environment) {
        used(environment);
        CompletableFuture<ForkServer> server = servers.computeIfAbsent(environment, this::launch);
        server.whenComplete((s, e) -> {
            if (e != null) {
                servers.remove(environment, server);
            }
        });
    }

    private ForkServer server(String environment) throws IOException {
        while (true) {
            CompletableFuture<ForkServer> future = servers.computeIfAbsent(environment, this::launch);
            try {
                ForkServer server = future.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (server.alive()) {
                    return server;
                }
                servers.remove(environment, future);
            } catch (java.util.concurrent.ExecutionException e) {
                servers.remove(environment, future);
                throw e.getCause() instanceof UncheckedIOException u ? u.getCause()
                        : new IOException("the fork server did not start: " + e.getCause().getMessage(), e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("the fork server did not start within " + loadTimeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the fork server started");
            }
        }
    }

    private CompletableFuture<ForkServer> launch(String environment) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return start(environment);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Marks the environment used, and looks again when the idle timeout has passed. */
    private void used(String environment) {
        long now = System.nanoTime();
        lastUse.put(environment, now);
        CompletableFuture.delayedExecutor(idleTimeout.toMillis() + 50, TimeUnit.MILLISECONDS)
                .execute(() -> retireIfIdle(environment, now));
    }

    private void retireIfIdle(String environment, long use) {
        if (!Long.valueOf(use).equals(lastUse.get(environment))) {
            return; // used again since
        }
        CompletableFuture<ForkServer> current = servers.get(environment);
        if (current != null && current.isDone() && !current.isCompletedExceptionally()
                && current.join().children() > 0) {
            // its workers serve an app: a burst may need another at once, so it stays while they do
            CompletableFuture.delayedExecutor(idleTimeout.toMillis() + 50, TimeUnit.MILLISECONDS)
                    .execute(() -> retireIfIdle(environment, use));
            return;
        }
        lastUse.remove(environment, use);
        CompletableFuture<ForkServer> server = servers.remove(environment);
        if (server != null) {
            server.thenAccept(ForkServer::close);
        }
    }

    /**
     * The fork server of the environment {@code env} (venv:ORG/HASH), confined to that environment, the worker
     * script, the org's cached models (its workers load whichever of them they serve) and a HOME of its own.
     */
    private ForkServer start(String environment) throws IOException {
        Path env = venvs.dir(environment);
        String org = env.getParent().getFileName().toString();
        Path home = root.resolve("homes").resolve(org + "-" + env.getFileName());
        long began = System.nanoTime();
        ForkServer server = ForkServer.start(venvs.python(environment), workerScript(), log(environment), loadTimeout,
                venvs.sandbox(), new Sandbox.Mounts(home, List.of(), List.of(env, workerScript(),
                        models.apply(org))));
        LOG.log(System.Logger.Level.INFO, "the fork server of {0} started in {1} ms", environment,
                (System.nanoTime() - began) / 1_000_000);
        return server;
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
            try (InputStream in = ForkServers.class.getResourceAsStream("/serving/fuseml_worker.py")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return script;
    }

    @Override
    public void close() {
        servers.keySet().forEach(env -> {
            CompletableFuture<ForkServer> server = servers.remove(env);
            if (server != null) {
                server.thenAccept(ForkServer::close);
            }
        });
    }
}
