package dev.fuseml.mlflow;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * MLflow's search filter strings ({@code metrics.rmse < 1 AND params.model = 'cnn'}) and order_by clauses
 * ({@code metrics.rmse DESC}), parsed and evaluated in memory for each kind of entity MLflow searches, with the
 * identifiers, comparators and value types MLflow's {@code mlflow/utils/search_utils.py} allows for that kind
 * ({@link SearchRules}).
 *
 * <p>A parsed filter is immutable and may be shared between threads.
 */
public final class SearchFilter {
    public enum Kind { RUNS, EXPERIMENTS, REGISTERED_MODELS, MODEL_VERSIONS, LOGGED_MODELS }

    /** What a filter is evaluated against; absent values return empty. */
    public interface Subject {
        /** The latest value of a metric. */
        Optional<Double> metric(String key);

        Optional<String> param(String key);

        Optional<String> tag(String key);

        /**
         * An attribute by MLflow's canonical name: a String, Long or Double, or empty. The names asked for, per kind:
         * <ul>
         * <li>RUNS: run_id, run_name, user_id, status, artifact_uri, start_time, end_time</li>
         * <li>EXPERIMENTS: name, creation_time, last_update_time, experiment_id (order_by only)</li>
         * <li>REGISTERED_MODELS: name, creation_timestamp, last_updated_timestamp (the last two order_by only)</li>
         * <li>MODEL_VERSIONS: name, version, run_id, source, creation_timestamp, last_updated_timestamp (the last two
         * order_by only); filters say {@code version_number} and {@code source_path}, the entity's fields are
         * {@code version} and {@code source}</li>
         * <li>LOGGED_MODELS: name, model_id, model_type, status, source_run_id, creation_timestamp,
         * last_updated_timestamp</li>
         * </ul>
         * Timestamps and versions may be given as numbers or as numeric strings.
         */
        Optional<Object> attribute(String name);
    }

    static final int MAX_LENGTH = 10_000;
    static final int MAX_CLAUSES = 100;

    private final Kind kind;
    private final List<FilterClause> clauses;

    private SearchFilter(Kind kind, List<FilterClause> clauses) {
        this.kind = kind;
        this.clauses = clauses;
    }

    /**
     * Parses; blank or null means "everything". Throws IllegalArgumentException whose message names the problem and
     * the expected form (it is sent to users as INVALID_PARAMETER_VALUE).
     */
    public static SearchFilter parse(Kind kind, String filter) {
        Objects.requireNonNull(kind, "kind");
        if (filter == null || filter.isBlank()) {
            return new SearchFilter(kind, List.of());
        }
        if (filter.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Filter string is too long (" + filter.length()
                    + " characters); the limit is " + MAX_LENGTH + " characters");
        }
        return new SearchFilter(kind, new FilterParser(SearchRules.of(kind), filter).clauses());
    }

    public boolean test(Subject s) {
        for (FilterClause clause : clauses) {
            if (!clause.test(s)) {
                return false;
            }
        }
        return true;
    }

    /**
     * An order_by list as MLflow takes it ("metrics.rmse DESC", "attributes.start_time", "name ASC"); returns a
     * Comparator; ties are left to the caller (use thenComparing). Null/empty list gives a comparator that keeps
     * order. Unknown keys: IllegalArgumentException. Missing values sort last in either direction, as MLflow does for
     * runs (and a NaN metric just before them).
     */
    public static Comparator<Subject> orderBy(Kind kind, List<String> orderBy) {
        Objects.requireNonNull(kind, "kind");
        return SearchOrder.of(SearchRules.of(kind), orderBy);
    }

    @Override
    public String toString() {
        return "SearchFilter[" + kind + ", " + clauses + "]";
    }
}
