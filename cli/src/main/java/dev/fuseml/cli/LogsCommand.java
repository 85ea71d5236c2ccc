package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print the log of app NAME's latest run (or of --run ID): each step, pip, and the training "
                + "process's output.")
public class LogsCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--run", paramLabel = "ID", description = "A particular run (see 'fuseml runs').")
    String run;

    @Override
    public Integer call() {
        requireName("app", name);
        if (run != null) {
            requireRunId(run);
        }
        OrchestratorClient client = client();
        String id = run;
        if (id == null) {
            JsonNode runs = client.get("/api/v1/orgs/" + org() + "/runs?app=" + name);
            if (runs.isEmpty()) {
                throw new CliException("app '" + name + "' has no runs in org '" + org() + "'");
            }
            id = runs.get(0).path("id").asText();
        }
        out().print(TerminalText.safe(client.text("/api/v1/runs/" + id + "/log")));
        out().flush();
        return 0;
    }
}
