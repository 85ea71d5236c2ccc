package dev.fuseml.platform;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Half-open connections to the API (headers that never end, a connection that sends nothing) are closed after the
 * idle timeout (a minute in application.properties; one second here), instead of being held for ever.
 */
@QuarkusTest
@TestProfile(IdleConnectionsTest.QuickIdle.class)
class IdleConnectionsTest {
    public static class QuickIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1s", "fuseml.data-dir", "target/test-data-idle");
        }
    }

    private static int closedBy(Socket socket) throws Exception {
        socket.setSoTimeout(20_000);
        try (InputStream in = socket.getInputStream()) {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return b;
                }
            }
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Test
    void aRequestWhoseHeadersNeverEndIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.getOutputStream().write("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n".getBytes());
            socket.getOutputStream().flush();
            assertThat(closedBy(socket)).isEqualTo(-1);
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            assertThat(closedBy(socket)).isEqualTo(-1);
        }
    }
}
