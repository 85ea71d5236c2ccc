package dev.fuseml.train.determined;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A Determined master as its REST API answers (determined-ai/determined v0.38.1, Apache-2.0: the routes of
 * proto/src/determined/api/v1/api.proto, the messages of proto/src/determined/{api,experiment,trial,checkpoint,
 * util}/v1/*.proto as grpc-gateway v1 marshals them, the checkpoint archive route of master/internal/core.go; see
 * PROVENANCE.md beside the test resources). It checks what it is sent as the master would (unknown fields, the
 * types of v1File, the config's YAML) and plays each experiment's script: its states over the polls, its trial's
 * log, its checkpoint.
 */
public final class DeterminedStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> CREATE_FIELDS = Set.of("config", "modelDefinition", "validateOnly", "parentId",
            "activate", "projectId", "template", "unmanaged");
    private static final Set<String> FILE_FIELDS = Set.of("path", "type", "content", "mtime", "mode", "uid", "gid");

    /** What an experiment does: its state at each poll (the last one stays), its trial's log, its checkpoint. */
    public record Script(List<String> states, List<String> logs, Map<String, byte[]> checkpoint,
            Map<String, Double> validationMetrics) {
    }

    /** What was created: the config as YAML read, and the context's files decoded. */
    public record Created(long id, JsonNode config, Map<String, byte[]> files, JsonNode body) {
    }

    private final HttpServer server;
    private final Deque<Script> scripts = new ArrayDeque<>();
    private final Map<Long, Script> running = new ConcurrentHashMap<>();
    private final Map<Long, Integer> polls = new ConcurrentHashMap<>();
    private final Map<Long, String> uuids = new ConcurrentHashMap<>();
    public final List<Created> created = new ArrayList<>();
    public final List<Long> killed = new ArrayList<>();
    final List<String> requests = new ArrayList<>();
    private final String user;
    private final String password;
    private final String token = "v2.public." + UUID.randomUUID();
    private long nextId = 40;

    public DeterminedStandIn(String user, String password) throws IOException {
        this.user = user;
        this.password = password;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized void next(Script script) {
        scripts.add(script);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            synchronized (this) {
                requests.add(method + " " + exchange.getRequestURI());
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.equals("/api/v1/auth/login") && method.equals("POST")) {
                JsonNode login = JSON.readTree(body);
                if (!login.path("username").asText().equals(user) || !login.path("password").asText()
                        .equals(password) || login.path("isHashed").asBoolean()) {
                    error(exchange, 401, 16, "Unauthenticated", "invalid credentials");
                    return;
                }
                json(exchange, 200, Map.of("token", token, "user", Map.of("id", 1, "username", user, "admin", false,
                        "active", true)));
                return;
            }
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                error(exchange, 401, 16, "Unauthenticated", "invalid credentials");
                return;
            }
            Matcher m;
            if (path.equals("/api/v1/experiments") && method.equals("POST")) {
                create(exchange, body);
            } else if ((m = match("/api/v1/experiments/(\\d+)", path)) != null && method.equals("GET")) {
                long id = Long.parseLong(m.group(1));
                Script s = running.get(id);
                if (s == null) {
                    error(exchange, 404, 5, "Not Found", "experiment not found: " + id);
                    return;
                }
                int poll = polls.merge(id, 1, Integer::sum) - 1;
                json(exchange, 200, Map.of("experiment", experiment(id, state(id, poll)), "jobSummary",
                        Map.of("state", "STATE_SCHEDULED", "jobsAhead", 0)));
            } else if ((m = match("/api/v1/experiments/(\\d+)/kill", path)) != null && method.equals("POST")) {
                long id = Long.parseLong(m.group(1));
                synchronized (this) {
                    killed.add(id);
                }
                Script s = running.get(id);
                if (s != null) {
                    running.put(id, new Script(List.of("STATE_STOPPING_KILLED", "STATE_CANCELED"), s.logs(),
                            s.checkpoint(), s.validationMetrics()));
                    polls.put(id, 0);
                }
                json(exchange, 200, Map.of());
            } else if ((m = match("/api/v1/experiments/(\\d+)/trials", path)) != null && method.equals("GET")) {
                long id = Long.parseLong(m.group(1));
                json(exchange, 200, Map.of("trials", List.of(Map.of("id", id * 10, "experimentId", id, "state",
                        "STATE_RUNNING", "restarts", 0, "startTime", "2026-12-05T00:00:00Z", "hparams", Map.of(),
                        "totalBatchesProcessed", 0, "taskIds", List.of(id + "." + id * 10))), "pagination",
                        Map.of("offset", 0, "limit", 0, "startIndex", 0, "endIndex", 1, "total", 1)));
            } else if ((m = match("/api/v1/trials/(\\d+)/logs", path)) != null && method.equals("GET")) {
                long trial = Long.parseLong(m.group(1));
                Script s = running.get(trial / 10);
                int seen = Math.min(s.logs().size(), polls.getOrDefault(trial / 10, 0) * 2);
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < seen; i++) {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("id", Integer.toString(i));
                    result.put("trialId", trial);
                    result.put("timestamp", "2026-12-05T00:00:0" + Math.min(i, 9) + "Z");
                    result.put("level", "LOG_LEVEL_INFO");
                    result.put("message", "[rank=0] " + s.logs().get(i) + "\n");
                    result.put("log", s.logs().get(i) + "\n");
                    result.put("stdtype", "stdout");
                    lines.append(JSON.writeValueAsString(Map.of("result", result))).append('\n');
                }
                byte[] out = lines.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, out.length);
                exchange.getResponseBody().write(out);
            } else if ((m = match("/api/v1/experiments/(\\d+)/checkpoints", path)) != null && method.equals("GET")) {
                long id = Long.parseLong(m.group(1));
                Script s = running.get(id);
                List<Object> checkpoints = new ArrayList<>();
                if (s.checkpoint() != null) {
                    Map<String, String> resources = new LinkedHashMap<>();
                    s.checkpoint().forEach((name, bytes) -> resources.put(name, Long.toString(bytes.length)));
                    checkpoints.add(Map.of("uuid", uuids.computeIfAbsent(id, x -> UUID.randomUUID().toString()),
                            "resources", resources, "metadata", Map.of("steps_completed", 1), "state",
                            "STATE_COMPLETED", "training", Map.of("trialId", id * 10, "experimentId", id,
                                    "validationMetrics", Map.of("avgMetrics", s.validationMetrics()))));
                }
                json(exchange, 200, Map.of("checkpoints", checkpoints, "pagination", Map.of("total",
                        checkpoints.size())));
            } else if ((m = match("/checkpoints/([0-9a-f-]+)", path)) != null && method.equals("GET")) {
                String accept = exchange.getRequestHeaders().getFirst("Accept");
                if (!"application/zip".equals(accept)) {
                    exchange.sendResponseHeaders(415, -1);
                    return;
                }
                String uuid = m.group(1);
                Long id = uuids.entrySet().stream().filter(e -> e.getValue().equals(uuid)).map(Map.Entry::getKey)
                        .findFirst().orElse(null);
                if (id == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                ByteArrayOutputStream zipped = new ByteArrayOutputStream();
                try (ZipOutputStream zip = new ZipOutputStream(zipped)) {
                    for (var file : running.get(id).checkpoint().entrySet()) {
                        zip.putNextEntry(new ZipEntry(file.getKey()));
                        zip.write(file.getValue());
                        zip.closeEntry();
                    }
                }
                exchange.getResponseHeaders().add("Content-Type", "application/zip");
                exchange.sendResponseHeaders(200, zipped.size());
                exchange.getResponseBody().write(zipped.toByteArray());
            } else {
                error(exchange, 404, 5, "Not Found", "no route " + method + " " + path);
            }
        } catch (RuntimeException e) {
            error(exchange, 500, 13, "Internal", e.toString());
        }
    }

    private void create(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode request = JSON.readTree(body);
        for (var it = request.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!CREATE_FIELDS.contains(field)) {
                error(exchange, 400, 3, "Invalid Argument", "unknown field \"" + field + "\" in CreateExperimentRequest");
                return;
            }
        }
        JsonNode config;
        try {
            config = YAML.readTree(request.path("config").asText(""));
        } catch (IOException e) {
            error(exchange, 400, 3, "Invalid Argument", "config is not YAML: " + e.getMessage());
            return;
        }
        if (config == null || !config.path("entrypoint").isTextual() || !config.path("searcher").path("name")
                .asText().equals("single") || !config.path("searcher").path("metric").isTextual()) {
            error(exchange, 400, 3, "Invalid Argument", "invalid experiment config: entrypoint and searcher "
                    + "{name, metric} are required");
            return;
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (JsonNode file : request.path("modelDefinition")) {
            Set<String> fields = new java.util.HashSet<>();
            file.fieldNames().forEachRemaining(fields::add);
            if (!fields.equals(FILE_FIELDS) || !file.path("path").isTextual() || !file.path("type").isInt()
                    || !file.path("content").isTextual() || !file.path("mtime").isTextual()
                    || !file.path("mtime").asText().matches("\\d+") || !file.path("mode").isInt()
                    || !file.path("uid").isInt() || !file.path("gid").isInt()) {
                error(exchange, 400, 3, "Invalid Argument", "invalid v1File: " + file);
                return;
            }
            files.put(file.path("path").asText(), Base64.getDecoder().decode(file.path("content").asText()));
        }
        Script script;
        long id;
        synchronized (this) {
            script = scripts.poll();
            id = nextId++;
            created.add(new Created(id, config, files, request));
        }
        if (script == null) {
            error(exchange, 500, 13, "Internal", "the test gave no script for this experiment");
            return;
        }
        running.put(id, script);
        json(exchange, 200, Map.of("experiment", experiment(id, "STATE_ACTIVE"), "config", config, "warnings",
                List.of()));
    }

    private String state(long id, int poll) {
        List<String> states = running.get(id).states();
        return states.get(Math.min(poll, states.size() - 1));
    }

    private static Map<String, Object> experiment(long id, String state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("name", "experiment " + id);
        e.put("startTime", "2026-12-05T00:00:00Z");
        e.put("state", state);
        e.put("archived", false);
        e.put("numTrials", 1);
        e.put("username", "fuseml");
        e.put("jobId", UUID.randomUUID().toString());
        e.put("searcherType", "single");
        e.put("projectId", 1);
        e.put("originalConfig", "");
        e.put("projectOwnerId", 1);
        e.put("checkpointSize", "0");
        return e;
    }

    private static Matcher match(String pattern, String path) {
        Matcher m = Pattern.compile(pattern).matcher(path);
        return m.matches() ? m : null;
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] out = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, out.length);
        exchange.getResponseBody().write(out);
    }

    private static void error(HttpExchange exchange, int status, int code, String reason, String message)
            throws IOException {
        json(exchange, status, Map.of("error", Map.of("code", code, "reason", reason, "error", message)));
    }
}
