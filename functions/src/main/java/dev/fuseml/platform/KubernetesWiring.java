package dev.fuseml.platform;

import dev.fuseml.FusemlConfig;
import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.EmbeddedBroker;
import dev.fuseml.broker.kubernetes.KnativeBrokers;
import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.build.kubernetes.ImageBuildJobs;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.kubernetes.Cluster;
import dev.fuseml.kubernetes.ClusterIdentity;
import dev.fuseml.kubernetes.KubernetesSettings;
import dev.fuseml.org.OrgProvisioner;
import dev.fuseml.org.OrgStore;
import dev.fuseml.org.kubernetes.OrgNamespaces;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.serving.Deployer;
import dev.fuseml.serving.kubernetes.KnativeDeployer;
import dev.fuseml.serving.local.LocalDeployer;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.StepLog;
import dev.fuseml.train.RunTokens;
import dev.fuseml.train.Tracking;
import dev.fuseml.train.Trainer;
import dev.fuseml.train.TrainingWatch;
import dev.fuseml.train.kubernetes.TrainingJobWatch;
import dev.fuseml.train.kubernetes.TrainingJobs;
import dev.fuseml.workspace.Workspaces;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Kubernetes cluster with Knative: image build Jobs, training Jobs (watched by the control plane), Knative Services
 * (or KServe) per app, each org's namespace and Knative Broker, and Knative's sender identity both ways. The
 * cluster's client is made once, from the pod's service account, when something first needs it.
 */
final class KubernetesWiring implements Wiring {
    private final FusemlConfig config;
    private final Supplier<String> controlPlaneUrl;
    private Cluster cluster;
    private ClusterIdentity identity;

    KubernetesWiring(FusemlConfig config, Supplier<String> controlPlaneUrl) {
        this.config = config;
        this.controlPlaneUrl = controlPlaneUrl;
    }

    @Override
    public Function<String, Optional<String>> deliveries() {
        return token -> identity().orgOf(token);
    }

    @Override
    public Function<String, String> brokerAuthorization(String systemAuthorization) {
        // a Knative Broker takes a token for its own audience, not FuseML's (when sender identity is on)
        return org -> identity().brokerAuthorization(org).orElse(null);
    }

    @Override
    public EnvironmentBuilder builder(CodesetSource codesets, Workspaces workspaces, Supplier<Venvs> venvs,
            StepLog log) {
        return new ImageBuildJobs(cluster(), settings(), codesets, workspaces, log);
    }

    @Override
    public Trainer trainer(StepLog log, CodesetSource codesets, Workspaces workspaces, Supplier<Venvs> venvs,
            ArtifactStore artifacts, RunTokens tokens, Tracking tracking, dev.fuseml.extension.ToolAccess tools) {
        return new TrainingJobs(cluster(), settings(), codesets, workspaces, log, tokens, tracking,
                dev.fuseml.train.determined.DeterminedTrainer.of(codesets, workspaces, tools, artifacts, log,
                        config.trainTimeout()), tools);
    }

    @Override
    public Deployer deployer(Supplier<LocalDeployer> local, ArtifactStore artifacts) {
        return new KnativeDeployer(cluster(), settings(), modelUri -> KnativeDeployer.servingOf(artifacts, modelUri));
    }

    @Override
    public TrainingWatch trainingWatch(Supplier<RunStore> runs, Supplier<RunLog> log, EventSink sink) {
        return new TrainingJobWatch(cluster(), runs.get(), log.get(), sink, java.time.Clock.systemUTC(),
                java.time.Duration.ofMinutes(2));
    }

    @Override
    public OrgProvisioner orgProvisioner(Authenticator auth) {
        return orgNamespaces(auth);
    }

    @Override
    public Brokers brokers(Authenticator auth, OrgStore orgs, Supplier<EmbeddedBroker> embedded) {
        return new KnativeBrokers(cluster().client(), orgs, orgNamespaces(auth), config.defaultOrg(),
                systemNamespace());
    }

    @Override
    public boolean embeddedBroker() {
        return false;
    }

    @Override
    public boolean servesLocally() {
        return false;
    }

    @Override
    public String confinement(Supplier<dev.fuseml.process.Sandbox> local) {
        return "pods of the org's namespace (kubernetes platform)";
    }

    @Override
    public dev.fuseml.extension.ToolDetector toolDetector() {
        return new dev.fuseml.extension.kubernetes.ClusterTools(cluster());
    }

    private OrgNamespaces orgNamespaces(Authenticator auth) {
        return new OrgNamespaces(cluster().client(), auth.systemToken(), config.kubernetes().tokenSecret());
    }

    private synchronized Cluster cluster() {
        if (cluster == null) {
            cluster = new Cluster(new io.fabric8.kubernetes.client.KubernetesClientBuilder().build());
        }
        return cluster;
    }

    /** Who a Knative Broker's delivery is from, and tokens to post to org Brokers. */
    private synchronized ClusterIdentity identity() {
        if (identity == null) {
            identity = new ClusterIdentity(cluster().client(), systemNamespace(),
                    config.kubernetes().serviceAccount(), java.time.Clock.systemUTC());
        }
        return identity;
    }

    /** Where FuseML's own Services and this pod are (fabric8 reads it from the pod's service account). */
    private String systemNamespace() {
        return Optional.ofNullable(cluster().client().getNamespace()).orElse("fuseml-system");
    }

    private KubernetesSettings settings() {
        FusemlConfig.Kubernetes k = config.kubernetes();
        return new KubernetesSettings(k.registry(), k.pythonImage(), k.kanikoImage(), k.gitImage(), k.tokenSecret(),
                controlPlaneUrl.get(), config.brokerUrl().orElse(""), k.buildTimeout(), config.trainTimeout(),
                k.readyTimeout(), k.trainCpu(), k.trainMemory(), new KubernetesSettings.Serving(k.serveCpu(),
                k.serveMemory(), k.serveMaxScale(), k.serveTarget()));
    }
}
