package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "follow", mixinStandardHelpOptions = true,
        description = "Make app NAME follow BRANCH: from now on a git push (or a host's webhook) to BRANCH starts a "
                + "run, pushes to other branches are only stored, and 'fuseml push' commits there. The default is "
                + "main. It is the codeset's HEAD, so a clone checks BRANCH out.")
public class FollowCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "BRANCH")
    String branch;

    @Override
    public Integer call() {
        requireName("app", name);
        client().put("/api/v1/orgs/" + org() + "/apps/" + name + "/branch", java.util.Map.of("branch", branch));
        println(org() + "/" + name + " follows " + branch + ": pushes to it start runs");
        return 0;
    }
}
