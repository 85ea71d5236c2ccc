package dev.fuseml.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /q/openapi} documents every REST path the resources declare, with its errors. */
@QuarkusTest
class OpenApiDocumentTest {
    @Test
    void everyResourceMethodUnderApiIsDocumented() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().asString());
        TreeSet<String> missing = new TreeSet<>();
        List<String> declared = declaredOperations();
        assertThat(declared).hasSizeGreaterThan(60); // the scan found the resources (a wrong root finds none)
        for (String op : declared) {
            String[] parts = op.split(" ", 2);
            if (doc.path("paths").path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT)).isMissingNode()) {
                missing.add(op);
            }
        }
        assertThat(missing).as("operations declared by resources but not in /q/openapi").isEmpty();
    }

    @Test
    void apiOperationsNameTheirErrorsWithTheErrorBody() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").asString());
        JsonNode get = doc.path("paths").path("/api/v1/orgs/{org}/apps/{app}").path("get");
        assertThat(get.path("responses").path("404").path("content").path("application/json").path("schema")
                .path("$ref").asText()).isEqualTo("#/components/schemas/Error");
        assertThat(get.path("responses").has("401")).isTrue();
        assertThat(get.path("security").toString()).contains("token");
        assertThat(doc.path("components").path("schemas").path("Error").path("properties").has("error")).isTrue();
        JsonNode mlflow = doc.path("paths").path("/api/2.0/mlflow/runs/create").path("post");
        assertThat(mlflow.path("responses").path("400").path("content").path("application/json").path("schema")
                .path("$ref").asText()).isEqualTo("#/components/schemas/MlflowError");
        assertThat(doc.path("paths").path("/api/v1/status").path("get").path("responses").has("401")).isFalse();
    }

    @Test
    void theDocumentIsOpenAndAlsoYaml() {
        given().get("/q/openapi").then().statusCode(200).contentType(org.hamcrest.Matchers.containsString("yaml"))
                .body(org.hamcrest.Matchers.containsString("title: FuseML API"));
    }

    /** "METHOD /path" of every JAX-RS resource method under /api, read off the compiled classes. */
    private static List<String> declaredOperations() throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of(OpenApiDocument.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        List<String> ops = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, OpenApiDocumentTest.class.getClassLoader());
                Path base = type.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    String verb = Stream.of(m.getAnnotations()).map(a -> a.annotationType().getAnnotation(
                            HttpMethod.class)).filter(java.util.Objects::nonNull).map(HttpMethod::value).findFirst()
                            .orElse(null);
                    if (verb == null) {
                        continue;
                    }
                    Path sub = m.getAnnotation(Path.class);
                    String path = ("/" + base.value() + (sub == null ? "" : "/" + sub.value()))
                            .replaceAll("/+", "/").replaceAll("(.)/$", "$1").replaceAll("\\{([^:}]+):[^}]*}", "{$1}");
                    if (path.startsWith("/api/")) {
                        ops.add(verb + " " + path);
                    }
                }
            }
        }
        return ops;
    }
}
