package dev.fuseml.train;

/**
 * Looks after training a {@link Trainer} handed over (a Job that reports its own result): the control plane sweeps
 * the runs in training now and then, so that one whose training can never report (its pod cannot start, was killed
 * before its runner could post, its Job was deleted) ends failed with the cause and the pod's log, instead of
 * waiting forever. Nothing to look after where training runs in the step's own process.
 */
public interface TrainingWatch {
    TrainingWatch NONE = () -> {
    };

    /** Looks at each run in training once. */
    void sweep();
}
