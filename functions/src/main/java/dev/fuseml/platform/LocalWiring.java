package dev.fuseml.platform;

import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.auth.Authenticator;
import dev.fuseml.broker.Brokers;
import dev.fuseml.broker.EmbeddedBroker;
import dev.fuseml.build.EnvironmentBuilder;
import dev.fuseml.build.local.Venvs;
import dev.fuseml.build.local.VenvBuilder;
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
import dev.fuseml.train.local.ProcessTrainer;
import dev.fuseml.workspace.Workspaces;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This machine: venvs, training processes, prediction servers on local ports, the embedded broker; nothing to make
 * for an org, no training to watch.
 */
final class LocalWiring implements Wiring {
    private final Duration trainTimeout;
    private final Duration trainWarmIdle;

    LocalWiring(Duration trainTimeout, Duration trainWarmIdle) {
        this.trainTimeout = trainTimeout;
        this.trainWarmIdle = trainWarmIdle;
    }

    @Override
    public Function<String, Optional<String>> deliveries() {
        return null;
    }

    @Override
    public Function<String, String> brokerAuthorization(String systemAuthorization) {
        return org -> systemAuthorization;
    }

    @Override
    public EnvironmentBuilder builder(CodesetSource codesets, Workspaces workspaces, Supplier<Venvs> venvs,
            StepLog log) {
        return new VenvBuilder(codesets, workspaces, venvs.get());
    }

    @Override
    public Trainer trainer(StepLog log, CodesetSource codesets, Workspaces workspaces, Supplier<Venvs> venvs,
            ArtifactStore artifacts, RunTokens tokens, Tracking tracking, dev.fuseml.extension.ToolAccess tools) {
        return new ProcessTrainer(trainTimeout, log, codesets, workspaces, venvs.get(), artifacts, tracking, tokens,
                tools, dev.fuseml.train.determined.DeterminedTrainer.of(codesets, workspaces, tools, artifacts, log,
                        trainTimeout), new dev.fuseml.train.local.WarmInterpreters(workspaces.aside("warm"),
                        trainWarmIdle));
    }

    @Override
    public Deployer deployer(Supplier<LocalDeployer> local, ArtifactStore artifacts) {
        return local.get();
    }

    @Override
    public TrainingWatch trainingWatch(Supplier<RunStore> runs, Supplier<RunLog> log, EventSink sink) {
        return TrainingWatch.NONE;
    }

    @Override
    public OrgProvisioner orgProvisioner(Authenticator auth) {
        return OrgProvisioner.NONE;
    }

    @Override
    public Brokers brokers(Authenticator auth, OrgStore orgs, Supplier<EmbeddedBroker> embedded) {
        return embedded.get();
    }

    @Override
    public boolean embeddedBroker() {
        return true;
    }

    @Override
    public boolean servesLocally() {
        return true;
    }

    @Override
    public String confinement(Supplier<dev.fuseml.process.Sandbox> local) {
        return local.get().status();
    }

    @Override
    public dev.fuseml.extension.ToolDetector toolDetector() {
        return dev.fuseml.extension.ToolDetector.NONE;
    }
}
