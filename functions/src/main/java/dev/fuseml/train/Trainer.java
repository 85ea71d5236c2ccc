package dev.fuseml.train;

import dev.fuseml.project.Project;

import java.nio.file.Path;
import java.util.Map;

/** Runs a project's training entry point in its environment. */
public interface Trainer {
    /**
     * @param modelDir where the code must write its MLflow model
     * @return the metrics the code reported
     * @throws dev.fuseml.run.StepFailure when the code fails, times out or writes no model
     */
    Map<String, Double> train(String runId, Project project, String environment, Path modelDir) throws Exception;
}
