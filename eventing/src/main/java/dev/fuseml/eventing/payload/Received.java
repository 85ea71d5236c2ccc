package dev.fuseml.eventing.payload;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.received}: the code at {@code commit} is a project FuseML can run.
 *
 * @param commit  the commit id the ref of the push resolved to
 * @param params  every parameter of the entry point, defaults filled in
 * @param command the command that training will run, for the log and for steps that want to know
 * @param serveTarget the app's model server on a cluster for this push ({@code fuseml push --serve-target}), or
 *                    null for the project's choice
 */
public record Received(String repository, String commit, Map<String, String> params, String entryPoint,
        String command, @JsonInclude(JsonInclude.Include.NON_NULL) String serveTarget) {
    public Received(String repository, String commit, Map<String, String> params, String entryPoint,
            String command) {
        this(repository, commit, params, entryPoint, command, null);
    }
}
