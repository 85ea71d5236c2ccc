package dev.fuseml.serving.local;

import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.Predictor;

import java.util.List;

/**
 * The version an app's server answers with, as KServe's model server holds its model: switched atomically, so that
 * requests go to the old version until the new one has loaded, and the old one is closed once it has answered what
 * it took.
 */
final class ModelSlot implements AutoCloseable {
    /** The version being served. */
    record Active(int version, Predictor predictor, MLModel model) {
    }

    /** Predictions and the version that made them. */
    record Answered(int version, List<Object> predictions) {
    }

    private final String name;
    private volatile Active active;

    ModelSlot(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    Integer version() {
        Active current = active;
        return current == null ? null : current.version();
    }

    boolean loaded() {
        return active != null;
    }

    /**
     * Serves {@code predictor} from now on. The one it replaces is closed in the background: it first finishes the
     * request it may be answering, and a Python process takes a few hundred milliseconds to exit.
     */
    void switchTo(int version, Predictor predictor, MLModel model) {
        Active previous = active;
        active = new Active(version, predictor, model);
        if (previous != null) {
            Thread closer = new Thread(previous.predictor()::close, "close-" + name + "-v" + previous.version());
            closer.setDaemon(true);
            closer.start();
        }
    }

    /** The active version; 503 while none has loaded. */
    Active require() {
        Active current = active;
        if (current == null) {
            throw new HttpError(503, "model '" + name + "' is not loaded yet");
        }
        return current;
    }

    /**
     * Predicts with the active version. A version switch may close the predictor a request has just taken: the
     * request then goes to the version that replaced it, so that no request fails for a switch.
     */
    Answered predict(Batch batch) throws Exception {
        while (true) {
            Active current = require();
            try {
                return new Answered(current.version(), current.predictor().predict(batch));
            } catch (Predictor.ClosedException replaced) {
                if (active == current) {
                    throw new HttpError(503, "the model is being replaced; try again");
                }
            }
        }
    }

    @Override
    public void close() {
        Active current = active;
        if (current != null) {
            current.predictor().close();
        }
    }
}
