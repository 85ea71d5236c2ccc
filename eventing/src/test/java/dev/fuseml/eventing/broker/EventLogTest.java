package dev.fuseml.eventing.broker;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker's durable log alone: what a restart reads back, a torn tail, and compaction. */
class EventLogTest {
    @TempDir
    Path dir;

    private static CloudEvent event(String id) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("test")).withType("a")
                .withData("application/json", ("{\"n\":\"" + id + "\"}").getBytes()).build();
    }

    @Test
    void eventsAndTheirDeliveryMarksAreReadBackAfterARestart() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = new EventLog(file)) {
            long[] seqs = log.appendAll(List.of(new EventLog.Entry("team", event("e1")),
                    new EventLog.Entry("other", event("e2"))));
            log.markDelivered(seqs[0], "t1");
            log.flushMarks();
        }
        try (EventLog again = new EventLog(file)) {
            List<EventLog.Recovered> read = again.recover();
            assertThat(read).extracting(r -> r.event().getId()).containsExactly("e1", "e2");
            assertThat(read).extracting(EventLog.Recovered::namespace).containsExactly("team", "other");
            assertThat(read.get(0).delivered()).containsExactly("t1");
            assertThat(read.get(1).delivered()).isEmpty();
            assertThat(read.get(0).event().getData().toBytes()).isEqualTo("{\"n\":\"e1\"}".getBytes());
        }
    }

    @Test
    void aTornTailIsCutOffAndNewEventsFollowTheGoodOnes() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = new EventLog(file)) {
            log.append("team", event("e1"));
        }
        Files.write(file, new byte[]{0, 0, 1, 7, 42, 42}, StandardOpenOption.APPEND); // a write cut short
        try (EventLog log = new EventLog(file)) {
            assertThat(log.recover()).extracting(r -> r.event().getId()).containsExactly("e1");
            log.append("team", event("e2"));
        }
        try (EventLog log = new EventLog(file)) {
            assertThat(log.recover()).extracting(r -> r.event().getId()).containsExactly("e1", "e2");
        }
    }

    @Test
    void compactionKeepsOnlyTheWorkLeftWithItsMarks() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = new EventLog(file)) {
            for (int i = 0; i < 50; i++) {
                log.append("team", event("done-" + i));
            }
            log.append("team", event("pending"));
        }
        try (EventLog log = new EventLog(file)) {
            List<EventLog.Recovered> all = log.recover();
            long before = log.size();
            EventLog.Recovered pending = all.get(all.size() - 1);
            log.compact(List.of(new EventLog.Recovered(pending.seq(), pending.namespace(), pending.event(),
                    Set.of("t1"))));
            assertThat(log.size()).isLessThan(before / 10);
        }
        try (EventLog log = new EventLog(file)) {
            List<EventLog.Recovered> kept = log.recover();
            assertThat(kept).singleElement().satisfies(r -> {
                assertThat(r.event().getId()).isEqualTo("pending");
                assertThat(r.delivered()).containsExactly("t1");
            });
        }
    }
}
