package dev.fuseml.serving.local;

import dev.fuseml.process.Sandbox;
import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.InvalidProjectException;
import dev.fuseml.project.ServingSettings;
import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.Predictor;
import dev.fuseml.serving.onnx.OnnxPredictor;
import dev.fuseml.serving.Deployer;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.StepFailure;
import dev.fuseml.workspace.Workspaces;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Serving on this machine: one {@link PredictionServer} per app on a port of its own, each version loaded by a
 * {@link PythonWorker} in the model's environment, taken from a warm spare kept per environment. The model comes by
 * its artifact URI and is kept under this process's {@code serving/models/}; what is deployed is recorded under
 * {@code serving/deployments/} (this platform's equivalent of a cluster's Service objects), so that a restart serves
 * the same versions on the same ports.
 */
public class LocalDeployer implements Deployer, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalDeployer.class.getName());
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);
    private static final String STEP = dev.fuseml.eventing.Steps.SERVE;

    /** What this platform serves for an app, kept across restarts. */
    record Record(String org, String app, int version, String modelUri, String environment, int port, String run) {
    }

    private final Path root;
    private final String host;
    private final ArtifactStore artifacts;
    private final Venvs venvs;
    private final WorkerPool.Settings pools;
    private final Map<String, PredictionServer> servers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<PythonWorker>> spares = new ConcurrentHashMap<>();

    /** {@code root}: this process's {@code DATA/serving}. */
    public LocalDeployer(Path root, String host, ArtifactStore artifacts, Venvs venvs) {
        this(root, host, artifacts, venvs, new WorkerPool.Settings(2, 64, Duration.ofMillis(2), Duration.ofMinutes(15)));
    }

    /** {@code pools}: how the Python workers of each served version batch, grow and scale to zero. */
    public LocalDeployer(Path root, String host, ArtifactStore artifacts, Venvs venvs, WorkerPool.Settings pools) {
        this.pools = pools;
        this.root = root;
        this.host = host;
        this.artifacts = artifacts;
        this.venvs = venvs;
    }

    @Override
    public Deployment deploy(ServeRequest request) throws Exception {
        Path modelDir = fetch(request);
        MLModel model;
        try {
            model = MLModel.read(modelDir);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("version " + request.version() + " cannot be served: " + e.getMessage());
        }
        if (model.onnx()) {
            return serve(request, model, inTheJvm(request, modelDir, model), request.environment());
        }
        String environment = venvs.resolve(request.run(), STEP, request.org(), request.environment(),
                requirements(modelDir));
        Path log = workerLog(environment);
        PythonWorker worker = null;
        long started = System.nanoTime();
        try {
            worker = takeSpare(environment);
            long warm = System.nanoTime();
            worker.load(modelDir.resolve(model.modelFile()), model.serialization(), LOAD_TIMEOUT);
            LOG.log(System.Logger.Level.INFO, "{0}/{1} version {2}: worker ready in {3} ms, model loaded in {4} ms",
                    request.org(), request.app(), request.version(), (warm - started) / 1_000_000,
                    (System.nanoTime() - warm) / 1_000_000);
        } catch (IOException e) {
            if (worker != null) {
                worker.close();
            }
            throw new StepFailure("the model of version " + request.version() + " could not be loaded for "
                    + "serving: " + e.getMessage(), tail(log));
        }
        Path modelFile = modelDir.resolve(model.modelFile());
        String env = environment;
        WorkerPool.Settings settings = JsonFiles.read(modelDir.resolve(ServingSettings.FILE), ServingSettings.class)
                .map(s -> new WorkerPool.Settings(or(s.maxWorkers(), pools.maxWorkers()),
                        or(s.maxBatch(), pools.maxBatch()),
                        s.maxWaitMs() == null ? pools.maxWait() : Duration.ofMillis(s.maxWaitMs()),
                        s.idleTimeoutS() == null ? pools.idleTimeout() : Duration.ofSeconds(s.idleTimeoutS())))
                .orElse(pools);
        WorkerPool pool = new WorkerPool(request.org() + "/" + request.app() + " v" + request.version(), worker,
                () -> {
                    // a new worker of the pool (growing, replacing a dead one, or after a scale to zero)
                    PythonWorker added = startWorker(env, false);
                    try {
                        added.load(modelFile, model.serialization(), LOAD_TIMEOUT);
                    } catch (IOException e) {
                        added.close();
                        throw e;
                    }
                    return added;
                }, settings);
        Deployment deployment = serve(request, model, pool, environment);
        prepareSpare(environment);
        return deployment;
    }

    private static int or(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }

    /** An ONNX model: ONNX Runtime in this JVM, no environment and no Python process. */
    private static Predictor inTheJvm(ServeRequest request, Path modelDir, MLModel model) {
        long started = System.nanoTime();
        try {
            Predictor predictor = OnnxPredictor.load(modelDir.resolve(model.modelFile()));
            LOG.log(System.Logger.Level.INFO, "{0}/{1} version {2}: ONNX model loaded in the JVM in {3} ms",
                    request.org(), request.app(), request.version(), (System.nanoTime() - started) / 1_000_000);
            return predictor;
        } catch (IOException e) {
            throw new StepFailure("the ONNX model of version " + request.version() + " could not be loaded: "
                    + e.getMessage());
        }
    }

    /** Puts {@code predictor} behind the app's server (opened on its recorded port) and records the deployment. */
    private Deployment serve(ServeRequest request, MLModel model, Predictor predictor, String environment)
            throws IOException {
        PredictionServer server;
        synchronized (servers) {
            server = servers.get(key(request.org(), request.app()));
            if (server == null) {
                server = open(request.app(), recorded(request.org(), request.app()).map(Record::port).orElse(0));
                servers.put(key(request.org(), request.app()), server);
            }
        }
        synchronized (server) { // deployments of one app, one at a time: the record names what serves
            server.requireToken(JsonFiles.read(protectionFile(request.org(), request.app()), Protection.class)
                    .map(Protection::tokenSha256).orElse(null));
            server.switchTo(request.version(), predictor, model);
            JsonFiles.write(recordFile(request.org(), request.app()), new Record(request.org(), request.app(),
                    request.version(), request.modelUri(), environment, server.port(), request.run()));
        }
        return new Deployment(url(request.app(), server.port()));
    }

    /** The model directory of the version, downloaded once by its artifact URI. */
    private Path fetch(ServeRequest request) throws Exception {
        Path dir = root.resolve("models").resolve(request.org()).resolve(request.app())
                .resolve(Integer.toString(request.version()));
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path partial = dir.resolveSibling(request.version() + ".partial");
        Workspaces.delete(partial);
        try {
            artifacts.download(request.modelUri(), partial);
        } catch (IOException e) {
            throw new StepFailure("the model of version " + request.version() + " could not be fetched from "
                    + request.modelUri() + ": " + e.getMessage());
        }
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** The model's own requirements, as MLflow models carry them: what a machine without the environment builds. */
    private static DependencySpec requirements(Path modelDir) {
        try {
            return DependencySpec.read(modelDir, null);
        } catch (InvalidProjectException e) {
            throw new StepFailure("the model's requirements.txt cannot be read: " + e.getMessage());
        }
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
        return startWorker(environment, false);
    }

    /** Workers of one environment share a log (their stderr): what the models' code prints, and load errors. */
    private Path workerLog(String environment) {
        Path env = venvs.dir(environment);
        return root.resolve(env.getParent().getFileName() + "-" + env.getFileName() + ".log");
    }

    private void prepareSpare(String environment) {
        CompletableFuture<PythonWorker> spare = spares.computeIfAbsent(environment, env ->
                CompletableFuture.supplyAsync(() -> {
                    try {
                        return startWorker(env, true);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
        // A spare pays while its environment's apps are being pushed again; one not taken within the idle timeout
        // goes, as the idle apps' own workers do (a later push then starts a worker itself, about a second more).
        CompletableFuture.delayedExecutor(pools.idleTimeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (spares.remove(environment, spare)) {
                spare.thenAccept(PythonWorker::close);
            }
        });
    }

    private PredictionServer open(String app, int port) throws IOException {
        try {
            return new PredictionServer(app, host, port);
        } catch (BindException e) {
            LOG.log(System.Logger.Level.WARNING, "port " + port + " of app " + app + " is taken; serving it on a "
                    + "new port");
            return new PredictionServer(app, host, 0);
        }
    }

    private String url(String app, int port) {
        return "http://" + host + ":" + port + "/v2/models/" + app + "/infer";
    }

    @Override
    public void remove(String org, String app) throws IOException {
        PredictionServer server = servers.remove(key(org, app));
        if (server != null) {
            server.close();
        }
        Files.deleteIfExists(recordFile(org, app));
        Files.deleteIfExists(protectionFile(org, app));
        Workspaces.delete(root.resolve("models").resolve(org).resolve(app));
    }

    /** The token an app's predictions need: kept beside its deployment, also before the first version is served. */
    record Protection(String tokenSha256) {
    }

    @Override
    public void protect(String org, String app, String tokenSha256) {
        Path file = protectionFile(org, app);
        if (tokenSha256 == null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            JsonFiles.write(file, new Protection(tokenSha256));
        }
        PredictionServer server = servers.get(key(org, app));
        if (server != null) {
            server.requireToken(tokenSha256);
        }
    }

    private Path protectionFile(String org, String app) {
        return root.resolve("protection").resolve(org).resolve(app + ".json");
    }

    /** Serves again what was deployed before this process stopped, in the background. */
    public void restore() {
        Thread restore = new Thread(() -> {
            Path dir = root.resolve("deployments");
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (Stream<Path> orgs = Files.list(dir)) {
                for (Path file : orgs.flatMap(LocalDeployer::files).toList()) {
                    Record r = JsonFiles.read(file, Record.class).orElseThrow();
                    try {
                        deploy(new ServeRequest(r.org(), r.app(), r.version(), r.modelUri(), r.environment(),
                                r.run()));
                    } catch (Exception | Error e) {
                        LOG.log(System.Logger.Level.ERROR, "could not serve " + r.org() + "/" + r.app()
                                + " again after restart", e);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not restore the served apps", e);
            }
        }, "serving-restore");
        restore.setDaemon(true);
        restore.start();
    }

    private static Stream<Path> files(Path orgDir) {
        try (Stream<Path> files = Files.list(orgDir)) {
            return files.filter(f -> f.toString().endsWith(".json")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private java.util.Optional<Record> recorded(String org, String app) {
        return JsonFiles.read(recordFile(org, app), Record.class);
    }

    private Path recordFile(String org, String app) {
        return root.resolve("deployments").resolve(org).resolve(app + ".json");
    }

    @Override
    public void close() {
        servers.keySet().forEach(k -> servers.remove(k).close());
        spares.keySet().forEach(env -> spares.remove(env).thenAccept(PythonWorker::close));
    }

    /**
     * A worker for the environment {@code env} (venv:ORG/HASH), confined to that environment, the worker
     * script, the org's cached models (a warm spare loads whichever of them comes next) and a HOME of its own.
     */
    private PythonWorker startWorker(String environment, boolean spare) throws IOException {
        Path env = venvs.dir(environment);
        String org = env.getParent().getFileName().toString();
        Path home = root.resolve("homes").resolve(org + "-" + env.getFileName());
        Path models = root.resolve("models").resolve(org);
        Files.createDirectories(models);
        return PythonWorker.start(venvs.python(environment), workerScript(), workerLog(environment), LOAD_TIMEOUT,
                spare, venvs.sandbox(), new Sandbox.Mounts(home, java.util.List.of(),
                        java.util.List.of(env, workerScript(), models)));
    }

    private Path workerScript() throws IOException {
        Path script = root.resolve("fuseml_worker.py");
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
