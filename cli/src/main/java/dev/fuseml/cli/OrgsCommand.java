package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

@Command(name = "orgs", mixinStandardHelpOptions = true, description = "List the orgs; * marks the current one.")
public class OrgsCommand extends FusemlCommand {
    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        String current = org();
        output.print(out(), client().get("/api/v1/orgs"), List.of(
                new OutputFormat.Column("", n -> current.equals(n.path("name").asText()) ? "*" : ""),
                OutputFormat.Column.field("NAME", "name"), OutputFormat.Column.field("CREATED", "created")));
        return 0;
    }
}
