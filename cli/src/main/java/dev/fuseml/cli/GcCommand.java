package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = "Remove the Python environments that no kept model version was trained in (those built in "
                + "the last hour stay: a run may be using them). Runs and versions beyond what each app keeps are "
                + "removed as runs end (fuseml.retention-runs, fuseml.retention-versions).")
public class GcCommand extends FusemlCommand {
    @Override
    public Integer call() {
        JsonNode collected = client().post("/api/v1/gc", java.util.Map.of());
        JsonNode removed = collected.path("environments");
        if (removed.isEmpty()) {
            println("Nothing to remove: every environment is in use or was built in the last hour");
        } else {
            removed.forEach(env -> println("removed " + env.asText()));
            println(String.format("freed %.1f MiB", collected.path("bytes").asLong() / 1048576.0));
        }
        return 0;
    }
}
