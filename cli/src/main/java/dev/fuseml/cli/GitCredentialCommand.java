package dev.fuseml.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A git credential helper, as {@code gh auth git-credential} is for GitHub: git asks it for the credentials of a
 * URL, and it answers the config's token for the orchestrator's own host and port, and nothing for any other.
 * <pre>git config --global credential.helper '!fuseml git-credential'</pre>
 */
@Command(name = "git-credential", mixinStandardHelpOptions = true,
        description = "A git credential helper: git config credential.helper '!fuseml git-credential' makes plain "
                + "git clone and git push of codeset URLs use your FuseML token.")
public class GitCredentialCommand extends FusemlCommand {
    @Parameters(index = "0", paramLabel = "OPERATION", description = "get, store or erase (git says which).")
    String operation;

    @Override
    public Integer call() throws IOException {
        Map<String, String> request = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                request.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!"get".equals(operation)) {
            return 0; // store and erase: the token lives in the config, not in git's keychains
        }
        CliConfig config = config();
        String token = config.effectiveToken();
        if (config.server() == null || token == null) {
            return 0; // nothing to offer: git asks the next helper or the user
        }
        URI server = URI.create(config.server());
        String host = server.getHost() + (server.getPort() > 0 ? ":" + server.getPort() : "");
        if (!server.getScheme().equals(request.get("protocol")) || !host.equals(request.get("host"))) {
            return 0; // another host never gets this token
        }
        println("username=fuseml");
        println("password=" + token);
        return 0;
    }
}
