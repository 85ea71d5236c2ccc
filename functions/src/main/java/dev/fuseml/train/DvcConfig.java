package dev.fuseml.train;

import dev.fuseml.extension.ToolAccess;
import dev.fuseml.step.StepFailure;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A {@code dvc-remote} extension as DVC's local config: a remote section with its URL and the credentials as the
 * remote's options ({@code access_key_id}, {@code secret_access_key}, {@code user}, {@code password}, ...: DVC's
 * names), made the default. Only what DVC's INI syntax can hold unchanged is written. The embedded default's
 * training writes it itself; a training Job's runner gets it from the run's Secret.
 */
public final class DvcConfig {
    private static final Pattern OPTION = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private DvcConfig() {
    }

    public static String local(ToolAccess.Grant remote) {
        StringBuilder config = new StringBuilder("# written by FuseML for this run's dvc pull, removed after it\n")
                .append("[core]\n    remote = ").append(remote.name()).append('\n')
                .append("['remote \"").append(remote.name()).append("\"']\n")
                .append("    url = ").append(value("url", remote.url())).append('\n');
        Map<String, String> options = new TreeMap<>(remote.credentials());
        options.remove("url");
        options.forEach((key, value) -> {
            if (!OPTION.matcher(key).matches()) {
                throw new StepFailure("the credentials of extension " + remote.name() + " have key '" + key
                        + "', which is not a DVC remote option: use DVC's names (access_key_id, secret_access_key, "
                        + "user, password, ...) and register them again");
            }
            config.append("    ").append(key).append(" = ").append(value(key, value)).append('\n');
        });
        return config.toString();
    }

    private static String value(String key, String value) {
        if (value == null || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new StepFailure("the " + key + " of a dvc-remote extension has a line break or control character, "
                    + "which DVC's config cannot hold: register it again without one");
        }
        // configobj, which DVC reads its config with, takes an unquoted comma as a list and " #" as a comment
        if (!value.contains("\"")) {
            return "\"" + value + "\"";
        }
        if (!value.contains("'")) {
            return "'" + value + "'";
        }
        throw new StepFailure("the " + key + " of a dvc-remote extension has both kinds of quotes, which DVC's config "
                + "cannot hold: register it again without one of them");
    }
}
