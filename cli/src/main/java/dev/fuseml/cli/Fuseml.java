package dev.fuseml.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code fuseml} command. */
@Command(name = "fuseml", mixinStandardHelpOptions = true, version = "fuseml 0.1.0",
        description = "Push ML code; FuseML stores it, builds its environment, trains it, registers the model and "
                + "serves it behind a prediction URL.",
        subcommands = {CommandLine.HelpCommand.class, InstallCommand.class, UninstallCommand.class,
                PushCommand.class, AppsCommand.class, RunsCommand.class, LogsCommand.class, DeleteCommand.class,
                CreateOrgCommand.class, OrgsCommand.class, TargetCommand.class, StatusCommand.class, TriggersCommand.class, EventsCommand.class,
                GcCommand.class, WarmUpCommand.class, TokensCommand.class, LoginCommand.class, ProtectCommand.class, FollowCommand.class, ModelsCommand.class,
                ServeCommand.class, ServeCommand.Rollback.class, GitCredentialCommand.class,
                WebhooksCommand.class, ExtensionsCommand.class, UiCommand.class, CompletionCommand.class})
public class Fuseml implements Runnable {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        return commandLine(OrchestratorClient::new);
    }

    /** @param clients how commands reach the orchestrator: a test's fake, or the real client */
    public static CommandLine commandLine(ClientFactory clients) {
        Fuseml root = new Fuseml();
        CommandLine cli = new CommandLine(root);
        root.global.clients = clients;
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof CliException) {
                command.getErr().println("error: " + e.getMessage());
                command.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
