package dev.fuseml.eventing.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fuseml.eventing.filter.Filter;
import dev.fuseml.eventing.filter.Filters;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The cost of matching one event against 100 triggers: mixed dialects, and exact attributes as the baseline. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FilterBenchmark {
    private List<Filter> mixed;
    private List<Filter> exact;
    private CloudEvent event;

    @Setup
    public void setup() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        String[] dialects = {
            "filters: [{exact: {type: dev.fuseml.t%d, subject: wine}}]",
            "filters: [{prefix: {type: dev.fuseml.t%d}}]",
            "filters: [{suffix: {source: /train%d}}]",
            "filters: [{any: [{exact: {subject: beer%d}}, {prefix: {type: com.}}]}]",
            "filters: [{all: [{exact: {fusemlorg: workspace}}, {not: {exact: {subject: x%d}}}]}]",
            "filters: [{cesql: \"type LIKE 'dev.fuseml.%%' AND attempt > %d\"}]",
        };
        mixed = new ArrayList<>();
        exact = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            mixed.add(Filters.fromSpec(yaml.readTree(String.format(dialects[i % dialects.length], i))));
            exact.add(Filters.fromSpec(yaml.readTree(String.format(
                    "filter: {attributes: {type: dev.fuseml.t%d, subject: wine}}", i))));
        }
        event = CloudEventBuilder.v1().withId("1").withSource(URI.create("/fuseml/train")).withType("dev.fuseml.t7")
                .withSubject("wine").withExtension("fusemlorg", "workspace").withExtension("attempt", 3).build();
    }

    @Benchmark
    public int mixedDialects100Triggers() {
        int matched = 0;
        for (Filter f : mixed) {
            if (f.matches(event)) {
                matched++;
            }
        }
        return matched;
    }

    @Benchmark
    public int baselineExactAttributes100Triggers() {
        int matched = 0;
        for (Filter f : exact) {
            if (f.matches(event)) {
                matched++;
            }
        }
        return matched;
    }
}
