package dev.fuseml.train;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link TrainingWatch}'s sweep every so often on a thread of its own, for as long as the control plane runs;
 * a sweep that fails is logged and the next one tries again.
 */
public final class TrainingSweeps implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TrainingSweeps.class.getName());
    private final ScheduledExecutorService scheduler;

    private TrainingSweeps(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Sweeps {@code watch} every {@code period}; nothing is started for {@link TrainingWatch#NONE}. */
    public static TrainingSweeps start(TrainingWatch watch, Duration period) {
        if (watch == TrainingWatch.NONE) {
            return new TrainingSweeps(null);
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fuseml-training-watch");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                watch.sweep();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the training watch failed: " + e.getMessage());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return new TrainingSweeps(scheduler);
    }

    /** Whether sweeps run (not for a platform whose trainings report themselves to a step that waits). */
    public boolean running() {
        return scheduler != null && !scheduler.isShutdown();
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
