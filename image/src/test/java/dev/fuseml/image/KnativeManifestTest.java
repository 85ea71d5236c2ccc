package dev.fuseml.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config/40-functions.yaml is kept consistent with what Quarkus' kubernetes extension generates for the functions
 * (its knative target, configured in functions/src/main/control-plane/META-INF/microprofile-config.properties,
 * written to functions/target/kubernetes/knative.yml at package): each step's Knative Service has the generated
 * Service's image, labels, scale-to-zero annotation, port, environment and Secret, and adds only its step
 * (FUSEML_FUNCTION), and the command and working directory that run it from the steps' build with its AOT cache.
 * Listed after functions in the reactor, as the image itself is.
 */
class KnativeManifestTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path GENERATED = Path.of("..", "functions", "target", "kubernetes", "knative.yml");
    private static final Path CONFIG = Path.of("..", "config", "40-functions.yaml");
    private static final List<String> STEPS = List.of("receive", "build", "train", "register", "serve");

    @Test
    void theControlPlaneRunsWithItsOwnAotCacheAsTheImagesEntrypointDoes() throws IOException {
        JsonNode deployment = documents(Path.of("..", "config", "30-control-plane.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
        List<String> command = new ArrayList<>();
        deployment.at("/spec/template/spec/containers/0/command").forEach(c -> command.add(c.asText()));
        assertThat(command).isEqualTo(ImageBuilder.command("control-plane")).isEqualTo(ImageBuilder.ENTRYPOINT);
        // the image's own working directory, where the control plane's build lives
        assertThat(ImageBuilder.home("control-plane")).isEqualTo("/app");
        assertThat(deployment.at("/spec/template/spec/containers/0").has("workingDir")).isFalse();
    }

    @Test
    void eachStepsServiceInConfigIsTheGeneratedServiceWithItsStepChosen() throws IOException {
        assertThat(GENERATED).as("build functions first (mvn package -pl functions): its knative target writes it")
                .exists();
        JsonNode generated = documents(GENERATED).stream().filter(d -> d.path("kind").asText().equals("Service"))
                .findFirst().orElseThrow();
        List<JsonNode> steps = documents(CONFIG);
        assertThat(steps).extracting(s -> s.at("/metadata/name").asText())
                .containsExactlyElementsOf(STEPS.stream().map(s -> "fuseml-" + s).toList());

        for (JsonNode step : steps) {
            String name = step.at("/metadata/name").asText();
            assertThat(step.path("apiVersion")).as(name).isEqualTo(generated.path("apiVersion"));
            assertThat(step.at("/metadata/namespace")).as(name).isEqualTo(generated.at("/metadata/namespace"));
            for (String label : List.of("app.kubernetes.io/part-of", "networking.knative.dev/visibility")) {
                assertThat(step.at("/metadata/labels").path(label)).as(name + " label " + label)
                        .isEqualTo(generated.at("/metadata/labels").path(label));
            }
            assertThat(step.at("/spec/template/metadata/annotations/autoscaling.knative.dev~1min-scale"))
                    .as(name + " scales to zero").isEqualTo(generated.at(
                            "/spec/template/metadata/annotations/autoscaling.knative.dev~1min-scale"));
            JsonNode ours = step.at("/spec/template/spec/containers/0");
            JsonNode theirs = generated.at("/spec/template/spec/containers/0");
            assertThat(ours.path("image")).as(name).isEqualTo(theirs.path("image"));
            List<String> command = new ArrayList<>();
            ours.path("command").forEach(c -> command.add(c.asText()));
            assertThat(command).as(name + " runs with its own AOT cache")
                    .isEqualTo(ImageBuilder.command(name.substring("fuseml-".length())));
            // the cache names the class path relative to where the build lives: the pod must start there
            assertThat(ours.path("workingDir").asText()).as(name + " starts in its build's directory")
                    .isEqualTo(ImageBuilder.home(name.substring("fuseml-".length())));
            assertThat(ours.path("envFrom")).as(name).isEqualTo(theirs.path("envFrom"));
            assertThat(ours.at("/ports/0/containerPort")).as(name).isEqualTo(theirs.at("/ports/0/containerPort"));
            Map<String, JsonNode> env = env(ours);
            assertThat(env.remove("FUSEML_FUNCTION").path("value").asText()).as(name)
                    .isEqualTo(name.substring("fuseml-".length()));
            assertThat(env).as(name + ": the generated environment, and only the step besides")
                    .isEqualTo(env(theirs));
        }
    }

    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new TreeMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        return env;
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    all.add(doc);
                }
            }
        }
        return all;
    }
}
