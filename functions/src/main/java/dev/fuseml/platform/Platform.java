package dev.fuseml.platform;

import dev.fuseml.FusemlConfig;
import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.auth.TokenStore;
import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.EmbeddedBroker;
import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.codeset.git.JGitCodesetSource;
import dev.fuseml.registry.ModelRegistry;
import dev.fuseml.remote.ControlPlaneHttp;
import dev.fuseml.remote.HttpArtifactStore;
import dev.fuseml.remote.HttpClaims;
import dev.fuseml.remote.HttpEventSink;
import dev.fuseml.remote.HttpModelRegistry;
import dev.fuseml.remote.HttpStepLog;
import dev.fuseml.serving.Deployer;
import dev.fuseml.serving.local.LocalDeployer;
import dev.fuseml.step.Claims;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.StepLog;
import dev.fuseml.step.StepRunner;
import dev.fuseml.train.Trainer;
import dev.fuseml.workspace.Workspaces;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.fuseml.broker.DefaultChain;

import java.net.URI;
import java.util.List;
import java.nio.file.Path;

/**
 * Where the process is put together, as knative/func's {@code cmd/client.go} does: the platform
 * ({@code fuseml.platform}) is chosen here, once, as a {@link Wiring} ({@link LocalWiring} or
 * {@link KubernetesWiring}: each names every implementation of its platform), and no step, store or resource asks
 * which platform it runs on. Start-up checks ({@link #requireValid}) and what both platforms share are here. What
 * steps reach of the control plane (claims, logs, artifacts, the registry) they reach over HTTP, also when it is in
 * the same process, so that the embedded default runs the same code as one process per step.
 */
@ApplicationScoped
public class Platform {
    public static final String LOCAL = "local";
    public static final String KUBERNETES = "kubernetes";

    private final FusemlConfig config;
    private final SelfAddress self;
    private final Instance<EmbeddedBroker> broker;
    private Wiring wiring;

    public Platform(FusemlConfig config, SelfAddress self, Instance<EmbeddedBroker> broker) {
        this.config = config;
        this.self = self;
        this.broker = broker;
    }

    @Produces
    @Singleton
    Role role() {
        return Role.of(config.function());
    }

    /** The platform's implementations, chosen here once (see {@link Wiring}). */
    synchronized Wiring wiring() {
        if (wiring == null) {
            wiring = kubernetes() ? new KubernetesWiring(config, this::controlPlaneUrl)
                    : new LocalWiring(config.trainTimeout(), config.trainWarmIdle());
        }
        return wiring;
    }

    @Produces
    @Singleton
    Authenticator authenticator(TokenStore tokens) {
        return new Authenticator(config.adminTokenSha256(), config.systemToken(), role().controlPlane(), tokens,
                wiring().deliveries());
    }

    /** The control plane: this process when it is one, else FUSEML_CONTROL_PLANE. */
    public String controlPlaneUrl() {
        return config.controlPlane().map(u -> u.replaceAll("/+$", "")).orElseGet(() -> {
            if (!role().controlPlane()) {
                throw new IllegalStateException("fuseml.function is '" + config.function() + "': set "
                        + "FUSEML_CONTROL_PLANE (fuseml.control-plane) to the control plane's URL");
            }
            return self.url();
        });
    }

    /** Checks at start-up what would otherwise fail at the first event. */
    void requireValid() {
        role();
        if (!LOCAL.equals(config.platform()) && !KUBERNETES.equals(config.platform())) {
            throw new IllegalStateException("fuseml.platform is '" + config.platform() + "': set FUSEML_PLATFORM "
                    + "to 'local' (this machine) or 'kubernetes' (Jobs and Knative Services)");
        }
        if (KUBERNETES.equals(config.platform()) && role().runsSteps()
                && (config.controlPlane().isEmpty() || config.brokerUrl().isEmpty())) {
            throw new IllegalStateException("the kubernetes platform's Jobs and servers call the control plane and "
                    + "the broker: set FUSEML_CONTROL_PLANE and FUSEML_BROKER_URL to their in-cluster URLs");
        }
        if (KUBERNETES.equals(config.platform()) && config.brokerUrl().isEmpty()) {
            throw new IllegalStateException("on the kubernetes platform events go to each org's Knative Broker: set "
                    + "FUSEML_BROKER_URL to the broker ingress (http://broker-ingress.knative-eventing.svc.cluster"
                    + ".local)");
        }
        if (!role().runsSteps()) {
            List<String> missing = DefaultChain.ORDER.stream().filter(s -> !config.steps().containsKey(s)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException("the control plane runs without steps: set fuseml.steps.STEP to the "
                        + "URL of the process that runs each of " + missing);
            }
        }
        if (!role().controlPlane()) {
            controlPlaneUrl();
            if (config.sink().isEmpty() && config.brokerUrl().isEmpty()) {
                throw new IllegalStateException("fuseml.function is '" + config.function() + "': set K_SINK (or "
                        + "FUSEML_BROKER_URL) so that the function can send the events it emits");
            }
        }
    }

