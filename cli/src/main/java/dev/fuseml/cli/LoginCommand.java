package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Use an orchestrator someone else installed: store its URL and a token (read from stdin, never "
                + "an argument, so that it stays out of shell history and process lists) in the config.")
public class LoginCommand extends FusemlCommand {
    @Option(names = "--server", required = true, paramLabel = "URL", description = "The orchestrator's URL.")
    String server;

    @Option(names = "--org", paramLabel = "ORG", description = "The org to act on (the token's org).")
    String org;

    @Override
    public Integer call() throws IOException {
        if (!server.matches("https?://[A-Za-z0-9.\\[\\]:-]+(:\\d+)?/?")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid --server '" + server
                    + "': give an http(s) URL such as http://127.0.0.1:8080");
        }
        if (org != null) {
            requireName("org", org);
        }
        String token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (token == null || token.isBlank() || token.length() > 512) {
            throw new CliException("no token on stdin: pipe it in, e.g. 'fuseml login --server URL < token-file'");
        }
        OrchestratorClient client = new OrchestratorClient(server, token.strip());
        String who = client.get("/api/v1/whoami").path("org").asText(null);
        CliConfig updated = new CliConfig(client.server(), org != null ? org : who != null ? who : config().org(),
                null, null, token.strip());
        updated.save(global().configPath());
        println("Logged in to " + client.server() + (who != null ? " with a token of org " + who
                : " with a token that reaches every org") + "; current org: " + updated.currentOrg());
        return 0;
    }
}
