package dev.fuseml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/**
 * Signs a browser in to the web page: a one-time link (it works once, within a minute) that trades itself for a
 * session with this CLI's reach; the token itself never goes to the browser.
 */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = "Open FuseML's web page (apps, versions, runs, traces, the chain), signed in as this CLI: "
                + "prints a one-time link (valid for a minute) and opens it in the browser.")
public class UiCommand extends FusemlCommand {
    @Option(names = "--no-browser", description = "Print the link only (to open it elsewhere, or on a machine "
            + "without a desktop).")
    boolean noBrowser;

    @Override
    public Integer call() {
        OrchestratorClient client = client();
        JsonNode code = client.post("/api/v1/ui/codes", Map.of());
        String url = client.server() + code.path("url").asText();
        println("Sign in to FuseML's web page within " + code.path("expiresInSeconds").asLong() + " s (the link "
                + "works once):");
        println(url);
        if (!noBrowser && !open(url)) {
            println("(no browser could be started here: open the link yourself)");
        }
        return 0;
    }

    /** The desktop's opener, with the URL as one argument: nothing goes through a shell. */
    private static boolean open(String url) {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        List<String> command = os.contains("mac") ? List.of("open", url)
                : os.contains("win") ? List.of("rundll32", "url.dll,FileProtocolHandler", url) : List.of("xdg-open", url);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) ? p.exitValue() == 0 : true;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
