package dev.fuseml.serving;

import dev.fuseml.app.App;
import dev.fuseml.registry.ModelVersion;

/** Puts a model version behind the app's prediction URL. */
public interface Deployer {
    /** Where an app is served: the infer URL and the port that keeps it stable across versions. */
    record Deployment(String url, int port) {
    }

    /**
     * Serves {@code version}; the version served before keeps answering until the new one is ready. Returns when
     * the new version answers.
     */
    Deployment deploy(App app, ModelVersion version) throws Exception;

    /** Stops serving the app; returns when its endpoint no longer answers. */
    void remove(String org, String app);
}
