package dev.fuseml.mlflow;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What one org's MLflow clients can make is bounded (the store holds it all in memory), each with the rule. */
class TrackingLimitsTest {
    @TempDir
    Path dir;

    private TrackingStore store() {
        return new TrackingStore(dir, Clock.systemUTC(), new TrackingStore.Limits(2, 2, 1));
    }

    @Test
    void anOrgKeepsABoundedNumberOfExperimentsAndOtherOrgsAreNotCounted() {
        TrackingStore store = store();
        store.createExperiment("red", "red/a", Map.of());
        store.createExperiment("red", "red/b", Map.of());
        assertThatThrownBy(() -> store.createExperiment("red", "red/c", Map.of()))
                .isInstanceOf(MlflowError.class).hasMessageContaining("org 'red' has 2 experiments");
        assertThat(store.experimentNamed("red/c")).isEmpty();
        assertThat(store.createExperiment("blue", "blue/a", Map.of()).org()).isEqualTo("blue");
    }

    @Test
    void anExperimentKeepsABoundedNumberOfRunsAndOfLoggedModels() {
        TrackingStore store = store();
        Experiment e = store.createExperiment("red", "red/a", Map.of());
        store.createRun(e, "ana", "one", null, Map.of());
        store.createRun(e, "ana", "two", null, Map.of());
        assertThatThrownBy(() -> store.createRun(e, "ana", "three", null, Map.of()))
                .hasMessageContaining("has 2 runs, the most an experiment keeps");
        assertThat(store.runs(List.of(e.id()))).hasSize(2);
        store.createModel(e, "m", null, null, Map.of(), Map.of());
        assertThatThrownBy(() -> store.createModel(e, "n", null, null, Map.of(), Map.of()))
                .hasMessageContaining("has 1 LoggedModels");
        assertThat(store.models()).hasSize(1);
    }

    @Test
    void aRunsInputsAreBoundedInSizeAndARefusedBatchKeepsNothing() {
        TrackingStore store = store();
        TrackedRun run = store.createRun(store.createExperiment("red", "red/a", Map.of()), "ana", "one", null,
                Map.of());
        var big = JsonNodeFactory.instance.objectNode().put("dataset", "x".repeat(3 << 20));
        store.logInputs(run.id(), List.of(big));
        assertThatThrownBy(() -> store.logInputs(run.id(), List.of(big)))
                .hasMessageContaining("a run's inputs take at most 4 MiB");
        assertThat(store.run(run.id()).orElseThrow().inputs()).hasSize(1);
    }
}
