package dev.fuseml.dvc;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what DVC records in a project's git tree: the outputs of {@code *.dvc} files ({@code dvc add}), the deps
 * and outs of {@code dvc.lock} stages ({@code dvc repro}) that git does not hold, and the default remote of
 * {@code .dvc/config}. A file that is not valid DVC YAML is skipped, not fatal: lineage is a record, and the
 * training itself fails when its data is wrong.
 */
public final class DvcFiles {
    public static final String LOCK = "dvc.lock";
    public static final String CONFIG = ".dvc/config";
    /** What is read at most, so a codeset of many or large files cannot make registration slow. */
    public static final int MAX_FILES = 200;
    public static final int MAX_FILE_BYTES = 256 * 1024;
    public static final int MAX_DATASETS = 500;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[\\s*'?\\s*([^'\\]]+?)\\s*'?\\s*]\\s*$");
    private static final Pattern SETTING = Pattern.compile("^\\s*([A-Za-z0-9_.-]+)\\s*=\\s*(.*?)\\s*$");

    private DvcFiles() {
    }

    /** Whether DVC keeps something at {@code path}: the files {@link #datasets} reads. */
    public static boolean isDvcFile(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.endsWith(".dvc") && name.length() > 4 || name.equals(LOCK) || path.equals(CONFIG);
    }

    /**
     * @param files   path in the project to content, of the files {@link #isDvcFile} names
     * @param tracked every path git holds in the same commit: a {@code dvc.lock} dep git holds is code, not data
     */
    public static List<Dataset> datasets(Map<String, byte[]> files, Set<String> tracked) {
        String defaultRemote = defaultRemote(files.get(CONFIG));
        Map<String, Dataset> found = new LinkedHashMap<>();
        files.keySet().stream().sorted().forEach(path -> {
            if (path.equals(CONFIG)) {
                return;
            }
            JsonNode root = yaml(files.get(path));
            if (root == null) {
                return;
            }
            String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) : "";
            if (path.endsWith(".dvc")) {
                for (JsonNode out : root.path("outs")) {
                    add(found, out, dir, defaultRemote, path);
                }
            } else {
                for (var stages = root.path("stages").fields(); stages.hasNext(); ) {
                    var stage = stages.next();
                    String source = path + ":" + stage.getKey();
                    for (JsonNode dep : stage.getValue().path("deps")) {
                        if (!inGit(normal(dir + dep.path("path").asText("")), tracked)) {
                            add(found, dep, dir, defaultRemote, source);
                        }
                    }
                    for (JsonNode out : stage.getValue().path("outs")) {
                        if (!inGit(normal(dir + out.path("path").asText("")), tracked)) { // cache: false outs
                            add(found, out, dir, defaultRemote, source);
                        }
                    }
                }
            }
        });
        return List.copyOf(found.values());
    }

    private static void add(Map<String, Dataset> found, JsonNode entry, String dir, String defaultRemote,
            String source) {
        String path = text(entry, "path");
        String md5 = text(entry, "md5");
        String etag = text(entry, "etag");
        if (etag == null) {
            etag = text(entry, "version_id");
        }
        if (path == null || (md5 == null && etag == null) || found.size() >= MAX_DATASETS) {
            return; // an output not yet computed, or more than a record should hold
        }
        String full = normal(dir + path);
        String remote = text(entry, "remote");
        Long size = number(text(entry, "size"));
        Long files = number(text(entry, "nfiles"));
        found.putIfAbsent(full + "@" + md5 + etag, new Dataset(full, md5, etag, size,
                files == null || files > Integer.MAX_VALUE ? null : files.intValue(),
                remote != null ? remote : defaultRemote, source));
    }

    /** Whether git holds {@code path}: a file of the commit, or a directory of its files (code, not data). */
    private static boolean inGit(String path, Set<String> tracked) {
        if (tracked.contains(path)) {
            return true;
        }
        String prefix = path + "/";
        return !path.isEmpty() && tracked.stream().anyMatch(p -> p.startsWith(prefix));
    }

    /** {@code [core] remote = NAME} of DVC's INI-style config, or null. */
    static String defaultRemote(byte[] config) {
        if (config == null) {
            return null;
        }
        String section = "";
        for (String line : new String(config, StandardCharsets.UTF_8).lines().toList()) {
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                section = s.group(1);
                continue;
            }
            Matcher kv = SETTING.matcher(line);
            if (section.equals("core") && kv.matches() && kv.group(1).equals("remote")) {
                String name = kv.group(2);
                return name.isEmpty() || name.length() > 100 ? null : name;
            }
        }
        return null;
    }

    /**
     * The YAML with every scalar as written: a tree of Jackson's would make an unquoted hash of digits a number
     * ({@code 00000000000000000000000000000001} read as 1) and a hex etag an integer.
     */
    private static JsonNode yaml(byte[] content) {
        if (content == null || content.length > MAX_FILE_BYTES) {
            return null;
        }
        try (JsonParser parser = YAML.getFactory().createParser(content)) {
            JsonNode root = parser.nextToken() == null ? null : node(parser, 0);
            return root != null && root.isObject() ? root : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonNode node(JsonParser parser, int depth) throws IOException {
        if (depth > 20) {
            throw new IOException("nested too deep for a DVC file");
        }
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                object.set(name, node(parser, depth + 1));
            }
            return object;
        }
        if (token == JsonToken.START_ARRAY) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                array.add(node(parser, depth + 1));
            }
            return array;
        }
        return token == JsonToken.VALUE_NULL ? JsonNodeFactory.instance.nullNode()
                : JsonNodeFactory.instance.textNode(parser.getText());
    }

    private static Long number(String text) {
        return text != null && text.matches("[0-9]{1,18}") ? Long.valueOf(text) : null;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isValueNode() || value.isNull()) {
            return null;
        }
        String text = value.asText();
        // shown in a terminal by fuseml models: no control characters
        return text.isEmpty() || text.length() > 1024 || text.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? null
                : text;
    }

    /** {@code a/./b/../c} as {@code a/c}; a path leaving the project stays as written (it is only shown). */
    static String normal(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") && !parts.isEmpty() && !parts.get(parts.size() - 1).equals("..")) {
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }
}
