package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Show each event of run RUN: the triggers it matched, every delivery attempt with its status "
                + "and latency, and where the chain stopped.")
public class EventsCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "RUN", description = "A run id (see 'fuseml runs').")
    String run;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        requireRunId(run);
        JsonNode answer = client().get("/api/v1/runs/" + run + "/events");
        if (output.format != OutputFormat.Format.table) {
            output.print(out(), answer, List.of());
            return 0;
        }
        output.print(out(), answer.path("events"), List.of(
                OutputFormat.Column.field("ACCEPTED", "accepted"), OutputFormat.Column.field("TYPE", "type"),
                OutputFormat.Column.field("SOURCE", "source"),
                new OutputFormat.Column("TRIGGERS", n -> n.path("triggers").isEmpty() ? "(none)"
                        : join(n.path("triggers"))),
                new OutputFormat.Column("DELIVERIES", EventsCommand::deliveries)));
        println("Run " + run + " " + answer.path("status").asText() + "; " + answer.path("stopped").asText());
        return 0;
    }

    private static String deliveries(JsonNode event) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : event.path("attempts")) {
            out.add(a.path("trigger").asText() + "#" + a.path("attempt").asInt() + " " + a.path("status").asInt()
                    + " " + a.path("latencyMs").asLong() + "ms");
        }
        for (JsonNode d : event.path("deadLettered")) {
            out.add(d.asText() + " dead-lettered");
        }
        return String.join(", ", out);
    }

    private static String join(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return String.join(",", out);
    }
}
