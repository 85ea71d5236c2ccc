package dev.fuseml.eventing.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.eventing.cesql.CesqlParseException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads Knative's {@code spec.filter} and {@code spec.filters} into a {@link Filter}, naming the field at fault. */
public final class Filters {
    static final Set<String> DIALECTS = Set.of("exact", "prefix", "suffix", "all", "any", "not", "cesql");

    private Filters() {
    }

    /**
     * {@code spec.filters} wins over {@code spec.filter} when both are set, as in Knative.
     *
     * @throws IllegalArgumentException naming the field and the reason
     */
    public static Filter fromSpec(JsonNode spec) {
        JsonNode filters = spec.path("filters");
        if (filters.isArray() && !filters.isEmpty()) {
            return new Filter.All(list(filters, "spec.filters"));
        }
        JsonNode attributes = spec.path("filter").path("attributes");
        if (attributes.isObject() && !attributes.isEmpty()) {
            return new Filter.Exact(strings(attributes, "spec.filter.attributes", true));
        }
        return Filter.ALL_EVENTS;
    }

    private static List<Filter> list(JsonNode array, String field) {
        if (!array.isArray()) {
            throw new IllegalArgumentException(field + ": must be a list of filters");
        }
        List<Filter> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(one(array.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(out);
    }

    static Filter one(JsonNode node, String field) {
        if (!node.isObject() || node.size() != 1) {
            throw new IllegalArgumentException(field + ": a filter has exactly one of " + DIALECTS.stream().sorted()
                    .toList() + ", got " + (node.isObject() ? fieldNames(node) : node.getNodeType()));
        }
        String dialect = node.fieldNames().next();
        JsonNode value = node.get(dialect);
        String at = field + "." + dialect;
        return switch (dialect) {
            case "exact" -> new Filter.Exact(strings(value, at, true));
            case "prefix" -> new Filter.Prefix(strings(value, at, false));
            case "suffix" -> new Filter.Suffix(strings(value, at, false));
            case "all" -> new Filter.All(list(value, at));
            case "any" -> new Filter.Any(list(value, at));
            case "not" -> new Filter.Not(one(value, at));
            case "cesql" -> {
                if (!value.isTextual() || value.asText().isBlank()) {
                    throw new IllegalArgumentException(at + ": must be a CESQL expression string");
                }
                try {
                    yield Filter.Sql.of(value.asText());
                } catch (CesqlParseException e) {
                    throw new IllegalArgumentException(at + ": " + e.getMessage());
                }
            }
            default -> throw new IllegalArgumentException(field + ": unknown filter dialect '" + dialect
                    + "'; use one of " + DIALECTS.stream().sorted().toList());
        };
    }

    private static Map<String, String> strings(JsonNode object, String field, boolean emptyValuesAllowed) {
        if (!object.isObject() || object.isEmpty()) {
            throw new IllegalArgumentException(field + ": must map attribute names to values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": must be a string");
            }
            if (!emptyValuesAllowed && e.getValue().asText().isEmpty()) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": must not be empty");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
