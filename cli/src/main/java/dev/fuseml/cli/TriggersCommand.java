package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@Command(name = "triggers", mixinStandardHelpOptions = true,
        description = "List the broker's triggers with their status; 'triggers apply FILE' adds Knative Broker and "
                + "Trigger resources (eventing.knative.dev/v1 YAML, as kubectl takes them).",
        subcommands = {TriggersCommand.Apply.class, TriggersCommand.Delete.class})
public class TriggersCommand extends FusemlCommand {
    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        output.print(out(), client().get("/api/v1/triggers"), List.of(
                OutputFormat.Column.field("ORG", "namespace"), OutputFormat.Column.field("NAME", "name"),
                new OutputFormat.Column("READY", n -> n.path("ready").asBoolean() ? "True" : "False"),
                OutputFormat.Column.field("SUBSCRIBER", "subscriber"),
                new OutputFormat.Column("FILTER", n -> n.path("filter").toString()),
                OutputFormat.Column.field("REASON", "reason")));
        return 0;
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Apply the Broker and Trigger resources of FILE; if any is invalid, none is applied.")
    static class Apply extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new CliException(file + " is not a file");
            }
            for (var line : client().postText("/api/v1/triggers", Files.readString(file)).path("applied")) {
                println(line.asText());
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete trigger NAME of the current org.")
    static class Delete extends FusemlCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            requireName("trigger", name);
            client().delete("/api/v1/triggers/" + org() + "/" + name);
            println("trigger.eventing.knative.dev/" + name + " deleted");
            return 0;
        }
    }
}
