package dev.fuseml.eventing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;

/**
 * The JSON Schema of each event type's data, kept in this module's resources ({@code schemas/TYPE.json}) and
 * published by the control plane at {@code /schemas/TYPE.json}; events carry that URL as their {@code dataschema}.
 * Platform teams writing their own steps read the contract there (docs/EVENTS.md explains it).
 */
public final class EventSchemas {
    /** Where the control plane serves them, relative to its URL. */
    public static final String PATH = "/schemas/";

    private EventSchemas() {
    }

    /** The schema of {@code type}, or empty when the type is not part of the contract. */
    public static Optional<byte[]> schema(String type) {
        if (!FusemlEvents.TYPES.contains(type)) {
            return Optional.empty();
        }
        try (InputStream in = EventSchemas.class.getResourceAsStream("/schemas/" + type + ".json")) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code dataschema} of {@code type} for a control plane at {@code controlPlane}. */
    public static URI uri(String controlPlane, String type) {
        return URI.create(controlPlane.replaceAll("/+$", "") + PATH + type + ".json");
    }
}
