package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Map;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve an earlier version of app NAME without retraining: a run of its own (see 'fuseml "
                + "runs'), which goes through the chain's registered and served events like a push's.")
public class ServeCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    static class Which {
        @Option(names = "--version", paramLabel = "N", description = "The version to serve.")
        Integer version;

        @Option(names = "--alias", paramLabel = "ALIAS", description = "The version an alias names.")
        String alias;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "How long to follow the run.")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        requireName("app", name);
        return start(which.version != null ? Map.of("version", which.version) : Map.of("alias",
                requireName("alias", which.alias)));
    }

    /** Starts the serving run and follows it; shared with {@code fuseml rollback}. */
    Integer start(Map<String, Object> request) throws InterruptedException {
        long started = System.nanoTime();
        JsonNode run = client().post("/api/v1/orgs/" + org() + "/apps/" + name + "/serve", request);
        println("Serving version " + run.path("version").asInt() + " of " + org() + "/" + name + ", run "
                + run.path("run").asText());
        return new RunFollower(client(), out()).follow(run.path("run").asText(), timeout, started);
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Serve again the version that the served version of app NAME replaced.")
    public static class Rollback extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--timeout", defaultValue = "PT10M", description = "How long to follow the run.")
        Duration timeout;

        @Override
        public Integer call() throws InterruptedException {
            ServeCommand serve = new ServeCommand();
            serve.spec = spec;
            serve.name = requireName("app", name);
            serve.timeout = timeout;
            return serve.start(Map.of("rollback", true));
        }
    }
}
