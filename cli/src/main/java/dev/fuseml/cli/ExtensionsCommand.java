package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The extension registry: tools a team already runs (MLflow, S3, KServe, Seldon, DVC remotes, Determined). */
@Command(name = "extensions", mixinStandardHelpOptions = true,
        description = "List the extensions the current org (or --org) may use: its own and the global ones. "
                + "Credentials are never shown, only whether some are stored.",
        subcommands = {ExtensionsCommand.Add.class, ExtensionsCommand.Delete.class})
public class ExtensionsCommand extends FusemlCommand {
    @Mixin
    ExtensionScope scope;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        String path = scope.path(this);
        JsonNode listing = client().get(path);
        output.print(out(), listing.path("extensions"), List.of(OutputFormat.Column.field("NAME", "name"),
                OutputFormat.Column.field("ORG", "org"), OutputFormat.Column.field("KIND", "kind"),
                OutputFormat.Column.field("URL", "url"),
                new OutputFormat.Column("CREDENTIALS", n -> n.path("credentials").asBoolean() ? "stored" : "-"),
                OutputFormat.Column.field("DESCRIPTION", "description")));
        if (output.format == OutputFormat.Format.table && !scope.global) {
            // what the platform has installed and nobody registered yet (a cluster's KServe, Seldon, MLflow)
            JsonNode detected = client().find(path + "/detected").map(d -> d.path("detected"))
                    .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
            if (detected.size() > 0) {
                println("");
                println("Found installed, not registered (fuseml extensions add registers one):");
                for (JsonNode d : detected) {
                    String url = d.path("url").asText("");
                    println("  " + TerminalText.safe(d.path("name").asText()) + " (" + d.path("kind").asText() + ", "
                            + TerminalText.safe(d.path("evidence").asText()) + "): fuseml extensions add "
                            + TerminalText.safe(d.path("name").asText()) + " --kind " + d.path("kind").asText()
                            + " --url " + (url.isEmpty() ? "URL" : TerminalText.safe(url)));
                }
            }
        }
        return 0;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register a tool: an existing MLflow tracking server, an S3 store, KServe, Seldon Core, a DVC "
                    + "remote or Determined. Adding a NAME again replaces it.")
    static class Add extends FusemlCommand {
        /** Made when a credentials file is read, not when picocli builds the command tree ({@code --help}). */
        private static final class Yaml {
            static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
        }

        @Parameters(index = "0", paramLabel = "NAME", description = "A DNS-1123 label, such as team-mlflow.")
        String name;

        @Option(names = "--kind", required = true, paramLabel = "KIND",
                description = "mlflow, s3, kserve, seldon, dvc-remote or determined.")
        String kind;

        @Option(names = "--url", required = true, paramLabel = "URL", description = "Where the tool answers.")
        String url;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--credentials-file", paramLabel = "FILE",
                description = "A YAML or JSON map of the tool's keys and secrets (e.g. username: ..., password: "
                        + "...); stored encrypted, given only to the steps that use the tool, never shown.")
        Path credentialsFile;

        @Mixin
        ExtensionScope scope;

        @Override
        public Integer call() throws Exception {
            requireName("extension", name);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("kind", kind);
            body.put("url", url);
            body.put("description", description);
            if (credentialsFile != null) {
                body.put("credentials", credentials(credentialsFile));
            }
            JsonNode added = client().post(scope.path(this), body);
            println("Extension " + added.path("name").asText() + " (" + added.path("kind").asText() + ", "
                    + added.path("url").asText() + ") registered in " + ("*".equals(added.path("org").asText())
                    ? "the global registry" : "org " + added.path("org").asText())
                    + (added.path("credentials").asBoolean() ? " with its credentials (stored encrypted)" : ""));
            return 0;
        }

        private Map<String, String> credentials(Path file) throws Exception {
            if (!Files.isRegularFile(file) || Files.size(file) > 16 * 1024) {
                throw new CliException("--credentials-file " + file + " is not a file of at most 16 KiB");
            }
            JsonNode map = Yaml.MAPPER.readTree(file.toFile());
            if (map == null || !map.isObject()) {
                throw new CliException("--credentials-file " + file + " must be a map of names to values, such as "
                        + "'username: ml' and 'password: ...' on lines of their own");
            }
            Map<String, String> credentials = new LinkedHashMap<>();
            map.fields().forEachRemaining(e -> {
                if (!e.getValue().isValueNode()) {
                    throw new CliException("--credentials-file " + file + ": '" + e.getKey() + "' must be a plain "
                            + "value, not a list or a map");
                }
                credentials.put(e.getKey(), e.getValue().asText());
            });
            return credentials;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove an extension and its credentials.")
    static class Delete extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        ExtensionScope scope;

        @Override
        public Integer call() {
            requireName("extension", name);
            client().delete(scope.path(this) + "/" + name);
            println("Extension " + name + " deleted.");
            return 0;
        }
    }
}
