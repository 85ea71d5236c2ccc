package dev.fuseml.cli;

import dev.fuseml.eventing.Names;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** What every subcommand shares: the global options, the config, printing, and name checks. */
@picocli.CommandLine.Command
public abstract class FusemlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The top-level command, which holds the global options, whatever the depth of this subcommand. */
    protected GlobalOptions global() {
        return ((Fuseml) spec.root().userObject()).global;
    }

    protected CliConfig config() {
        return global().config();
    }

    protected OrchestratorClient client() {
        return global().client();
    }

    protected String org() {
        return config().currentOrg();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected void println(String line) {
        out().println(line);
        out().flush();
    }

    /** Refuses what cannot be a run id before anything is sent (exit code 2). */
    protected String requireRunId(String id) {
        if (id == null || !id.matches("[a-z0-9][-a-z0-9]{0,62}")) {
            throw new ParameterException(spec.commandLine(), "invalid run id '" + id + "': run ids are lower-case "
                    + "letters, digits and '-' ('fuseml runs' lists them)");
        }
        return id;
    }

    /** Refuses a name that is not a DNS-1123 label, with the rule (exit code 2, as for any usage error). */
    protected String requireName(String what, String name) {
        if (!Names.valid(name)) {
            throw new ParameterException(spec.commandLine(), "invalid " + what + " name '" + name + "': it must be "
                    + Names.RULE);
        }
        return name;
    }
}
