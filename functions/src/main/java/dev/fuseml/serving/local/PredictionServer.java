package dev.fuseml.serving.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fuseml.registry.MLModel;
import dev.fuseml.serving.BadRequestException;
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
 * An app's prediction server on its own port, laid out as KServe's model server is: the protocols' endpoints
 * ({@link OpenInferenceEndpoints} V2, {@link KServeV1Endpoints}, {@link MlflowScoringEndpoints}
 * {@code /invocations}) over a {@link ModelSlot} that holds the version served. This class is the HTTP around them:
 * body limits, the app's prediction token, the method check and the mapping of failures to statuses.
 */
public final class PredictionServer implements AutoCloseable {
    static {
        // The JDK's server waits for a request's headers for ever by default: a client that opens connections and
        // never finishes a request would hold them all. Read when the first server starts, so set before it.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "60");
        }
        // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise: small answers then wait for
        // delayed ACKs (tens of milliseconds each). Read once, when the server classes load.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final System.Logger LOG = System.getLogger(PredictionServer.class.getName());

    /** The largest prediction request: a batch of rows, not a data set (which goes to training). */
    public static final int MAX_REQUEST_BYTES = 16 << 20;

    private final String modelName;
    private final ModelSlot slot;
    private final List<Endpoints> endpoints;
    private final HttpServer server;
    private final ExecutorService executor;
    /** SHA-256 of the token requests must carry, or null while the URL is open (the default). */
    private volatile byte[] tokenHash;

    public PredictionServer(String modelName, String host, int port) throws IOException {
        this.modelName = modelName;
        this.slot = new ModelSlot(modelName);
        this.endpoints = List.of(new OpenInferenceEndpoints(slot), new KServeV1Endpoints(slot),
                new MlflowScoringEndpoints(slot));
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
        return slot.version();
    }

    /** Serves {@code predictor} from now on (see {@link ModelSlot#switchTo}). */
    public void switchTo(int version, Predictor predictor, MLModel model) {
        slot.switchTo(version, predictor, model);
    }

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

    private Endpoints.Route route(String path) {
        for (Endpoints protocol : endpoints) {
            Endpoints.Route route = protocol.route(path);
            if (route != null) {
                return route;
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            byte[] bytes = bounded(body);
            String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
            String method = exchange.getRequestMethod();
            Endpoints.Route route = route(path);
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
            if (!route.method().equals(Endpoints.ANY_METHOD) && !route.method().equals(method)) {
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

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JsonFiles.MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        slot.close();
    }
}
