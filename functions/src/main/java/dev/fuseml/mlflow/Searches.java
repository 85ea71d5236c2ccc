package dev.fuseml.mlflow;

import java.util.Comparator;
import java.util.List;

/** {@link SearchFilter} for the endpoints: its refusals as MLflow's INVALID_PARAMETER_VALUE. */
final class Searches {
    private Searches() {
    }

    static SearchFilter filter(SearchFilter.Kind kind, String filter) {
        try {
            return SearchFilter.parse(kind, filter);
        } catch (IllegalArgumentException e) {
            throw MlflowError.invalid(e.getMessage());
        }
    }

    /** The request's order, else {@code defaults}. */
    static Comparator<SearchFilter.Subject> order(SearchFilter.Kind kind, List<String> orderBy,
            List<String> defaults) {
        try {
            return SearchFilter.orderBy(kind, orderBy == null || orderBy.isEmpty() ? defaults : orderBy);
        } catch (IllegalArgumentException e) {
            throw MlflowError.invalid(e.getMessage());
        }
    }

    /** The sources of the subjects that pass {@code filter}, in {@code order}, ties broken by {@code ties}. */
    static <T> List<T> select(java.util.stream.Stream<Subjects<T>> subjects, SearchFilter filter,
            Comparator<SearchFilter.Subject> order, Comparator<T> ties) {
        Comparator<Subjects<T>> ordered = order::compare;
        return subjects.filter(filter::test).sorted(ordered.thenComparing(Subjects::source, ties))
                .map(Subjects::source).toList();
    }
}
