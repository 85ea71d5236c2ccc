package dev.fuseml.eventing.payload;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.push}: a commit of an app's codeset is to go through the chain.
 *
 * @param repository the codeset's git repository, a URL any step can clone or fetch from
 * @param commit     the commit (or a ref such as {@code refs/heads/main}) to run
 * @param params     training parameter overrides ({@code -P key=value})
 * @param entryPoint MLproject entry point to run; {@code main} when null
 * @param serveTarget the app's model server on a cluster for this push ({@code fuseml push --serve-target}), or
 *                    null for the project's choice
 */
public record Push(String repository, String commit, Map<String, String> params, String entryPoint,
        @JsonInclude(JsonInclude.Include.NON_NULL) String serveTarget) {
    /** The model servers an app can have on a cluster ({@code fuseml push --serve-target}, the schemas' enum). */
    public static final java.util.List<String> SERVE_TARGETS = java.util.List.of("knative", "kserve", "seldon");

    /** A push that leaves the model server to the project (and the cluster). */
    public Push(String repository, String commit, Map<String, String> params, String entryPoint) {
        this(repository, commit, params, entryPoint, null);
    }
}
