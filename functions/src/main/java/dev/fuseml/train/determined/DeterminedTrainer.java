package dev.fuseml.train.determined;

import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.codeset.CodesetSource;
import dev.fuseml.extension.ToolAccess;
import dev.fuseml.project.Project;
import dev.fuseml.project.ToolSettings;
import dev.fuseml.step.StepFailure;
import dev.fuseml.step.StepLog;
import dev.fuseml.train.ModelDirectory;
import dev.fuseml.train.Trainer;
import dev.fuseml.workspace.Workspaces;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A training whose MLproject asks for Determined ({@code training.target: determined}), on either platform: the
 * train step itself submits and follows the experiment (HTTP only, so a step function on a cluster does it as the
 * embedded default does) and stores the checkpoint as the run's model.
 */
public final class DeterminedTrainer implements Trainer {
    private static final String STEP = dev.fuseml.eventing.Steps.TRAIN;
    private final CodesetSource codesets;
    private final Workspaces workspaces;
    private final ToolAccess tools;
    private final ArtifactStore artifacts;
    private final StepLog log;
    private final Duration timeout;
    private final DeterminedTraining training;

    public DeterminedTrainer(CodesetSource codesets, Workspaces workspaces, ToolAccess tools, ArtifactStore artifacts,
            StepLog log, Duration timeout, DeterminedTraining training) {
        this.codesets = codesets;
        this.workspaces = workspaces;
        this.tools = tools;
        this.artifacts = artifacts;
        this.log = log;
        this.timeout = timeout;
        this.training = training;
    }

    /** A trainer following experiments as Determined's SDK does (every 5 s), with connections of its own. */
    public static DeterminedTrainer of(CodesetSource codesets, Workspaces workspaces, ToolAccess tools,
            ArtifactStore artifacts, StepLog log, Duration timeout) {
        return new DeterminedTrainer(codesets, workspaces, tools, artifacts, log, timeout, new DeterminedTraining(log,
                java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                Duration.ofSeconds(5)));
    }

    /** Fetches the code into the step's scratch, then {@link #train(TrainingJob, Project, Path)}. */
    @Override
    public Optional<TrainedModel> train(TrainingJob job) throws Exception {
        String run = job.ref().run();
        Path work = workspaces.fresh(run, STEP);
        try {
            Path code = work.resolve("code");
            codesets.checkout(job.repository(), job.commit(), code);
            return Optional.of(train(job, Project.inspectOrFail(code, job.entryPoint(), job.params()),
                    work.resolve("model")));
        } finally {
            workspaces.remove(run, STEP);
        }
    }

    /** Trains the checked-out {@code project} on the org's Determined cluster and stores the checkpoint. */
    public TrainedModel train(TrainingJob job, Project project, Path modelDir) throws Exception {
        ToolSettings settings = ToolSettings.readOrFail(project.dir());
        var cluster = tools.grant(job.ref(), "determined", settings.trainExtension()).orElseThrow(() ->
                new StepFailure("MLproject's training.target is determined, but org " + job.ref().org() + " has no "
                        + "determined extension: fuseml extensions add NAME --kind determined --url URL "
                        + "--credentials-file F"));
        if (settings.externalTracking() || settings.dataRemote() != null) {
            log.note(job.ref().run(), STEP, "on Determined the experiment tracks its own metrics and fetches its own "
                    + "data: MLproject's tracking.server and data.remote are not used");
        }
        Path record = workspaces.dir(job.ref().run(), STEP).resolveSibling(STEP + ".determined");
        Map<String, Double> metrics = training.train(new DeterminedTraining.Job(job.ref(), project, cluster,
                settings.slots() == null ? 0 : settings.slots(), settings.metric() == null ? "validation_loss"
                : settings.metric(), modelDir, record, timeout));
        return ModelDirectory.store(job, project, project.dir(), modelDir, metrics, Map.of(), artifacts, log, "");
    }
}
