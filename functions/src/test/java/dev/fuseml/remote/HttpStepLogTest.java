package dev.fuseml.remote;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Step logs reach the control plane in order and in bounded requests, and never hold up the process they log. */
class HttpStepLogTest {
    @Test
    void linesArriveInOrderInRequestsOfBoundedSize() throws Exception {
        List<String> posts = new CopyOnWriteArrayList<>();
        HttpServer controlPlane = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controlPlane.createContext("/", exchange -> {
            posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        controlPlane.start();
        try (HttpStepLog log = new HttpStepLog(new ControlPlaneHttp(() -> "http://127.0.0.1:"
                + controlPlane.getAddress().getPort()))) {
            String line = "x".repeat(999);
            for (int i = 0; i < 1_500; i++) { // 1.5 MB: more than one request may carry
                log.append("run-1", i + " " + line);
            }
            log.flush("run-1");
            String all = String.join("", posts);
            assertThat(all.lines()).hasSize(1_500);
            assertThat(all.lines().map(l -> l.split(" ")[0]).map(Integer::parseInt).toList())
                    .isSorted().doesNotHaveDuplicates();
            assertThat(posts).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p.length())
                    .isLessThanOrEqualTo(HttpStepLog.BATCH_CHARS));
            assertThat(log.tail("run-1", 2)).contains("1499 x");
        } finally {
            controlPlane.stop(0);
        }
    }

    @Test
    void aControlPlaneThatIsDownNeverHoldsUpTheLoggedProcessAndMemoryStaysBounded() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (HttpStepLog log = new HttpStepLog(new ControlPlaneHttp(() -> "http://127.0.0.1:" + closed))) {
            long started = System.nanoTime();
            String line = "y".repeat(1_000);
            for (int i = 0; i < 10_000; i++) { // 10 MB, more than a run's buffer holds
                log.append("run-2", line);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(log.tail("run-2", 1)).isEqualTo(line);
            // the cap, overshot by at most the line that crossed it and the note that lines are dropped; read between
            // the sender's attempts (every 250 ms it takes a batch out of the buffer and, refused, puts it back)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                    log.pendingChars("run-2")).isBetween(HttpStepLog.MAX_PENDING, HttpStepLog.MAX_PENDING + 1_200));
        }
    }
}
