package dev.fuseml.eventing.payload;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.received}: the code at {@code commit} is a project FuseML can run.
 *
 * @param commit  the commit id the ref of the push resolved to
 * @param params  every parameter of the entry point, defaults filled in
 * @param command the command that training will run, for the log and for steps that want to know
 */
public record Received(String repository, String commit, Map<String, String> params, String entryPoint,
        String command) {
}