    @Produces
    @Singleton
    ControlPlaneHttp controlPlaneHttp(Authenticator auth) {
        return new ControlPlaneHttp(this::controlPlaneUrl, auth.systemAuthorization());
    }

    @Produces
    @Singleton
    Claims claims(ControlPlaneHttp http) {
        return new HttpClaims(http);
    }

    @Produces
    @Singleton
    HttpStepLog stepLog(ControlPlaneHttp http) {
        return new HttpStepLog(http);
    }

    void closeStepLog(@Disposes HttpStepLog log) {
        log.close();
    }

    @Produces
    @Singleton
    EventSink sink(Authenticator auth) {
        String authorization = auth.systemAuthorization();
        java.util.function.Function<String, String> authorizations = wiring().brokerAuthorization(authorization);
        if (config.sink().isPresent()) {
            URI sink = URI.create(config.sink().get());
            return new HttpEventSink(org -> sink, this::controlPlaneUrl, authorizations);
        }
        if (config.brokerUrl().isPresent()) {
            String base = config.brokerUrl().get().replaceAll("/+$", "");
            return new HttpEventSink(org -> URI.create(base + "/" + org + "/default"), this::controlPlaneUrl,
                    authorizations);
        }
        return new HttpEventSink(org -> broker.get().ingress(org), this::controlPlaneUrl, authorization);
    }

    @Produces
    @Singleton
    ArtifactStore artifacts(ControlPlaneHttp http) {
        return new HttpArtifactStore(http);
    }

    /** Each training is an MLflow run of the control plane, its MLflow tracking server. */
    @Produces
    @Singleton
    dev.fuseml.train.Tracking tracking(ControlPlaneHttp http) {
        return new dev.fuseml.remote.HttpTracking(http);
    }

    /** The org's registered tools and their credentials, from the control plane's registry. */
    @Produces
    @Singleton
    dev.fuseml.extension.ToolAccess toolAccess(ControlPlaneHttp http) {
        return new dev.fuseml.remote.HttpToolAccess(http);
    }

    @Produces
    @Singleton
    ModelRegistry registry(ControlPlaneHttp http) {
        return new HttpModelRegistry(http);
    }

    @Produces
    @Singleton
    dev.fuseml.extension.ToolDetector toolDetector() {
        return wiring().toolDetector();
    }

    @Produces
    @Singleton
    CodesetSource codesets(Authenticator auth) {
        return new JGitCodesetSource(dataDir().resolve("codeset-cache"), this::controlPlaneUrl, auth.systemToken());
    }

    @Produces
    @Singleton
    Workspaces workspaces() {
        return new Workspaces(dataDir().resolve("work"));
    }

    @Produces
    @Singleton
    Venvs venvs(HttpStepLog log) {
        return new Venvs(dataDir().resolve("envs"), config.python(), config.buildTimeout(), log, sandbox());
    }

    @Produces
    @Singleton
    EnvironmentBuilder builder(CodesetSource codesets, Workspaces workspaces, Instance<Venvs> venvs,
            HttpStepLog log) {
        return wiring().builder(codesets, workspaces, venvs::get, log);
    }

    @Produces
    @Singleton
    Trainer trainer(HttpStepLog log, CodesetSource codesets, Workspaces workspaces, Instance<Venvs> venvs,
            ArtifactStore artifacts, Instance<dev.fuseml.auth.Authenticator> auth, dev.fuseml.train.Tracking tracking,
            dev.fuseml.extension.ToolAccess tools) {
        // a training's token reaches its run only, and expires a day after the longest training could end
        java.time.Duration lifetime = config.trainTimeout().plus(java.time.Duration.ofDays(1));
        dev.fuseml.train.RunTokens tokens = ref -> dev.fuseml.eventing.Tokens.forRun(auth.get().systemToken(),
                new dev.fuseml.eventing.Tokens.RunClaim(ref.org(), ref.app(), ref.run(),
                        java.time.Instant.now().plus(lifetime).getEpochSecond()));
        return wiring().trainer(log, codesets, workspaces, venvs::get, artifacts, tokens, tracking, tools);
    }

    @Produces
    @Singleton
    Deployer deployer(Instance<LocalDeployer> local, ArtifactStore artifacts) {
        return wiring().deployer(local::get, artifacts);
    }

