package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "List the org tokens (admin only). An org token reaches one org: its apps, runs, logs, models, "
                + "codesets (git) and broker.",
        subcommands = {TokensCommand.Create.class, TokensCommand.Delete.class})
public class TokensCommand extends FusemlCommand {
    @Override
    public Integer call() {
        JsonNode tokens = client().get("/api/v1/tokens");
        if (tokens.isEmpty()) {
            println("No org tokens. Make one with 'fuseml tokens create --org ORG'.");
            return 0;
        }
        println(String.format("%-14s %-20s %-22s %s", "ID", "ORG", "CREATED", "DESCRIPTION"));
        for (JsonNode t : tokens) {
            println(String.format("%-14s %-20s %-22s %s", t.path("id").asText(), t.path("org").asText(),
                    t.path("created").asText().replaceAll("\\.\\d+Z$", "Z"), t.path("description").asText()));
        }
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Make a token that reaches only ORG, and print it (it is shown this once).")
    static class Create extends FusemlCommand {
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The one org the token reaches.")
        String org;

        @Option(names = "--description", paramLabel = "TEXT", description = "Who or what it is for.")
        String description = "";

        @Override
        public Integer call() {
            requireName("org", org);
            Map<String, String> body = new LinkedHashMap<>();
            body.put("org", org);
            body.put("description", description);
            JsonNode issued = client().post("/api/v1/tokens", body);
            println("Token " + issued.path("id").asText() + " for org " + org + " (shown this once; keep it secret):");
            println(issued.path("token").asText());
            println("Use it with: fuseml login --server " + client().server() + " --org " + org
                    + "   (reads the token from stdin)");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Revoke a token at once.")
    static class Delete extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The token's id, as 'fuseml tokens' lists it.")
        String id;

        @Override
        public Integer call() {
            if (!id.matches("tok-[0-9a-f]{8}")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid token id '" + id
                        + "': ids look like tok-0123abcd ('fuseml tokens' lists them)");
            }
            client().delete("/api/v1/tokens/" + id);
            println("Token " + id + " deleted.");
            return 0;
        }
    }
}
