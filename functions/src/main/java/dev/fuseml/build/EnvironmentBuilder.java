package dev.fuseml.build;

import dev.fuseml.project.DependencySpec;

/** Makes the environment a project's code runs in, reusing one built before for the same dependencies. */
public interface EnvironmentBuilder {
    /**
     * @param runId the run whose log receives the build's output
     * @return a reference to the environment that the trainer and the deployer of the same platform understand
     * @throws dev.fuseml.run.StepFailure when the dependencies cannot be installed
     */
    String build(String runId, DependencySpec spec) throws Exception;
}
