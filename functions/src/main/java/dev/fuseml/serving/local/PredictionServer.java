package dev.fuseml.serving.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.BadRequestException;
import dev.fuseml.serving.Batch;
import dev.fuseml.serving.MlflowScoringProtocol;
import dev.fuseml.serving.OpenInferenceProtocol;
import dev.fuseml.serving.Predictor;
import dev.fuseml.state.JsonFiles;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An app's prediction endpoint on its own port, speaking the V2 Open Inference Protocol and MLflow's
 * {@code /invocations}. The model version behind it is switched atomically: requests go to the old version until
 * the new one has loaded.
 */
public final class PredictionServer implements AutoCloseable {
    static {
        // The JDK's server waits for a request's headers for ever by default: a client that opens connections and
        // never finishes a request would hold them all. Read when the first server starts, so set before it.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "60");
        }
    }

    private static final System.Logger LOG = System.getLogger(PredictionServer.class.getName());

    /** The version being served. */
    record Active(int version, Predictor predictor, MLModel model) {
    }

    private final String modelName;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile Active active;
    /** SHA-256 of the token requests must carry, or null while the URL is open (the default). */
    private volatile byte[] tokenHash;

    static {
        // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise: small answers then wait for
        // delayed ACKs (tens of milliseconds each). Read once, when the server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    public PredictionServer(String modelName, String host, int port) throws IOException {
        this.modelName = modelName;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        // Requests to a Python pool wait for their batch: more threads than cores let requests join batches.
        this.executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "predict-" + modelName);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Requires {@code Authorization: Bearer TOKEN} whose SHA-256 (hex) this is from now on; null opens the URL. */
    public void requireToken(String sha256Hex) {
        tokenHash = sha256Hex == null ? null : java.util.HexFormat.of().parseHex(sha256Hex);
    }

    /** Health checks stay open for load balancers and probes; everything else needs the token when one is set. */
    private boolean authorized(HttpExchange exchange, String path) {
        byte[] required = tokenHash;
        if (required == null || path.startsWith("/v2/health")) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 4096) {
            return false;
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(header.substring(7).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.security.MessageDigest.isEqual(hash, required);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public Integer version() {
        Active current = active;
        return current == null ? null : current.version();
    }

    /**
     * Serves {@code predictor} from now on. The one it replaces is closed in the background: it first finishes the
     * request it may be answering, and a Python process takes a few hundred milliseconds to exit.
     */
    public void switchTo(int version, Predictor predictor, MLModel model) {
        Active previous = active;
        active = new Active(version, predictor, model);
        if (previous != null) {
            Thread closer = new Thread(previous.predictor()::close, "close-" + modelName + "-v" + previous.version());
            closer.setDaemon(true);
            closer.start();
        }
    }

    /** The largest prediction request: a batch of rows, not a data set (which goes to training). */
    public static final int MAX_REQUEST_BYTES = 16 << 20;

    /** The body, read up to {@link #MAX_REQUEST_BYTES}; a larger one is refused as it arrives, not held whole. */
    private static byte[] bounded(InputStream body) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        for (int n = body.read(chunk); n > 0; n = body.read(chunk)) {
            if (out.size() + n > MAX_REQUEST_BYTES) {
                throw new HttpError(413, "the request is larger than " + (MAX_REQUEST_BYTES >> 20) + " MiB: send "
                        + "fewer rows per request");
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            byte[] bytes = bounded(body);
            String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
            String method = exchange.getRequestMethod();
            Route route = route(path);
            if (route == null) {
                respond(exchange, 404, error("no such endpoint: " + path + " (try POST /v2/models/" + modelName
                        + "/infer, POST /v1/models/" + modelName + ":predict or POST /invocations)"));
                return;
            }
            if (!authorized(exchange, path)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + modelName + "\"");
                respond(exchange, 401, error("predictions of " + modelName + " need its prediction token: send "
                        + "'Authorization: Bearer TOKEN' (the app's owner makes one with 'fuseml protect "
                        + modelName + "')"));
                return;
            }
            if (!route.method().equals(ANY_METHOD) && !route.method().equals(method)) {
                exchange.getResponseHeaders().add("Allow", route.method());
                respond(exchange, 405, error(method + " is not allowed on " + path + ": use " + route.method()));
                return;
            }
            respond(exchange, 200, route.handler().handle(exchange, bytes));
        } catch (HttpError e) {
            respond(exchange, e.status, error(e.getMessage()));
        } catch (BadRequestException e) {
            respond(exchange, 400, error(e.getMessage()));
        } catch (dev.fuseml.serving.WorkerStoppedException e) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            respond(exchange, 503, error(e.getMessage() + ": send the request again"));
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "prediction failed for " + modelName, e);
            respond(exchange, 500, error("prediction failed: " + e.getMessage()));
        } finally {
            exchange.close();
        }
    }

    private interface Handler {
        Object handle(HttpExchange exchange, byte[] body) throws Exception;
    }

    private static final String ANY_METHOD = "*";

    private record Route(String method, Handler handler) {
    }

    private Route route(String path) {
        String v2model = "/v2/models/" + modelName;
        return switch (path) {
            case "/v2/health/live" -> new Route("GET", (x, b) -> Map.of("live", true));
            case "/v2/health/ready" -> new Route("GET", (x, b) -> Map.of("ready", requireActive() != null));
            case "/v2" -> new Route("GET", (x, b) -> Map.of("name", "fuseml", "version", "0.1.0",
                    "extensions", List.of()));
            case "/ping", "/health" -> new Route("GET", (x, b) -> Map.of("status", "ok"));
            case "/invocations" -> new Route("POST", this::invocations);
            default -> {
                if (path.startsWith("/v1/models/")) {
                    // KServe V1: GET /v1/models/NAME (ready), POST /v1/models/NAME:predict {"instances": [...]}
                    String rest = path.substring("/v1/models/".length());
                    String name = rest.contains(":") ? rest.substring(0, rest.indexOf(':')) : rest;
                    if (!name.equals(modelName)) {
                        yield notServedHere(name);
                    }
                    yield rest.equals(name + ":predict") ? new Route("POST", this::predictV1)
                            : rest.equals(name) ? new Route("GET", (x, b) -> Map.of("name", modelName, "ready",
                                    active != null)) : null;
                }
                if (path.startsWith("/v2/models/")) {
                    String rest = path.startsWith(v2model) ? path.substring(v2model.length()) : null;
                    if (rest == null) {
                        yield notServedHere(path.substring("/v2/models/".length()).split("/")[0]);
                    }
                    yield switch (rest.replaceFirst("^/versions/\\d+", "")) {
                        case "" -> new Route("GET", (x, b) -> metadata());
                        case "/ready" -> new Route("GET", (x, b) -> Map.of("name", modelName, "ready",
                                requireActive() != null));
                        case "/infer" -> new Route("POST", this::infer);
                        default -> null;
                    };
                }
                yield null;
            }
        };
    }

    /** Any request for another model: each app has a server of its own. */
    private Route notServedHere(String name) {
        return new Route(ANY_METHOD, (x, b) -> {
            throw new HttpError(404, "model '" + name + "' is not served here; this server serves '" + modelName
                    + "'");
        });
    }

    private Object infer(HttpExchange exchange, byte[] body) throws Exception {
        JsonNode request = json(exchange, body);
        Batch batch = OpenInferenceProtocol.parse(request);
        Answered answered = predict(batch);
        return OpenInferenceProtocol.response(modelName, answered.version(), request.get("id"),
                answered.predictions());
    }

    private record Answered(int version, List<Object> predictions) {
    }

    /**
     * Predicts with the active version. A version switch may close the predictor a request has just taken: the
     * request then goes to the version that replaced it, so that no request fails for a switch.
     */
    private Answered predict(Batch batch) throws Exception {
        while (true) {
            Active current = requireActive();
            try {
                return new Answered(current.version(), current.predictor().predict(batch));
            } catch (Predictor.ClosedException replaced) {
                if (active == current) {
                    throw new HttpError(503, "the model is being replaced; try again");
                }
            }
        }
    }

    /** KServe V1: {@code {"instances": [[...], ...]}} in, {@code {"predictions": [...]}} out. */
    private Object predictV1(HttpExchange exchange, byte[] body) throws Exception {
        JsonNode request = json(exchange, body);
        if (!request.path("instances").isArray()) {
            throw new BadRequestException("a V1 predict request is {\"instances\": [[...], ...]}: one list of "
                    + "feature values per row");
        }
        Batch batch = MlflowScoringProtocol.parse(request);
        return Map.of("predictions", predict(batch).predictions());
    }

    private Object invocations(HttpExchange exchange, byte[] body) throws Exception {
        Batch batch = MlflowScoringProtocol.parse(json(exchange, body));
        return Map.of("predictions", predict(batch).predictions());
    }

    private Object metadata() {
        Active current = requireActive();
        ObjectNode meta = JsonFiles.MAPPER.createObjectNode();
        meta.put("name", modelName);
        meta.putArray("versions").add(Integer.toString(current.version()));
        meta.put("platform", current.model().onnx() ? "onnxruntime_onnx"
                : current.model().flavors().contains("sklearn") ? "sklearn" : "mlflow");
        var inputs = meta.putArray("inputs");
        for (MLModel.Column c : current.model().inputs()) {
            var shape = inputs.addObject().put("name", c.name()).put("datatype", datatype(c.type())).putArray("shape");
            if (c.shape() == null) {
                shape.add(-1);
            } else {
                c.shape().forEach(shape::add);
            }
        }
        meta.putArray("outputs").addObject().put("name", "predict").put("datatype", "FP64")
                .putArray("shape").add(-1);
        return meta;
    }

    private static String datatype(String mlflowType) {
        return switch (mlflowType) {
            case "double" -> "FP64";
            case "float" -> "FP32";
            case "long" -> "INT64";
            case "integer" -> "INT32";
            case "boolean" -> "BOOL";
            default -> "BYTES";
        };
    }

    private Active requireActive() {
        Active current = active;
        if (current == null) {
            throw new HttpError(503, "model '" + modelName + "' is not loaded yet");
        }
        return current;
    }

    private static JsonNode json(HttpExchange exchange, byte[] body) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && !type.startsWith("application/json")) {
            throw new HttpError(415, "Content-Type must be application/json, got " + type);
        }
        try {
            return JsonFiles.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new BadRequestException("the request body is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JsonFiles.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** An error answered with its own status code. */
    private static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        Active current = active;
        if (current != null) {
            current.predictor().close();
        }
    }
}
