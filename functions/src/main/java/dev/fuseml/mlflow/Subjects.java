package dev.fuseml.mlflow;

import java.util.Map;
import java.util.Optional;

/** What searches filter and order: each kind of MLflow object seen as a {@link SearchFilter.Subject}. */
final class Subjects {
    private Subjects() {
    }

    record OfExperiment(Experiment experiment) implements SearchFilter.Subject {
        @Override
        public Optional<Double> metric(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<String> param(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<String> tag(String key) {
            return Optional.ofNullable(experiment.tags().get(key));
        }

        @Override
        public Optional<Object> attribute(String name) {
            return Optional.ofNullable(switch (name) {
                case "name" -> experiment.name();
                case "experiment_id" -> experiment.id();
                case "creation_time" -> experiment.creationTime();
                case "last_update_time" -> experiment.lastUpdateTime();
                case "lifecycle_stage" -> experiment.lifecycleStage();
                default -> null;
            });
        }
    }

    record OfRun(TrackedRun run) implements SearchFilter.Subject {
        @Override
        public Optional<Double> metric(String key) {
            return Optional.ofNullable(run.metrics().get(key)).map(Metric::value);
        }

        @Override
        public Optional<String> param(String key) {
            return Optional.ofNullable(run.params().get(key));
        }

        @Override
        public Optional<String> tag(String key) {
            return Optional.ofNullable(run.tags().get(key));
        }

        @Override
        public Optional<Object> attribute(String name) {
            return Optional.ofNullable(switch (name) {
                case "run_id", "run_uuid" -> run.id();
                case "run_name" -> run.name();
                case "status" -> run.status();
                case "artifact_uri" -> run.artifactUri();
                case "user_id" -> run.user();
                case "start_time" -> run.startTime();
                case "end_time" -> run.endTime();
                case "lifecycle_stage" -> run.lifecycleStage();
                case "experiment_id" -> run.experimentId();
                default -> null;
            });
        }
    }

    record OfModel(LoggedModel model) implements SearchFilter.Subject {
        @Override
        public Optional<Double> metric(String key) {
            return Optional.ofNullable(model.metrics().get(key)).map(Metric::value);
        }

        @Override
        public Optional<String> param(String key) {
            return Optional.ofNullable(model.params().get(key));
        }

        @Override
        public Optional<String> tag(String key) {
            return Optional.ofNullable(model.tags().get(key));
        }

        @Override
        public Optional<Object> attribute(String name) {
            return Optional.ofNullable(switch (name) {
                case "name" -> model.name();
                case "model_id" -> model.id();
                case "source_run_id" -> model.sourceRunId();
                case "status" -> model.status();
                case "model_type" -> model.modelType();
                case "experiment_id" -> model.experimentId();
                case "creation_timestamp", "creation_time", "creation_timestamp_ms" -> model.creationTime();
                case "last_updated_timestamp", "last_updated_timestamp_ms" -> model.lastUpdatedTime();
                default -> null;
            });
        }
    }

    /** A registered model or a version of it: attributes and tags only. */
    record OfRegistry(Map<String, Object> attributes, Map<String, String> tags) implements SearchFilter.Subject {
        @Override
        public Optional<Double> metric(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<String> param(String key) {
            return Optional.empty();
        }

        @Override
        public Optional<String> tag(String key) {
            return Optional.ofNullable(tags.get(key));
        }

        @Override
        public Optional<Object> attribute(String name) {
            return Optional.ofNullable(attributes.get(name));
        }
    }
}
