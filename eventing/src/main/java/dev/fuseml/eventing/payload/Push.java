package dev.fuseml.eventing.payload;

import java.util.Map;

/**
 * Data of {@code dev.fuseml.push}: code for an app is waiting to be received.
 *
 * @param upload     id of the archive the CLI uploaded to the orchestrator
 * @param params     training parameter overrides ({@code -P key=value})
 * @param entryPoint MLproject entry point to run; {@code main} when null
 */
public record Push(String upload, Map<String, String> params, String entryPoint) {
}
