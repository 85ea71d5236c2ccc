package dev.fuseml.platform;

import dev.fuseml.FusemlConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.eclipse.microprofile.config.ConfigProvider;

/** This process's own HTTP address, known for sure only once the server listens (port 0 picks one). */
@ApplicationScoped
public class SelfAddress {
    private final FusemlConfig config;
    private volatile int port;

    public SelfAddress(FusemlConfig config) {
        this.config = config;
    }

    void onHttp(@ObservesAsync HttpServerStart event) {
        int p = event.options().getPort();
        if (p > 0) {
            port = p;
        }
    }

    public String url() {
        int p = port;
        if (p <= 0) {
            String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
            p = ConfigProvider.getConfig().getOptionalValue(key, Integer.class)
                    .or(() -> ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class))
                    .orElse(8080);
        }
        return "http://" + config.host() + ":" + p;
    }
}
