package dev.fuseml.train;

/**
 * Makes the token a training's code presents: one that reaches its run only (see auth/Access.runRefusal), as
 * {@code MLFLOW_TRACKING_TOKEN} and, on a cluster, for the Job's own calls.
 */
@FunctionalInterface
public interface RunTokens {
    String tokenFor(dev.fuseml.step.RunRef run);
}
