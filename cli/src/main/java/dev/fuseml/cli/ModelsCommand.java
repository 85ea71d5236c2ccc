package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the model versions of app NAME (or of every app of the current org): which one is "
                + "served, their aliases, the version each replaced, metrics, parameters, commit and the dataset "
                + "versions DVC pins in it.",
        subcommands = {ModelsCommand.Alias.class, ModelsCommand.Unalias.class})
public class ModelsCommand extends FusemlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
    String name;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        List<String> appNames = new ArrayList<>();
        if (name != null) {
            appNames.add(requireName("app", name));
        } else {
            client().get("/api/v1/orgs/" + org() + "/apps").forEach(a -> appNames.add(a.path("name").asText()));
        }
        ArrayNode rows = OrchestratorClient.JSON.createArrayNode();
        for (String app : appNames) {
            JsonNode registry = client().get("/api/v1/orgs/" + org() + "/apps/" + app + "/registry");
            Map<Integer, List<String>> aliases = new TreeMap<>();
            registry.path("aliases").fields().forEachRemaining(e -> aliases.computeIfAbsent(e.getValue().asInt(),
                    v -> new ArrayList<>()).add(e.getKey()));
            for (JsonNode v : registry.path("versions")) {
                ObjectNode row = ((ObjectNode) v.deepCopy());
                row.put("served", v.path("version").asInt() == registry.path("served").asInt(-1));
                row.set("aliases", OrchestratorClient.JSON.valueToTree(aliases.getOrDefault(v.path("version").asInt(),
                        List.of())));
                rows.add(row);
            }
        }
        output.print(out(), rows, List.of(
                OutputFormat.Column.field("APP", "app"), OutputFormat.Column.field("VERSION", "version"),
                new OutputFormat.Column("SERVED", v -> v.path("served").asBoolean() ? "*" : ""),
                new OutputFormat.Column("ALIASES", v -> join(v.path("aliases"))),
                OutputFormat.Column.field("REPLACED", "replaced"),
                new OutputFormat.Column("COMMIT", v -> v.path("commit").asText("").substring(0,
                        Math.min(8, v.path("commit").asText("").length()))),
                new OutputFormat.Column("METRICS", v -> OutputFormat.pairs(v.path("metrics"))),
                new OutputFormat.Column("PARAMS", v -> OutputFormat.pairs(v.path("params"))),
                new OutputFormat.Column("DATA", ModelsCommand::datasets)));
        return 0;
    }

    /** The dataset versions DVC pinned in the version's commit, as {@code path@md5-prefix}. */
    static String datasets(JsonNode version) {
        List<String> all = new ArrayList<>();
        for (JsonNode d : version.path("datasets")) {
            String hash = d.hasNonNull("md5") ? d.path("md5").asText() : d.path("etag").asText("?");
            all.add(d.path("path").asText() + "@" + hash.substring(0, Math.min(8, hash.length())));
        }
        return String.join(",", all);
    }

    private static String join(JsonNode array) {
        List<String> all = new ArrayList<>();
        array.forEach(a -> all.add(a.asText()));
        return String.join(",", all);
    }


    @Command(name = "alias", mixinStandardHelpOptions = true,
            description = "Point ALIAS (e.g. champion) at VERSION of app NAME; serve it with 'fuseml serve NAME "
                    + "--alias ALIAS'.")
    static class Alias extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;

        @Parameters(index = "2", paramLabel = "VERSION")
        int version;

        @Override
        public Integer call() {
            requireName("app", name);
            requireName("alias", alias);
            client().put("/api/v1/orgs/" + org() + "/apps/" + name + "/aliases/" + alias, Map.of("version", version));
            println("Alias " + alias + " of " + name + " is version " + version);
            return 0;
        }
    }

    @Command(name = "unalias", mixinStandardHelpOptions = true, description = "Remove ALIAS of app NAME.")
    static class Unalias extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;

        @Override
        public Integer call() {
            requireName("app", name);
            requireName("alias", alias);
            client().delete("/api/v1/orgs/" + org() + "/apps/" + name + "/aliases/" + alias);
            println("Alias " + alias + " of " + name + " removed");
            return 0;
        }
    }
}
