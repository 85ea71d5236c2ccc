package dev.fuseml.serving;

/** Puts a model version behind the app's prediction URL. */
public interface Deployer {
    /** What to serve, by reference: the model's artifact URI and the environment it was trained in. */
    record ServeRequest(String org, String app, int version, String modelUri, String environment, String run) {
    }

    /** Where the app is served: the V2 infer URL, stable across versions (and, locally, restarts). */
    record Deployment(String url) {
    }

    /**
     * Serves the version; the version served before keeps answering until the new one is ready. Returns when the new
     * version answers.
     *
     * @throws dev.fuseml.step.StepFailure when the model cannot be served (the message says why)
     */
    Deployment deploy(ServeRequest request) throws Exception;

    /** Stops serving the app and forgets it; returns when its endpoint no longer answers. */
    void remove(String org, String app) throws Exception;

    /**
     * From now on the app's prediction URL requires the token whose SHA-256 is {@code tokenSha256} (hex), or no
     * token when it is null; kept across versions and restarts.
     */
    void protect(String org, String app, String tokenSha256) throws Exception;
}
