package dev.fuseml.eventing.payload;

import java.util.Map;

/** Data of {@code dev.fuseml.received}: the code is stored as {@code commit} of the app's codeset. */
public record Received(String commit, Map<String, String> params, String entryPoint) {
}
