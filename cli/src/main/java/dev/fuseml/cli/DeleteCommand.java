package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete app NAME: stop its prediction server, remove its models, runs and codeset.")
public class DeleteCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
        requireName("app", name);
        client().delete("/api/v1/orgs/" + org() + "/apps/" + name);
        println("Deleted app " + org() + "/" + name);
        return 0;
    }
}
