package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fuseml.eventing.EventSchemas;
import dev.fuseml.eventing.FusemlEvents;
import dev.fuseml.eventing.Names;
import dev.fuseml.eventing.payload.Push;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Push a directory of ML code as app NAME: it is stored, its environment built, its entry point "
                + "trained, the model registered and served. Follows the run and ends with the prediction URL.")
public class PushCommand extends FusemlCommand {
    private static final java.util.regex.Pattern PARAMETER = java.util.regex.Pattern.compile(
            "[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    @Parameters(index = "0", paramLabel = "NAME", description = "The app (a DNS-1123 label, such as wine).")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", defaultValue = ".",
            description = "The project directory (default: the current directory).")
    Path path;

    @Option(names = {"-P", "--param"}, paramLabel = "KEY=VALUE",
            description = "Override a parameter of the entry point (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = {"-e", "--entry-point"}, paramLabel = "NAME", description = "MLproject entry point (default: main).")
    String entryPoint;

    @Option(names = "--serve-target", paramLabel = "SERVER", completionCandidates = ServeTargets.class,
            description = "On a cluster, the model server of this version: ${COMPLETION-CANDIDATES} (instead of "
                    + "MLproject's serving.serve_target; default: KServe where installed, else Knative).")
    String serveTarget;

    /** The model servers a cluster app can have, as the event contract lists them. */
    static final class ServeTargets extends java.util.ArrayList<String> {
        ServeTargets() {
            super(Push.SERVE_TARGETS);
        }
    }

    @Option(names = "--no-follow", description = "Return once the run has started.")
    boolean noFollow;

    @Option(names = "--timeout", defaultValue = "PT1H", description = "How long to follow the run (default: 1 hour).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        requireName("app", name);
        if (serveTarget != null && !new ServeTargets().contains(serveTarget)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--serve-target '" + serveTarget
                    + "' is not a model server FuseML deploys to: use one of " + String.join(", ",
                    new ServeTargets()));
        }
        for (String key : params.keySet()) {
            if (!PARAMETER.matcher(key).matches()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "invalid parameter name '" + key
                        + "' in -P: use letters, digits, '_', '.' and '-', starting with a letter or '_'");
            }
        }
        OrchestratorClient client = client();
        String org = org();
        byte[] zip = ProjectArchive.zip(path.toAbsolutePath().normalize());
        long started = System.nanoTime();
        // The code becomes a commit of the app's codeset first; the push event names the repository and commit.
        boolean terminal = ProgressLine.stdoutIsTerminal();
        ProgressLine uploading = new ProgressLine(out(), terminal);
        JsonNode codeset = client.upload("/api/v1/orgs/" + org + "/apps/" + name + "/codeset", zip, sent -> {
            if (terminal) { // a file or a CI log gets the one line below, after the upload
                uploading.show("Uploading " + path + ": " + ProgressLine.bytes(sent) + " of "
                        + ProgressLine.bytes(zip.length));
            }
        });
        uploading.clear();
        JsonNode ingress = client.get("/api/v1/status").path("brokers").path(org);
        if (ingress.isMissingNode()) {
            throw new CliException("org '" + org + "' has no broker: create it with 'fuseml create-org " + org + "'");
        }
        String run = runId(name);
        CloudEvent push = CloudEventBuilder.v1().withId(UUID.randomUUID().toString()).withType(FusemlEvents.PUSH)
                .withSource(URI.create("fuseml/cli")).withSubject(name).withTime(OffsetDateTime.now())
                .withExtension(FusemlEvents.EXT_ORG, org).withExtension(FusemlEvents.EXT_APP, name)
                .withExtension(FusemlEvents.EXT_RUN, run)
                .withDataSchema(EventSchemas.uri(client.server(), FusemlEvents.PUSH))
                .withData("application/json", OrchestratorClient.JSON.writeValueAsBytes(new Push(
                        codeset.path("repository").asText(), codeset.path("commit").asText(), params, entryPoint,
                        serveTarget)))
                .build();
        client.sendEvent(ingress.asText(), push);
        println("Pushed " + path + " as " + org + "/" + name + " (" + ProgressLine.bytes(zip.length) + "), run " + run);
        if (noFollow) {
            return 0;
        }
        return new RunFollower(client, out(), terminal).follow(run, timeout, started);
    }

    /** A run id that names its app and stays a DNS label. */
    static String runId(String app) {
        return Names.runId(app);
    }
}
