package dev.fuseml.run;

import com.fasterxml.jackson.databind.JsonNode;

/** An event a step took or emitted, kept with the run so that the step can be replayed or answered again. */
public record StoredEvent(String type, JsonNode data) {
}
