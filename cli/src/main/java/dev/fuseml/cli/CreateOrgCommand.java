package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;

@Command(name = "create-org", mixinStandardHelpOptions = true,
        description = "Create an org (apps are grouped in orgs; each has its own broker).")
public class CreateOrgCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        requireName("org", name);
        client().post("/api/v1/orgs", Map.of("name", name));
        println("Org " + name + " exists; use it with 'fuseml target " + name + "'");
        return 0;
    }
}
