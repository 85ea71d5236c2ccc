package dev.fuseml.serving.local;

import dev.fuseml.FusemlConfig;
import dev.fuseml.app.App;
import dev.fuseml.app.AppStore;
import dev.fuseml.build.local.VenvBuilder;
import dev.fuseml.registry.MLModel;
import dev.fuseml.registry.ModelStore;
import dev.fuseml.registry.ModelVersion;
import dev.fuseml.serving.Deployer;
import dev.fuseml.run.StepFailure;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Serving on this machine: one {@link PredictionServer} per app on a port of its own, each version loaded by a
 * {@link PythonWorker} in the environment the model was trained in, taken from a warm spare kept per environment.
 * Served apps are brought back at start-up.
 */
@ApplicationScoped
public class LocalDeployer implements Deployer {
    private static final System.Logger LOG = System.getLogger(LocalDeployer.class.getName());
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);

    private final FusemlConfig config;
    private final AppStore apps;
    private final ModelStore models;
    private final Map<String, PredictionServer> servers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<PythonWorker>> spares = new ConcurrentHashMap<>();

    public LocalDeployer(FusemlConfig config, AppStore apps, ModelStore models) {
        this.config = config;
        this.apps = apps;
        this.models = models;
    }

    @Override
    public Deployment deploy(App app, ModelVersion version) throws Exception {
        Path modelDir = Path.of(version.uri());
        MLModel model;
        try {
            model = MLModel.read(modelDir);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("version " + version.version() + " cannot be served: " + e.getMessage());
        }
        Path log = workerLog(version.environment());
        PythonWorker worker = null;
        long started = System.nanoTime();
        try {
            worker = takeSpare(version.environment());
            long warm = System.nanoTime();
            worker.load(modelDir.resolve(model.modelFile()), model.serialization(), LOAD_TIMEOUT);
            LOG.log(System.Logger.Level.INFO, "{0}/{1} version {2}: worker ready in {3} ms, model loaded in {4} ms",
                    app.org(), app.name(), version.version(), (warm - started) / 1_000_000,
                    (System.nanoTime() - warm) / 1_000_000);
        } catch (IOException e) {
            if (worker != null) {
                worker.close();
            }
            throw new StepFailure("the model of version " + version.version() + " could not be loaded for "
                    + "serving: " + e.getMessage(), tail(log));
        }
        PredictionServer server;
        synchronized (servers) {
            server = servers.get(key(app.org(), app.name()));
            if (server == null) {
                server = open(app);
                servers.put(key(app.org(), app.name()), server);
            }
        }
        server.switchTo(version.version(), worker, model);
        prepareSpare(version.environment());
        return new Deployment(url(app.name(), server.port()), server.port());
    }

    /**
     * A warm worker for the environment: the spare started after the last deployment, or a new one. Starting a
     * Python process and importing numpy, pandas and scikit-learn takes seconds; loading a model into a warm one
     * takes milliseconds, so a re-push is served almost at once.
     */
    private PythonWorker takeSpare(String environment) throws IOException {
        CompletableFuture<PythonWorker> spare = spares.remove(environment);
        if (spare != null) {
            try {
                PythonWorker worker = spare.get(LOAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (worker.alive()) {
                    return worker;
                }
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "spare prediction worker failed; starting a new one", e);
            }
        }
        return PythonWorker.start(VenvBuilder.python(environment), workerScript(), workerLog(environment),
                LOAD_TIMEOUT, false);
    }

    /** Workers of one environment share a log (their stderr): what the models' code prints, and load errors. */
    private Path workerLog(String environment) {
        return config.dataDir().resolve("serving").resolve(Path.of(environment).getFileName() + ".log");
    }

    private void prepareSpare(String environment) {
        spares.computeIfAbsent(environment, env -> CompletableFuture.supplyAsync(() -> {
            try {
                return PythonWorker.start(VenvBuilder.python(env), workerScript(), workerLog(env), LOAD_TIMEOUT, true);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
    }

    private PredictionServer open(App app) throws IOException {
        try {
            return new PredictionServer(app.name(), config.host(), app.port());
        } catch (BindException e) {
            LOG.log(System.Logger.Level.WARNING, "port " + app.port() + " of app " + app.name()
                    + " is taken; serving it on a new port");
            return new PredictionServer(app.name(), config.host(), 0);
        }
    }

    private String url(String app, int port) {
        return "http://" + config.host() + ":" + port + "/v2/models/" + app + "/infer";
    }

    @Override
    public void remove(String org, String app) {
        PredictionServer server = servers.remove(key(org, app));
        if (server != null) {
            server.close();
        }
    }

    /** Brings back every served app after a restart, in the background so that start-up is not held up. */
    void restore(@Observes StartupEvent event) {
        Thread restore = new Thread(() -> {
            for (App app : apps.all()) {
                if (app.version() == null) {
                    continue;
                }
                try {
                    ModelVersion version = models.get(app.org(), app.name(), app.version()).orElseThrow();
                    Deployment d = deploy(app, version);
                    apps.update(app.org(), app.name(), a -> a.serving(version.version(), d.url(), d.port()));
                } catch (Exception | Error e) {
                    LOG.log(System.Logger.Level.ERROR, "could not serve " + app.org() + "/" + app.name()
                            + " again after restart", e);
                }
            }
        }, "serving-restore");
        restore.setDaemon(true);
        restore.start();
    }

    void stop(@Observes ShutdownEvent event) {
        servers.keySet().forEach(k -> servers.remove(k).close());
        spares.keySet().forEach(env -> spares.remove(env).thenAccept(PythonWorker::close));
    }

    private Path workerScript() throws IOException {
        Path script = config.dataDir().resolve("serving").resolve("fuseml_worker.py");
        synchronized (this) {
            Files.createDirectories(script.getParent());
            try (InputStream in = LocalDeployer.class.getResourceAsStream("/serving/fuseml_worker.py")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return script;
    }

    private static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static String key(String org, String app) {
        return org + "/" + app;
    }
}
