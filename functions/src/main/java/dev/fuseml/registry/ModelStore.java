package dev.fuseml.registry;

import dev.fuseml.eventing.payload.Trained;

import java.util.List;
import java.util.Optional;

/** Versions of each app's model. */
public interface ModelStore {
    /** Stores the trained model as the app's next version; registering the same run again returns its version. */
    ModelVersion register(String org, String app, String run, Trained trained) throws Exception;

    Optional<ModelVersion> get(String org, String app, int version);

    List<ModelVersion> list(String org, String app);

    void delete(String org, String app);
}
