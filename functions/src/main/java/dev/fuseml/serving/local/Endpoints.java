package dev.fuseml.serving.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.fuseml.serving.BadRequestException;
import dev.fuseml.state.JsonFiles;

import java.io.IOException;

/**
 * The endpoints of one prediction protocol over a {@link ModelSlot} (KServe's layout: a protocol's handlers apart
 * from the server and the model): the route for a path, or null when the path is not this protocol's.
 */
interface Endpoints {
    /** Any method. */
    String ANY_METHOD = "*";

    /** What answers a request: its JSON body, or an exception the server maps to a status. */
    interface Handler {
        Object handle(HttpExchange exchange, byte[] body) throws Exception;
    }

    /** A path's method and handler. */
    record Route(String method, Handler handler) {
        /** Any request for another model: each app has a server of its own. */
        static Route notServedHere(String name, String served) {
            return new Route(ANY_METHOD, (x, b) -> {
                throw new HttpError(404, "model '" + name + "' is not served here; this server serves '" + served
                        + "'");
            });
        }
    }

    Route route(String path);

    /** The request's JSON body: 415 for another content type, 400 for JSON that does not parse. */
    static JsonNode json(HttpExchange exchange, byte[] body) {
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
}
