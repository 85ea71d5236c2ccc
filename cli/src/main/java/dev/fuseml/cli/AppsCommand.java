package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

@Command(name = "apps", mixinStandardHelpOptions = true, description = "List the apps of the current org.")
public class AppsCommand extends FusemlCommand {
    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        output.print(out(), client().get("/api/v1/orgs/" + org() + "/apps"), List.of(
                OutputFormat.Column.field("NAME", "name"), OutputFormat.Column.field("VERSION", "version"),
                OutputFormat.Column.field("STATUS", "status"), OutputFormat.Column.field("LAST RUN", "lastRun"),
                OutputFormat.Column.field("URL", "url"),
                new OutputFormat.Column("TOKEN", app -> app.path("tokenRequired").asBoolean() ? "required" : "-"),
                OutputFormat.Column.field("CODESET (git clone/push)", "codeset"),
                new OutputFormat.Column("BRANCH", app -> app.path("branch").asText("main"))));
        return 0;
    }
}