    /**
     * Where the control plane keeps artifacts: an S3-compatible bucket when one is configured, else its data
     * directory. The credentials are the standard AWS variables (on a cluster, from a Secret).
     */
    @Produces
    @Singleton
    dev.fuseml.artifact.ArtifactStorage artifactStorage() {
        FusemlConfig.Artifacts a = config.artifacts();
        if (a.s3Bucket().filter(b -> !b.isBlank()).isEmpty()) {
            return new dev.fuseml.artifact.local.ArtifactFiles(config);
        }
        // no SDK type is named here: this class is loaded in every role, the SDK only where a bucket is used
        return dev.fuseml.artifact.s3.S3Artifacts.withDefaultCredentials(new dev.fuseml.artifact.s3.S3Artifacts
                .Settings(URI.create(a.s3Endpoint()), a.s3Bucket().get(), a.s3Prefix().orElse(""), a.s3Region()),
                dataDir().resolve("artifact-spool"));
    }

    /** On a cluster the control plane looks after training Jobs that might never report (see TrainingWatch). */
    @Produces
    @Singleton
    dev.fuseml.train.TrainingWatch trainingWatch(Instance<dev.fuseml.run.RunStore> runs,
            Instance<dev.fuseml.run.RunLog> log, EventSink sink) {
        return wiring().trainingWatch(runs::get, log::get, sink);
    }

    /** What an org needs made when it is created: on a cluster, its namespace and what config/ puts there. */
    @Produces
    @Singleton
    dev.fuseml.org.OrgProvisioner orgProvisioner(Authenticator auth) {
        return wiring().orgProvisioner(auth);
    }

    /** The brokers the API shows and changes: the embedded one, or each org's Knative Broker and Triggers. */
    @Produces
    @Singleton
    Brokers brokers(Authenticator auth, dev.fuseml.org.OrgStore orgs) {
        return wiring().brokers(auth, orgs, broker::get);
    }

    /** Where users' code runs and what confines it (fuseml status). */
    public String confinement() {
        return wiring().confinement(this::sandbox);
    }

    /** Whether the steps' work goes to a Kubernetes cluster (else it runs on this machine): for start-up checks. */
    boolean kubernetes() {
        return KUBERNETES.equals(config.platform());
    }


    @Produces
    @Singleton
    @jakarta.enterprise.inject.Typed(LocalDeployer.class) // the Deployer is chosen above
    LocalDeployer localDeployer(ArtifactStore artifacts, Venvs venvs) {
        return new LocalDeployer(dataDir().resolve("serving"), config.host(), artifacts, venvs,
                new dev.fuseml.serving.local.WorkerPool.Settings(config.servingMaxWorkers(), config.servingMaxBatch(),
                        config.servingMaxWait(), config.servingIdleTimeout()));
    }

    void closeDeployer(@Disposes LocalDeployer deployer) {
        deployer.close();
    }

    @Produces
    @Singleton
    StepRunner stepRunner(Claims claims, HttpStepLog log, EventSink sink) {
        return new StepRunner(claims, log, sink, this::controlPlaneUrl, config.lease(), StepRunner.OWNER,
                faultPauses(config.faultPause().orElse("")), config.deliveryTimeout(),
                new dev.fuseml.reference.OrgReferences());
    }

    void closeStepRunner(@Disposes StepRunner runner) {
        runner.close();
    }

    /** {@code fuseml.fault-pause}: {@code STEP=DURATION[,STEP=DURATION]}, for crash tests only. */
    static java.util.Map<String, java.time.Duration> faultPauses(String setting) {
        java.util.Map<String, java.time.Duration> pauses = new java.util.HashMap<>();
        for (String entry : setting.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.strip().split("=", 2);
            if (kv.length != 2 || !DefaultChain.ORDER.contains(kv[0])) {
                throw new IllegalStateException("fuseml.fault-pause '" + setting + "': write STEP=DURATION pairs "
                        + "such as train=PT5S, with a step of " + DefaultChain.ORDER);
            }
            pauses.put(kv[0], java.time.Duration.parse(kv[1]));
        }
        return pauses;
    }

    /**
     * How users' code runs on this machine, found once: the user's home (the CLI's config and tokens, ~/.ssh, ...),
     * the data dir (every org's codesets, environments and models) and {@code fuseml.sandbox-hide} are hidden from it.
     */
    public synchronized dev.fuseml.process.Sandbox sandbox() {
        if (sandbox == null) {
            java.util.List<Path> hidden = new java.util.ArrayList<>(java.util.List.of(
                    Path.of(System.getProperty("user.home")), dataDir()));
            config.sandboxHide().ifPresent(list -> java.util.Arrays.stream(list.split(",")).map(String::strip)
                    .filter(p -> !p.isEmpty()).map(Path::of).forEach(hidden::add));
            hidden.removeIf(p -> p.toAbsolutePath().normalize().getNameCount() == 0); // never the root itself
            sandbox = dev.fuseml.process.Sandbox.detect(config.sandbox(), hidden);
        }
        return sandbox;
    }

    private dev.fuseml.process.Sandbox sandbox;

    private Path dataDir() {
        return config.dataDir();
    }
}
