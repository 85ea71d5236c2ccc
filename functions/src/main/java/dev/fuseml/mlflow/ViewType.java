package dev.fuseml.mlflow;

/** MLflow's view types: which lifecycle stages a search shows. */
enum ViewType {
    ACTIVE_ONLY, DELETED_ONLY, ALL;

    static ViewType of(String value) {
        if (value == null || value.isEmpty()) {
            return ACTIVE_ONLY;
        }
        try {
            return valueOf(value);
        } catch (IllegalArgumentException e) {
            throw MlflowError.invalid("view type '" + value + "' is not one of ACTIVE_ONLY, DELETED_ONLY, ALL");
        }
    }

    boolean shows(String lifecycleStage) {
        return this == ALL || (this == ACTIVE_ONLY) == Experiment.ACTIVE.equals(lifecycleStage);
    }
}
