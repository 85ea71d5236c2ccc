package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "List the runs of the current org, newest first, or those of app NAME.")
public class RunsCommand extends FusemlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Only this app's runs.")
    String name;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        String query = name == null ? "" : "?app=" + URLEncoder.encode(requireName("app", name),
                StandardCharsets.UTF_8);
        output.print(out(), client().get("/api/v1/orgs/" + org() + "/runs" + query), List.of(
                OutputFormat.Column.field("RUN", "id"), OutputFormat.Column.field("APP", "app"),
                OutputFormat.Column.field("STATUS", "status"), OutputFormat.Column.field("VERSION", "version"),
                new OutputFormat.Column("COMMIT", n -> n.path("commit").asText("").substring(0,
                        Math.min(8, n.path("commit").asText("").length()))),
                OutputFormat.Column.field("STARTED", "created"),
                new OutputFormat.Column("METRICS", n -> OutputFormat.pairs(n.path("metrics"))),
                new OutputFormat.Column("CAUSE", n -> n.hasNonNull("cause")
                        ? n.path("failedStep").asText() + ": " + n.get("cause").asText() : "")));
        return 0;
    }
}
