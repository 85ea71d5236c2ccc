package dev.fuseml.mlflow;

import dev.fuseml.mlflow.SearchFilter.Kind;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one kind of search allows: the identifiers, comparators and value types MLflow's
 * {@code mlflow/utils/search_utils.py} takes for that kind, in filters and in order_by clauses.
 *
 * @param textAttributes   attribute keys as written in a filter, to their canonical names
 * @param listAttributes   canonical names of the text attributes that take IN lists
 * @param quotedNumbers    whether numeric attributes also take quoted numbers (MLflow's model versions do)
 * @param orderAttributes  attribute keys as written in an order_by clause, to their canonical names
 * @param numberCanonical  canonical names ordered as numbers even when a subject gives them as strings
 */
record SearchRules(String plural, Map<String, SearchEntity> prefixes, String prefixHint,
        Map<String, String> textAttributes, Map<String, String> numberAttributes, Set<FilterOp> textAttributeOps,
        Set<String> listAttributes, boolean quotedNumbers, boolean absentPromptTagIsFalse,
        Map<String, SearchEntity> orderPrefixes, Set<SearchEntity> orderEntities, String orderHint,
        Map<String, String> orderAttributes, Set<String> numberCanonical) {

    private static final Set<FilterOp> NUMBER_OPS = Set.of(FilterOp.EQ, FilterOp.NE, FilterOp.GT, FilterOp.GE,
            FilterOp.LT, FilterOp.LE);
    private static final Set<FilterOp> TEXT_OPS = Set.of(FilterOp.EQ, FilterOp.NE, FilterOp.LIKE, FilterOp.ILIKE);
    private static final Set<FilterOp> TEXT_AND_LIST_OPS = Set.of(FilterOp.EQ, FilterOp.NE, FilterOp.LIKE,
            FilterOp.ILIKE, FilterOp.IN, FilterOp.NOT_IN);

    private static final Map<String, SearchEntity> ALL_PREFIXES = ordered("metrics", SearchEntity.METRIC, "metric",
            SearchEntity.METRIC, "params", SearchEntity.PARAM, "param", SearchEntity.PARAM, "parameters",
            SearchEntity.PARAM, "parameter", SearchEntity.PARAM, "tags", SearchEntity.TAG, "tag", SearchEntity.TAG,
            "attributes", SearchEntity.ATTRIBUTE, "attribute", SearchEntity.ATTRIBUTE, "attr", SearchEntity.ATTRIBUTE,
            "run", SearchEntity.ATTRIBUTE, "datasets", SearchEntity.DATASET, "dataset", SearchEntity.DATASET);

    // MLflow itself takes only "attribute" here; "attributes" and "attr" are accepted too, as runs accept them.
    private static final Map<String, SearchEntity> TAG_AND_ATTRIBUTE_PREFIXES = ordered("tags", SearchEntity.TAG,
            "tag", SearchEntity.TAG, "attributes", SearchEntity.ATTRIBUTE, "attribute", SearchEntity.ATTRIBUTE,
            "attr", SearchEntity.ATTRIBUTE);

    private static final SearchRules RUNS = new SearchRules("runs", ALL_PREFIXES,
            "metrics, params, tags, attributes",
            ordered("run_id", "run_id", "run_name", "run_name", "user_id", "user_id", "status", "status",
                    "artifact_uri", "artifact_uri", "run name", "run_name", "Run name", "run_name", "Run Name",
                    "run_name"),
            ordered("start_time", "start_time", "end_time", "end_time", "created", "start_time", "Created",
                    "start_time"),
            TEXT_AND_LIST_OPS, Set.of("run_id"), false, false,
            ALL_PREFIXES, Set.of(SearchEntity.METRIC, SearchEntity.PARAM, SearchEntity.TAG, SearchEntity.ATTRIBUTE),
            "metrics, params, tags or attributes",
            ordered("run_id", "run_id", "run_name", "run_name", "user_id", "user_id", "status", "status",
                    "artifact_uri", "artifact_uri", "start_time", "start_time", "end_time", "end_time", "created",
                    "start_time", "Created", "start_time"),
            Set.of("start_time", "end_time"));

    private static final SearchRules EXPERIMENTS = new SearchRules("experiments", TAG_AND_ATTRIBUTE_PREFIXES,
            "attribute, tags", ordered("name", "name"),
            ordered("creation_time", "creation_time", "last_update_time", "last_update_time"),
            TEXT_AND_LIST_OPS, Set.of(), false, false,
            TAG_AND_ATTRIBUTE_PREFIXES, Set.of(SearchEntity.ATTRIBUTE), "attributes",
            ordered("name", "name", "experiment_id", "experiment_id", "creation_time", "creation_time",
                    "last_update_time", "last_update_time"),
            Set.of("experiment_id", "creation_time", "last_update_time"));

    private static final SearchRules REGISTERED_MODELS = new SearchRules("registered models",
            TAG_AND_ATTRIBUTE_PREFIXES, "attribute, tags", ordered("name", "name"), ordered(),
            TEXT_AND_LIST_OPS, Set.of(), false, true,
            TAG_AND_ATTRIBUTE_PREFIXES, Set.of(SearchEntity.ATTRIBUTE), "attributes",
            ordered("name", "name", "timestamp", "creation_timestamp", "creation_timestamp", "creation_timestamp",
                    "last_updated_timestamp", "last_updated_timestamp"),
            Set.of("creation_timestamp", "last_updated_timestamp"));

    private static final SearchRules MODEL_VERSIONS = new SearchRules("model versions", TAG_AND_ATTRIBUTE_PREFIXES,
            "attribute, tags", ordered("name", "name", "run_id", "run_id", "source_path", "source"),
            ordered("version_number", "version"),
            Set.of(FilterOp.EQ, FilterOp.NE, FilterOp.LIKE, FilterOp.ILIKE, FilterOp.IN), Set.of("run_id"), true,
            true, TAG_AND_ATTRIBUTE_PREFIXES, Set.of(SearchEntity.ATTRIBUTE), "attributes",
            ordered("name", "name", "version_number", "version", "creation_timestamp", "creation_timestamp",
                    "last_updated_timestamp", "last_updated_timestamp"),
            Set.of("version", "creation_timestamp", "last_updated_timestamp"));

    private static final SearchRules LOGGED_MODELS = new SearchRules("logged models", ALL_PREFIXES,
            "metrics, params, tags, attributes",
            ordered("name", "name", "model_id", "model_id", "model_type", "model_type", "status", "status",
                    "source_run_id", "source_run_id"),
            ordered("creation_timestamp", "creation_timestamp", "creation_time", "creation_timestamp",
                    "last_updated_timestamp", "last_updated_timestamp", "last_updated_time",
                    "last_updated_timestamp"),
            TEXT_AND_LIST_OPS, Set.of("name", "model_id", "model_type", "status", "source_run_id"), false, false,
            ordered("metrics", SearchEntity.METRIC), Set.of(SearchEntity.METRIC, SearchEntity.ATTRIBUTE),
            "metrics.<name> or an attribute such as creation_timestamp",
            ordered("name", "name", "model_id", "model_id", "model_type", "model_type", "status", "status",
                    "source_run_id", "source_run_id", "creation_timestamp", "creation_timestamp", "creation_time",
                    "creation_timestamp", "last_updated_timestamp", "last_updated_timestamp", "last_updated_time",
                    "last_updated_timestamp"),
            Set.of("creation_timestamp", "last_updated_timestamp"));

    static SearchRules of(Kind kind) {
        return switch (kind) {
            case RUNS -> RUNS;
            case EXPERIMENTS -> EXPERIMENTS;
            case REGISTERED_MODELS -> REGISTERED_MODELS;
            case MODEL_VERSIONS -> MODEL_VERSIONS;
            case LOGGED_MODELS -> LOGGED_MODELS;
        };
    }

    /** The attribute keys a filter may name, for messages. */
    Set<String> filterKeys() {
        Set<String> keys = new LinkedHashSet<>(textAttributes.keySet());
        keys.addAll(numberAttributes.keySet());
        return keys;
    }

    /** The comparators a clause takes: ordering ones for numbers, and for text what its entity allows. */
    Set<FilterOp> comparators(SearchEntity entity, boolean numeric) {
        return entity == SearchEntity.METRIC || numeric ? NUMBER_OPS
                : entity == SearchEntity.ATTRIBUTE ? textAttributeOps : TEXT_OPS;
    }

    /* Insertion-ordered, since messages list the valid keys in the order the tables give them. */
    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... keysAndValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
