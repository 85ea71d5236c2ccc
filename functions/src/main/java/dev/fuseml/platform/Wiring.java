package dev.fuseml.platform;

import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.EmbeddedBroker;
import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.org.OrgProvisioner;
import dev.fuseml.org.OrgStore;
import dev.fuseml.run.RunLog;
import dev.fuseml.run.RunStore;
import dev.fuseml.serving.Deployer;
import dev.fuseml.serving.local.LocalDeployer;
import dev.fuseml.step.EventSink;
import dev.fuseml.step.StepLog;
import dev.fuseml.train.RunTokens;
import dev.fuseml.train.Tracking;
import dev.fuseml.train.Trainer;
import dev.fuseml.train.TrainingWatch;
import dev.fuseml.workspace.Workspaces;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What differs between platforms, each implementation named in one list per platform ({@link LocalWiring},
 * {@link KubernetesWiring}), as knative/func's {@code cmd/client.go} names its builder, deployer and runner.
 * {@link Platform} chooses one, once, by {@code fuseml.platform}; what is the same on both (the HTTP clients of the
 * control plane, stores, the step runner) it makes itself. Local-only parts come as suppliers, so that a process on
 * the other platform never makes them.
 */
interface Wiring {
    /** The org a token of a broker's delivery speaks for (a cluster's sender identity); null where there is none. */
    Function<String, Optional<String>> deliveries();

    /** The Authorization header that events to an org's broker carry. */
    Function<String, String> brokerAuthorization(String systemAuthorization);

    EnvironmentBuilder builder(CodesetSource codesets, Workspaces workspaces, Supplier<Venvs> venvs, StepLog log);

    Trainer trainer(StepLog log, CodesetSource codesets, Workspaces workspaces, Supplier<Venvs> venvs,
            ArtifactStore artifacts, RunTokens tokens, Tracking tracking, dev.fuseml.extension.ToolAccess tools);

    Deployer deployer(Supplier<LocalDeployer> local, ArtifactStore artifacts);

    /** The control plane's look after trainings that report themselves (Jobs), or {@link TrainingWatch#NONE}. */
    TrainingWatch trainingWatch(Supplier<RunStore> runs, Supplier<RunLog> log, EventSink sink);

    /** What an org needs made when it is created, or {@link OrgProvisioner#NONE}. */
    OrgProvisioner orgProvisioner(Authenticator auth);

    /** The brokers the API shows and changes. */
    Brokers brokers(Authenticator auth, OrgStore orgs, Supplier<EmbeddedBroker> embedded);

    /** Whether the control plane runs the embedded broker (else each org's events go to a broker of the platform). */
    boolean embeddedBroker();

    /** Whether the serve function serves on this machine, so that its servers come back after a restart. */
    boolean servesLocally();

    /** Tools installed where FuseML runs, suggested by {@code fuseml extensions list}. */
    dev.fuseml.extension.ToolDetector toolDetector();

    /** Where users' code runs and what confines it, as status shows it. */
    String confinement(Supplier<dev.fuseml.process.Sandbox> local);
}
