package dev.fuseml.train;

import dev.fuseml.mock.FakeTrainingWatch;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TrainingSweepsTest {
    @Test
    void aSweepThatFailsDoesNotStopTheNextOnes() {
        FakeTrainingWatch watch = new FakeTrainingWatch();
        watch.onSweep = () -> {
            if (watch.sweeps.get() == 1) {
                throw new IllegalStateException("the cluster did not answer");
            }
        };
        try (TrainingSweeps sweeps = TrainingSweeps.start(watch, Duration.ofMillis(10))) {
            assertThat(sweeps.running()).isTrue();
            await().until(() -> watch.sweeps.get() >= 3);
        }
        int after = watch.sweeps.get();
        assertThat(after).isGreaterThanOrEqualTo(3);
    }

    @Test
    void nothingRunsForAPlatformWithoutAWatch() {
        try (TrainingSweeps sweeps = TrainingSweeps.start(TrainingWatch.NONE, Duration.ofMillis(10))) {
            assertThat(sweeps.running()).isFalse();
        }
    }
}
