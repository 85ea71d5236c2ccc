package dev.fuseml.mlflow;

/** One logged value of a metric, as MLflow keeps it (a run keeps every one: its history). */
public record Metric(String key, double value, long timestamp, long step, String modelId) {
    /** MLflow's "latest" value: the one of the highest step, then the latest timestamp, then the largest value. */
    static final java.util.Comparator<Metric> LATEST = java.util.Comparator.comparingLong(Metric::step)
            .thenComparingLong(Metric::timestamp).thenComparingDouble(Metric::value);
}
