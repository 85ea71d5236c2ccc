package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the orchestrator: its URL, process id, version, and each org's broker ingress URL.")
public class StatusCommand extends FusemlCommand {
    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        JsonNode status = client().get("/api/v1/status");
        if (output.format != OutputFormat.Format.table) {
            output.print(out(), status, List.of());
            return 0;
        }
        println("FuseML " + status.path("version").asText() + " at " + status.path("url").asText() + " (pid "
                + status.path("pid").asText() + ", data in " + status.path("dataDir").asText() + ")");
        println(sandboxLine(status));
        println("Current org: " + org());
        String server = client().server();
        status.path("brokers").fields().forEachRemaining(b -> println("broker " + b.getKey() + "/default: "
                + (b.getValue().asText().startsWith("/") ? server : "") + b.getValue().asText()));
        return 0;
    }

    /** How users' code runs, as the orchestrator says: plainly, when it is not confined. */
    static String sandboxLine(JsonNode status) {
        String sandbox = status.path("sandbox").asText("");
        return sandbox.isEmpty() ? "Users' code: the orchestrator does not say how it runs (an older version)"
                : (sandbox.startsWith("none") ? "WARNING: users' code is not isolated: " : "Users' code runs in ")
                        + sandbox;
    }
}
