package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.payload.Push;
import io.cloudevents.core.builder.CloudEventBuilder;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs the CLI's usual code paths once, offline, so that the launcher can record the classes they load in a
 * class-data-sharing archive: every later command then starts from it (about 0.4 s instead of 1 s).
 */
@Command(name = "warm-up", hidden = true, description = "Exercise the CLI offline (used to build its CDS archive).")
public class WarmUpCommand extends FusemlCommand {
    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("fuseml-warm-up");
        try {
            Files.writeString(dir.resolve("train.py"), "print('warm')\n");
            ProjectArchive.zip(dir);
            Path config = dir.resolve("config.yaml");
            new CliConfig("http://127.0.0.1:1", "workspace", 1L, dir.toString()).save(config);
            CliConfig.load(config);
            JsonNode items = OrchestratorClient.JSON.readTree("[{\"name\":\"a\",\"version\":1}]");
            for (OutputFormat.Format format : OutputFormat.Format.values()) {
                OutputFormat output = new OutputFormat();
                output.format = format;
                output.print(new PrintWriter(new StringWriter()), items, List.of(OutputFormat.Column.field("N", "name")));
            }
            CloudEventBuilder.v1().withId("1").withType(FusemlEvents.PUSH).withSource(URI.create("fuseml/cli"))
                    .withDataSchema(dev.fuseml.eventing.EventSchemas.uri("http://127.0.0.1:1", FusemlEvents.PUSH))
                    .withExtension(FusemlEvents.EXT_RUN, "r").withData("application/json",
                            OrchestratorClient.JSON.writeValueAsBytes(new Push("http://127.0.0.1:1/git/w/a.git", "main", Map.of(), null))).build();
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0)) {
                closedPort = socket.getLocalPort();
            }
            try {
                new OrchestratorClient("http://127.0.0.1:" + closedPort).get("/api/v1/status");
            } catch (CliException expected) {
                // the connection is refused: the error path is warmed too
            }
            PushCommand.runId("warm-up");
            // what `fuseml --help` and `fuseml COMMAND --help` print: picocli's text layout and the JDK's line breaking
            picocli.CommandLine root = spec.root().commandLine();
            root.usage(new PrintWriter(new StringWriter()));
            for (picocli.CommandLine command : root.getSubcommands().values()) {
                command.usage(new PrintWriter(new StringWriter()));
            }
            return 0;
        } finally {
            UninstallCommand.delete(dir);
        }
    }
}
