package dev.fuseml.mlflow;

import java.util.Optional;

/** What a filter clause or an order_by key is about: one of a subject's metrics, params, tags or attributes. */
enum SearchEntity {
    METRIC("metric"), PARAM("parameter"), TAG("tag"), ATTRIBUTE("attribute"), DATASET("dataset");

    /** The entity as messages name it. */
    final String label;

    SearchEntity(String label) {
        this.label = label;
    }

    /**
     * The subject's value for {@code key} (an attribute's canonical name), or null when it has none. Datasets never
     * get here: the parser refuses them.
     */
    Object valueIn(SearchFilter.Subject s, String key) {
        Optional<?> value = switch (this) {
            case METRIC -> s.metric(key);
            case PARAM -> s.param(key);
            case TAG -> s.tag(key);
            default -> s.attribute(key);
        };
        // a subject that answers null rather than empty still means "absent"
        return value == null ? null : value.orElse(null);
    }
}
