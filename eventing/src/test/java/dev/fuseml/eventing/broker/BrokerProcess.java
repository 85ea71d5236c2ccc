package dev.fuseml.eventing.broker;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A broker alone in its own process, for tests that kill it: {@code BrokerProcess DATA_DIR SUBSCRIBER_URI}. Prints
 * {@code READY <port>} once its ingress listens.
 */
public final class BrokerProcess {
    private BrokerProcess() {
    }

    public static void main(String[] args) throws Exception {
        Broker broker = new Broker(Path.of(args[0]));
        broker.addNamespace("team");
        broker.setTriggers(List.of(Trigger.onAttributes("all", "team", Map.of(), URI.create(args[1]),
                new DeliverySpec(1000, BackoffPolicy.LINEAR, Duration.ofMillis(20), Duration.ofSeconds(5), null))));
        broker.start();
        BrokerIngress ingress = new BrokerIngress(broker, "127.0.0.1", 0).start();
        System.out.println("READY " + ingress.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
