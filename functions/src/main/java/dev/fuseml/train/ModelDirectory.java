package dev.fuseml.train;

import dev.fuseml.artifact.ArtifactStore;
import dev.fuseml.project.InvalidProjectException;
import dev.fuseml.project.Project;
import dev.fuseml.project.ServingSettings;
import dev.fuseml.registry.MLModel;
import dev.fuseml.state.JsonFiles;
import dev.fuseml.step.StepFailure;
import dev.fuseml.step.StepLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The last part of every training that ends with a model directory on this process (a training process here, a
 * Determined checkpoint): the directory must be a usable MLflow model; it gets the project's requirements (as an
 * MLflow model carries them) and the version's serving settings, and is stored at the job's artifact URI.
 */
public final class ModelDirectory {
    private static final String STEP = dev.fuseml.eventing.Steps.TRAIN;

    private ModelDirectory() {
    }

    /**
     * @param code     the checked-out project (its MLproject's serving section)
     * @param excerpt  the output that explains an unusable model
     * @return the model at the job's artifact URI, with {@code metrics} and {@code params}
     */
    public static Trainer.TrainedModel store(Trainer.TrainingJob job, Project project, Path code, Path modelDir,
            Map<String, Double> metrics, Map<String, String> params, ArtifactStore artifacts, StepLog log,
            String excerpt) throws Exception {
        check(modelDir, excerpt);
        if (!Files.exists(modelDir.resolve("requirements.txt")) && !project.dependencies().requirements().isEmpty()) {
            // As an MLflow model carries its requirements: a server on another machine builds from them.
            Files.write(modelDir.resolve("requirements.txt"), project.dependencies().requirements());
        }
        try {
            var serving = ServingSettings.forVersion(code, job.serveTarget());
            if (serving.isPresent()) {
                // the app's serving settings travel with the version, as its requirements do
                JsonFiles.write(modelDir.resolve(ServingSettings.FILE), serving.get());
            }
        } catch (InvalidProjectException e) {
            throw new StepFailure("the project was refused: " + e.getMessage());
        }
        String run = job.ref().run();
        long[] size = sizeOf(modelDir);
        log.note(run, STEP, "storing the model: " + size[0] + " file(s), " + size[1] + " bytes");
        artifacts.upload(modelDir, job.modelUri());
        log.note(run, STEP, "model stored at " + job.modelUri() + " (" + size[1] + " bytes)");
        return new Trainer.TrainedModel(job.modelUri(), metrics, params);
    }

    /** @throws StepFailure naming what is missing when the directory is no MLflow model FuseML can serve */
    public static void check(Path modelDir, String excerpt) {
        try {
            MLModel.read(modelDir);
        } catch (MLModel.InvalidModelException e) {
            throw new StepFailure("the training process wrote no usable model: " + e.getMessage(), excerpt);
        }
    }

    /** Files and bytes under {@code dir}, for the log's account of what is uploaded. */
    private static long[] sizeOf(Path dir) throws IOException {
        long[] size = new long[2];
        try (Stream<Path> all = Files.walk(dir)) {
            all.filter(Files::isRegularFile).forEach(f -> {
                size[0]++;
                size[1] += f.toFile().length();
            });
        }
        return size;
    }
}
