package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "List the webhooks of the current org: git hosts whose pushes start runs.",
        subcommands = {WebhooksCommand.Add.class, WebhooksCommand.Delete.class})
public class WebhooksCommand extends FusemlCommand {
    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        output.print(out(), client().get("/api/v1/orgs/" + org() + "/webhooks"), List.of(
                OutputFormat.Column.field("ID", "id"), OutputFormat.Column.field("APP", "app"),
                OutputFormat.Column.field("PROVIDER", "provider"), OutputFormat.Column.field("BRANCH", "branch"),
                OutputFormat.Column.field("REPOSITORY", "repository"), OutputFormat.Column.field("PAYLOAD URL", "url")));
        return 0;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Make a webhook: pushes to BRANCH of the repository start runs of app NAME. Prints the "
                    + "payload URL and the secret to paste into the host's webhook settings (content type JSON).")
    static class Add extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--provider", required = true, paramLabel = "HOST", description = "github, gitea or gitlab.")
        String provider;

        @Option(names = "--repo", required = true, paramLabel = "URL",
                description = "The repository's http(s) clone URL, from which FuseML fetches the pushed commit.")
        String repository;

        @Option(names = "--branch", defaultValue = "main", description = "The branch that starts runs.")
        String branch;

        @Override
        public Integer call() {
            requireName("app", name);
            Map<String, String> body = new LinkedHashMap<>();
            body.put("app", name);
            body.put("provider", provider);
            body.put("repository", repository);
            body.put("branch", branch);
            JsonNode hook = client().post("/api/v1/orgs/" + org() + "/webhooks", body);
            println("Webhook " + hook.path("id").asText() + ": pushes to " + branch + " of " + repository
                    + " start runs of " + org() + "/" + name);
            println("Payload URL: " + hook.path("url").asText());
            println("Secret:      " + hook.path("secret").asText() + "   (shown this once)");
            println(switch (hook.path("provider").asText()) {
                case "gitlab" -> "In GitLab: Settings > Webhooks, URL and Secret token, trigger: Push events.";
                case "gitea" -> "In Gitea: Settings > Webhooks > Gitea, target URL, content type JSON, secret.";
                default -> "In GitHub: Settings > Webhooks, content type application/json, the secret, push events.";
            });
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a webhook.")
    static class Delete extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            if (!id.matches("wh-[0-9a-f]{12}")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid webhook id '" + id
                        + "': ids look like wh-0123456789ab ('fuseml webhooks' lists them)");
            }
            client().delete("/api/v1/orgs/" + org() + "/webhooks/" + id);
            println("Webhook " + id + " deleted.");
            return 0;
        }
    }
}
