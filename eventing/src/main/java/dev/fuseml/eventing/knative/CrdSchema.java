package dev.fuseml.eventing.knative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The openAPIV3Schema of a Knative CRD (version v1), checking a resource's structure as the Kubernetes API server
 * does with strict field validation: types, required fields, and fields the schema does not know (except under
 * {@code x-kubernetes-preserve-unknown-fields}). Kubernetes' own top-level fields (apiVersion, kind, metadata) are
 * left to the caller.
 */
public final class CrdSchema {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final String kind;
    private final JsonNode schema;

    private CrdSchema(String kind, JsonNode schema) {
        this.kind = kind;
        this.schema = schema;
    }

    /** Loads {@code /knative-crds/NAME} from the classpath. */
    public static CrdSchema load(String resource) {
        try (InputStream in = CrdSchema.class.getResourceAsStream("/knative-crds/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing CRD resource " + resource);
            }
            JsonNode crd = YAML.readTree(in);
            for (JsonNode version : crd.path("spec").path("versions")) {
                if ("v1".equals(version.path("name").asText())) {
                    return new CrdSchema(crd.path("spec").path("names").path("kind").asText(),
                            version.path("schema").path("openAPIV3Schema"));
                }
            }
            throw new IllegalStateException(resource + " has no v1 schema");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema of {@code version} in a CustomResourceDefinition read elsewhere (another project's CRD file). */
    public static CrdSchema of(JsonNode crd, String version) {
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (version.equals(v.path("name").asText())) {
                return new CrdSchema(crd.path("spec").path("names").path("kind").asText(),
                        v.path("schema").path("openAPIV3Schema"));
            }
        }
        throw new IllegalStateException(crd.path("metadata").path("name").asText() + " has no " + version
                + " schema");
    }

    public String kind() {
        return kind;
    }

    /** Every violation, as "field: reason"; empty when the resource fits. */
    public List<String> validate(JsonNode resource) {
        List<String> errors = new ArrayList<>();
        for (Iterator<String> it = resource.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (List.of("apiVersion", "kind", "metadata").contains(field)) {
                continue;
            }
            JsonNode property = schema.path("properties").get(field);
            if (property == null) {
                errors.add(field + ": unknown field (" + kind + " has " + names(schema.path("properties")) + ")");
            } else {
                check(resource.get(field), property, field, errors);
            }
        }
        return errors;
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> errors) {
        if (value.isNull()) {
            return;
        }
        String type = schema.path("type").asText("");
        boolean typeOk = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
        if (!typeOk) {
            errors.add(path + ": must be " + article(type) + ", got " + describe(value));
            return;
        }
        if (value.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    errors.add(path + "." + required.asText() + ": required");
                }
            }
            JsonNode properties = schema.path("properties");
            boolean open = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    || schema.has("additionalProperties");
            for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                JsonNode property = properties.get(field);
                if (property != null) {
                    check(value.get(field), property, path + "." + field, errors);
                } else if (!open && properties.size() > 0) {
                    errors.add(path + "." + field + ": unknown field (known: " + names(properties) + ")");
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(value.get(i), schema.get("items"), path + "[" + i + "]", errors);
            }
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) {
                found |= a.equals(value);
            }
            if (!found) {
                errors.add(path + ": must be one of " + allowed);
            }
        }
    }

    private static String article(String type) {
        return (type.startsWith("a") || type.startsWith("i") || type.startsWith("o") ? "an " : "a ") + type;
    }

    private static String describe(JsonNode value) {
        return value.isTextual() ? "the string '" + value.asText() + "'" : value.getNodeType().name().toLowerCase()
                + " " + value;
    }

    private static List<String> names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
