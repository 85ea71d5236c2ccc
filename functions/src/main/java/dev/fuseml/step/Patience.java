package dev.fuseml.step;

import java.time.Duration;

/**
 * How long a call to the control plane or the broker keeps trying: 100 ms between attempts, doubling up to 2 s,
 * until the caller's patience is spent. Long enough patience rides out a restart of what is called.
 */
public final class Patience {
    private final long deadline;
    private long delayMillis = 100;

    public Patience(Duration patience) {
        this.deadline = System.nanoTime() + patience.toNanos();
    }

    /** Waits before the next attempt; false when no attempt fits in the time left. */
    public boolean pause() throws InterruptedException {
        if (System.nanoTime() + delayMillis * 1_000_000 > deadline) {
            return false;
        }
        Thread.sleep(delayMillis);
        delayMillis = Math.min(delayMillis * 2, 2_000);
        return true;
    }
}
