package dev.fuseml.serving;

import java.util.List;

/** Something that turns rows into predictions: one model version. */
public interface Predictor extends AutoCloseable {
    /** The predictor was closed (replaced by a new version) before it took the request: ask the current one. */
    class ClosedException extends java.io.IOException {
        public ClosedException() {
            super("this predictor was replaced");
        }
    }

    /**
     * @throws BadRequestException when the rows do not fit the model (wrong number of features, wrong types)
     */
    List<Object> predict(Batch batch) throws Exception;

    /** Whether it can still answer: false once a worker process behind it has died (a pool then replaces it). */
    default boolean alive() {
        return true;
    }

    @Override
    void close();
}
