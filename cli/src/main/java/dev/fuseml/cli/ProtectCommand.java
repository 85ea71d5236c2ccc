package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "protect", mixinStandardHelpOptions = true,
        description = "Make app NAME's prediction URL require a token (printed once; a new one replaces the old), "
                + "or with --off open it again. Prediction URLs are open by default; health checks always are.")
public class ProtectCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--off", description = "Open the prediction URL again.")
    boolean off;

    @Override
    public Integer call() {
        requireName("app", name);
        String path = "/api/v1/orgs/" + org() + "/apps/" + name + "/prediction-token";
        if (off) {
            client().delete(path);
            println("Predictions of " + org() + "/" + name + " need no token any more.");
            return 0;
        }
        JsonNode issued = client().post(path, java.util.Map.of());
        println("Predictions of " + org() + "/" + name + " need this token from now on (shown this once):");
        println(issued.path("token").asText());
        println("Send it as: Authorization: Bearer TOKEN");
        return 0;
    }
}
