package dev.fuseml.serving.local;

import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.project.DependencySpec;
import dev.fuseml.project.InvalidProjectException;
import dev.fuseml.project.ServingSettings;
import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.Deployer;
import dev.fuseml.serving.Predictor;
import dev.fuseml.serving.onnx.OnnxPredictor;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.StepFailure;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serving on this machine: one {@link PredictionServer} per app on a port of its own, each version loaded by a
 * {@link PythonWorker} in the model's environment (or, for ONNX, in this JVM). Its parts: the {@link ModelCache}
 * (models by artifact URI under {@code serving/models/}), the {@link ForkServers} (a warm parent per environment
 * that forks its workers) and the {@link DeploymentRecords} (what is served on which port, under {@code serving/deployments/}, so that a
 * restart serves the same versions on the same ports).
 */
public class LocalDeployer implements Deployer, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LocalDeployer.class.getName());
    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);
    private static final String STEP = dev.fuseml.eventing.Steps.SERVE;

    private final String host;
    private final Venvs venvs;
    private final WorkerPool.Settings pools;
    private final ModelCache models;
    private final ForkServers workers;
    private final DeploymentRecords records;
    private final Map<String, PredictionServer> servers = new ConcurrentHashMap<>();

    /** {@code root}: this process's {@code DATA/serving}. */
    public LocalDeployer(Path root, String host, ArtifactStore artifacts, Venvs venvs) {
        this(root, host, artifacts, venvs, new WorkerPool.Settings(2, 64, Duration.ofMillis(2), Duration.ofMinutes(15)));
    }

    /** {@code pools}: how the Python workers of each served version batch, grow and scale to zero. */
    public LocalDeployer(Path root, String host, ArtifactStore artifacts, Venvs venvs, WorkerPool.Settings pools) {
        this.pools = pools;
        this.host = host;
        this.venvs = venvs;
        this.models = new ModelCache(root.resolve("models"), artifacts);
        this.workers = new ForkServers(root, venvs, models::orgDir, pools.idleTimeout(), LOAD_TIMEOUT);
        this.records = new DeploymentRecords(root);
    }

    @Override
    public Deployment deploy(ServeRequest request) throws Exception {
        Path modelDir = models.fetch(request.org(), request.app(), request.version(), request.modelUri());
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
        PythonWorker worker = null;
        long started = System.nanoTime();
        try {
            worker = workers.fork(environment);
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
                    + "serving: " + e.getMessage(), ForkServers.tail(workers.log(environment)));
        }
        Path modelFile = modelDir.resolve(model.modelFile());
        WorkerPool pool = new WorkerPool(request.org() + "/" + request.app() + " v" + request.version(), worker,
                () -> {
                    // a new worker of the pool (growing, replacing a dead one, or after a scale to zero)
                    PythonWorker added = workers.fork(environment);
                    try {
                        added.load(modelFile, model.serialization(), LOAD_TIMEOUT);
                    } catch (IOException e) {
                        added.close();
                        throw e;
                    }
                    return added;
                }, settings(modelDir));
        Deployment deployment = serve(request, model, pool, environment);
        workers.prepare(environment);
        return deployment;
    }

    /** The version's own serving settings (MLproject's serving section, carried in the model), else this one's. */
    private WorkerPool.Settings settings(Path modelDir) {
        return JsonFiles.read(modelDir.resolve(ServingSettings.FILE), ServingSettings.class)
                .map(s -> new WorkerPool.Settings(or(s.maxWorkers(), pools.maxWorkers()),
                        or(s.maxBatch(), pools.maxBatch()),
                        s.maxWaitMs() == null ? pools.maxWait() : Duration.ofMillis(s.maxWaitMs()),
                        s.idleTimeoutS() == null ? pools.idleTimeout() : Duration.ofSeconds(s.idleTimeoutS())))
                .orElse(pools);
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
                server = open(request.app(), records.recorded(request.org(), request.app())
                        .map(DeploymentRecords.Record::port).orElse(0));
                servers.put(key(request.org(), request.app()), server);
            }
        }
        synchronized (server) { // deployments of one app, one at a time: the record names what serves
            server.requireToken(records.protection(request.org(), request.app()).orElse(null));
            server.switchTo(request.version(), predictor, model);
            records.record(new DeploymentRecords.Record(request.org(), request.app(), request.version(),
                    request.modelUri(), environment, server.port(), request.run()));
        }
        return new Deployment(url(request.app(), server.port()));
    }

    /** The model's own requirements, as MLflow models carry them: what a machine without the environment builds. */
    private static DependencySpec requirements(Path modelDir) {
        try {
            return DependencySpec.read(modelDir, null);
        } catch (InvalidProjectException e) {
            throw new StepFailure("the model's requirements.txt cannot be read: " + e.getMessage());
        }
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
        records.remove(org, app);
        models.remove(org, app);
    }

    @Override
    public void protect(String org, String app, String tokenSha256) {
        records.protect(org, app, tokenSha256);
        PredictionServer server = servers.get(key(org, app));
        if (server != null) {
            server.requireToken(tokenSha256);
        }
    }

    /** Serves again what was deployed before this process stopped, in the background. */
    public void restore() {
        Thread restore = new Thread(() -> {
            try {
                for (DeploymentRecords.Record r : records.all()) {
                    try {
                        deploy(new ServeRequest(r.org(), r.app(), r.version(), r.modelUri(), r.environment(),
                                r.run()));
                    } catch (Exception | Error e) {
                        LOG.log(System.Logger.Level.ERROR, "could not serve " + r.org() + "/" + r.app()
                                + " again after restart", e);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not restore the served apps", e);
            }
        }, "serving-restore");
        restore.setDaemon(true);
        restore.start();
    }

    @Override
    public void close() {
        servers.keySet().forEach(k -> servers.remove(k).close());
        workers.close();
    }

    private static String key(String org, String app) {
        return org + "/" + app;
    }
}
