package dev.fuseml.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI's config file ({@code $HOME/.config/fuseml/config.yaml} unless {@code --config-file} or
 * {@code FUSEML_CONFIG} says otherwise): where the orchestrator answers and which org commands act on.
 * {@code kubernetes} is set (to a kubeconfig context, or "" for the current one) when the target is a cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CliConfig(String server, String org, Long pid, String dataDir, String token, String kubernetes) {
    public static final String DEFAULT_ORG = "workspace";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public CliConfig(String server, String org, Long pid, String dataDir) {
        this(server, org, pid, dataDir, null, null);
    }

    public CliConfig(String server, String org, Long pid, String dataDir, String token) {
        this(server, org, pid, dataDir, token, null);
    }

    public static Path defaultPath() {
        String env = System.getenv("FUSEML_CONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(home(), ".config", "fuseml", "config.yaml");
    }

    public static CliConfig load(Path file) {
        if (Files.isDirectory(file)) {
            throw new CliException("the config file " + file + " is a directory: point --config-file or "
                    + "FUSEML_CONFIG at a file (it is made by 'fuseml install')");
        }
        if (!Files.isRegularFile(file)) {
            return new CliConfig(null, DEFAULT_ORG, null, null);
        }
        CliConfig config;
        try {
            config = YAML.readValue(file.toFile(), CliConfig.class);
        } catch (IOException e) {
            throw new CliException("cannot read the config file " + file + ": " + e.getMessage().lines()
                    .findFirst().orElse("") + " (fix it or delete it)");
        }
        if (config == null) {
            return new CliConfig(null, DEFAULT_ORG, null, null);
        }
        if (config.server() != null && !config.server().matches("https?://[A-Za-z0-9.\\[\\]:-]+(:\\d+)?/?")) {
            throw new CliException("the config file " + file + " has server: '" + config.server() + "', which is not "
                    + "an http(s) URL such as http://127.0.0.1:8080 (fix the key 'server', or run 'fuseml install')");
        }
        return config;
    }

    /** Writes the file readable by its owner only (mode 0600): it holds the token. */
    public void save(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            java.util.Set<java.nio.file.attribute.PosixFilePermission> ownerOnly =
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
            if (!Files.exists(file)) {
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ownerOnly));
            }
            Files.setPosixFilePermissions(file, ownerOnly);
            YAML.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new CliException("cannot write the config file " + file + ": " + e.getMessage());
        }
    }

    public String currentOrg() {
        return org == null ? DEFAULT_ORG : org;
    }

    public CliConfig withServer(String url, Long processId, String data) {
        return new CliConfig(url, org, processId, data, token, kubernetes);
    }

    public CliConfig withOrg(String name) {
        return new CliConfig(server, name, pid, dataDir, token, kubernetes);
    }

    public CliConfig withToken(String value) {
        return new CliConfig(server, org, pid, dataDir, value, kubernetes);
    }

    /** The target is a cluster: {@code context} names its kubeconfig context ("" for the current one). */
    public CliConfig onKubernetes(String url, String context) {
        return new CliConfig(url, org, null, null, token, context == null ? "" : context);
    }

    /** The token requests carry: {@code $FUSEML_TOKEN} when set (as CI would pass one), else the config's. */
    public String effectiveToken() {
        String env = System.getenv("FUSEML_TOKEN");
        return env != null && !env.isBlank() ? env.strip() : token;
    }

    /** $HOME as the shell has it: Java's user.home comes from the password database and ignores it. */
    static String home() {
        String home = System.getenv("HOME");
        return home != null && !home.isBlank() ? home : System.getProperty("user.home");
    }
}
