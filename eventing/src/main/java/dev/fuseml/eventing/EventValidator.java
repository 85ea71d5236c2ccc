package dev.fuseml.eventing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks event data against the contract's schemas ({@link EventSchemas}). Needs the optional
 * {@code com.networknt:json-schema-validator} on the class path, which the CLI leaves out.
 */
public final class EventValidator {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> COMPILED = new ConcurrentHashMap<>();

    private EventValidator() {
    }

    /** What is wrong with {@code data} as the data of a {@code type} event, a line per problem; empty when none. */
    public static List<String> problems(String type, JsonNode data) {
        byte[] schema = EventSchemas.schema(type).orElseThrow(() -> new IllegalArgumentException(
                "'" + type + "' is not an event type of the FuseML contract " + FusemlEvents.TYPES));
        Schema compiled = COMPILED.computeIfAbsent(type, t -> REGISTRY.getSchema(new String(schema,
                StandardCharsets.UTF_8), InputFormat.JSON));
        List<String> problems = new ArrayList<>();
        for (Error error : compiled.validate(data == null ? NullNode.getInstance() : data)) {
            problems.add(error.getInstanceLocation() + ": " + error.getMessage());
        }
        return problems;
    }
}
