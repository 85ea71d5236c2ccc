package dev.fuseml.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code /q/openapi} adds to what SmallRye reads off the resources: the errors every API path can answer, with
 * their bodies ({@link ApiError}'s {@code {"error": ...}} under {@code /api/v1}, MLflow's {@code error_code} and
 * {@code message} under {@code /api/2.0}), and the bearer token the request gate asks for. One place, because the
 * gate ({@code auth/Access}, {@code platform/BodyLimits}) answers them for all paths alike.
 */
public class OpenApiDocument implements OASFilter {
    static final String ERROR = "Error";
    static final String MLFLOW_ERROR = "MlflowError";
    static final String TOKEN = "token";
    /** Paths open without a token (auth/Access's Open scope, and webhooks, which carry a signature instead). */
    private static final java.util.List<String> OPEN = java.util.List.of("/api/v1/status", "/api/v1/webhooks/");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents() == null ? OASFactory.createComponents()
                : openAPI.getComponents();
        openAPI.setComponents(components);
        components.addSchema(ERROR, object(Map.of("error", "what went wrong and how to fix it")));
        components.addSchema(MLFLOW_ERROR, object(Map.of("error_code", "MLflow's code, e.g. "
                + "RESOURCE_DOES_NOT_EXIST", "message", "what went wrong and how to fix it")));
        components.addSecurityScheme(TOKEN, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP)
                .scheme("bearer").description("a token from `fuseml install` (admin), `fuseml tokens create` "
                        + "(an org's) or a run's own; HTTP Basic with the token as password works too (git, MLflow)"));
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/api/")) {
                item.getOperations().values().forEach(op -> addErrors(path, op));
            }
        });
    }

    private static void addErrors(String path, Operation op) {
        String schema = path.startsWith("/api/2.0/") ? MLFLOW_ERROR : ERROR;
        Map<String, String> errors = new LinkedHashMap<>();
        boolean open = OPEN.stream().anyMatch(path::startsWith);
        if (op.getRequestBody() != null || (op.getParameters() != null && !op.getParameters().isEmpty())) {
            errors.put("400", "the request is malformed: the body names the field and the rule");
        }
        if (!open) {
            errors.put("401", "no token, or one that is unknown or expired: `fuseml login` or a new token");
            errors.put("403", "the token does not reach this org, app or run");
            op.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(TOKEN));
        } else if (path.startsWith("/api/v1/webhooks/")) {
            errors.put("401", "the signature does not match the webhook's secret");
        }
        if (path.contains("{")) {
            errors.put("404", "the org, app, run or object named in the path does not exist");
        }
        if (op.getRequestBody() != null) {
            errors.put("413", "the body is larger than this path takes (the limit is in the message)");
        }
        APIResponses responses = op.getResponses() == null ? OASFactory.createAPIResponses() : op.getResponses();
        op.setResponses(responses);
        errors.forEach((code, description) -> {
            // SmallRye adds a bare "400 Bad Request" to operations with a body: the gate's answer has one
            if (!responses.hasAPIResponse(code) || responses.getAPIResponse(code).getContent() == null) {
                responses.addAPIResponse(code, error(description, schema));
            }
        });
    }

    private static APIResponse error(String description, String schema) {
        return OASFactory.createAPIResponse().description(description).content(OASFactory.createContent()
                .addMediaType("application/json", OASFactory.createMediaType().schema(OASFactory.createSchema()
                        .ref(schema))));
    }

    private static Schema object(Map<String, String> fields) {
        Schema schema = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT);
        new java.util.TreeMap<>(fields).forEach((name, description) -> schema.addProperty(name,
                OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description)));
        return schema;
    }
}
