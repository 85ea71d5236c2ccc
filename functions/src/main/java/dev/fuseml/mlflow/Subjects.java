package dev.fuseml.mlflow;

import dev.fuseml.registry.ModelVersion;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** What searches filter and order: an MLflow object with its metrics, params, tags and attributes. */
record Subjects<T>(T source, Map<String, Metric> metrics, Map<String, String> params, Map<String, String> tags,
        Map<String, Object> attributes) implements SearchFilter.Subject {
    @Override
    public Optional<Double> metric(String key) {
        return Optional.ofNullable(metrics.get(key)).map(Metric::value);
    }

    @Override
    public Optional<String> param(String key) {
        return Optional.ofNullable(params.get(key));
    }

    @Override
    public Optional<String> tag(String key) {
        return Optional.ofNullable(tags.get(key));
    }

    @Override
    public Optional<Object> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    /** Attributes by MLflow's names (SearchFilter passes canonical ones); absent values are left out. */
    private static Map<String, Object> attributes(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return map;
    }

    static Subjects<Experiment> of(Experiment e) {
        return new Subjects<>(e, Map.of(), Map.of(), e.tags(), attributes("name", e.name(), "experiment_id", e.id(),
                "creation_time", e.creationTime(), "last_update_time", e.lastUpdateTime(), "lifecycle_stage",
                e.lifecycleStage()));
    }

    static Subjects<TrackedRun> of(TrackedRun r) {
        return new Subjects<>(r, r.metrics(), r.params(), r.tags(), attributes("run_id", r.id(), "run_uuid", r.id(),
                "run_name", r.name(), "status", r.status(), "artifact_uri", r.artifactUri(), "user_id", r.user(),
                "start_time", r.startTime(), "end_time", r.endTime(), "lifecycle_stage", r.lifecycleStage(),
                "experiment_id", r.experimentId()));
    }

    static Subjects<LoggedModel> of(LoggedModel m) {
        return new Subjects<>(m, m.metrics(), m.params(), m.tags(), attributes("name", m.name(), "model_id", m.id(),
                "source_run_id", m.sourceRunId(), "status", m.status(), "model_type", m.modelType(),
                "experiment_id", m.experimentId(), "creation_timestamp", m.creationTime(),
                "last_updated_timestamp", m.lastUpdatedTime()));
    }

    static Subjects<RegistryView.Registered> of(RegistryView.Registered app, String name) {
        long created = app.created().toEpochMilli();
        return new Subjects<>(app, Map.of(), Map.of(), Map.of(), attributes("name", name, "creation_timestamp",
                created, "last_updated_timestamp", created));
    }

    static Subjects<ModelVersion> of(ModelVersion v, String name, String source) {
        long created = v.created().toEpochMilli();
        return new Subjects<>(v, Map.of(), Map.of(), Map.of(), attributes("name", name, "version", (long) v.version(),
                "run_id", v.run(), "source", source, "creation_timestamp", created, "last_updated_timestamp",
                created));
    }
}
