package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "target", mixinStandardHelpOptions = true,
        description = "Print the current org, or make NAME the current org.")
public class TargetCommand extends FusemlCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        if (name == null) {
            println(org());
            return 0;
        }
        requireName("org", name);
        boolean exists = false;
        for (JsonNode org : client().get("/api/v1/orgs")) {
            exists |= name.equals(org.path("name").asText());
        }
        if (!exists) {
            throw new CliException("org '" + name + "' does not exist: create it with 'fuseml create-org " + name
                    + "'");
        }
        config().withOrg(name).save(global().configPath());
        println("Current org: " + name);
        return 0;
    }
}
