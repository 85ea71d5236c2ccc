package dev.fuseml.build;

import dev.fuseml.step.RunRef;

import java.util.Map;

/** Makes the environment a project's code runs in, reusing one built before for the same dependencies. */
public interface EnvironmentBuilder {
    /** What to build: the project at a commit of its codeset, by reference. */
    record BuildJob(RunRef ref, String repository, String commit, String entryPoint, Map<String, String> params) {
    }

    /**
     * @return an opaque reference to the environment, understood by the trainer and deployer of the same platform
     * @throws dev.fuseml.step.StepFailure when the dependencies cannot be installed
     */
    String build(BuildJob job) throws Exception;
}
