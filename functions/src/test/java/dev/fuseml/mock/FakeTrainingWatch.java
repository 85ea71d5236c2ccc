package dev.fuseml.mock;

import dev.fuseml.train.TrainingWatch;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts the sweeps it is asked for; {@link #onSweep} does the looking (a test sets it to fail one). */
public class FakeTrainingWatch implements TrainingWatch {
    public final AtomicInteger sweeps = new AtomicInteger();
    public volatile Runnable onSweep = () -> {
    };

    @Override
    public void sweep() {
        sweeps.incrementAndGet();
        onSweep.run();
    }
}
